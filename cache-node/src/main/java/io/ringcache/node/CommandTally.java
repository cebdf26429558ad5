package io.ringcache.node;

import io.ringcache.node.metrics.NodeMetrics;

/*
 * INFO commandstats' calls and time, counted per connection and added to the node's shared
 * counters (LongAdders that both event loops write) once per run of the same command, instead of
 * twice per command: a pipelined batch of 16 GETs makes one shared write of each, not 32.
 *
 * Publication: the pending run is added before the connection's replies are flushed (Connection
 * flushes, then publishes nothing later that a client could have seen the reply of), before a
 * different command starts on the connection (so INFO sees every command before it, as in Redis),
 * and when the connection closes. Another connection's INFO may miss the commands of a batch whose
 * replies are not flushed yet, which no client can tell from Redis's own order.
 *
 * Time: a command's time runs from the end of the previous command of the same read batch (or a
 * fresh read for the first), so it includes decoding its request; the batch's clock is dropped at
 * each flush, so time between batches is never counted. The clock is read when a command ends,
 * except after a quick one (a single-key command of O(1) work on a small request: GET, SET, INCR
 * ...): up to MAX_UNREAD of those in a row leave the clock unread, and the next reading (a later
 * command's end, a switch to another command, or the flush) gives their run all the time since the
 * last one. So a pipelined batch of 16 SETs reads the clock twice instead of 17 times (3.5 % of a
 * node's CPU under redis-benchmark -P 16), each command's total time and calls stay exact, and what
 * is averaged is only how that time splits among the quick commands of one unread stretch, which
 * commandstats (totals and usec_per_call) never shows. The turn's length (turnNanos) is then at most
 * MAX_UNREAD quick commands behind.
 *
 * Confined to the connection's event loop.
 */

/** A connection's commandstats counts not yet added to the node's counters. */
final class CommandTally {

  private NodeMetrics.CommandCounter counter;
  private long calls;
  private long nanos;
  /** When the previous command of this read batch ended (System.nanoTime), or 0 at a batch's start. */
  private long clock;
  /** When the first command of this connection's turn of the event loop began, or 0 before it. */
  private long turnStart;
  /** Quick commands ended since the clock was last read; their time is counted at the next reading. */
  private int unread;

  /** The most quick commands in a row that leave the clock unread. */
  static final int MAX_UNREAD = 16;
  /** The most bytes of arguments a quick command's request may have and leave the clock unread. */
  static final int MAX_UNREAD_BYTES = 16 * 1024;

  /** Whether {@code r}'s arguments are at most MAX_UNREAD_BYTES together. */
  static boolean small(io.ringcache.resp.Request r) {
    long bytes = 0;
    for (int i = 0; i < r.argc(); i++) {
      bytes += r.argLength(i);
      if (bytes > MAX_UNREAD_BYTES) {
        return false;
      }
    }
    return true;
  }

  /** A command counted by {@code counter} starts: returns its start time, for {@link #end}. */
  long begin(NodeMetrics.CommandCounter counter) {
    if (counter != this.counter) {
      publish();
      this.counter = counter;
    }
    if (clock == 0) {
      clock = System.nanoTime();
    }
    if (turnStart == 0) {
      turnStart = clock;
    }
    return clock;
  }

  /**
   * How long this connection's turn of the event loop has run its commands, up to the end of the
   * last one (no clock read): 0 before its first command.
   */
  long turnNanos() {
    return turnStart == 0 || clock == 0 ? 0 : clock - turnStart;
  }

  /** The connection's turn of the event loop ended (its batch was answered, or it yielded). */
  void newTurn() {
    turnStart = 0;
  }

  /**
   * The command that {@link #begin} started at {@code start} ended; {@code error}: its reply was one;
   * {@code quick}: it may leave the clock unread (see the top of this file).
   */
  void end(NodeMetrics.CommandCounter counter, long start, boolean error, boolean quick) {
    if (counter != this.counter) { // a command run inside this one (EXEC's queued commands) switched it
      publish();
      this.counter = counter;
    }
    calls++;
    if (quick && unread < MAX_UNREAD) {
      unread++; // its start was the last reading: the next one covers it
    } else {
      long now = System.nanoTime();
      nanos += now - start;
      clock = now;
      unread = 0;
    }
    if (error) {
      counter.errorReplied();
    }
  }

  /** Adds what is pending to the node's counters and ends the read batch's clock. */
  void publish() {
    if (unread > 0) { // the quick commands since the last reading: theirs is all the time since it
      nanos += System.nanoTime() - clock;
      unread = 0;
    }
    clock = 0;
    if (calls != 0) {
      counter.executed(calls, nanos);
      calls = 0;
      nanos = 0;
    }
  }
}
