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
      };

  /** Monotonic time in nanoseconds, for durations only. */
  long nanoTime();

  /** Wall-clock time in milliseconds since the epoch. */
  long currentTimeMillis();
}
