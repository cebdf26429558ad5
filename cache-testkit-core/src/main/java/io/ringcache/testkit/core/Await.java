package io.ringcache.testkit.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Polls a condition until it holds, failing at a deadline with a message that says what did not
 * happen: the one way a test waits for a cluster (never {@code Thread.sleep}).
 *
 * <pre>{@code
 * Await.until(() -> cluster.topology().handoffs().isEmpty(), Duration.ofSeconds(30), "the handoffs to finish");
 * }</pre>
 *
 * <p>The condition runs on the calling thread; an exception it throws ends the wait and propagates.
 */
public final class Await {

  /** How long {@link #until(BooleanSupplier, String)} waits: 30 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** How often {@link #until(BooleanSupplier, Duration, String)} checks: every 5 ms, leaving the CPU to the servers between checks. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(5);

  private Await() {}

  /** As {@link #until(BooleanSupplier, Duration, String)} with {@link #DEFAULT_TIMEOUT}. */
  public static void until(BooleanSupplier condition, String what) {
    until(condition, DEFAULT_TIMEOUT, what);
  }

  /**
   * Returns as soon as {@code condition} holds; throws {@link AssertionError} "not within N s: what"
   * if it still does not hold once {@code timeout} has passed.
   *
   * @param what the condition in words, for the failure message ("node 2 ejected")
   */
  public static void until(BooleanSupplier condition, Duration timeout, String what) {
    until(condition, timeout, DEFAULT_POLL_INTERVAL, what);
  }

  /**
   * As {@link #until(BooleanSupplier, Duration, String)}, checking every {@code pollInterval}: longer
   * for a condition that is costly to check (an HTTP request, a new connection).
   */
  public static void until(BooleanSupplier condition, Duration timeout, Duration pollInterval, String what) {
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(timeout, "timeout");
    long pollNanos = pollInterval.toNanos();
    if (pollNanos <= 0) {
      throw new IllegalArgumentException("pollInterval: " + pollInterval + " (expected: > 0)");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + seconds(timeout) + " s: " + what);
      }
      LockSupport.parkNanos(pollNanos);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for: " + what);
      }
    }
  }

  /**
   * As {@link #until(BooleanSupplier, Duration, String)}, but a {@code RuntimeException} from the
   * condition counts as "not yet" (a process still starting, a router restarting): the wait goes on,
   * and the last such exception becomes the failure's cause.
   */
  public static void untilIgnoringExceptions(BooleanSupplier condition, Duration timeout, String what) {
    untilIgnoringExceptions(condition, timeout, DEFAULT_POLL_INTERVAL, what);
  }

  /** As {@link #untilIgnoringExceptions(BooleanSupplier, Duration, String)}, checking every {@code pollInterval}. */
  public static void untilIgnoringExceptions(BooleanSupplier condition, Duration timeout, Duration pollInterval,
      String what) {
    Objects.requireNonNull(condition, "condition");
    RuntimeException[] last = {null};
    try {
      until(() -> {
        try {
          return condition.getAsBoolean();
        } catch (RuntimeException e) {
          last[0] = e;
          return false;
        }
      }, timeout, pollInterval, what);
    } catch (AssertionError e) {
      if (last[0] != null) {
        e.initCause(last[0]);
      }
      throw e;
    }
  }

  /**
   * Checks {@code condition} every {@link #DEFAULT_POLL_INTERVAL} for {@code period}, and throws
   * {@link AssertionError} "no longer after N ms: what" the first time it does not hold: for a test
   * whose point is that something stays true while time passes (an idle connection kept open).
   */
  public static void holdsFor(BooleanSupplier condition, Duration period, String what) {
    Objects.requireNonNull(condition, "condition");
    long start = System.nanoTime();
    long end = start + period.toNanos();
    while (true) {
      if (!condition.getAsBoolean()) {
        throw new AssertionError("no longer after " + (System.nanoTime() - start) / 1_000_000 + " ms: " + what);
      }
      if (System.nanoTime() - end >= 0) {
        return;
      }
      LockSupport.parkNanos(Math.min(DEFAULT_POLL_INTERVAL.toNanos(), end - System.nanoTime()));
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while checking: " + what);
      }
    }
  }

  private static String seconds(Duration timeout) {
    return timeout.toMillis() % 1000 == 0 ? Long.toString(timeout.toSeconds()) : Double.toString(timeout.toMillis() / 1000.0);
  }
}
