package io.ringcache.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.ringcache.resp.net.ClientMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/*
 * RESP2 request decoder: an explicit state machine that parses straight from the read buffer.
 *
 * States: START (the first byte decides: '*' multibulk, anything else an inline line), BULK_HEADER
 * (expects "$<len>\r\n"), BULK_DATA (waits for len + 2 bytes and records the argument's place: it is
 * not copied, see Request), FAILED (a protocol error was emitted: all further input is dropped; the
 * handler closes the connection).
 *
 * In place: a request's arguments stay in the cumulation until the handler has run, as offsets from
 * the request's first byte (requestStart). While a request is incomplete its first bytes must
 * survive a merge of new input and a discard of read bytes: both run with the reader index moved back
 * to requestStart, and requestStart is then read off the (possibly new) cumulation. A cumulation that
 * downstream retained slices of (the proxy forwards requests as retained slices) is never compacted
 * in place; the merge copies it when it must grow, as ByteToMessageDecoder does.
 *
 * Bounds, each checked before anything is allocated for it:
 *   header lines ("*N", "$N")       MAX_HEADER_LINE bytes
 *   arguments per request            limits.maxMultibulkLength (10 before AUTH with a password)
 *   bytes per argument               limits.maxBulkLength (16 KiB before AUTH with a password)
 *   bytes per request / held input   limits.maxQueryBuffer (payload + ARGUMENT_OVERHEAD per argument)
 *   inline line                      limits.maxInlineLength (its arguments: the two bounds before AUTH above)
 * Error texts name the value and the bound: "invalid bulk length: 2000000000 (expected: <= 33554432)",
 * except the two before AUTH, which are Redis's exact "unauthenticated bulk length" / "... multibulk length".
 * Every error resets the decoder to FAILED; nothing is half-applied, since a request reaches the
 * handler only when complete.
 *
 * Backpressure: before each request the decoder checks the channel's writability. When the
 * outbound buffer is above its high watermark it stops decoding and turns autoRead off; the
 * rest of the input stays in the cumulation. When the channel becomes writable again it decodes
 * what is left, fires channelReadComplete (the handler flushes once) and turns autoRead back on.
 * So a client that pipelines without reading holds at most a watermark of replies on the node, until
 * the OutputGuard closes it (output-stall-timeout).
 *
 * Yielding: a handler whose request took a long turn of the event loop (a node applying a handoff's
 * batch) asks the decoder to yield (yieldAfterRequest). The decoder then stops after that request and
 * turns autoRead off, and a task scheduled on the loop (due at once, so the loop takes it only after
 * its next pass over its channels' I/O) decodes the rest and turns autoRead back on. So the loop
 * serves its other connections between two such requests of one connection.
 *
 * Lookahead (the node only): when a connection's previous read brought two or more requests, the
 * decoder first scans the complete requests ahead of it (headers only, at most 16 requests of at
 * most 8 arguments) and tells the node where their keys are, so that the store can read all their
 * entries at once before the first one runs (PackedStore, "Prefetch"). Then it decodes and checks
 * them one by one as always; the scan decides nothing.
 *
 * The Request instance is reused: it is handed downstream synchronously and cleared after.
 */

/** Decodes RESP2 requests (multibulk and inline) into {@link Request}s or a {@link ProtocolError}. */
public final class RespDecoder extends ChannelInboundHandlerAdapter {

  /** The longest "*N\r\n" or "$N\r\n" line accepted: a sign, 19 digits, CRLF and a type byte. */
  static final int MAX_HEADER_LINE = 32;

  private static final int START = 0;
  private static final int BULK_HEADER = 1;
  private static final int BULK_DATA = 2;
  private static final int FAILED = 3;

  private static final long INVALID = Long.MIN_VALUE;
  /** Redis 7.0's default proto-max-bulk-len: above it, even before AUTH, a bulk length is "invalid". */
  private static final long REDIS_PROTO_MAX_BULK_LEN = 512L * 1024 * 1024;
  /** Before AUTH: Redis 7.0's exact texts (no value or bound, so nothing about the limits leaks). */
  private static final ProtocolError UNAUTHENTICATED_MULTIBULK = new ProtocolError("unauthenticated multibulk length");
  private static final ProtocolError UNAUTHENTICATED_BULK = new ProtocolError("unauthenticated bulk length");

  /** Heap bytes one argument costs beyond its payload (array header and reference), counted against the query buffer. */
  static final int ARGUMENT_OVERHEAD = 32;

  private final RespLimits limits;
  private final BooleanSupplier authenticated;
  private final Request request = new Request();

  private ByteBuf cumulation;
  private ClientMemory.Tracked memory;
  private int state = START;
  private int expectedArgs;
  private int bulkLength;
  private long requestBytes;
  /** Overhead of the arguments of the current request decoded so far (the bytes stay in the cumulation). */
  private long decodedBytes;
  /** The index in the cumulation of the first byte of the request being decoded. */
  private int requestStart;
  private boolean paused;
  /** The handler asked to yield after the request it is handling (see yieldAfterRequest). */
  private boolean yieldRequested;
  /** Decoding stopped by a yield; a task scheduled on the loop resumes it. */
  private boolean yielded;

  /**
   * @param authenticated whether the connection has authenticated (or needs no password); decides
   *     the unauthenticated bounds. The router's proxy port uses this decoder too.
   */
  public RespDecoder(RespLimits limits, BooleanSupplier authenticated) {
    this.limits = limits;
    this.authenticated = authenticated;
  }

  /**
   * Told, before a read's requests run, where the key (the second argument) of each of the first
   * {@link #LOOKAHEAD} complete requests lies in the input; see {@link #lookahead}.
   */
  public interface Lookahead {
    /** {@code count} keys: {@code lengths[i]} bytes at index {@code offsets[i]} of {@code in}, valid during the call only. */
    void keys(ByteBuf in, int[] offsets, int[] lengths, int count);
  }

  /** How many requests ahead a {@link Lookahead} is told of: a pipelined batch of redis-benchmark -P 16. */
  public static final int LOOKAHEAD = 16;

  private Lookahead lookahead;
  /** The last decodeAll decoded two or more requests: the next one looks ahead. */
  private boolean pipelining;
  private int[] aheadOffsets;
  private int[] aheadLengths;

  /**
   * Tells {@code lookahead} the keys of the complete requests a read brought before the first of
   * them runs (when it brought two or more), so that a node can bring their entries into the
   * processor's cache together instead of one cache miss per request. A hint: the requests are
   * decoded and checked as before, one by one.
   */
  public RespDecoder lookahead(Lookahead lookahead) {
    this.lookahead = lookahead;
    return this;
  }

  /** Reports this connection's input bytes to the process's cap on all clients' buffers. */
  public RespDecoder track(ClientMemory.Tracked memory) {
    this.memory = memory;
    return this;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (state == FAILED) {
      in.release();
      return;
    }
    if (cumulation == null) {
      cumulation = in;
    } else {
      int consumed = holdRequest();
      cumulation = ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
      resumeRequest(consumed);
    }
    reportMemory();
    if (!yielded) { // else the scheduled resume decodes it
      decodeAll(ctx);
    }
    reportMemory();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (cumulation != null && !cumulation.isReadable() && !midRequest()) {
      releaseCumulation();
    } else if (cumulation != null && cumulation.refCnt() == 1) {
      int consumed = holdRequest();
      cumulation.discardSomeReadBytes();
      resumeRequest(consumed);
    }
    reportMemory();
    ctx.fireChannelReadComplete();
  }

  /**
   * The memory this connection's input holds: the cumulation's capacity (a large argument's is
   * grown to its full length at once; the arguments of a request stay in it until the request was
   * handled) and the per-argument overhead of the request decoded so far.
   */
  long queryBytes() {
    long held = cumulation == null ? 0 : cumulation.capacity();
    return state == BULK_HEADER || state == BULK_DATA ? held + decodedBytes : held;
  }

  private boolean midRequest() {
    return state == BULK_HEADER || state == BULK_DATA;
  }

  /** Moves the reader index back to an incomplete request's first byte; returns how far it was past it. */
  private int holdRequest() {
    if (!midRequest()) {
      return -1;
    }
    int consumed = cumulation.readerIndex() - requestStart;
    cumulation.readerIndex(requestStart);
    return consumed;
  }

  /** After a merge or discard: the incomplete request starts at the reader index; skip what was decoded of it. */
  private void resumeRequest(int consumed) {
    if (consumed >= 0) {
      requestStart = cumulation.readerIndex();
      cumulation.readerIndex(requestStart + consumed);
    }
  }

  private void reportMemory() {
    if (memory != null) {
      memory.query(queryBytes());
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (!ctx.channel().isWritable()) {
      ctx.channel().config().setAutoRead(false);
    } else {
      if (paused) {
        paused = false;
        decodeAll(ctx);
        ctx.fireChannelReadComplete();
      }
      if (!paused && !yielded && state != FAILED) {
        ctx.channel().config().setAutoRead(true);
      }
    }
    ctx.fireChannelWritabilityChanged();
  }

  /**
   * Asks the decoder to stop after the request being handled and to decode the rest of this
   * connection's input only after the event loop's next pass over its channels' I/O. For requests
   * that each take a long turn of the loop (a handoff's batches arrive several to a read): another
   * connection on the loop then waits behind one of them, not behind every one a read brought.
   * The requests still run in order, each as before; only when the next one runs changes. Call from
   * the handler, on the event loop.
   */
  public void yieldAfterRequest() {
    yieldRequested = true;
  }

  private void yieldInput(ChannelHandlerContext ctx) {
    yielded = true;
    ctx.channel().config().setAutoRead(false); // ends the channel's read loop; what arrives waits in the socket
    // a scheduled task, not execute(): the loop takes due scheduled tasks only after its next I/O pass,
    // while a task queued by execute() would run before it (in the same run of the task queue)
    ctx.executor().schedule(() -> resumeAfterYield(ctx), 0, TimeUnit.NANOSECONDS);
  }

  private void resumeAfterYield(ChannelHandlerContext ctx) {
    if (!yielded) {
      return;
    }
    yielded = false;
    if (state == FAILED || !ctx.channel().isActive()) {
      return;
    }
    decodeAll(ctx);
    channelReadComplete(ctx); // the handler flushes what ran
    if (!paused && !yielded && state != FAILED && ctx.channel().isWritable()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseCumulation();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseCumulation();
    state = FAILED;
    ctx.fireChannelInactive();
  }

  /**
   * Stops decoding for good (graceful shutdown): input not yet decoded is dropped, so nothing runs
   * after the replies so far are flushed. Call on the channel's event loop.
   */
  public void stop(ChannelHandlerContext ctx) {
    state = FAILED;
    paused = false;
    yielded = false;
    releaseCumulation();
    ctx.channel().config().setAutoRead(false);
  }

  /** Bytes received and not yet decoded. */
  int bufferedBytes() {
    return cumulation == null ? 0 : cumulation.readableBytes();
  }

  private void releaseCumulation() {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }

  private void decodeAll(ChannelHandlerContext ctx) {
    ByteBuf in = cumulation;
    int ahead = 0; // requests from here whose keys the lookahead was told
    int decodedHere = 0;
    while (in != null && in.isReadable() && state != FAILED) {
      if (!ctx.channel().isWritable()) {
        paused = true;
        ctx.channel().config().setAutoRead(false);
        break;
      }
      if (in.readableBytes() > limits.maxQueryBuffer()) {
        fail(ctx, "query buffer: " + in.readableBytes() + " bytes held (expected: <= " + limits.maxQueryBuffer() + ")");
        break;
      }
      if (ahead == 0 && pipelining && state == START) {
        ahead = lookAhead(in);
      }
      Object decoded = decodeOne(in);
      if (decoded == null) {
        break;
      }
      if (ahead > 0) {
        ahead--;
      }
      decodedHere++;
      if (decoded instanceof ProtocolError) {
        fail(ctx, (ProtocolError) decoded);
        break;
      }
      try {
        ctx.fireChannelRead(decoded);
      } finally {
        request.clear();
      }
      if (!ctx.channel().isActive()) {
        break;
      }
      if (yieldRequested) {
        yieldRequested = false;
        yieldInput(ctx);
        break;
      }
    }
    // a client that sends one request at a time (most reads bring one) is not scanned ahead
    pipelining = lookahead != null && decodedHere >= 2;
  }

  /** A request with more arguments ends the scan (see scanKeys). */
  static final int MAX_SCANNED_ARGS = 8;

  /** The shortest request with a key: "*2\r\n$1\r\nX\r\n$1\r\nk\r\n". */
  private static final int MIN_REQUEST = 18;

  /**
   * Tells the lookahead the keys of the complete requests from the reader index on, when there are
   * two or more; returns how many requests to decode before looking again (at least 1).
   */
  private int lookAhead(ByteBuf in) {
    if (in.readableBytes() < 2 * MIN_REQUEST) {
      return 1;
    }
    if (aheadOffsets == null) { // only a connection that pipelines pays for them
      aheadOffsets = new int[LOOKAHEAD];
      aheadLengths = new int[LOOKAHEAD];
    }
    int n = scanKeys(in, aheadOffsets, aheadLengths);
    if (n < 2) {
      return 1;
    }
    lookahead.keys(in, aheadOffsets, aheadLengths, n);
    return n;
  }

  /**
   * Finds the second argument of each complete multibulk request from the reader index on, up to
   * as many as {@code offsets} holds, stopping at the first request that is incomplete, inline, has
   * fewer than two or more than MAX_SCANNED_ARGS arguments, or a header it does not expect (the
   * decoder, not this scan, judges those). So it reads at most MAX_SCANNED_ARGS + 1 header lines per
   * request, and never a value's bytes.
   *
   * @return how many were found
   */
  static int scanKeys(ByteBuf in, int[] offsets, int[] lengths) {
    int p = in.readerIndex();
    int end = in.writerIndex();
    int n = 0;
    while (n < offsets.length) {
      long line = headerLine(in, p, end, (byte) '*');
      int argc = (int) line;
      if (line < 0 || argc < 2 || argc > MAX_SCANNED_ARGS) {
        return n; // a long MSET or MGET is not looked into: the scan's work stays a few lines per request
      }
      p = (int) (line >>> 32) + 2;
      for (int a = 0; a < argc; a++) {
        line = headerLine(in, p, end, (byte) '$');
        if (line < 0) {
          return n;
        }
        int length = (int) line;
        p = (int) (line >>> 32) + 2;
        if (a == 1) {
          offsets[n] = p;
          lengths[n] = length;
        }
        long next = (long) p + length + 2;
        if (next > end) {
          return n;
        }
        p = (int) next;
      }
      n++;
    }
    return n;
  }

  /**
   * A "<type><digits>\r\n" line at p (at most 9 digits): the index of its '\r' in the upper 32
   * bits, its number in the lower; or -1.
   */
  private static long headerLine(ByteBuf in, int p, int end, byte type) {
    if (p + 3 >= end || in.getByte(p) != type) {
      return -1;
    }
    long plain = plainHeader(in, p);
    if (plain >= 0) {
      return plain;
    }
    int value = 0;
    int i = p + 1;
    for (int stop = Math.min(end, p + 10); i < stop; i++) {
      byte b = in.getByte(i);
      if (b == '\r') {
        break;
      }
      if (b < '0' || b > '9') {
        return -1;
      }
      value = value * 10 + (b - '0');
    }
    return i > p + 1 && i + 1 < end && in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' ? (long) i << 32 | value : -1;
  }

  private void fail(ChannelHandlerContext ctx, String message) {
    fail(ctx, new ProtocolError(message));
  }

  private void fail(ChannelHandlerContext ctx, ProtocolError error) {
    state = FAILED;
    releaseCumulation();
    ctx.channel().config().setAutoRead(false);
    ctx.fireChannelRead(error);
  }

  /** The next complete request, a ProtocolError, or null if more input is needed. */
  Object decodeOne(ByteBuf in) {
    for (; ; ) {
      switch (state) {
        case START:
          {
            if (!in.isReadable()) {
              return null;
            }
            if (in.getByte(in.readerIndex()) != '*') {
              Object inline = decodeInline(in);
              if (inline == this) {
                continue; // an empty line: skip it
              }
              return inline;
            }
            long count = readHeader(in);
            if (headerEnd == -1) {
              return null;
            }
            int eol = headerEnd;
            // before AUTH, Redis's own order and text: a count up to INT_MAX over 10 is "unauthenticated"
            if (count != INVALID && count <= Integer.MAX_VALUE && !authenticated.getAsBoolean()
                && count > RespLimits.UNAUTHENTICATED_MAX_MULTIBULK_LENGTH) {
              return UNAUTHENTICATED_MULTIBULK;
            }
            if (count == INVALID || count > limits.maxMultibulkLength()) {
              return error("invalid multibulk length", headerText(in, eol), limits.maxMultibulkLength());
            }
            requestStart = in.readerIndex();
            in.readerIndex(eol + 2);
            if (count <= 0) {
              continue; // "*0" and "*-1" are empty requests: ignored, as Redis does
            }
            expectedArgs = (int) count;
            requestBytes = 0;
            decodedBytes = 0;
            request.reset(Math.min(expectedArgs, 1024));
            state = BULK_HEADER;
            continue;
          }
        case BULK_HEADER:
          {
            if (!in.isReadable()) {
              return null;
            }
            byte type = in.getByte(in.readerIndex());
            if (type != '$') {
              return new ProtocolError("expected '$', got '" + printable(type) + "'");
            }
            long length = readHeader(in);
            if (headerEnd == -1) {
              return null;
            }
            int eol = headerEnd;
            // before AUTH, Redis's own order and text: a length over 16 KiB up to Redis's
            // proto-max-bulk-len (512 MiB) is "unauthenticated", a larger one "invalid"
            if (length != INVALID && length > RespLimits.UNAUTHENTICATED_MAX_BULK_LENGTH
                && length <= REDIS_PROTO_MAX_BULK_LEN && !authenticated.getAsBoolean()) {
              return UNAUTHENTICATED_BULK;
            }
            if (length == INVALID || length < 0 || length > limits.maxBulkLength()) {
              return error("invalid bulk length", headerText(in, eol), limits.maxBulkLength());
            }
            if (!authenticated.getAsBoolean() && length > RespLimits.UNAUTHENTICATED_MAX_BULK_LENGTH) {
              return UNAUTHENTICATED_BULK; // a max-bulk-length above 512 MiB
            }
            requestBytes += length + ARGUMENT_OVERHEAD;
            if (requestBytes > limits.maxQueryBuffer()) {
              return error("query buffer", requestBytes + " bytes in one request", limits.maxQueryBuffer());
            }
            in.readerIndex(eol + 2);
            bulkLength = (int) length;
            state = BULK_DATA;
            continue;
          }
        case BULK_DATA:
          {
            if (in.readableBytes() < bulkLength + 2) {
              if (in.writableBytes() < bulkLength + 2 - in.readableBytes() && bulkLength > 65536) {
                // a large argument: grow the buffer once instead of by doubling merges
                in.ensureWritable(bulkLength + 2 - in.readableBytes());
              }
              return null;
            }
            int end = in.readerIndex() + bulkLength;
            if (in.getShort(end) != CRLF) {
              return new ProtocolError("expected CRLF after a bulk of " + bulkLength + " bytes");
            }
            request.addInPlace(in.readerIndex() - requestStart, bulkLength);
            in.readerIndex(end + 2);
            decodedBytes += ARGUMENT_OVERHEAD;
            if (request.argc() == expectedArgs) {
              state = START;
              request.complete(in, requestStart, in.readerIndex());
              return request;
            }
            state = BULK_HEADER;
            continue;
          }
        default:
          return null;
      }
    }
  }

  /**
   * The index of the '\r' ending the line readHeader last read; -1 if that line is not all received
   * yet, -2 if it is malformed (findHeaderEnd's answers).
   */
  private int headerEnd;

  /**
   * The number in the header line at the reader index ("*N" or "$N", the type byte checked by the
   * caller), with the index of its '\r' in headerEnd; INVALID for a malformed line or number, and
   * nothing to use while headerEnd is -1.
   */
  private long readHeader(ByteBuf in) {
    long plain = plainHeader(in, in.readerIndex());
    if (plain >= 0) {
      headerEnd = (int) (plain >>> 32);
      return (int) plain;
    }
    int eol = findHeaderEnd(in);
    headerEnd = eol;
    return eol < 0 ? INVALID : parseNumber(in, in.readerIndex() + 1, eol);
  }

  /** "\r\n" read as a big-endian short. */
  private static final short CRLF = ('\r' << 8) | '\n';

  /**
   * A header line in its common form, read with one bounds check: at {@code p} a type byte (the
   * caller has checked it), then 1 to 5 digits without a sign or a leading zero ("0" alone), then
   * CRLF, within the input's first 8 bytes from {@code p}. Returns the index of its '\r' in the
   * upper 32 bits and the value in the lower; or -1 for any other line (longer, signed, with a
   * leading zero or a stray byte, or not all received yet), which findHeaderEnd and parseNumber
   * then judge. So it never decides anything they would decide differently; it saves their two
   * passes of one bounds-checked read per byte over almost every header line of a request.
   */
  static long plainHeader(ByteBuf in, int p) {
    if (in.writerIndex() - p < Long.BYTES) {
      return -1;
    }
    long word = in.getLong(p); // big-endian: the byte at p is the highest
    int value = 0;
    for (int k = 1; k < Long.BYTES - 1; k++) {
      int b = (int) (word >>> (56 - 8 * k)) & 0xFF;
      if (b == '\r') {
        boolean lf = ((int) (word >>> (48 - 8 * k)) & 0xFF) == '\n';
        return k > 1 && lf ? (long) (p + k) << 32 | value : -1;
      }
      if (b < '0' || b > '9' || (k == 2 && value == 0)) { // (a digit after a leading '0')
        return -1;
      }
      value = value * 10 + (b - '0');
    }
    return -1;
  }

  /**
   * The index of the '\r' ending the header line at the reader index; -1 if more input is needed;
   * -2 if the line is longer than {@link #MAX_HEADER_LINE} or its '\r' is not followed by '\n'.
   */
  static int findHeaderEnd(ByteBuf in) {
    int from = in.readerIndex();
    int limit = Math.min(in.writerIndex(), from + MAX_HEADER_LINE);
    int cr = in.indexOf(from, limit, (byte) '\r');
    if (cr < 0) {
      return in.writerIndex() - from >= MAX_HEADER_LINE ? -2 : -1;
    }
    if (cr + 1 >= in.writerIndex()) {
      return -1;
    }
    return in.getByte(cr + 1) == '\n' ? cr : -2;
  }

  /**
   * A signed decimal in [from, to), or INVALID: Redis's string2ll (LLONG_MIN given as LLONG_MIN + 1), which its header parsing uses, so
   * "0" alone, else an optional '-' and a first digit from 1 to 9 ("01", "00", "-0", "+1" are invalid).
   */
  static long parseNumber(ByteBuf in, int from, int to) {
    if (from >= to || to - from > 20) {
      return INVALID;
    }
    if (to - from == 1 && in.getByte(from) == '0') {
      return 0;
    }
    boolean negative = in.getByte(from) == '-';
    int i = negative ? from + 1 : from;
    if (i >= to || in.getByte(i) < '1' || in.getByte(i) > '9') {
      return INVALID;
    }
    long value = 0;
    for (; i < to; i++) {
      int d = in.getByte(i) - '0';
      if (d < 0 || d > 9) {
        return INVALID;
      }
      if (value > (Long.MAX_VALUE - d) / 10) {
        // past LLONG_MAX; but "-9223372036854775808" is LLONG_MIN, which string2ll accepts: given as
        // LLONG_MIN + 1 (INVALID is LLONG_MIN), as every use only compares it with 0 and the bounds
        boolean min = negative && i == to - 1 && value == Long.MAX_VALUE / 10 && d == 8;
        return min ? Long.MIN_VALUE + 1 : INVALID;
      }
      value = value * 10 + d;
    }
    return negative ? -value : value;
  }

  private static String headerText(ByteBuf in, int eol) {
    int from = in.readerIndex() + 1;
    int to = eol >= 0 ? eol : Math.min(in.writerIndex(), in.readerIndex() + MAX_HEADER_LINE);
    StringBuilder s = new StringBuilder();
    for (int i = from; i < to; i++) {
      s.append(printable(in.getByte(i)));
    }
    return eol >= 0 ? s.toString() : s + "...";
  }

  private static String printable(byte b) {
    int c = b & 0xFF;
    return c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02x", c);
  }

  private static ProtocolError error(String what, String value, long bound) {
    return new ProtocolError(what + ": " + value + " (expected: <= " + bound + ")");
  }

  /** An inline request, a ProtocolError, null if more input is needed, or this for an empty line. */
  private Object decodeInline(ByteBuf in) {
    int from = in.readerIndex();
    int max = limits.maxInlineLength();
    int limit = (int) Math.min(in.writerIndex(), (long) from + max + 1);
    int lf = in.indexOf(from, limit, (byte) '\n');
    if (lf < 0) {
      if (in.readableBytes() > max) {
        return error("too big inline request", "more than " + max + " bytes without a newline", max);
      }
      return null;
    }
    int end = lf > from && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
    byte[] line = new byte[end - from];
    in.getBytes(from, line);
    in.readerIndex(lf + 1);
    List<byte[]> args = InlineSplitter.split(line);
    if (args == null) {
      return new ProtocolError("unbalanced quotes in request");
    }
    if (args.isEmpty()) {
      return this;
    }
    if (!authenticated.getAsBoolean()) {
      // the bounds of a multibulk request before AUTH hold for an inline one too (Redis 7.0 has none)
      if (args.size() > RespLimits.UNAUTHENTICATED_MAX_MULTIBULK_LENGTH) {
        return UNAUTHENTICATED_MULTIBULK;
      }
      for (byte[] arg : args) {
        if (arg.length > RespLimits.UNAUTHENTICATED_MAX_BULK_LENGTH) {
          return UNAUTHENTICATED_BULK;
        }
      }
    }
    request.reset(args.size());
    for (byte[] arg : args) {
      request.add(arg);
    }
    return request;
  }

  /** Splits an inline request line as Redis's sdssplitargs does. */
  static final class InlineSplitter {
    private InlineSplitter() {}

    /** The arguments, or null if quotes are unbalanced. */
    static List<byte[]> split(byte[] line) {
      List<byte[]> args = new ArrayList<>();
      int i = 0;
      int n = line.length;
      java.io.ByteArrayOutputStream current = new java.io.ByteArrayOutputStream();
      while (true) {
        while (i < n && isSpace(line[i])) {
          i++;
        }
        if (i >= n) {
          return args;
        }
        current.reset();
        boolean inDouble = false;
        boolean inSingle = false;
        boolean done = false;
        while (!done) {
          if (inDouble) {
            if (i >= n) {
              return null;
            }
            byte c = line[i];
            if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
              current.write(hex(line[i + 2]) * 16 + hex(line[i + 3]));
              i += 3;
            } else if (c == '\\' && i + 1 < n) {
              i++;
              byte e = line[i];
              current.write(
                  switch (e) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case 'b' -> '\b';
                    case 'a' -> 7;
                    default -> e;
                  });
            } else if (c == '"') {
              if (i + 1 < n && !isSpace(line[i + 1])) {
                return null; // closing quote must be followed by a space or nothing
              }
              done = true;
            } else {
              current.write(c);
            }
          } else if (inSingle) {
            if (i >= n) {
              return null;
            }
            byte c = line[i];
            if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
              i++;
              current.write('\'');
            } else if (c == '\'') {
              if (i + 1 < n && !isSpace(line[i + 1])) {
                return null;
              }
              done = true;
            } else {
              current.write(c);
            }
          } else {
            if (i >= n) {
              done = true;
              break;
            }
            byte c = line[i];
            if (isSpace(c)) {
              done = true;
            } else if (c == '"') {
              inDouble = true;
            } else if (c == '\'') {
              inSingle = true;
            } else {
              current.write(c);
            }
          }
          if (i < n) {
            i++;
          }
        }
        args.add(current.toByteArray());
      }
    }

    private static boolean isSpace(byte c) {
      return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0x0B || c == '\f';
    }

    private static boolean isHex(byte c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(byte c) {
      return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }
  }
}
