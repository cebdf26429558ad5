package io.ringcache.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;

/*
 * A RESP2 reply decoder as an explicit state machine.
 *
 * States: LINE (expecting a type byte and a CRLF-terminated header) and BULK (expecting the body
 * of a bulk string of known length plus CRLF). Arrays push a frame on a small stack; every value
 * completed fills the top frame, and a frame that is full is itself a value for the frame below.
 * Only a complete top-level reply is emitted, so the handler sees exactly one message per request.
 *
 * Every length read is bounded: header lines (maxLineLength), bulk strings (maxBulkLength),
 * arrays (maxArrayLength) and nesting (MAX_DEPTH). A violation throws a DecoderException whose
 * text names the value and the bound, after resetting the state; the connection is then closed by
 * CommandHandler since the stream is out of sync.
 *
 * Allocation: a bulk string costs its byte[]; +OK and small integers are shared constants; the
 * numbers are parsed from the buffer in place.
 */

/** Decodes RESP2 replies into {@link RespReply} shapes. Not sharable: it holds parse state. */
final class RespReplyDecoder extends ByteToMessageDecoder {

  static final int DEFAULT_MAX_LINE_LENGTH = 64 * 1024;
  static final int DEFAULT_MAX_BULK_LENGTH = 512 * 1024 * 1024;
  static final int DEFAULT_MAX_ARRAY_LENGTH = 16 * 1024 * 1024;
  static final int MAX_DEPTH = 8;

  private final int maxLineLength;
  private final int maxBulkLength;
  private final int maxArrayLength;

  private boolean inBulk;
  private int bulkLength;

  private final Object[][] frames = new Object[MAX_DEPTH][];
  private final int[] filled = new int[MAX_DEPTH];
  private int depth;

  RespReplyDecoder() {
    this(DEFAULT_MAX_LINE_LENGTH, DEFAULT_MAX_BULK_LENGTH, DEFAULT_MAX_ARRAY_LENGTH);
  }

  RespReplyDecoder(int maxLineLength, int maxBulkLength, int maxArrayLength) {
    this.maxLineLength = maxLineLength;
    this.maxBulkLength = maxBulkLength;
    this.maxArrayLength = maxArrayLength;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    try {
      while (in.isReadable()) {
        if (inBulk) {
          if (in.readableBytes() < bulkLength + 2) {
            return;
          }
          byte[] body = new byte[bulkLength];
          in.readBytes(body);
          expectCrlf(in, in.readerIndex());
          in.skipBytes(2);
          inBulk = false;
          emit(body, out);
          continue;
        }
        int start = in.readerIndex();
        int lf = in.forEachByte(start, in.readableBytes(), ByteProcessor.FIND_LF);
        if (lf < 0) {
          if (in.readableBytes() > maxLineLength) {
            throw fail("reply line length: " + in.readableBytes() + " (expected: <= " + maxLineLength + ")");
          }
          return;
        }
        int lineLength = lf - start - 1; // without CR LF, with the type byte
        if (lineLength > maxLineLength) {
          throw fail("reply line length: " + lineLength + " (expected: <= " + maxLineLength + ")");
        }
        if (lineLength < 1 || in.getByte(lf - 1) != '\r') {
          throw fail("reply line does not end with CRLF at offset " + lf);
        }
        byte type = in.getByte(start);
        int from = start + 1;
        int to = lf - 1; // exclusive, at the CR
        in.readerIndex(lf + 1);
        switch (type) {
          case '+':
            emit(simpleString(in, from, to), out);
            break;
          case '-':
            emit(new RespReply.Error(in.toString(from, to - from, StandardCharsets.UTF_8)), out);
            break;
          case ':':
            emit(Long.valueOf(parseLong(in, from, to, "integer")), out);
            break;
          case '$':
            long length = parseLong(in, from, to, "bulk length");
            if (length == -1) {
              emit(RespReply.NIL, out);
            } else if (length < 0 || length > maxBulkLength) {
              throw fail("bulk length: " + length + " (expected: -1 to " + maxBulkLength + ")");
            } else {
              inBulk = true;
              bulkLength = (int) length;
            }
            break;
          case '*':
            long count = parseLong(in, from, to, "array length");
            if (count == -1) {
              emit(RespReply.NIL, out);
            } else if (count < 0 || count > maxArrayLength) {
              throw fail("array length: " + count + " (expected: -1 to " + maxArrayLength + ")");
            } else if (count == 0) {
              emit(new Object[0], out);
            } else {
              if (depth == MAX_DEPTH) {
                throw fail("array nesting: " + (depth + 1) + " (expected: <= " + MAX_DEPTH + ")");
              }
              frames[depth] = new Object[(int) count];
              filled[depth] = 0;
              depth++;
            }
            break;
          default:
            throw fail("reply type byte: 0x" + Integer.toHexString(type & 0xFF) + " (expected: one of + - : $ *)");
        }
      }
    } catch (DecoderException e) {
      reset();
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  private void emit(Object value, List<Object> out) {
    while (depth > 0) {
      int top = depth - 1;
      Object[] frame = frames[top];
      frame[filled[top]++] = value;
      if (filled[top] < frame.length) {
        return;
      }
      frames[top] = null;
      depth--;
      value = frame;
    }
    out.add(value);
  }

  private static Object simpleString(ByteBuf in, int from, int to) {
    if (to - from == 2 && in.getByte(from) == 'O' && in.getByte(from + 1) == 'K') {
      return RespReply.OK;
    }
    return in.toString(from, to - from, StandardCharsets.UTF_8);
  }

  private static long parseLong(ByteBuf in, int from, int to, String what) {
    if (from >= to) {
      throw fail(what + ": empty (expected: a decimal number)");
    }
    boolean negative = in.getByte(from) == '-';
    int i = negative ? from + 1 : from;
    if (i >= to || to - i > 19) {
      throw fail(what + ": " + in.toString(from, to - from, StandardCharsets.US_ASCII) + " (expected: a 64-bit decimal number)");
    }
    long value = 0;
    for (; i < to; i++) {
      int digit = in.getByte(i) - '0';
      if (digit < 0 || digit > 9) {
        throw fail(what + ": " + in.toString(from, to - from, StandardCharsets.US_ASCII) + " (expected: a decimal number)");
      }
      value = value * 10 + digit;
      if (value < 0) {
        throw fail(what + ": overflows a 64-bit number");
      }
    }
    return negative ? -value : value;
  }

  private static void expectCrlf(ByteBuf in, int at) {
    if (in.getByte(at) != '\r' || in.getByte(at + 1) != '\n') {
      throw fail("bulk string not followed by CRLF at offset " + at);
    }
  }

  private void reset() {
    inBulk = false;
    bulkLength = 0;
    for (int i = 0; i < depth; i++) {
      frames[i] = null;
    }
    depth = 0;
  }

  private static DecoderException fail(String message) {
    return new DecoderException(message);
  }
}
