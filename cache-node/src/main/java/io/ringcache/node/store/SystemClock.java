package io.ringcache.node.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The system clock: System.nanoTime() for deadlines, and a wall offset sampled from the two
 * clocks. Linux slews CLOCK_MONOTONIC and CLOCK_REALTIME alike, so their difference changes only
 * when the wall clock is stepped; holding it as a field (rather than reading both clocks for each
 * conversion) makes "PXAT t" read back as exactly t whatever pauses the process takes.
 *
 * A sample reads monotonic, wall, monotonic and is kept only if the two monotonic readings lie
 * within MAX_SAMPLE_SPREAD of each other: a pause inside a sample cannot produce an offset off by
 * more than half that. resync() adopts a new sample only if it differs from the held offset by more
 * than STEP_THRESHOLD, far above any sampling error, so the offset never jitters; a step below the
 * threshold is absorbed (EXAT/PXAT expiries are then off by less than it).
 */
final class SystemClock implements Clock {

  private static final Logger log = LoggerFactory.getLogger(SystemClock.class);

  static final long MAX_SAMPLE_SPREAD = 200_000; // 200 µs
  static final long STEP_THRESHOLD = 10_000_000; // 10 ms
  private static final int TRIES = 20;
  private static final long NO_SAMPLE = Long.MIN_VALUE;

  private volatile long offset;

  SystemClock() {
    long best = NO_SAMPLE;
    long bestSpread = Long.MAX_VALUE;
    for (int i = 0; i < TRIES; i++) {
      long before = System.nanoTime();
      long wall = wallNanos();
      long after = System.nanoTime();
      if (after - before < bestSpread) {
        bestSpread = after - before;
        best = wall - (before + (after - before) / 2);
      }
    }
    offset = best;
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public long currentTimeMillis() {
    return System.currentTimeMillis();
  }

  @Override
  public long currentTimeNanos() {
    return wallNanos();
  }

  @Override
  public long wallOffsetNanos() {
    return offset;
  }

  @Override
  public synchronized long resync() {
    for (int i = 0; i < TRIES; i++) {
      long before = System.nanoTime();
      long wall = wallNanos();
      long after = System.nanoTime();
      if (after - before <= MAX_SAMPLE_SPREAD) {
        long sample = wall - (before + (after - before) / 2);
        long step = sample - offset;
        if (Math.abs(step) <= STEP_THRESHOLD) {
          return 0;
        }
        offset = sample;
        log.info("wall clock stepped by {} ms: absolute expiry times (EXAT, PXAT, EXPIRETIME, handoffs) follow it",
            step / 1_000_000);
        return step;
      }
    }
    return 0; // no clean sample this time (a busy machine): try at the next call
  }

  private static long wallNanos() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
