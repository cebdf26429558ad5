package io.ringcache.node.store;

import java.util.concurrent.Executor;

/** Factories of {@link Store}s. */
public final class Stores {

  private Stores() {}

  /**
   * A W-TinyLFU store (Caffeine) bounded at {@code maxBytes} of keys, values and per-entry overhead.
   *
   * @param executor runs Caffeine's maintenance; {@code Runnable::run} makes it deterministic (tests)
   */
  public static Store caffeine(long maxBytes, Clock clock, Executor executor) {
    return new CaffeineStore(maxBytes, clock, executor);
  }
}
