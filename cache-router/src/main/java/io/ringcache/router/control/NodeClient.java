package io.ringcache.router.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ringcache.resp.ReplyParser;
import io.ringcache.resp.Resp;
import io.ringcache.resp.RespLimits;
import io.ringcache.resp.RespProtocolException;
import io.ringcache.resp.RespReply;
import io.ringcache.resp.net.ClusterAuth;
import io.ringcache.resp.net.DeadPeers;
import io.ringcache.resp.net.HostPort;
import io.ringcache.resp.net.Tls;
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
 * Replies are parsed by cache-resp's ReplyParser, the state machine every RESP reader uses, fed
 * from a buffer this client fills from its socket; so its bounds are RespLimits' reply bounds. They
 * map to Java: +simple -> String, :integer -> Long, $bulk -> byte[] (null for $-1), *array ->
 * List<Object> (null for *-1); an -error reply throws NodeClient.ErrorReply (inside an array it is
 * an ErrorReply element). A malformed reply is an IOException whose cause is the
 * RespProtocolException. Not thread-safe: one caller at a time (NodePool hands them out).
 */

/** A blocking RESP2 connection to a node, for control commands. */
final class NodeClient implements Closeable {

  /** Bytes read from the socket at a time. */
  private static final int READ_CHUNK = 16 * 1024;

  private final String address;
  /** Commands written whose replies were not read yet (see {@link #close}). */
  private int unanswered;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  /** Bytes read and not yet parsed; the parser keeps its place in a partial reply between reads. */
  private final ByteBuf input = Unpooled.buffer(READ_CHUNK);
  private final ReplyParser parser = ReplyParser.typed(RespLimits.defaults());

  private NodeClient(String address, Socket socket) throws IOException {
    this.address = address;
    this.socket = socket;
    this.in = socket.getInputStream();
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
      // a RING.STREAM waits for its whole stream: on a connection that went silent meanwhile (a
      // firewall failing over) it waited for ever, and the join with it, though every node answered
      DeadPeers.detect(socket);
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

  /** The local port of the connection (tests cut it with a firewall rule). */
  int localPort() {
    return socket.getLocalPort();
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

  /**
   * Sends one command without flushing; pair with {@link #flush} and {@link #read}. Each argument is
   * a {@code byte[]} as it is, or the UTF-8 of its string form.
   */
  void write(Object... args) throws IOException {
    byte[][] bytes = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      bytes[i] = args[i] instanceof byte[] b ? b : String.valueOf(args[i]).getBytes(StandardCharsets.UTF_8);
    }
    out.write(Resp.toBytes(buf -> Resp.command(buf, bytes)));
    unanswered++;
  }

  void flush() throws IOException {
    out.flush();
  }

  /**
   * Waits until a reply starts to arrive, however long that takes, while the calling thread is not
   * interrupted: a blocked socket read does not notice an interrupt, so this reads with a short
   * timeout and checks in between. The connection's read timeout is what it was after.
   *
   * @throws java.io.InterruptedIOException if the thread was interrupted (its interrupt status is kept)
   */
  void awaitReply() throws IOException {
    if (input.isReadable()) {
      return;
    }
    int before = socket.getSoTimeout();
    socket.setSoTimeout(INTERRUPT_CHECK_MILLIS);
    try {
      while (true) {
        try {
          fill(); // some bytes, or the end (read() reports it)
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
    try {
      for (; ; ) {
        Object reply = parser.decode(input);
        if (reply != null) {
          input.discardSomeReadBytes();
          unanswered--;
          if (reply instanceof RespReply.Error error) {
            throw new ErrorReply(address, error.message());
          }
          return toJava(reply);
        }
        if (!fill()) {
          throw new EOFException("connection closed by " + address);
        }
      }
    } catch (RespProtocolException e) {
      input.clear();
      throw new IOException("protocol error from " + address + ": " + e.getMessage(), e);
    }
  }

  /** Reads what the socket has (blocking for at least a byte); false at the end of the stream. */
  private boolean fill() throws IOException {
    return input.writeBytes(in, READ_CHUNK) >= 0;
  }

  /** This class's Java shapes of a reply in RespReply's shapes. */
  private Object toJava(Object reply) {
    if (reply == RespReply.NIL) {
      return null;
    }
    if (reply instanceof RespReply.Error error) {
      return new ErrorReply(address, error.message());
    }
    if (reply instanceof Object[] array) {
      List<Object> items = new ArrayList<>(array.length);
      for (Object item : array) {
        items.add(toJava(item));
      }
      return items;
    }
    return reply;
  }

  /**
   * Closes the connection. With a command still unanswered (its caller gave up: a timeout, an
   * interrupt) the close is abortive (SO_LINGER 0: a reset, the unsent bytes dropped): a normal
   * close leaves the kernel retransmitting what the node has not acknowledged, so on a connection
   * that went silent (a partition) the command would reach the node once it heals, seconds after
   * the router took it for failed: a RING.FLUSH of an earlier, failed join would then wipe the
   * node a retried join had filled since.
   */
  @Override
  public void close() {
    try {
      if (unanswered > 0) {
        socket.setSoLinger(true, 0);
      }
    } catch (IOException ignored) {
      // closed already, or the option refused: the close below still goes ahead
    }
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
