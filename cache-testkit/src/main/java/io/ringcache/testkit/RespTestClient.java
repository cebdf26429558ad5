package io.ringcache.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
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
 * The reply parser below is deliberately tiny and private: a blocking reader of one RESP2 reply,
 * with bounds so that a broken server fails a test instead of exhausting its heap. When the shared
 * codec module (cache-resp) lands, it takes this parser's place.
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
      parsed = new Reader(new java.io.ByteArrayInputStream(raw)).read(null, 0, true);
    } catch (IOException e) {
      throw new IllegalStateException("cannot parse a reply read whole: " + e.getMessage(), e);
    }
    return parsed == null ? null : parsed.toString();
  }

  /** Writes one command (a RESP array of bulk strings) to the buffer; {@link #flush()} sends it. */
  public RespTestClient send(String... args) {
    try {
      out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (String arg : args) {
        byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
        out.write(('$' + Integer.toString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write('\r');
        out.write('\n');
      }
      return this;
    } catch (IOException e) {
      throw failed("send to", e);
    }
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
      return reader.read(null, 0, false);
    } catch (IOException e) {
      throw failed("read a reply from", e);
    }
  }

  /** The next reply as the exact bytes the server wrote, nested elements included. */
  public byte[] readRawReply() {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    try {
      reader.read(raw, 0, false);
    } catch (IOException e) {
      throw failed("read a reply from", e);
    }
    return raw.toByteArray();
  }

  /**
   * Whether the server closed the connection: true when a read sees its end (waiting up to the
   * read timeout); fails if a reply arrives instead.
   */
  public boolean isClosedByServer() {
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

  /** Reads one RESP2 reply at a time, blocking, with a bound on every length it reads. */
  private static final class Reader {
    private final InputStream in;

    Reader(InputStream in) {
      this.in = in;
    }

    Object read(ByteArrayOutputStream raw, int depth, boolean text) throws IOException {
      int type = in.read();
      if (type < 0) {
        throw new IOException("connection closed before a reply");
      }
      if (raw != null) {
        raw.write(type);
      }
      String line = line(raw);
      switch (type) {
        case '+':
          return text ? "+" + line : line;
        case '-':
          return new Error(line);
        case ':':
          return text ? ":" + line : (Object) Long.parseLong(line);
        case '$': {
          int length = length(line, "bulk length");
          if (length < 0) {
            return null;
          }
          byte[] body = in.readNBytes(length);
          if (body.length < length) {
            throw new IOException("connection closed inside a bulk string");
          }
          if (raw != null) {
            raw.write(body);
          }
          line(raw);
          return new String(body, StandardCharsets.UTF_8);
        }
        case '*': {
          int count = length(line, "array length");
          if (count < 0) {
            return null;
          }
          if (depth >= MAX_DEPTH) {
            throw new IOException("array nesting: " + (depth + 1) + " (expected: <= " + MAX_DEPTH + ")");
          }
          List<Object> elements = new ArrayList<>(Math.min(count, 1024)); // never pre-size from the wire
          for (int i = 0; i < count; i++) {
            elements.add(read(raw, depth + 1, text));
          }
          return elements;
        }
        default:
          throw new IOException("not a RESP2 reply: type byte 0x" + Integer.toHexString(type) + " followed by " + line);
      }
    }

    private static int length(String line, String what) throws IOException {
      long n;
      try {
        n = Long.parseLong(line);
      } catch (NumberFormatException e) {
        throw new IOException(what + ": " + line + " (expected: a number)");
      }
      if (n < -1 || n > MAX_LENGTH) {
        throw new IOException(what + ": " + n + " (expected: -1 to " + MAX_LENGTH + ")");
      }
      return (int) n;
    }

    /** One line up to CRLF, without it (copied to {@code raw} with it). */
    private String line(ByteArrayOutputStream raw) throws IOException {
      StringBuilder line = new StringBuilder();
      for (int b = in.read(); ; b = in.read()) {
        if (b < 0) {
          throw new IOException("connection closed inside a reply");
        }
        if (raw != null) {
          raw.write(b);
        }
        if (b == '\n' && line.length() > 0 && line.charAt(line.length() - 1) == '\r') {
          line.setLength(line.length() - 1);
          return line.toString();
        }
        if (line.length() > MAX_LENGTH) {
          throw new IOException("reply line longer than " + MAX_LENGTH + " bytes");
        }
        line.append((char) b);
      }
    }
  }

}
