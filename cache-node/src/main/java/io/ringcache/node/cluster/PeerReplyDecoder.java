package io.ringcache.node.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/*
 * Decodes the replies a node sends another node: +simple, -error, :integer, $bulk and *arrays of
 * those (nested). It decodes a whole reply or nothing: when the buffer ends inside a reply, the
 * reader index goes back to the reply's start and decoding waits for more bytes. Replies between
 * nodes are small (an integer, or one entry for a read-through), so re-parsing a partial reply is
 * cheap. Every length is bounded.
 *
 * Output: String (simple), PeerError (error), Long (integer), byte[] or NULL_BULK ($-1),
 * List<Object> or NULL_ARRAY (*-1).
 */

/** Decodes RESP2 replies from a peer node. */
final class PeerReplyDecoder extends ByteToMessageDecoder {

  static final Object NULL_BULK = new Object() {
    @Override
    public String toString() {
      return "(nil)";
    }
  };
  static final Object NULL_ARRAY = new Object() {
    @Override
    public String toString() {
      return "(nil array)";
    }
  };

  private static final int MAX_LINE = 64 * 1024;
  private static final int MAX_BULK = 512 * 1024 * 1024;
  private static final int MAX_ARRAY = 1024 * 1024;
  private static final Object INCOMPLETE = new Object();

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (in.isReadable()) {
      int start = in.readerIndex();
      Object reply = parse(in);
      if (reply == INCOMPLETE) {
        in.readerIndex(start);
        return;
      }
      out.add(reply);
    }
  }

  private static Object parse(ByteBuf in) {
    if (!in.isReadable()) {
      return INCOMPLETE;
    }
    byte type = in.readByte();
    String line = readLine(in);
    if (line == null) {
      return INCOMPLETE;
    }
    switch (type) {
      case '+':
        return line;
      case '-':
        return new PeerError(line);
      case ':':
        return parseLong(line);
      case '$': {
        long length = parseLong(line);
        if (length < 0) {
          return NULL_BULK;
        }
        if (length > MAX_BULK) {
          throw new DecoderException("bulk length: " + length + " (expected: <= " + MAX_BULK + ")");
        }
        if (in.readableBytes() < length + 2) {
          return INCOMPLETE;
        }
        byte[] bytes = new byte[(int) length];
        in.readBytes(bytes);
        in.skipBytes(2);
        return bytes;
      }
      case '*': {
        long count = parseLong(line);
        if (count < 0) {
          return NULL_ARRAY;
        }
        if (count > MAX_ARRAY) {
          throw new DecoderException("array length: " + count + " (expected: <= " + MAX_ARRAY + ")");
        }
        List<Object> items = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
          Object item = parse(in);
          if (item == INCOMPLETE) {
            return INCOMPLETE;
          }
          items.add(item);
        }
        return items;
      }
      default:
        throw new DecoderException("unexpected reply type: " + (char) type);
    }
  }

  private static String readLine(ByteBuf in) {
    int end = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
    if (end < 0) {
      if (in.readableBytes() > MAX_LINE) {
        throw new DecoderException("reply line longer than " + MAX_LINE + " bytes");
      }
      return null;
    }
    int length = end - in.readerIndex() - 1;
    if (length < 0 || in.getByte(end - 1) != '\r') {
      throw new DecoderException("reply line without CR LF");
    }
    String line = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
    in.readerIndex(end + 1);
    return line;
  }

  private static long parseLong(String line) {
    try {
      return Long.parseLong(line);
    } catch (NumberFormatException e) {
      throw new DecoderException("not a number in reply: " + line);
    }
  }

  /** An error reply from a peer. */
  record PeerError(String message) {}
}
