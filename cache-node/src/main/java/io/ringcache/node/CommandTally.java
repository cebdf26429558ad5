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
 * Time: one clock read per command. A command's time runs from the end of the previous command of
 * the same read batch (or a fresh read for the first), so it includes decoding its request; the
 * batch's clock is dropped at each flush, so time between batches is never counted.
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

  /** A command counted by {@code counter} starts: returns its start time, for {@link #end}. */
  long begin(NodeMetrics.CommandCounter counter) {
    if (counter != this.counter) {
      publish();
      this.counter = counter;
    }
    long now = clock;
    long start = now != 0 ? now : System.nanoTime();
    if (turnStart == 0) {
      turnStart = start;
    }
    return start;
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

  /** The command that {@link #begin} started at {@code start} ended; {@code error}: its reply was one. */
  void end(NodeMetrics.CommandCounter counter, long start, boolean error) {
    if (counter != this.counter) { // a command run inside this one (EXEC's queued commands) switched it
      publish();
      this.counter = counter;
    }
    long now = System.nanoTime();
    calls++;
    nanos += now - start;
    clock = now;
    if (error) {
      counter.errorReplied();
    }
  }

  /** Adds what is pending to the node's counters and ends the read batch's clock. */
  void publish() {
    clock = 0;
    if (calls != 0) {
      counter.executed(calls, nanos);
      calls = 0;
      nanos = 0;
    }
  }
}
