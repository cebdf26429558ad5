package io.ringcache.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.ring.HashRange;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaffeineStoreTest extends StoreContractTest {

  @Override
  Store newStore(long maxBytes, Clock clock) {
    return Stores.caffeine(maxBytes, clock, Runnable::run);
  }

  @Override
  long entryWeight(int keyLength, int valueLength) {
    return keyLength + valueLength + CaffeineStore.ENTRY_OVERHEAD;
  }

  @Override
  void assertRecountMatches(Store store) {
    long[] recount = {0, 0};
    store.forEachInRanges(List.of(HashRange.all()), (k, v, ttl) -> {
      recount[0]++;
      recount[1] += CaffeineStore.weigh(k, v);
    });
    // Caffeine may keep counting a few entries that expired under concurrent writes and that no
    // iteration shows (its size and weight then include them; seen in the stress tests here):
    // only "at least" holds for it
    assertThat(store.size()).isGreaterThanOrEqualTo(recount[0]).isLessThanOrEqualTo(recount[0] + recount[0] / 10 + 5);
    assertThat(store.usedBytes()).isGreaterThanOrEqualTo(recount[1]);
  }

  @Test
  void evictionPolicy_isWTinyLfu() {
    assertThat(store.evictionPolicy()).isEqualTo("w-tinylfu");
  }

  @Test
  void set_scanOfOneOffKeysTenTimesTheBound_keepsFrequentlyReadKeys() {
    Store small = newStore(200_000, clock);
    for (int i = 0; i < 100; i++) {
      small.set(key("hot" + i), new byte[64], Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 100; i++) {
        small.get(key("hot" + i));
      }
    }
    // W-TinyLFU admits a newcomer only if it is used more often than the victim
    for (int i = 0; i < 10 * 200_000 / 240; i++) {
      small.set(key("once" + i), new byte[64], Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    small.cleanUp();
    long kept = 0;
    for (int i = 0; i < 100; i++) {
      kept += small.contains(key("hot" + i)) ? 1 : 0;
    }
    assertThat(kept).isGreaterThanOrEqualTo(90);
  }
}
