package io.ringcache.client;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scripted RESP server on an ephemeral loopback port: each request (its arguments as strings)
 * goes to a responder that returns the raw reply ({@code "+OK\r\n"}), or {@code null} to never
 * answer. Counts the commands it received by name.
 *
 * <p>Kept beside the testkit on purpose: it is a server that misbehaves on demand (never answers,
 * forges -MOVED or -TRYAGAIN, answers wrongly), which no real node can be made to be; tests of the
 * client's behaviour against a real cluster use the testkit's {@code EmbeddedCluster}.
 */
final class FakeNode implements AutoCloseable {

  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private volatile Function<List<String>, String> responder;

  FakeNode(Function<List<String>, String> responder) throws IOException {
    this.responder = responder;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "fake-node-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  static String bulk(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    return "$" + bytes.length + "\r\n" + s + "\r\n";
  }

  String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  void responder(Function<List<String>, String> responder) {
    this.responder = responder;
  }

  int count(String command) {
    AtomicInteger n = counts.get(command.toUpperCase());
    return n == null ? 0 : n.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        sockets.add(socket);
        Thread reader = new Thread(() -> serve(socket), "fake-node-conn");
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      while (true) {
        String header = line(in);
        if (header == null) {
          return;
        }
        int n = Integer.parseInt(header.substring(1));
        List<String> args = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          int length = Integer.parseInt(line(in).substring(1));
          byte[] arg = in.readNBytes(length);
          in.readNBytes(2);
          args.add(new String(arg, StandardCharsets.UTF_8));
        }
        counts.computeIfAbsent(args.get(0).toUpperCase(), k -> new AtomicInteger()).incrementAndGet();
        String reply = responder.apply(args);
        if (reply != null) {
          out.write(reply.getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      }
    } catch (IOException | RuntimeException e) {
      // the connection ends
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\r') {
        in.read();
        return line.toString();
      }
      line.append((char) c);
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
