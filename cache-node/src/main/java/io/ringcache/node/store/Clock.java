package io.ringcache.node.store;

/**
 * The node's source of time, injected so that TTL tests advance a fake clock instead of sleeping.
 * {@link #nanoTime()} is monotonic and drives expiry; {@link #currentTimeMillis()} is wall time and
 * only converts absolute expiry times ({@code EXAT}, {@code PXAT}) into durations.
 */
public interface Clock {

  /** The system clock. */
  Clock SYSTEM =
      new Clock() {
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
          java.time.Instant now = java.time.Instant.now();
          return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }
      };

  /** Monotonic time in nanoseconds, for durations only. */
  long nanoTime();

  /** Wall-clock time in milliseconds since the epoch. */
  long currentTimeMillis();

  /**
   * Wall-clock time in nanoseconds since the epoch, as fine as the system clock gives it
   * (microseconds on Linux): converting an absolute expiry into a TTL and back with it lands on
   * the same millisecond, which whole milliseconds read at two instants do not.
   */
  default long currentTimeNanos() {
    return currentTimeMillis() * 1_000_000L;
  }
}
