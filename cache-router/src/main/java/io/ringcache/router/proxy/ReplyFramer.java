package io.ringcache.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/*
 * Frames the replies a node sends the proxy without parsing them: each reply (+simple, -error,
 * :integer, $bulk, *array of those, nested) leaves as one retained slice of the read buffer, its raw
 * bytes, which the proxy passes on to the client unchanged. Only the replies that must be merged
 * (MGET parts, integer sums) are looked into, with the static helpers below.
 *
 * A reply is framed whole or not at all: when the buffer ends inside one, nothing is consumed and
 * the next read re-scans it (a bulk's header says its length, so only arrays are walked again).
 * Bounds: a line MAX_LINE bytes, a bulk MAX_BULK bytes, an array MAX_ARRAY elements, nesting
 * MAX_DEPTH. A reply outside them is a broken stream: DecoderException, and the connection closes.
 */

/** Frames RESP2 replies from a node into one retained {@link ByteBuf} slice per reply. */
final class ReplyFramer extends ByteToMessageDecoder {

  static final int MAX_LINE = 64 * 1024;
  static final long MAX_BULK = 512L * 1024 * 1024;
  static final long MAX_ARRAY = 16L * 1024 * 1024;
  static final int MAX_DEPTH = 8;

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (in.isReadable()) {
      int start = in.readerIndex();
      int end = end(in, start, 0);
      if (end < 0) {
        return;
      }
      out.add(in.readRetainedSlice(end - start));
    }
  }

  /** The index just past the reply that starts at {@code from}, or -1 if it is not complete yet. */
  static int end(ByteBuf in, int from, int depth) {
    if (from >= in.writerIndex()) {
      return -1;
    }
    if (depth > MAX_DEPTH) {
      throw new DecoderException("reply nesting: " + depth + " (expected: <= " + MAX_DEPTH + ")");
    }
    byte type = in.getByte(from);
    int eol = lineEnd(in, from);
    if (eol < 0) {
      return -1;
    }
    switch (type) {
      case '+', '-', ':':
        return eol + 2;
      case '$': {
        long length = number(in, from + 1, eol);
        if (length < 0) {
          return eol + 2;
        }
        if (length > MAX_BULK) {
          throw new DecoderException("bulk length: " + length + " (expected: <= " + MAX_BULK + ")");
        }
        long end = eol + 2 + length + 2;
        return end > in.writerIndex() ? -1 : (int) end;
      }
      case '*': {
        long count = number(in, from + 1, eol);
        if (count > MAX_ARRAY) {
          throw new DecoderException("array length: " + count + " (expected: <= " + MAX_ARRAY + ")");
        }
        int at = eol + 2;
        for (long i = 0; i < count; i++) {
          at = end(in, at, depth + 1);
          if (at < 0) {
            return -1;
          }
        }
        return at;
      }
      default:
        throw new DecoderException("reply type: '" + (char) (type & 0xFF) + "' (expected: one of +-:$*)");
    }
  }

  /** The index of the CR ending the line at {@code from}, or -1 if it is not complete yet. */
  private static int lineEnd(ByteBuf in, int from) {
    int limit = (int) Math.min(in.writerIndex(), (long) from + MAX_LINE);
    int lf = in.indexOf(from, limit, (byte) '\n');
    if (lf < 0) {
      if (in.writerIndex() - from >= MAX_LINE) {
        throw new DecoderException("reply line: more than " + MAX_LINE + " bytes (expected: <= " + MAX_LINE + ")");
      }
      return -1;
    }
    if (lf == from || in.getByte(lf - 1) != '\r') {
      throw new DecoderException("reply line not ended by CRLF");
    }
    return lf - 1;
  }

  /** The signed decimal in [from, to). */
  static long number(ByteBuf in, int from, int to) {
    if (from >= to || to - from > 20) {
      throw new DecoderException("invalid number in a reply");
    }
    boolean negative = in.getByte(from) == '-';
    long value = 0;
    for (int i = negative ? from + 1 : from; i < to; i++) {
      int d = in.getByte(i) - '0';
      if (d < 0 || d > 9 || value > (Long.MAX_VALUE - d) / 10) {
        throw new DecoderException("invalid number in a reply");
      }
      value = value * 10 + d;
    }
    return negative ? -value : value;
  }

  // ---- looking into one framed reply

  static byte type(ByteBuf reply) {
    return reply.getByte(reply.readerIndex());
  }

  /** Whether {@code reply} starts with the ASCII {@code prefix}. */
  static boolean startsWith(ByteBuf reply, byte[] prefix) {
    if (reply.readableBytes() < prefix.length) {
      return false;
    }
    int at = reply.readerIndex();
    for (int i = 0; i < prefix.length; i++) {
      if (reply.getByte(at + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** The value of an integer reply. */
  static long integer(ByteBuf reply) {
    int from = reply.readerIndex();
    return number(reply, from + 1, reply.writerIndex() - 2);
  }

  /** The first line of a reply without its type byte, e.g. an error's text. */
  static String text(ByteBuf reply) {
    int from = reply.readerIndex();
    int eol = reply.indexOf(from, reply.writerIndex(), (byte) '\r');
    return reply.toString(from + 1, (eol < 0 ? reply.writerIndex() : eol) - from - 1, StandardCharsets.UTF_8);
  }

  /** The header length of an array reply: the index of its first element. */
  static int firstElement(ByteBuf reply) {
    int from = reply.readerIndex();
    return reply.indexOf(from, reply.writerIndex(), (byte) '\n') + 1;
  }

  /** The bytes of the bulk string at {@code from}, or null for a null bulk or another type. */
  static byte[] bulkAt(ByteBuf in, int from) {
    if (in.getByte(from) != '$') {
      return null;
    }
    int cr = in.indexOf(from, in.writerIndex(), (byte) '\r');
    long length = number(in, from + 1, cr);
    if (length < 0) {
      return null;
    }
    byte[] bytes = new byte[(int) length];
    in.getBytes(cr + 2, bytes);
    return bytes;
  }

  /** The index of the first element of the array whose header is at {@code from}. */
  static int firstElementAt(ByteBuf in, int from) {
    return in.indexOf(from, in.writerIndex(), (byte) '\n') + 1;
  }

  /** The element count of the array header at {@code from}, -1 for a null array or another type. */
  static long arrayLengthAt(ByteBuf in, int from) {
    if (in.getByte(from) != '*') {
      return -1;
    }
    int cr = in.indexOf(from, in.writerIndex(), (byte) '\r');
    return number(in, from + 1, cr);
  }

  /** The element count of an array reply, -1 for a null array. */
  static long arrayLength(ByteBuf reply) {
    int from = reply.readerIndex();
    int cr = reply.indexOf(from, reply.writerIndex(), (byte) '\r');
    return number(reply, from + 1, cr);
  }
}
