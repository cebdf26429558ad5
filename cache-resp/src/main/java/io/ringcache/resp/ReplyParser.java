package io.ringcache.resp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/*
 * The one RESP2 reply state machine of the project. It reads +simple, -error, :integer, $bulk and
 * *array (nested) replies incrementally: what it has read of a reply is kept between calls, so a
 * reply that arrives in pieces is never scanned twice.
 *
 * Two modes over the same states and checks, so that they accept the same input and agree on
 * where every reply ends (RespFuzzTest checks it):
 *   typed    (decode) builds the reply's Java value (RespReply's shapes) and consumes each
 *            element's bytes as soon as it is complete: the client, the node's peer link and the
 *            router's control connections.
 *   framing  (frame) builds nothing and consumes nothing: it returns the length of the complete
 *            reply at the reader index, which the caller slices off untouched (the proxy).
 *
 * States: LINE (expects a type byte and a CRLF-ended line at `offset` bytes past the reader index),
 * BULK (expects `bulkLength` bytes and CRLF). Arrays push a frame on a stack of at most
 * limits.maxReplyDepth(); each completed value fills the top frame, and a full frame is itself a
 * value for the frame below. A top-level value completes the reply.
 *
 * Bounds, each checked before anything is allocated for it (RespLimits): a line's text
 * maxReplyLineLength bytes, a bulk string maxReplyBulkLength bytes, an array maxReplyArrayLength
 * elements, nesting maxReplyDepth arrays. An array's storage grows with the elements that arrive,
 * never pre-sized from the count on the wire. Numbers are parsed in place, as 64-bit decimals
 * without leading '+'. Anything else is a RespProtocolException whose text names the value and the
 * bound; the parser is reset first, so the caller must drop the stream's remaining input (it is out
 * of sync) and may feed a fresh one.
 */

/**
 * Parses RESP2 replies, typed ({@link #decode}) or as raw frames ({@link #frame}). Not thread-safe:
 * one per connection. The Netty handlers {@link RespReplyDecoder} and {@link RespReplyFramer} wrap
 * it; a blocking client feeds it from a buffer it fills from its socket.
 */
public final class ReplyParser {

  private final RespLimits limits;
  private final boolean typed;

  /** Bytes past the reader index already parsed (framing mode; 0 in typed mode, which consumes). */
  private int offset;
  private boolean inBulk;
  private int bulkLength;

  private final long[] remaining;
  private final Object[][] frames;
  private final int[] filled;
  private int depth;
  private Object value;

  private ReplyParser(RespLimits limits, boolean typed) {
    this.limits = limits;
    this.typed = typed;
    this.remaining = new long[limits.maxReplyDepth()];
    this.frames = typed ? new Object[limits.maxReplyDepth()][] : null;
    this.filled = typed ? new int[limits.maxReplyDepth()] : null;
  }

  /** A parser that builds each reply's value ({@link #decode}). */
  public static ReplyParser typed(RespLimits limits) {
    return new ReplyParser(limits, true);
  }

  /** A parser that only finds where each reply ends ({@link #frame}). */
  public static ReplyParser framing(RespLimits limits) {
    return new ReplyParser(limits, false);
  }

  /**
   * The next complete reply's value in {@link RespReply}'s shapes, or null if more input is needed;
   * consumes the bytes it has parsed (of a partial reply too).
   *
   * @throws RespProtocolException if the input is not RESP2 or breaks a bound
   */
  public Object decode(ByteBuf in) {
    if (!typed) {
      throw new IllegalStateException("a framing parser does not decode; use frame()");
    }
    if (!parse(in)) {
      return null;
    }
    Object result = value;
    value = null;
    return result;
  }

  /**
   * The length of the complete reply at {@code in}'s reader index, or -1 if more input is needed.
   * Consumes nothing: the caller takes the reply's bytes (e.g. {@code readRetainedSlice(length)})
   * before it calls again.
   *
   * @throws RespProtocolException if the input is not RESP2 or breaks a bound
   */
  public int frame(ByteBuf in) {
    if (typed) {
      throw new IllegalStateException("a typed parser consumes its input; use decode()");
    }
    if (!parse(in)) {
      return -1;
    }
    int length = offset;
    offset = 0;
    return length;
  }

  /** Whether part of a reply has been read and the rest is awaited. */
  public boolean inReply() {
    return offset > 0 || inBulk || depth > 0;
  }

  /** Runs the state machine; true when a top-level reply is complete. */
  private boolean parse(ByteBuf in) {
    try {
      for (; ; ) {
        int at = in.readerIndex() + offset;
        if (inBulk) {
          if (in.writerIndex() - at < (long) bulkLength + 2) {
            return false;
          }
          int end = at + bulkLength;
          if (in.getByte(end) != '\r' || in.getByte(end + 1) != '\n') {
            throw fail("bulk string of " + bulkLength + " bytes not followed by CRLF");
          }
          Object bulk = null;
          if (typed) {
            byte[] bytes = new byte[bulkLength];
            in.getBytes(at, bytes);
            bulk = bytes;
          }
          inBulk = false;
          if (advance(in, end + 2, bulk)) {
            return true;
          }
          continue;
        }
        if (at >= in.writerIndex()) {
          return false;
        }
        int maxLine = limits.maxReplyLineLength();
        // the type byte, up to maxLine bytes of text, CR, LF
        int limit = (int) Math.min(in.writerIndex(), (long) at + maxLine + 3);
        int lf = in.indexOf(at, limit, (byte) '\n');
        if (lf < 0) {
          int seen = in.writerIndex() - at - 1;
          if (seen > maxLine + 1) {
            throw fail("reply line length: more than " + maxLine + " bytes (expected: <= " + maxLine + ")");
          }
          return false;
        }
        if (lf < at + 2 || in.getByte(lf - 1) != '\r') {
          throw fail("reply line does not end with CRLF at offset " + (lf - in.readerIndex()));
        }
        byte type = in.getByte(at);
        int from = at + 1;
        int to = lf - 1;
        int next = lf + 1;
        switch (type) {
          case '+':
            if (advance(in, next, typed ? simpleString(in, from, to) : null)) {
              return true;
            }
            break;
          case '-':
            if (advance(in, next, typed ? new RespReply.Error(in.toString(from, to - from, StandardCharsets.UTF_8)) : null)) {
              return true;
            }
            break;
          case ':': {
            long n = number(in, from, to, "integer");
            if (advance(in, next, typed ? Long.valueOf(n) : null)) {
              return true;
            }
            break;
          }
          case '$': {
            long length = number(in, from, to, "bulk length");
            if (length == -1) {
              if (advance(in, next, RespReply.NIL)) {
                return true;
              }
            } else if (length < -1) {
              throw fail("bulk length: " + length + " (expected: -1 for null, else >= 0)");
            } else if (length > limits.maxReplyBulkLength()) {
              throw fail("bulk length: " + length + " (expected: <= " + limits.maxReplyBulkLength() + ")");
            } else {
              bulkLength = (int) length;
              inBulk = true;
              moveTo(in, next);
            }
            break;
          }
          case '*': {
            long count = number(in, from, to, "array length");
            if (count == -1) {
              if (advance(in, next, RespReply.NIL)) {
                return true;
              }
            } else if (count < -1) {
              throw fail("array length: " + count + " (expected: -1 for null, else >= 0)");
            } else if (count > limits.maxReplyArrayLength()) {
              throw fail("array length: " + count + " (expected: <= " + limits.maxReplyArrayLength() + ")");
            } else if (count == 0) {
              if (advance(in, next, typed ? new Object[0] : null)) {
                return true;
              }
            } else {
              if (depth == limits.maxReplyDepth()) {
                throw fail("array nesting: " + (depth + 1) + " (expected: <= " + limits.maxReplyDepth() + ")");
              }
              remaining[depth] = count;
              if (typed) {
                frames[depth] = new Object[(int) Math.min(count, 16)];
                filled[depth] = 0;
              }
              depth++;
              moveTo(in, next);
            }
            break;
          }
          default:
            throw fail("reply type byte: 0x" + Integer.toHexString(type & 0xFF) + " (expected: one of + - : $ *)");
        }
      }
    } catch (RespProtocolException e) {
      reset();
      throw e;
    }
  }

  /** Moves past a parsed header or element: consumes it (typed) or records how far (framing). */
  private void moveTo(ByteBuf in, int index) {
    if (typed) {
      in.readerIndex(index);
    } else {
      offset = index - in.readerIndex();
    }
  }

  /** Moves past a completed value and files it in the frames; true if it completes the reply. */
  private boolean advance(ByteBuf in, int index, Object completed) {
    moveTo(in, index);
    Object v = completed;
    while (depth > 0) {
      int top = depth - 1;
      if (typed) {
        Object[] frame = frames[top];
        if (filled[top] == frame.length) {
          // grows with what arrived, up to the count that was checked against the bound
          frame = Arrays.copyOf(frame, (int) Math.min((long) frame.length * 2, filled[top] + remaining[top]));
          frames[top] = frame;
        }
        frame[filled[top]++] = v;
      }
      if (--remaining[top] > 0) {
        return false;
      }
      v = typed ? frames[top] : null;
      if (typed) {
        frames[top] = null;
      }
      depth--;
    }
    value = v;
    return true;
  }

  private static Object simpleString(ByteBuf in, int from, int to) {
    if (to - from == 2 && in.getByte(from) == 'O' && in.getByte(from + 1) == 'K') {
      return RespReply.OK;
    }
    return in.toString(from, to - from, StandardCharsets.UTF_8);
  }

  /**
   * The signed 64-bit decimal in [from, to) of {@code in} (Long.MIN_VALUE included), as RESP writes
   * integers and lengths: an optional '-', then digits.
   *
   * @param what what the number is, for the error text
   * @throws RespProtocolException if it is empty, not decimal, or outside 64 bits
   */
  public static long number(ByteBuf in, int from, int to, String what) {
    if (from >= to) {
      throw fail(what + ": empty (expected: a decimal number)");
    }
    boolean negative = in.getByte(from) == '-';
    int i = negative ? from + 1 : from;
    if (i >= to || to - i > 19) {
      throw fail(what + ": " + text(in, from, to) + " (expected: a 64-bit decimal number)");
    }
    // accumulated negatively, as Long.parseLong does, so that Long.MIN_VALUE fits
    long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
    long value = 0;
    for (; i < to; i++) {
      int digit = in.getByte(i) - '0';
      if (digit < 0 || digit > 9) {
        throw fail(what + ": " + text(in, from, to) + " (expected: a decimal number)");
      }
      if (value < limit / 10 || value * 10 < limit + digit) {
        throw fail(what + ": " + text(in, from, to) + " (expected: a 64-bit decimal number)");
      }
      value = value * 10 - digit;
    }
    return negative ? value : -value;
  }

  private static String text(ByteBuf in, int from, int to) {
    StringBuilder s = new StringBuilder();
    for (int i = from; i < Math.min(to, from + 32); i++) {
      int c = in.getByte(i) & 0xFF;
      s.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02x", c));
    }
    return to - from > 32 ? s + "..." : s.toString();
  }

  private void reset() {
    offset = 0;
    inBulk = false;
    bulkLength = 0;
    if (typed) {
      Arrays.fill(frames, null);
    }
    depth = 0;
    value = null;
  }

  private static RespProtocolException fail(String message) {
    return new RespProtocolException(new ProtocolError(message));
  }
}
