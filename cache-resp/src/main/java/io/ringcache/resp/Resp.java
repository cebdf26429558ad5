package io.ringcache.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * RESP2 encoding straight into a buffer, without intermediate objects: the one writer of the
 * project. The node's replies, the requests a node sends another (peer link), the router proxy's
 * replies and requests, the control plane's requests ({@code NodeClient} writes into a buffer and
 * copies it to its blocking socket) and the Java client's requests ({@code RespRequestEncoder}, on
 * the client's hot path: a request is an {@link #arrayHeader}, then a {@link #bulk} or {@link
 * #bulkDecimal} per argument, or {@link #command} for a whole one, with no allocation beyond what
 * the buffer grows by).
 */
public final class Resp {

  public static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] PONG = "+PONG\r\n".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] NIL = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] EMPTY_ARRAY = "*0\r\n".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] ZERO = ":0\r\n".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] ONE = ":1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MIN_LONG = "-9223372036854775808".getBytes(StandardCharsets.US_ASCII);
  private static final short CRLF = ('\r' << 8) | '\n';

  private Resp() {}

  public static void raw(ByteBuf out, byte[] bytes) {
    out.writeBytes(bytes);
  }

  public static void simple(ByteBuf out, String text) {
    out.writeByte('+');
    writeLine(out, text);
  }

  /** An error; {@code text} starts with its prefix, e.g. {@code ERR syntax error}. */
  public static void error(ByteBuf out, String text) {
    out.writeByte('-');
    writeLine(out, text);
  }

  private static void writeLine(ByteBuf out, String text) {
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      out.writeByte(c == '\r' || c == '\n' ? ' ' : c > 0xFF ? '?' : c);
    }
    out.writeShort(CRLF);
  }

  public static void integer(ByteBuf out, long value) {
    if (value == 0) {
      out.writeBytes(ZERO);
      return;
    }
    if (value == 1) {
      out.writeBytes(ONE);
      return;
    }
    out.writeByte(':');
    decimal(out, value);
    out.writeShort(CRLF);
  }

  public static void bulk(ByteBuf out, byte[] value) {
    if (value == null) {
      out.writeBytes(NIL);
      return;
    }
    out.ensureWritable(value.length + 16);
    out.writeByte('$');
    decimal(out, value.length);
    out.writeShort(CRLF);
    out.writeBytes(value);
    out.writeShort(CRLF);
  }

  /**
   * The header of a bulk string of {@code length} bytes ({@code $5\r\n}), with room made for the
   * payload and its CRLF, which the caller writes (with {@link #crlf}) straight from where the bytes
   * are kept.
   */
  public static void bulkHeader(ByteBuf out, int length) {
    out.ensureWritable(length + 16);
    out.writeByte('$');
    decimal(out, length);
    out.writeShort(CRLF);
  }

  /** CRLF: the end of a line, or of a bulk string's payload. */
  public static void crlf(ByteBuf out) {
    out.writeShort(CRLF);
  }

  /** A bulk string of {@code value}'s UTF-8 bytes; null is the null bulk string. */
  public static void bulk(ByteBuf out, String value) {
    bulk(out, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A bulk string of {@code value}'s decimal digits ({@code $2\r\n42\r\n}), without making a
   * string of them: a number argument of a request.
   */
  public static void bulkDecimal(ByteBuf out, long value) {
    out.writeByte('$');
    decimal(out, digits(value));
    out.writeShort(CRLF);
    decimal(out, value);
    out.writeShort(CRLF);
  }

  /** A request as a multibulk of the UTF-8 bytes of {@code args}. */
  public static void command(ByteBuf out, String... args) {
    arrayHeader(out, args.length);
    for (String a : args) {
      bulk(out, a.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** A request as a multibulk: {@code *N $len arg ...}. */
  public static void command(ByteBuf out, byte[]... args) {
    int size = 16;
    for (byte[] a : args) {
      size += a.length + 16;
    }
    out.ensureWritable(size);
    arrayHeader(out, args.length);
    for (byte[] a : args) {
      bulk(out, a);
    }
  }

  /**
   * What {@code writer} writes, as an array: for what is encoded once (a command name, a constant
   * request) or written to a blocking stream ({@code NodeClient}).
   */
  public static byte[] toBytes(Consumer<ByteBuf> writer) {
    ByteBuf buf = Unpooled.buffer();
    try {
      writer.accept(buf);
      return ByteBufUtil.getBytes(buf);
    } finally {
      buf.release();
    }
  }

  /** The ASCII bytes of {@code s}. */
  public static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  public static void nil(ByteBuf out) {
    out.writeBytes(NIL);
  }

  public static void arrayHeader(ByteBuf out, int length) {
    out.writeByte('*');
    decimal(out, length);
    out.writeShort(CRLF);
  }

  /** The length of {@code value} written in decimal, sign included. */
  public static int digits(long value) {
    if (value == Long.MIN_VALUE) {
      return MIN_LONG.length;
    }
    int n = value < 0 ? 2 : 1;
    for (long v = Math.abs(value); v >= 10; v /= 10) {
      n++;
    }
    return n;
  }

  /** Writes the ASCII digits of {@code value}. */
  public static void decimal(ByteBuf out, long value) {
    if (value == Long.MIN_VALUE) {
      out.writeBytes(MIN_LONG);
      return;
    }
    if (value < 0) {
      out.writeByte('-');
      value = -value;
    }
    if (value < 10) {
      out.writeByte((int) ('0' + value));
      return;
    }
    int digits = 1;
    for (long v = value / 10; v > 0; v /= 10) {
      digits++;
    }
    out.ensureWritable(digits);
    int end = out.writerIndex() + digits;
    for (int i = end - 1; i >= out.writerIndex(); i--) {
      out.setByte(i, (int) ('0' + value % 10));
      value /= 10;
    }
    out.writerIndex(end);
  }
}
