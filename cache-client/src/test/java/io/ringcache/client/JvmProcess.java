package io.ringcache.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Java program of this test classpath run as a real process (a fresh JVM), its output in a
 * file: for cache nodes that a test pauses with SIGSTOP, and for a client's cold start.
 */
final class JvmProcess implements AutoCloseable {

  private final Process process;
  private final Path output;

  private JvmProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** Starts {@code mainClass} with {@code args} in a new JVM on this JVM's class path. */
  static JvmProcess start(Class<?> mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    try {
      Path output = Files.createTempFile("jvm-process", ".out");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      return new JvmProcess(process, output);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + command, e);
    }
  }

  /** Starts a real cache node ({@code io.ringcache.node.CacheNode}) on an ephemeral loopback port. */
  static JvmProcess cacheNode() {
    return start(io.ringcache.node.CacheNode.class,
        "--bind", "127.0.0.1", "--port", "0", "--threads", "1", "--max-memory", "64m");
  }

  /** The node's address, from its start-up log line; waits for it. */
  String nodeAddress(Duration timeout) {
    return awaitOutput(Pattern.compile("listening on (127\\.0\\.0\\.1:\\d+)"), timeout).group(1);
  }

  /** Waits until the output has a match for {@code pattern}; fails at the deadline or if the process ends. */
  Matcher awaitOutput(Pattern pattern, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String text = output();
      Matcher m = pattern.matcher(text);
      if (m.find()) {
        return m;
      }
      if (!process.isAlive() || System.nanoTime() - deadline > 0) {
        throw new AssertionError("no '" + pattern + "' in the output of pid " + process.pid()
            + (process.isAlive() ? " within " + timeout : " (exited " + process.exitValue() + ")") + ":\n" + text);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
    }
  }

  String output() {
    try {
      return Files.readString(output);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the process to exit; returns its exit code. */
  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("pid " + process.pid() + " still running after " + timeout + ":\n" + output());
    }
    return process.exitValue();
  }

  /** Sends {@code signal} ({@code STOP}, {@code CONT}) with kill(1), as an operator would. */
  void signal(String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly(); // SIGKILL ends a stopped process too
    try {
      process.waitFor(10, TimeUnit.SECONDS);
      Files.deleteIfExists(output);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // a temp file left behind
    }
  }
}
