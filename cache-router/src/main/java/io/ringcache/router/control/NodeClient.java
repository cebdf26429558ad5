package io.ringcache.router.control;

import io.ringcache.node.ClusterAuth;
import io.ringcache.node.Tls;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocketFactory;

/*
 * The router's control connection to one node: blocking RESP2 over a socket (TLS when the
 * cluster's nodes speak it), on the
 * router's own threads (never an event loop). Control traffic is a handful of commands per second
 * (health checks, topology pushes, handoff steps); the data itself moves node to node.
 *
 * Replies map to Java: +simple -> String, :integer -> Long, $bulk -> byte[] (null for $-1),
 * *array -> List<Object> (null for *-1); an -error reply throws NodeClient.ErrorReply.
 * Not thread-safe: one caller at a time (NodePool hands them out).
 */

/** A blocking RESP2 connection to a node, for control commands. */
final class NodeClient implements Closeable {

  /** Replies longer than this are refused: a control reply is a topology document at most. */
  private static final int MAX_BULK = 64 * 1024 * 1024;

  private final String address;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private NodeClient(String address, Socket socket) throws IOException {
    this.address = address;
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
  }

  /**
   * Connects to {@code address} ({@code host:port}), over TLS when {@code tls} is given, and
   * authenticates: as the cluster user when {@code clusterSecret} is set, else with {@code
   * password} when that is set.
   */
  static NodeClient connect(String address, String password, String clusterSecret, Duration timeout,
      SSLSocketFactory tls) throws IOException {
    HostPort hostPort = HostPort.parse(address);
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(hostPort.host(), hostPort.port()), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      if (tls != null) {
        socket = Tls.wrap(tls, socket, hostPort.host(), hostPort.port());
      }
      NodeClient client = new NodeClient(address, socket);
      if (clusterSecret != null && !clusterSecret.isEmpty()) {
        client.call("AUTH", ClusterAuth.CLUSTER_USER, clusterSecret);
      } else if (password != null && !password.isEmpty()) {
        client.call("AUTH", password);
      }
      return client;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  String address() {
    return address;
  }

  /** Sets how long a read may block; long-running commands (streaming) raise it. */
  void readTimeout(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
  }

  /** Sends one command and reads its reply. */
  Object call(Object... args) throws IOException {
    write(args);
    out.flush();
    return read();
  }

  /** Sends one command without flushing; pair with {@link #flush} and {@link #read}. */
  void write(Object... args) throws IOException {
    out.write('*');
    writeNumber(args.length);
    for (Object arg : args) {
      byte[] bytes = arg instanceof byte[] b ? b : String.valueOf(arg).getBytes(StandardCharsets.UTF_8);
      out.write('$');
      writeNumber(bytes.length);
      out.write(bytes);
      out.write('\r');
      out.write('\n');
    }
  }

  void flush() throws IOException {
    out.flush();
  }

  private void writeNumber(long n) throws IOException {
    out.write(Long.toString(n).getBytes(StandardCharsets.US_ASCII));
    out.write('\r');
    out.write('\n');
  }

  /**
   * Waits until a reply starts to arrive, however long that takes, while the calling thread is not
   * interrupted: a blocked socket read does not notice an interrupt, so this reads with a short
   * timeout and checks in between. The connection's read timeout is what it was after.
   *
   * @throws java.io.InterruptedIOException if the thread was interrupted (its interrupt status is kept)
   */
  void awaitReply() throws IOException {
    int before = socket.getSoTimeout();
    socket.setSoTimeout(INTERRUPT_CHECK_MILLIS);
    try {
      while (true) {
        in.mark(1);
        try {
          in.read(); // a byte, or the end (read() reports it)
          in.reset();
          return;
        } catch (java.net.SocketTimeoutException e) {
          if (Thread.currentThread().isInterrupted()) {
            throw new java.io.InterruptedIOException("interrupted while waiting for " + address);
          }
        }
      }
    } finally {
      socket.setSoTimeout(before);
    }
  }

  private static final int INTERRUPT_CHECK_MILLIS = 200;

  /** Reads one reply. */
  Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed by " + address);
    }
    String line = readLine();
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new ErrorReply(address, line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int length = Integer.parseInt(line);
        if (length < 0) {
          return null;
        }
        if (length > MAX_BULK) {
          throw new IOException("bulk reply of " + length + " bytes from " + address + " (expected: <= " + MAX_BULK + ")");
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length || in.read() != '\r' || in.read() != '\n') {
          throw new EOFException("truncated bulk reply from " + address);
        }
        return bytes;
      }
      case '*': {
        int count = Integer.parseInt(line);
        if (count < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
          try {
            items.add(read());
          } catch (ErrorReply e) {
            items.add(e);
          }
        }
        return items;
      }
      default:
        throw new IOException("protocol error from " + address + ": unexpected reply type '" + (char) type + "'");
    }
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c; ; ) {
      c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed by " + address);
      }
      if (c == '\r') {
        if (in.read() != '\n') {
          throw new IOException("protocol error from " + address + ": CR without LF");
        }
        return line.toString();
      }
      if (line.length() > 64 * 1024) {
        throw new IOException("protocol error from " + address + ": line longer than 64 KiB");
      }
      line.append((char) c);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a socket we are done with: nothing to do about a failure
    }
  }

  static String text(Object reply) {
    return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
  }

  /** An error reply from a node ({@code -ERR ...}, {@code -TRYAGAIN ...}). */
  static final class ErrorReply extends IOException {
    private static final long serialVersionUID = 1L;

    ErrorReply(String address, String message) {
      super(message + " (from " + address + ")");
    }
  }
}
