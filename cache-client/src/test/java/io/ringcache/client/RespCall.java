package io.ringcache.client;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** One RESP command over a fresh loopback socket, for test fixtures: the reply as text. */
final class RespCall {

  private RespCall() {}

  /**
   * Sends {@code args} to {@code address} and returns the reply: {@code +OK}, {@code :3}, {@code
   * -ERR ...} as written, a bulk string's content, or {@code null} for a null bulk.
   */
  static String call(String address, String... args) {
    int colon = address.lastIndexOf(':');
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))), 2000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
      for (String arg : args) {
        request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
      }
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      String line = line(in);
      if (line.startsWith("$")) {
        int length = Integer.parseInt(line.substring(1));
        if (length < 0) {
          return null;
        }
        byte[] body = in.readNBytes(length);
        return new String(body, StandardCharsets.UTF_8);
      }
      return line;
    } catch (IOException e) {
      throw new IllegalStateException("cannot call " + address + ": " + e, e);
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
    throw new IOException("connection closed before a reply");
  }

  /**
   * The epoch of a RING.TOPOLOGY answer (-1 if it has none): a node may already hold a newer
   * topology than the one a test read from the router (the router records incarnations as nodes
   * answer), so tests compare epochs, never match one exactly.
   */
  static long epochOf(String topologyJson) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"epoch\":(\\d+)").matcher(topologyJson);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }
}
