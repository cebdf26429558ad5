package io.ringcache.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.ring.HashRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The store contract plus what both CLOCK stores ({@link ClockStore}: PackedStore, OffHeapStore)
 * do: CLOCK eviction, walks in parts (one per segment), expired entries removed when read.
 */
abstract class ClockStoreContractTest extends StoreContractTest {

  /**
   * Called by {@link #set_runOfOneOffKeys_evictsThemBeforeKeysThatWereRead} once its run of
   * one-off keys is written to {@code small}, which first held {@code capacity} keys "old0"...:
   * a store with more to say about which of those went checks it here.
   */
  void afterRunOfOneOffKeys(Store small, int capacity) {}

  @Test
  void evictionPolicy_isClock() {
    assertThat(store.evictionPolicy()).isEqualTo("clock");
  }

  @Test
  void set_runOfOneOffKeys_evictsThemBeforeKeysThatWereRead() {
    Store small = newStore(400_000, clock);
    int capacity = 0;
    while (small.stats().evictions() == 0) {
      small.set(key("old" + capacity++), new byte[64], Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    // CLOCK: each read adds to the entry's counter (up to 3); the hand spends one per pass
    List<Key> hot = new ArrayList<>();
    for (int i = 0; i < capacity && hot.size() < 200; i++) {
      if (small.get(key("old" + i)) != null) {
        small.get(key("old" + i));
        small.get(key("old" + i));
        hot.add(key("old" + i));
      }
    }
    for (int i = 0; i < capacity / 3; i++) {
      small.set(key("once" + i), new byte[64], Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    assertThat(hot).hasSize(200).allMatch(small::contains);
    afterRunOfOneOffKeys(small, capacity);
  }

  @Test
  void forEachInRanges_inParts_visitsEachKeyInExactlyOnePart() {
    Store large = newStore(64 << 20, clock);
    for (int i = 0; i < 5_000; i++) {
      large.set(key("k" + i), bytes("v"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    assertThat(large.parts()).isGreaterThan(1);
    Map<Key, Integer> seen = new HashMap<>();
    for (int part = 0; part < large.parts(); part++) {
      int p = part;
      try {
        large.forEachInRanges(List.of(HashRange.all()), part, new Store.EntryVisitor() {
          @Override
          public void visit(Key k, byte[] v, long ttl) {
            seen.merge(k, 1, Integer::sum);
          }

          @Override
          public void partDone(int done) {
            if (done == p) {
              throw new StopWalk(); // one part per walk
            }
          }
        });
      } catch (StopWalk expected) {
        // the walk of part p ended after it
      }
    }
    assertThat(seen).hasSize(5_000).allSatisfy((k, n) -> assertThat(n).isEqualTo(1));
  }

  @Test
  void get_expiredEntry_isRemovedAndCountedOnce() {
    store.set(key("a"), bytes("1"), seconds(1), false, Store.Condition.ALWAYS);
    clock.advance(Duration.ofSeconds(1));
    assertThat(store.get(key("a"))).isNull();
    assertThat(store.size()).isZero();
    assertThat(store.stats().expired()).isEqualTo(1);
    store.cleanUp();
    assertThat(store.stats().expired()).isEqualTo(1);
  }

  private static final class StopWalk extends RuntimeException {}
}
