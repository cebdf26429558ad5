package io.ringcache.client;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds, failing at a deadline: the tests' one way to wait. */
final class Await {

  private Await() {}

  static void until(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
      }
      LockSupport.parkNanos(1_000_000L); // re-check every millisecond, leaving the CPU to the servers
    }
  }
}
