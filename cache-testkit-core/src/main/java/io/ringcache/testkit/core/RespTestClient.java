package io.ringcache.testkit.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ringcache.resp.ReplyParser;
import io.ringcache.resp.Resp;
import io.ringcache.resp.RespLimits;
import io.ringcache.resp.RespProtocolException;
import io.ringcache.resp.RespReply;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLSocket;

/*
 * Replies are read with cache-resp's reply state machine (ReplyParser), the one the client, the
 * proxy and the router use: framed to keep the exact bytes, then decoded from them, with bounds so
 * that a broken server fails a test instead of exhausting its heap.
 */

/**
 * A raw RESP2 connection for tests, over a real socket: write commands exactly as given (pipelined
 * if you like, or malformed on purpose with {@link #sendRaw}), read replies one at a time, either as
 * the bytes the server wrote or parsed. Not thread-safe; one connection per test thread.
 *
 * <pre>{@code
 * try (RespTestClient conn = RespTestClient.connect(cluster.proxyAddress())) {
 *   assertThat(conn.call("SET", "k", "v")).isEqualTo("OK");
 *   assertThat(conn.call("GET", "k")).isEqualTo("v");
 *   assertThat(conn.send("INCR", "k").flush().readRawReply()).asString().startsWith("-ERR");
 * }
 * }</pre>
 *
 * <p>Parsed replies are plain Java values: a simple or bulk string is a {@code String} (UTF-8), an
 * integer a {@code Long}, an array a {@code List<Object>}, a null bulk or null array {@code null},
 * and an error reply an {@link Error} (returned, not thrown). {@link #callText(String...)} and
 * {@link #callOnce(String, String...)} give the compact text form tests like to compare with:
 * {@code "+OK"}, {@code ":3"}, {@code "-MOVED 4 127.0.0.1:40123"}, a bulk string's content.
 */
public final class RespTestClient implements AutoCloseable {

  /** How long a read waits for a reply before failing: 10 seconds. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

  /** The largest bulk string or array a reply may announce before the reader refuses it. */
  static final int MAX_LENGTH = 512 << 20;
  /** The deepest nesting of arrays the reader follows. */
  static final int MAX_DEPTH = 64;

  /** An error reply: {@code message} without the leading {@code -}, e.g. {@code "ERR unknown command ..."}. */
  public record Error(String message) {
    /** The error's prefix, e.g. {@code "MOVED"}, {@code "ERR"}. */
    public String prefix() {
      int space = message.indexOf(' ');
      return space < 0 ? message : message.substring(0, space);
    }

    @Override
    public String toString() {
      return "-" + message;
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final Reader reader;
  private final String address;

  private RespTestClient(Socket socket, String address) throws IOException {
    this.socket = socket;
    this.address = address;
    this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    this.reader = new Reader(in);
  }

  /** A plaintext connection to {@code 127.0.0.1:port}, with {@link #DEFAULT_READ_TIMEOUT}. */
  public static RespTestClient connect(int port) {
    return connect("127.0.0.1:" + port);
  }

  /** A plaintext connection to {@code host:port}, with {@link #DEFAULT_READ_TIMEOUT}. */
  public static RespTestClient connect(String address) {
    return connect(address, null, DEFAULT_READ_TIMEOUT);
  }

  /**
   * A connection to {@code host:port}: over TLS trusting {@code tls} when it is not null, plaintext
   * otherwise; a read that waits longer than {@code readTimeout} fails.
   */
  public static RespTestClient connect(String address, TestCertificates tls, Duration readTimeout) {
    Objects.requireNonNull(address, "address");
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("address: " + address + " (expected: host:port)");
    }
    String host = address.substring(0, colon);
    int port = Integer.parseInt(address.substring(colon + 1));
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), 5_000);
      socket.setSoTimeout((int) readTimeout.toMillis());
      socket.setTcpNoDelay(true);
      if (tls != null) {
        SSLSocket secure = (SSLSocket) tls.clientContext().getSocketFactory().createSocket(socket, host, port, true);
        secure.startHandshake();
        socket = secure;
      }
      return new RespTestClient(socket, address);
    } catch (IOException e) {
      try {
        socket.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new UncheckedIOException("cannot connect to " + address + ": " + e.getMessage(), e);
    }
  }

  /**
   * Sends one command to {@code address} over a fresh plaintext connection and returns its reply in
   * text form: see {@link #callText(String...)}.
   */
  public static String callOnce(String address, String... args) {
    try (RespTestClient client = connect(address)) {
      return client.callText(args);
    }
  }

  /**
   * Sends one command and returns its reply in text form: a simple string, error or integer as the
   * server wrote its line ({@code "+OK"}, {@code "-ERR ..."}, {@code ":3"}), a bulk string's content,
   * {@code null} for a null bulk or array, and an array as the list of its elements' text forms
   * ({@code "[+OK, v, :1]"}).
   */
  public String callText(String... args) {
    send(args).flush();
    return textOf(readRawReply());
  }

  private static String textOf(byte[] raw) {
    Object parsed;
    try {
      parsed = parse(raw, true);
    } catch (IOException e) {
      throw new IllegalStateException("cannot parse a reply read whole: " + e.getMessage(), e);
    }
    return parsed == null ? null : parsed.toString();
  }

  /** Writes one command (a RESP array of bulk strings) to the buffer; {@link #flush()} sends it. */
  public RespTestClient send(String... args) {
    try {
      out.write(Resp.toBytes(b -> Resp.command(b, args)));
      return this;
    } catch (IOException e) {
      throw failed("send to", e);
    }
  }

  /** Writes {@code text}'s ISO-8859-1 bytes to the buffer as they are: see {@link #sendRaw(byte[])}. */
  public RespTestClient sendRaw(String text) {
    return sendRaw(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Writes {@code bytes} to the buffer as they are (an inline command, a malformed request). */
  public RespTestClient sendRaw(byte[] bytes) {
    try {
      out.write(bytes);
      return this;
    } catch (IOException e) {
      throw failed("send to", e);
    }
  }

  /** Sends what is buffered. */
  public RespTestClient flush() {
    try {
      out.flush();
      return this;
    } catch (IOException e) {
      throw failed("send to", e);
    }
  }

  /** Sends one command and returns its reply, parsed (an error reply is returned as an {@link Error}). */
  public Object call(String... args) {
    return send(args).flush().readReply();
  }

  /** The next reply, parsed. */
  public Object readReply() {
    try {
      return parse(reader.next(), false);
    } catch (IOException e) {
      throw failed("read a reply from", e);
    }
  }

  /** The next reply as the exact bytes the server wrote, nested elements included. */
  public byte[] readRawReply() {
    try {
      return reader.next();
    } catch (IOException e) {
      throw failed("read a reply from", e);
    }
  }

  /**
   * Whether the server closed the connection: true when a read sees its end (waiting up to the
   * read timeout); fails if a reply arrives instead.
   */
  public boolean isClosedByServer() {
    if (reader.buffered()) {
      throw new AssertionError("expected the connection to " + address + " closed, got a reply");
    }
    try {
      int b = in.read();
      if (b >= 0) {
        throw new AssertionError("expected the connection to " + address + " closed, got a reply starting with " + (char) b);
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  private UncheckedIOException failed(String what, IOException e) {
    return new UncheckedIOException("cannot " + what + " " + address + ": " + e.getMessage(), e);
  }

  /**
   * Whether the server closes the connection, whatever it still sends first: reads and discards
   * replies (an error before the close, replies to a flood) until the connection ends, true if it
   * ends within the read timeout of the last byte read. {@link #isClosedByServer()} is the strict
   * form, for a close with no reply before it.
   */
  public boolean drainUntilClosed() {
    byte[] discarded = new byte[8192];
    try {
      while (in.read(discarded) >= 0) {
        // what the server sent before closing is not what this asks
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  /**
   * The socket under this connection, for tests that need it raw: a flood written from another
   * thread, a shorter read timeout ({@link Socket#setSoTimeout}).
   */
  public Socket socket() {
    return socket;
  }

  /** The address this client connected to. */
  public String address() {
    return address;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway: nothing to keep
    }
  }

  /**
   * Reads one RESP2 reply at a time, blocking: bytes from the socket go into a buffer that
   * cache-resp's reply state machine frames ({@link ReplyParser#frame}); what follows a reply stays
   * for the next one (pipelined replies).
   */
  private static final class Reader {
    private final InputStream in;
    private final ByteBuf buffer = Unpooled.buffer(1 << 12);
    private final ReplyParser framing = ReplyParser.framing(LIMITS);
    private final byte[] chunk = new byte[1 << 16];

    Reader(InputStream in) {
      this.in = in;
    }

    /** The next reply's bytes, exactly as the server wrote them. */
    byte[] next() throws IOException {
      for (; ; ) {
        int length;
        try {
          length = framing.frame(buffer);
        } catch (RespProtocolException e) {
          throw new IOException(e.getMessage(), e);
        }
        if (length >= 0) {
          byte[] raw = new byte[length];
          buffer.readBytes(raw);
          buffer.discardReadBytes();
          return raw;
        }
        int n = in.read(chunk);
        if (n < 0) {
          throw new IOException(buffer.isReadable() ? "connection closed inside a reply" : "connection closed before a reply");
        }
        buffer.writeBytes(chunk, 0, n);
      }
    }

    /** Whether bytes of a reply are already buffered. */
    boolean buffered() {
      return buffer.isReadable();
    }
  }

  /** Bounds of the replies this client reads: cache-resp's reply bounds, with deeper nesting and 512 MiB bulks. */
  private static final RespLimits LIMITS = RespLimits.defaults().withReplyBounds(RespLimits.DEFAULT_MAX_REPLY_LINE_LENGTH,
      MAX_LENGTH, RespLimits.DEFAULT_MAX_REPLY_ARRAY_LENGTH, MAX_DEPTH);

  /** One whole reply's value, in this client's shapes ({@code text}: simple strings and integers with their type byte). */
  private static Object parse(byte[] raw, boolean text) throws IOException {
    Object value;
    try {
      value = ReplyParser.typed(LIMITS).decode(Unpooled.wrappedBuffer(raw));
    } catch (RespProtocolException e) {
      throw new IOException(e.getMessage(), e);
    }
    if (value == null) {
      throw new IOException("not one whole reply: " + raw.length + " bytes");
    }
    return shape(value, text);
  }

  private static Object shape(Object value, boolean text) {
    if (value == RespReply.NIL) {
      return null;
    }
    if (value instanceof RespReply.Error e) {
      return new Error(e.message());
    }
    if (value instanceof String simple) {
      return text ? "+" + simple : simple;
    }
    if (value instanceof Long n) {
      return text ? ":" + n : n;
    }
    if (value instanceof byte[] bulk) {
      return new String(bulk, StandardCharsets.UTF_8);
    }
    Object[] elements = (Object[]) value;
    List<Object> list = new ArrayList<>(elements.length);
    for (Object element : elements) {
      list.add(shape(element, text));
    }
    return list;
  }
}
