package io.ringcache.node;

import io.ringcache.resp.net.OutputGuard;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Server counters, updated by every worker loop and read by INFO. */
final class NodeStats implements OutputGuard.Closes {

  final AtomicInteger connectedClients = new AtomicInteger();
  final AtomicLong connectionIds = new AtomicLong();
  final LongAdder totalConnections = new LongAdder();
  final LongAdder rejectedConnections = new LongAdder();
  final LongAdder commands = new LongAdder();
  final LongAdder hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder protocolErrors = new LongAdder();
  /** Commands on an imported range answered -TRYAGAIN because the read-through to the source failed. */
  final LongAdder readThroughFailures = new LongAdder();
  /** GETs of a range this node will import but does not serve yet, answered from the handoff's source (RING.READ). */
  final LongAdder sourceReads = new LongAdder();
  /** Such reads that failed or timed out (the GET then waited for the activation, as without them). */
  final LongAdder sourceReadFailures = new LongAdder();
  /** Connections closed because one command's replies took them above max-output-buffer. */
  final LongAdder outputLimitCloses = new LongAdder();
  /** Connections closed because their client left replies unread for output-stall-timeout. */
  final LongAdder outputStallCloses = new LongAdder();
  final AtomicLong outputBufferPeak = new AtomicLong();
  /** Replies refused before they were built because they would exceed max-output-buffer (MGET, SCAN). */
  final LongAdder repliesTooLarge = new LongAdder();
  /** Connections closed because all clients' buffers together exceeded max-clients-memory. */
  final LongAdder clientsMemoryCloses = new LongAdder();
  /** Connections closed because they did not authenticate within auth-timeout. */
  final LongAdder authTimeoutCloses = new LongAdder();
  private long lastCommands;
  private long lastSampleNanos = System.nanoTime();
  private volatile long opsPerSecond;

  /** Records the bytes queued for one connection at the end of a batch. */
  void observeOutput(long pending) {
    if (pending > outputBufferPeak.get()) {
      outputBufferPeak.accumulateAndGet(pending, Math::max);
    }
  }

  /** Counts a connection the output guard closed. */
  @Override
  public void closed(OutputGuard.Reason reason) {
    (reason == OutputGuard.Reason.STALLED ? outputStallCloses : outputLimitCloses).increment();
  }

  /** Called periodically from one thread: updates the ops/s figure. */
  void sample() {
    long now = System.nanoTime();
    long total = commands.sum();
    long elapsed = now - lastSampleNanos;
    if (elapsed > 0) {
      opsPerSecond = (total - lastCommands) * 1_000_000_000L / elapsed;
    }
    lastCommands = total;
    lastSampleNanos = now;
  }

  /** At most this many distinct error codes are counted, as Redis's errorstats (then only the total). */
  static final int MAX_ERROR_CODES = 128;

  /** Error replies by code (the word after '-': ERR, WRONGTYPE, MOVED...), for INFO errorstats. */
  private final java.util.concurrent.ConcurrentHashMap<String, LongAdder> errorCodes = new java.util.concurrent.ConcurrentHashMap<>();
  /** Every error reply counted, for INFO's total_error_replies. */
  final LongAdder errorReplies = new LongAdder();

  /**
   * Counts the error reply that starts at {@code at} in {@code out} (its first byte is '-'): its code
   * is the bytes up to the first space or CR, at most 64. New codes beyond {@link #MAX_ERROR_CODES}
   * count only in the total, as Redis stops tracking them.
   */
  void errorReply(io.netty.buffer.ByteBuf out, int at) {
    errorReplies.increment();
    int end = Math.min(out.writerIndex(), at + 65);
    int i = at + 1;
    while (i < end && out.getByte(i) != ' ' && out.getByte(i) != '\r') {
      i++;
    }
    String code = out.toString(at + 1, i - at - 1, java.nio.charset.StandardCharsets.ISO_8859_1);
    LongAdder count = errorCodes.get(code);
    if (count == null) {
      if (errorCodes.size() >= MAX_ERROR_CODES) {
        return;
      }
      count = errorCodes.computeIfAbsent(code, c -> new LongAdder());
    }
    count.increment();
  }

  /** Error replies by code, in code order. */
  java.util.SortedMap<String, Long> errorCodes() {
    java.util.SortedMap<String, Long> codes = new java.util.TreeMap<>();
    errorCodes.forEach((code, count) -> codes.put(code, count.sum()));
    return codes;
  }

  long opsPerSecond() {
    return opsPerSecond;
  }
}
