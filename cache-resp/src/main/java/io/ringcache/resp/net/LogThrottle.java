package io.ringcache.resp.net;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/*
 * A log line any client can make a server write at will (a refused command, a refused reply, an
 * HTTP request on the RESP port) is written at most once per interval, with the count of those
 * left out since. Unthrottled, 100,000 pipelined RING.FLUSH from a client with the user password
 * wrote 100,000 WARN lines (20 MB) and held the event loop 2.4 s; with stdout a pipe that is not
 * drained, a blocked write would hold it until the router ejected the node. Lines that an
 * operator's action or a real fault causes are not throttled.
 *
 * admit() is one nanoTime read and one volatile read when the line is left out; the winner of a
 * compare-and-set logs when the interval has passed, so concurrent loops log one line between them.
 */

/** At most one log line per interval for one kind of event a client can repeat, and how many were left out. */
public final class LogThrottle {

  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong nextNanos;
  private final LongAdder leftOut = new LongAdder();

  /** One line per {@code interval} at most. */
  public LogThrottle(Duration interval) {
    this(interval, System::nanoTime);
  }

  /** As {@link #LogThrottle(Duration)}, on the clock {@code nanoTime} (tests). */
  LogThrottle(Duration interval, LongSupplier nanoTime) {
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
    this.nextNanos = new AtomicLong(nanoTime.getAsLong());
  }

  /** At most one line per 10 seconds. */
  public static LogThrottle tenSeconds() {
    return new LogThrottle(Duration.ofSeconds(10));
  }

  /**
   * Whether to write the line now: the number of lines left out since the last one written (0 or
   * more) if so, else -1 (and this one is counted as left out).
   */
  public long admit() {
    long now = nanoTime.getAsLong();
    long next = nextNanos.get();
    if (now - next >= 0 && nextNanos.compareAndSet(next, now + intervalNanos)) {
      return leftOut.sumThenReset();
    }
    leftOut.increment();
    return -1;
  }

  /** What to append to a line written after {@code leftOut} were left out: empty when none was. */
  public static String leftOut(long leftOut) {
    return leftOut <= 0 ? "" : " (" + leftOut + " more like it since the last such line, not logged)";
  }
}
