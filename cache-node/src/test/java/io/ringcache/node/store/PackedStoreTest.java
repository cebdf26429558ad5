package io.ringcache.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PackedStoreTest extends ClockStoreContractTest {

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

  @Override
  void afterRunOfOneOffKeys(Store small, int capacity) {
    long coldLeft = 0;
    for (int i = capacity / 2; i < capacity; i++) {
      coldLeft += small.contains(key("old" + i)) ? 1 : 0;
    }
    assertThat(coldLeft).isLessThan(capacity / 2);
  }
}
