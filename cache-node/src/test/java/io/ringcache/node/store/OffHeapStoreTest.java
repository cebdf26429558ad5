package io.ringcache.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.ring.HashRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

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

  @Test
  void evictionPolicy_isClock() {
    assertThat(store.evictionPolicy()).isEqualTo("clock");
  }

  @Test
  void new_boundOutOfRange_isRejectedWithTheBound() {
    assertThatThrownBy(() -> Stores.offHeap(0, clock)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
    assertThatThrownBy(() -> Stores.offHeap(OffHeapStore.MAX_BYTES + 1, clock))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Long.toString(OffHeapStore.MAX_BYTES));
  }

  @Test
  void classSizes_stepBy8To256ThenByAnEighth_endingAtTheLargestChunk() {
    int[] sizes = OffHeapStore.classSizes(8192);
    assertThat(sizes[0]).isEqualTo(16);
    assertThat(sizes[30]).isEqualTo(256);
    assertThat(sizes[sizes.length - 1]).isEqualTo(8192);
    for (int i = 1; i < sizes.length; i++) {
      assertThat(sizes[i]).isGreaterThan(sizes[i - 1]).isLessThanOrEqualTo(Math.max(sizes[i - 1] + 8, sizes[i - 1] * 9 / 8 + 8));
      assertThat(sizes[i] % 8).isZero();
    }
  }

  @Test
  void remove_everyEntry_returnsEveryPageAndTableToTheEmptyFootprint() {
    OffHeapStore s = (OffHeapStore) newStore(64 << 20, clock);
    long empty = s.usedBytes();
    long emptyReserved = s.reservedBytes();
    for (int i = 0; i < 50_000; i++) {
      s.set(key("k" + i), new byte[i % 300], i % 2 == 0 ? seconds(100) : Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    assertRecountMatches(s);
    assertThat(s.reservedBytes()).isGreaterThan(s.usedBytes());
    for (int i = 0; i < 50_000; i++) {
      assertThat(s.delete(key("k" + i))).isTrue();
    }
    assertRecountMatches(s);
    assertThat(s.usedBytes()).isEqualTo(empty);
    assertThat(s.reservedBytes()).isEqualTo(emptyReserved);
  }

  @Test
  void set_overwritesOfTheSameSize_reuseTheirChunks() {
    OffHeapStore s = (OffHeapStore) newStore(64 << 20, clock);
    for (int i = 0; i < 10_000; i++) {
      s.set(key("k" + i), new byte[64], Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    long reserved = s.reservedBytes();
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 10_000; i++) {
        byte[] v = new byte[64];
        v[0] = (byte) round;
        s.set(key("k" + i), v, Store.NO_TTL, false, Store.Condition.ALWAYS);
      }
    }
    // at most one more page per (segment, class) while an overwrite holds old and new chunk at once
    assertThat(s.reservedBytes()).isLessThanOrEqualTo(reserved + (long) s.parts() * s.pageSize());
    assertThat(s.get(key("k5"))[0]).isEqualTo((byte) 4);
    assertRecountMatches(s);
  }

  @Test
  void set_fullStoreChangingValueSize_movesPagesToTheNewClassAndStaysWithinTheBound() {
    OffHeapStore s = (OffHeapStore) newStore(1 << 20, clock);
    for (int i = 0; i < 20_000; i++) {
      s.set(key("small" + i), new byte[40], Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    assertThat(s.stats().evictions()).isPositive();
    for (int i = 0; i < 20_000; i++) {
      s.set(key("large" + i), new byte[400], Store.NO_TTL, false, Store.Condition.ALWAYS);
      assertThat(s.reservedBytes()).isLessThanOrEqualTo(1 << 20);
    }
    long large = 0;
    for (int i = 19_000; i < 20_000; i++) {
      large += s.contains(key("large" + i)) ? 1 : 0;
    }
    // the last thousand large values (about 400 KB) fit: memory moved from the small class
    assertThat(large).isGreaterThan(900);
    assertRecountMatches(s);
  }

  @Test
  void set_largeValuesUpToTheNodeLimit_roundTripAndCountAgainstTheBound() {
    OffHeapStore s = (OffHeapStore) newStore(64 << 20, clock);
    SplittableRandom random = new SplittableRandom(7);
    Map<String, byte[]> values = new HashMap<>();
    for (int size : new int[] {s.pageSize() / 8 - 20, s.pageSize() / 8 + 1, 100_000, 16 << 20}) {
      byte[] v = new byte[size];
      random.nextBytes(v);
      values.put("big" + size, v);
      s.set(key("big" + size), v, seconds(50), false, Store.Condition.ALWAYS);
    }
    values.forEach((k, v) -> assertThat(s.get(key(k))).as(k).isEqualTo(v));
    assertThat(s.usedBytes()).isGreaterThan(16 << 20);
    assertRecountMatches(s);
    s.expire(key("big" + (16 << 20)), Store.NO_TTL); // rewritten without its deadline
    assertThat(s.get(key("big" + (16 << 20)))).isEqualTo(values.get("big" + (16 << 20)));
    for (int i = 0; i < 5; i++) {
      s.set(key("huge" + i), new byte[16 << 20], Store.NO_TTL, false, Store.Condition.ALWAYS);
      assertThat(s.reservedBytes()).isLessThanOrEqualTo(64 << 20);
    }
    assertThat(s.contains(key("huge4"))).isTrue();
    assertRecountMatches(s);
  }

  @Test
  void keysAndValues_withEveryByteValue_roundTripAndStayApart() {
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      byte[] k = {(byte) i, 0, (byte) 0xFF, '\r', '\n', (byte) (255 - i)};
      keys.add(k);
      byte[] v = new byte[i + 1];
      Arrays.fill(v, (byte) i);
      store.set(Key.of(k), v, Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    store.set(Key.of(new byte[0]), new byte[0], Store.NO_TTL, false, Store.Condition.ALWAYS);
    for (int i = 0; i < 256; i++) {
      byte[] v = store.get(Key.of(keys.get(i)));
      assertThat(v).hasSize(i + 1).containsOnly((byte) i);
    }
    assertThat(store.get(Key.of(new byte[0]))).isEmpty();
    assertThat(store.size()).isEqualTo(257);
  }

  @Test
  void set_runOfOneOffKeys_evictsThemBeforeKeysThatWereRead() {
    Store small = newStore(400_000, clock);
    int capacity = 0;
    while (small.stats().evictions() == 0) {
      small.set(key("old" + capacity++), new byte[64], Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
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
  void clear_returnsToTheEmptyFootprint() {
    OffHeapStore s = (OffHeapStore) store;
    long empty = s.usedBytes();
    long emptyReserved = s.reservedBytes();
    for (int i = 0; i < 5_000; i++) {
      s.set(key("k" + i), new byte[i % 2_000], seconds(10), false, Store.Condition.ALWAYS);
    }
    s.clear();
    assertThat(s.usedBytes()).isEqualTo(empty);
    assertThat(s.reservedBytes()).isEqualTo(emptyReserved);
    assertThat(s.timedSize()).isZero();
    assertRecountMatches(s);
    s.set(key("again"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    assertThat(s.get(key("again"))).isEqualTo(bytes("1"));
  }

  private static final class StopWalk extends RuntimeException {}
}
