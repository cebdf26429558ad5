package io.ringcache.node.store;

/**
 * The node's source of time, injected so that TTL tests advance a fake clock instead of sleeping.
 * {@link #nanoTime()} is monotonic and drives expiry: a store keeps each entry's deadline as an
 * instant of it. {@link #wallOffsetNanos()} maps those instants to Unix time and back, so an
 * absolute expiry ({@code EXAT}, {@code PXAT}, a handoff's) becomes a deadline, and a deadline
 * becomes {@code PEXPIRETIME}, by arithmetic alone: no second clock reading, hence no pause between
 * two readings that could shift the result.
 */
public interface Clock {

  /** The system clock. */
  Clock SYSTEM = new SystemClock();

  /** Monotonic time in nanoseconds, for durations and deadlines. */
  long nanoTime();

  /** Wall-clock time in milliseconds since the epoch. */
  long currentTimeMillis();

  /**
   * Wall-clock time in nanoseconds since the epoch, as fine as the system clock gives it
   * (microseconds on Linux).
   */
  default long currentTimeNanos() {
    return currentTimeMillis() * 1_000_000L;
  }

  /**
   * Unix time in nanoseconds minus {@link #nanoTime()}: the instant {@code t} of {@code nanoTime()}
   * is Unix time {@code t + wallOffsetNanos()}. It must stay constant while the wall clock runs at
   * the monotonic clock's rate (NTP slews both alike); it changes only when the wall clock is stepped
   * (see {@link #resync()}). The default reads both clocks, which suits a clock that moves only
   * when a test tells it to.
   */
  default long wallOffsetNanos() {
    return currentTimeNanos() - nanoTime();
  }

  /**
   * Follows a step of the wall clock (an NTP step, a manual change) into {@link
   * #wallOffsetNanos()}; the node calls it once a second. Returns the step followed in
   * nanoseconds, or 0. The default does nothing.
   */
  default long resync() {
    return 0;
  }
}
