package io.ringcache.node.store;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to. Its wall clock runs with its monotonic clock (a fixed
 * {@link #wallOffsetNanos()}, as a real system's does between steps of the wall clock).
 */
public final class FakeClock implements Clock {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final AtomicLong offset = new AtomicLong(1_700_000_000_000L * 1_000_000L - 1_000_000_000L);

  private final AtomicLong pauseAfterNextReading = new AtomicLong();
  private final AtomicLong pauseAfterEveryReading = new AtomicLong();

  @Override
  public long nanoTime() {
    long now = nanos.get();
    pauseIfArmed();
    return now;
  }

  @Override
  public long currentTimeMillis() {
    long now = Math.floorDiv(nanos.get() + offset.get(), 1_000_000L);
    pauseIfArmed();
    return now;
  }

  @Override
  public long currentTimeNanos() {
    long now = nanos.get() + offset.get();
    pauseIfArmed();
    return now;
  }

  /** Not a reading of either clock: what a real clock holds (see Clock), so it never pauses. */
  @Override
  public long wallOffsetNanos() {
    return offset.get();
  }

  /**
   * Makes the process "pause" for {@code d} right after the next reading of either clock, as a GC
   * or a descheduled thread can: the reading returns the time before, and the clock has moved on.
   */
  public void pauseAfterNextReading(Duration d) {
    pauseAfterNextReading.set(d.toNanos());
  }

  /**
   * Makes the process "pause" for {@code d} after every reading of either clock from now on (a
   * loaded machine, at its worst), until called with {@link Duration#ZERO}.
   */
  public void pauseAfterEveryReading(Duration d) {
    pauseAfterEveryReading.set(d.toNanos());
  }

  private void pauseIfArmed() {
    long pause = pauseAfterNextReading.getAndSet(0) + pauseAfterEveryReading.get();
    if (pause > 0) {
      advance(Duration.ofNanos(pause));
    }
  }

  public void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }
}
