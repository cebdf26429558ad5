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

class OffHeapStoreTest extends ClockStoreContractTest {

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

  @Test
  void concurrentWritesOfMixedSizesOverTheBound_keepValuesApartAndAccountingExact() throws Exception {
    // 8 MiB: 2 segments of 4 KiB pages, entries above 512 bytes are jumbos; values of 8 B to 3 KB,
    // filled past the bound first, so that pages change class and segment through the pool
    OffHeapStore s = (OffHeapStore) newStore(8 << 20, clock);
    assertThat(s.parts()).isGreaterThan(1);
    for (int i = 0; i < 40_000; i++) {
      s.set(key("fill" + i), named("fill" + i, i % 10 == 0 ? 500 + i % 2_500 : 8 + i % 200), Store.NO_TTL, false,
          Store.Condition.ALWAYS);
    }
    assertThat(s.stats().evictions()).isPositive();
    long deadline = System.nanoTime() + java.time.Duration.ofMillis(1500).toNanos();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int id = t;
      threads.add(new Thread(() -> {
        SplittableRandom random = new SplittableRandom(id);
        while (System.nanoTime() < deadline) {
          String name = "k:" + random.nextInt(50_000);
          int op = random.nextInt(10);
          if (op < 6) {
            int size = random.nextInt(10) == 0 ? 500 + random.nextInt(2_500) : 8 + random.nextInt(200);
            s.set(key(name), named(name, size), random.nextBoolean() ? Store.NO_TTL : seconds(1 + random.nextInt(3)), false,
                Store.Condition.ALWAYS);
          } else if (op < 9) {
            byte[] v = s.get(key(name));
            byte[] prefix = bytes(name + "=");
            int n = v == null ? 0 : Math.min(v.length, prefix.length);
            if (v != null && !Arrays.equals(v, 0, n, prefix, 0, n)) {
              throw new AssertionError("get " + name + " returned another key's value");
            }
          } else {
            s.remove(key(name));
          }
        }
      }, "writer-" + t));
    }
    threads.add(new Thread(() -> {
      while (System.nanoTime() < deadline) {
        s.forEachInRanges(List.of(HashRange.all()), (k, v, ttl) -> {
          byte[] prefix = bytes(k + "=");
          int n = Math.min(v.length, prefix.length);
          if (!Arrays.equals(v, 0, n, prefix, 0, n)) {
            throw new AssertionError("walk found another key's value under " + k);
          }
        });
        clock.advance(java.time.Duration.ofMillis(200));
        s.cleanUp();
      }
    }, "walker"));
    for (Thread t : threads) {
      t.setUncaughtExceptionHandler((th, e) -> failures.add(e));
      t.start();
    }
    for (Thread t : threads) {
      t.join(java.time.Duration.ofSeconds(30).toMillis());
      assertThat(t.isAlive()).as(t.getName() + " still running").isFalse();
    }
    assertThat(failures).isEmpty();
    s.cleanUp();
    assertThat(s.reservedBytes()).isLessThanOrEqualTo(8 << 20);
    assertRecountMatches(s);
  }

  /** A value of {@code size} bytes that starts with "name=" (as much of it as fits). */
  private static byte[] named(String name, int size) {
    byte[] v = new byte[size];
    byte[] prefix = bytes(name + "=");
    System.arraycopy(prefix, 0, v, 0, Math.min(prefix.length, size));
    return v;
  }
}
