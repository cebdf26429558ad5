package io.ringcache.resp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * RESP2 encoding straight into a buffer, without intermediate objects: the node's replies, the
 * requests a node sends another, and the router proxy's replies and requests.
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

  /** A bulk string of {@code value}'s UTF-8 bytes; null is the null bulk string. */
  public static void bulk(ByteBuf out, String value) {
    bulk(out, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  /** A request as a multibulk: {@code *N $len arg ...}. */
  public static void command(ByteBuf out, byte[][] args) {
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
