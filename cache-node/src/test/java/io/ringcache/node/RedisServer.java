package io.ringcache.node;

import io.ringcache.testkit.core.Await;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Debian {@code redis-server} for differential tests: started on a Unix socket in a
 * temporary directory (no TCP port at all, so nothing can collide), without persistence, and
 * killed on close. Public for the router's proxy tests (cache-node's test jar).
 */
public final class RedisServer implements AutoCloseable {

  public static final Path BINARY = Path.of("/usr/bin/redis-server");

  private final Process process;
  private final Path dir;
  private final Path socket;

  private RedisServer(Process process, Path dir, Path socket) {
    this.process = process;
    this.dir = dir;
    this.socket = socket;
  }

  public static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  public static RedisServer start() throws IOException {
    return start(new String[0]);
  }

  /** Starts one with extra options, e.g. {@code "--requirepass", "s3cret"}. */
  public static RedisServer start(String... options) throws IOException {
    Path dir = Files.createTempDirectory("ringcache-redis");
    Path socket = dir.resolve("redis.sock");
    List<String> command = new java.util.ArrayList<>(List.of(BINARY.toString(), "--port", "0", "--unixsocket", socket.toString(),
        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString()));
    command.addAll(List.of(options));
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.out").toFile())
        .start();
    RedisServer server = new RedisServer(process, dir, socket);
    try {
      Await.until(() -> {
        try (Conn c = server.connect()) {
          return true;
        } catch (IOException e) {
          return false;
        }
      }, Duration.ofSeconds(10), "redis-server accepting connections on " + socket);
    } catch (AssertionError e) {
      server.close();
      throw new IOException("redis-server did not accept connections on " + socket + " within 10 s", e);
    }
    return server;
  }

  public Conn connect() throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    return new Conn(channel, Channels.newInputStream(channel), Channels.newOutputStream(channel));
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }

  /** A connection that sends requests as multibulks and reads each reply back as its raw bytes. */
  public static final class Conn implements AutoCloseable {
    private final AutoCloseable channel;
    private final InputStream in;
    private final OutputStream out;

    Conn(AutoCloseable channel, InputStream in, OutputStream out) {
      this.channel = channel;
      this.in = new BufferedInputStream(in);
      this.out = out;
    }

    public static Conn tcp(int port) throws IOException {
      java.net.Socket socket = new java.net.Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      socket.setTcpNoDelay(true);
      return new Conn(socket, socket.getInputStream(), socket.getOutputStream());
    }

    /** Sends one request (each argument as ISO-8859-1 bytes, so any byte value fits). */
    public void send(String... args) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (String a : args) {
        byte[] bytes = a.getBytes(StandardCharsets.ISO_8859_1);
        b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(bytes);
        b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.write(b.toByteArray());
      out.flush();
    }

    /** Sends {@code raw} (ISO-8859-1 bytes) as it is. */
    public void sendRaw(String raw) throws IOException {
      out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    /** Everything the server sends until it closes the connection, as ISO-8859-1 text. */
    public String readUntilClosed() throws IOException {
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    /** Sends one request and returns its reply's raw bytes as ISO-8859-1 text. */
    public String call(String... args) throws IOException {
      send(args);
      return reply();
    }

    /**
     * The next reply, raw (type byte to final CRLF, nested arrays included), as ISO-8859-1 text;
     * RESP2 or RESP3 (after HELLO 3).
     */
    public String reply() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      readReply(b);
      return b.toString(StandardCharsets.ISO_8859_1);
    }

    private void readReply(ByteArrayOutputStream b) throws IOException {
      int type = in.read();
      if (type < 0) {
        throw new IOException("connection closed");
      }
      b.write(type);
      String line = line(b);
      if (type == '$' || type == '=' || type == '!') { // RESP3: verbatim string, blob error
        int n = Integer.parseInt(line);
        if (n >= 0) {
          b.writeBytes(in.readNBytes(n + 2));
        }
      } else if (type == '*' || type == '~' || type == '>' || type == '%') { // RESP3: set, push, map (pairs)
        int n = Integer.parseInt(line) * (type == '%' ? 2 : 1);
        for (int i = 0; i < n; i++) {
          readReply(b);
        }
      }
    }

    private String line(ByteArrayOutputStream b) throws IOException {
      ByteArrayOutputStream l = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) >= 0 && c != '\r') {
        l.write(c);
      }
      in.read(); // \n
      b.writeBytes(l.toByteArray());
      b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      return l.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      try {
        channel.close();
      } catch (IOException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e);
      }
    }
  }
}
