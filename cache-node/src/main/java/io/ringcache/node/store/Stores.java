package io.ringcache.node.store;

import java.util.concurrent.Executor;

/** Factories of {@link Store}s. */
public final class Stores {

  private Stores() {}

  /**
   * A store of packed entries (one byte array each) in lock-striped open-addressing tables with
   * CLOCK eviction, bounded at {@code maxBytes} of heap: entries, slot arrays and per-segment
   * overhead. The node's default.
   */
  public static Store packed(long maxBytes, Clock clock) {
    return new PackedStore(maxBytes, clock);
  }

  /**
   * A W-TinyLFU store (Caffeine) bounded at {@code maxBytes} of keys, values and per-entry overhead.
   *
   * @param executor runs Caffeine's maintenance; {@code Runnable::run} makes it deterministic (tests)
   */
  public static Store caffeine(long maxBytes, Clock clock, Executor executor) {
    return new CaffeineStore(maxBytes, clock, executor);
  }

  /**
   * A store of entries packed into pages of direct memory (slab classes, no Java object per entry)
   * with an open-addressing index of int references and CLOCK eviction, bounded at {@code maxBytes}
   * of pages, large entries and index ({@code --store offheap}). The JVM's {@code -XX:MaxDirectMemorySize}
   * must be at least {@code maxBytes}.
   *
   * @throws IllegalArgumentException if {@code maxBytes} is not in [1, 8 GiB] or the JVM allows less
   *     direct memory
   */
  public static Store offHeap(long maxBytes, Clock clock) {
    return new OffHeapStore(maxBytes, clock);
  }
}
