package io.ringcache.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PackedStoreTest extends StoreContractTest {

  @Override
  Store newStore(long maxBytes, Clock clock) {
    return Stores.packed(maxBytes, clock);
  }

  @Override
  long entryWeight(int keyLength, int valueLength) {
    // one array: header, one varint byte, key, value; rounded up to 8
    return (PackedStore.ARRAY_HEADER + 1 + keyLength + valueLength + 7) & ~7L;
  }

  @Override
  void assertRecountMatches(Store store) {
    long[] recount = ((PackedStore) store).recount();
    assertThat(store.size()).isEqualTo(recount[0]);
    assertThat(store.usedBytes()).isEqualTo(recount[1]);
  }

  @Test
  void evictionPolicy_isClock() {
    assertThat(store.evictionPolicy()).isEqualTo("clock");
  }

  @Test
  void mix_isInvertedByUnmix() {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 100_000; i++) {
      int h = random.nextInt();
      assertThat(PackedStore.unmix(PackedStore.mix(h))).isEqualTo(h);
    }
    assertThat(PackedStore.unmix(PackedStore.mix(0))).isZero();
    assertThat(PackedStore.unmix(PackedStore.mix(-1))).isEqualTo(-1);
  }

  @Test
  void usedBytes_emptyStore_countsSlotArraysAndSegments() {
    assertThat(store.size()).isZero();
    assertThat(store.usedBytes()).isPositive();
    assertRecountMatches(store);
  }

  @Test
  void usedBytes_followsTableGrowthTtlChangesAndShrinking() {
    long empty = store.usedBytes();
    for (int i = 0; i < 5_000; i++) {
      store.set(key("k" + i), bytes("v" + i), Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    assertRecountMatches(store);
    long untimed = store.usedBytes();
    for (int i = 0; i < 5_000; i++) {
      store.expire(key("k" + i), seconds(100)); // the entry grows by its 8-byte deadline
    }
    assertRecountMatches(store);
    assertThat(store.usedBytes()).isGreaterThan(untimed);
    for (int i = 0; i < 5_000; i++) {
      store.expire(key("k" + i), Store.NO_TTL);
    }
    assertThat(store.usedBytes()).isEqualTo(untimed);
    for (int i = 0; i < 5_000; i++) {
      store.remove(key("k" + i));
    }
    assertRecountMatches(store);
    assertThat(store.usedBytes()).isEqualTo(empty); // every table shrank back
  }

  @Test
  void clear_returnsToTheEmptyFootprint() {
    long empty = store.usedBytes();
    for (int i = 0; i < 5_000; i++) {
      store.set(key("k" + i), bytes("v"), seconds(10), false, Store.Condition.ALWAYS);
    }
    store.clear();
    assertThat(store.usedBytes()).isEqualTo(empty);
    assertRecountMatches(store);
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
    long coldLeft = 0;
    for (int i = capacity / 2; i < capacity; i++) {
      coldLeft += small.contains(key("old" + i)) ? 1 : 0;
    }
    assertThat(coldLeft).isLessThan(capacity / 2);
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
}
