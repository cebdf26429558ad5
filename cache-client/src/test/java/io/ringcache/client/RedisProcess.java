package io.ringcache.client;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real {@code redis-server} on an ephemeral loopback port, for protocol tests. */
final class RedisProcess implements AutoCloseable {

  static final String BINARY = "/usr/bin/redis-server";

  private final int port;
  private final String password;
  private Process process;

  private RedisProcess(int port, String password) {
    this.port = port;
    this.password = password;
  }

  static boolean available() {
    return new File(BINARY).canExecute();
  }

  static RedisProcess start() {
    return start(null);
  }

  static RedisProcess start(String password) {
    RedisProcess redis = new RedisProcess(freePort(), password);
    redis.startProcess();
    return redis;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  int port() {
    return port;
  }

  String address() {
    return "127.0.0.1:" + port;
  }

  /** Starts the server (again, on the same port) and waits until it accepts connections. */
  void startProcess() {
    List<String> command = new ArrayList<>(List.of(
        BINARY, "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--protected-mode", "no", "--loglevel", "warning"));
    if (password != null) {
      command.add("--requirepass");
      command.add(password);
    }
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + BINARY, e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        if (!process.isAlive()) {
          throw new IllegalStateException("redis-server exited with " + process.exitValue());
        }
        Thread.onSpinWait();
      }
    }
    throw new IllegalStateException("redis-server did not listen on " + port + " within 10 s");
  }

  /** Kills the server (SIGKILL) and waits for it to be gone. */
  void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  @Override
  public void close() {
    kill();
  }
}
