package io.ringcache.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on an ephemeral loopback port in front of a real server, for faults the network makes:
 * it can hold what clients send (read but not forwarded, as a request lost in flight) and cut every
 * connection at once. Not a fake server: every reply comes from the server behind it.
 */
final class CuttableRelay implements AutoCloseable {

  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicLong held = new AtomicLong();
  private volatile InetSocketAddress target;
  private volatile boolean holding;

  CuttableRelay() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "relay-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  void target(int port) {
    target = new InetSocketAddress("127.0.0.1", port);
  }

  /** While holding, bytes from clients are read and dropped, never forwarded; counts them. */
  void hold(boolean holding) {
    held.set(0);
    this.holding = holding;
  }

  long heldBytes() {
    return held.get();
  }

  /** Closes every relayed connection, both sides. */
  void cutAll() {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    sockets.clear();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        upstream.connect(target, 2_000);
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream, true);
        pump(upstream, client, false);
      } catch (IOException e) {
        // the relay is closing, or the target is gone: the client sees its connection close
      }
    }
  }

  private void pump(Socket from, Socket to, boolean fromClient) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          if (fromClient && holding) {
            held.addAndGet(n);
            continue;
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException closed) {
        // cut, or one side went away
      } finally {
        try {
          from.close();
          to.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }, "relay-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
    cutAll();
  }
}
