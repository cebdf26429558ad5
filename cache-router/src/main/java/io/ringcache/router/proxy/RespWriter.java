package io.ringcache.router.proxy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** RESP2 encoding straight into a buffer: the proxy's replies and the requests it sends nodes. */
final class RespWriter {

  static final byte[] OK = ascii("+OK\r\n");
  static final byte[] PONG = ascii("+PONG\r\n");
  static final byte[] NIL = ascii("$-1\r\n");
  static final byte[] EMPTY_ARRAY = ascii("*0\r\n");
  private static final short CRLF = ('\r' << 8) | '\n';

  private RespWriter() {}

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static void simple(ByteBuf out, String text) {
    out.writeByte('+');
    line(out, text);
  }

  /** An error; {@code text} starts with its prefix, e.g. {@code ERR syntax error}. */
  static void error(ByteBuf out, String text) {
    out.writeByte('-');
    line(out, text);
  }

  private static void line(ByteBuf out, String text) {
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      out.writeByte(c == '\r' || c == '\n' ? ' ' : c > 0xFF ? '?' : c);
    }
    out.writeShort(CRLF);
  }

  static void integer(ByteBuf out, long value) {
    out.writeByte(':');
    decimal(out, value);
    out.writeShort(CRLF);
  }

  static void bulk(ByteBuf out, byte[] value) {
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

  static void bulk(ByteBuf out, String value) {
    bulk(out, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  static void arrayHeader(ByteBuf out, int length) {
    out.writeByte('*');
    decimal(out, length);
    out.writeShort(CRLF);
  }

  /** A request as a multibulk: {@code *N $len arg ...}. */
  static void command(ByteBuf out, byte[][] args) {
    int size = 16;
    for (byte[] a : args) {
      size += a.length + 16;
    }
    out.ensureWritable(size);
    arrayHeader(out, args.length);
    for (byte[] a : args) {
      out.writeByte('$');
      decimal(out, a.length);
      out.writeShort(CRLF);
      out.writeBytes(a);
      out.writeShort(CRLF);
    }
  }

  static void decimal(ByteBuf out, long value) {
    if (value >= 0 && value < 10) {
      out.writeByte((int) ('0' + value));
      return;
    }
    out.writeCharSequence(Long.toString(value), StandardCharsets.US_ASCII);
  }
}
