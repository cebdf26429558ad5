package io.ringcache.router.proxy;

import io.netty.buffer.ByteBuf;
import io.ringcache.resp.ReplyParser;
import io.ringcache.resp.RespReplyFramer;
import java.nio.charset.StandardCharsets;

/**
 * Looks into one raw reply that {@link RespReplyFramer} framed (so it is complete and well formed):
 * its type, an error's text, an integer, array headers and bulk elements. Only the replies the
 * proxy must merge (MGET parts, integer sums) or check (AUTH, redirects) are looked into; the rest
 * pass through untouched.
 */
final class RawReply {

  private RawReply() {}

  /** The index just past the element at {@code from} of a framed reply (the codec's state machine finds it). */
  static int end(ByteBuf frame, int from) {
    return RespReplyFramer.end(frame, from);
  }

  /** The signed decimal in [from, to) of a framed reply. */
  static long number(ByteBuf in, int from, int to) {
    return ReplyParser.number(in, from, to, "number in a reply");
  }


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
