package io.ringcache.node.store;

import static org.assertj.core.api.Assertions.assertThat;

class OffHeapStoreTest extends StoreContractTest {

  @Override
  Store newStore(long maxBytes, Clock clock) {
    return Stores.offHeap(maxBytes, clock);
  }

  @Override
  long entryWeight(int keyLength, int valueLength) {
    return ((OffHeapStore) store).weight(keyLength, valueLength, false);
  }

  @Override
  void assertRecountMatches(Store store) {
    OffHeapStore s = (OffHeapStore) store;
    long[] recount = s.recount();
    assertThat(store.size()).isEqualTo(recount[0]);
    assertThat(store.usedBytes()).isEqualTo(recount[1]);
    assertThat(s.reservedBytes()).isEqualTo(recount[2]);
  }
}
