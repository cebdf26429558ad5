package io.ringcache.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/*
 * A bare RESP2 connection for fault tests: commands are written without waiting for replies (so
 * they can queue at a paused node, or be malformed as a client may send them, e.g. MSET with an odd
 * number of arguments), replies read one at a time. Error replies are returned as Err, not thrown.
 */

/** A raw RESP2 connection: pipelined sends, replies read one by one. */
final class RawResp implements AutoCloseable {

  /** An error reply, e.g. "TRYAGAIN ..." or "ERR ...". */
  record Err(String message) {
    @Override
    public String toString() {
      return "-" + message;
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  RawResp(int port, int readTimeoutMillis) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(readTimeoutMillis);
    socket.setTcpNoDelay(true);
    out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
  }

  /** Buffers one command; {@link #flush()} sends what is buffered. */
  RawResp send(String... args) throws IOException {
    out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (String a : args) {
      byte[] b = a.getBytes(StandardCharsets.UTF_8);
      out.write(('$' + Integer.toString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(b);
      out.write('\r');
      out.write('\n');
    }
    return this;
  }

  void flush() throws IOException {
    out.flush();
  }

  /** One command, its reply. */
  Object call(String... args) throws IOException {
    send(args).flush();
    return read();
  }

  /** The next reply: String (simple or bulk), Long, List, Err, or null (nil). */
  Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new IOException("connection closed");
    }
    String line = line();
    return switch (type) {
      case '+' -> line;
      case '-' -> new Err(line);
      case ':' -> Long.parseLong(line);
      case '$' -> {
        int n = Integer.parseInt(line);
        if (n < 0) {
          yield null;
        }
        byte[] b = in.readNBytes(n);
        line();
        yield new String(b, StandardCharsets.UTF_8);
      }
      case '*' -> {
        int n = Integer.parseInt(line);
        if (n < 0) {
          yield null;
        }
        List<Object> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          list.add(read());
        }
        yield list;
      }
      default -> throw new IOException("unexpected reply type " + (char) type + line);
    };
  }

  private String line() throws IOException {
    StringBuilder s = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed");
      }
      if (b != '\r') {
        s.append((char) b);
      }
    }
    return s.toString();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
