package io.ringcache.node.store;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to. */
public final class FakeClock implements Clock {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final AtomicLong wallMillis = new AtomicLong(1_700_000_000_000L);

  private final AtomicLong pauseAfterNextReading = new AtomicLong();

  @Override
  public long nanoTime() {
    long now = nanos.get();
    pauseIfArmed();
    return now;
  }

  @Override
  public long currentTimeMillis() {
    long now = wallMillis.get();
    pauseIfArmed();
    return now;
  }

  /**
   * Makes the process "pause" for {@code d} right after the next reading of either clock, as a GC
   * or a descheduled thread can: the reading returns the time before, and the clock has moved on.
   */
  public void pauseAfterNextReading(Duration d) {
    pauseAfterNextReading.set(d.toNanos());
  }

  private void pauseIfArmed() {
    long pause = pauseAfterNextReading.getAndSet(0);
    if (pause > 0) {
      advance(Duration.ofNanos(pause));
    }
  }

  public void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
    wallMillis.addAndGet(d.toMillis());
  }
}
