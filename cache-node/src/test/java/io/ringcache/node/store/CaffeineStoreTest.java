package io.ringcache.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.ring.HashRange;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CaffeineStoreTest {

  private final FakeClock clock = new FakeClock();
  private final Store store = Stores.caffeine(1 << 20, clock, Runnable::run);

  private static Key key(String s) {
    return Key.of(s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static long seconds(long s) {
    return Duration.ofSeconds(s).toNanos();
  }

  @Test
  void get_afterSet_returnsValue() {
    store.set(key("a"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    assertThat(store.get(key("a"))).isEqualTo(bytes("1"));
    assertThat(store.get(key("b"))).isNull();
  }

  @Test
  void get_afterTtlElapses_missesWithoutSleeping() {
    store.set(key("a"), bytes("1"), seconds(10), false, Store.Condition.ALWAYS);
    clock.advance(Duration.ofSeconds(9));
    assertThat(store.get(key("a"))).isNotNull();
    assertThat(store.ttlNanos(key("a"))).isEqualTo(seconds(1));
    clock.advance(Duration.ofSeconds(1));
    assertThat(store.get(key("a"))).isNull();
    assertThat(store.ttlNanos(key("a"))).isEqualTo(-2);
  }

  @Test
  void cleanUp_afterTtlElapses_removesEntryAndCountsExpired() {
    for (int i = 0; i < 100; i++) {
      store.set(key("k" + i), bytes("v"), seconds(5), false, Store.Condition.ALWAYS);
    }
    store.set(key("forever"), bytes("v"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    clock.advance(Duration.ofSeconds(6));
    store.cleanUp();
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.stats().expired()).isEqualTo(100);
  }

  @Test
  void set_withoutTtl_clearsPreviousTtl() {
    store.set(key("a"), bytes("1"), seconds(10), false, Store.Condition.ALWAYS);
    store.set(key("a"), bytes("2"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    assertThat(store.ttlNanos(key("a"))).isEqualTo(Store.NO_TTL);
  }

  @Test
  void set_keepTtl_keepsPreviousTtl() {
    store.set(key("a"), bytes("1"), seconds(10), false, Store.Condition.ALWAYS);
    store.set(key("a"), bytes("2"), Store.NO_TTL, true, Store.Condition.ALWAYS);
    assertThat(store.ttlNanos(key("a"))).isEqualTo(seconds(10));
    assertThat(store.get(key("a"))).isEqualTo(bytes("2"));
  }

  @Test
  void set_ifAbsent_storesOnlyWhenAbsent() {
    assertThat(store.set(key("a"), bytes("1"), Store.NO_TTL, false, Store.Condition.IF_ABSENT).stored()).isTrue();
    Store.SetResult second = store.set(key("a"), bytes("2"), Store.NO_TTL, false, Store.Condition.IF_ABSENT);
    assertThat(second.stored()).isFalse();
    assertThat(second.previous()).isEqualTo(bytes("1"));
    assertThat(store.get(key("a"))).isEqualTo(bytes("1"));
  }

  @Test
  void set_ifPresent_storesOnlyWhenPresentAndSetsTtl() {
    assertThat(store.set(key("a"), bytes("1"), Store.NO_TTL, false, Store.Condition.IF_PRESENT).stored()).isFalse();
    assertThat(store.contains(key("a"))).isFalse();
    store.set(key("a"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    Store.SetResult r = store.set(key("a"), bytes("2"), seconds(3), false, Store.Condition.IF_PRESENT);
    assertThat(r.stored()).isTrue();
    assertThat(r.previous()).isEqualTo(bytes("1"));
    assertThat(store.ttlNanos(key("a"))).isEqualTo(seconds(3));
  }

  @Test
  void set_withTtlAlreadyElapsed_removesKey() {
    store.set(key("a"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    Store.SetResult r = store.set(key("a"), bytes("2"), 0, false, Store.Condition.ALWAYS);
    assertThat(r.previous()).isEqualTo(bytes("1"));
    assertThat(store.contains(key("a"))).isFalse();
  }

  @Test
  void expire_setsAndRemovesTtl_andNonPositiveDeletes() {
    assertThat(store.expire(key("a"), seconds(1))).isFalse();
    store.set(key("a"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    assertThat(store.expire(key("a"), seconds(5))).isTrue();
    assertThat(store.ttlNanos(key("a"))).isEqualTo(seconds(5));
    assertThat(store.expire(key("a"), Store.NO_TTL)).isTrue();
    assertThat(store.ttlNanos(key("a"))).isEqualTo(Store.NO_TTL);
    assertThat(store.expire(key("a"), 0)).isTrue();
    assertThat(store.contains(key("a"))).isFalse();
  }

  @Test
  void increment_countsFromZeroAndKeepsTtl() {
    assertThat(store.increment(key("n"), 5)).isEqualTo(5);
    store.expire(key("n"), seconds(7));
    assertThat(store.increment(key("n"), -7)).isEqualTo(-2);
    assertThat(store.get(key("n"))).isEqualTo(bytes("-2"));
    assertThat(store.ttlNanos(key("n"))).isEqualTo(seconds(7));
  }

  @Test
  void increment_nonInteger_throwsAndLeavesValue() {
    store.set(key("s"), bytes("abc"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    assertThatThrownBy(() -> store.increment(key("s"), 1)).isInstanceOf(NumberFormatException.class);
    assertThat(store.get(key("s"))).isEqualTo(bytes("abc"));
  }

  @Test
  void increment_overflow_throwsArithmeticException() {
    store.set(key("n"), bytes(Long.toString(Long.MAX_VALUE)), Store.NO_TTL, false, Store.Condition.ALWAYS);
    assertThatThrownBy(() -> store.increment(key("n"), 1)).isInstanceOf(ArithmeticException.class);
  }

  @Test
  void usedBytes_countsKeyValueAndOverhead() {
    store.set(key("abc"), new byte[100], Store.NO_TTL, false, Store.Condition.ALWAYS);
    store.cleanUp();
    assertThat(store.usedBytes()).isEqualTo(3 + 100 + CaffeineStore.ENTRY_OVERHEAD);
  }

  @Test
  void set_beyondMaxMemory_evictsToTheBound() {
    Store small = Stores.caffeine(100_000, clock, Runnable::run);
    for (int i = 0; i < 10_000; i++) {
      small.set(key("key:" + i), new byte[64], Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    small.cleanUp();
    assertThat(small.usedBytes()).isLessThanOrEqualTo(100_000);
    assertThat(small.size()).isGreaterThan(100);
    assertThat(small.stats().evictions()).isEqualTo(10_000 - small.size());
  }

  @Test
  void scan_fullWalk_returnsEveryKeyOnce() {
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 5_000; i++) {
      store.set(key("k" + i), bytes("v"), Store.NO_TTL, false, Store.Condition.ALWAYS);
      expected.add("k" + i);
    }
    List<String> seen = new ArrayList<>();
    long cursor = 0;
    int steps = 0;
    do {
      Store.ScanPage page = store.scan(cursor, 10);
      page.keys().forEach(k -> seen.add(k.toString()));
      cursor = page.nextCursor();
      steps++;
    } while (cursor != 0);
    assertThat(seen).hasSize(5_000);
    assertThat(new HashSet<>(seen)).isEqualTo(expected);
    assertThat(steps).isLessThanOrEqualTo(5_000 / 10 + 1);
  }

  @Test
  void scan_emptyStore_endsAtOnce() {
    Store.ScanPage page = store.scan(0, 10);
    assertThat(page.nextCursor()).isZero();
    assertThat(page.keys()).isEmpty();
  }

  @Test
  void forEachInRanges_visitsExactlyKeysWhoseHashIsInRange() {
    for (int i = 0; i < 2_000; i++) {
      store.set(key("k" + i), bytes("v" + i), i % 2 == 0 ? seconds(100) : Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    // (0xC0000000, 0x40000000] wraps: half of the circle
    List<HashRange> ranges = List.of(HashRange.of(0xC0000000, 0x40000000));
    List<Key> visited = new ArrayList<>();
    store.forEachInRanges(
        ranges,
        (k, v, ttl) -> {
          visited.add(k);
          assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("v" + k.toString().substring(1));
          int i = Integer.parseInt(k.toString().substring(1));
          assertThat(ttl).isEqualTo(i % 2 == 0 ? seconds(100) : Store.NO_TTL);
        });
    long expected = 0;
    for (int i = 0; i < 2_000; i++) {
      if (ranges.get(0).contains(key("k" + i).ringHash())) {
        expected++;
      }
    }
    assertThat(visited).hasSize((int) expected).allMatch(k -> ranges.get(0).contains(k.ringHash()));
    assertThat(expected).isBetween(800L, 1200L);

    assertThat(store.removeInRanges(ranges)).isEqualTo(expected);
    assertThat(store.size()).isEqualTo(2_000 - expected);
    List<Key> left = new ArrayList<>();
    store.forEachInRanges(List.of(HashRange.all()), (k, v, ttl) -> left.add(k));
    assertThat(left).hasSize((int) (2_000 - expected)).noneMatch(k -> ranges.get(0).contains(k.ringHash()));
  }

  @Test
  void clear_removesEverything() {
    store.set(key("a"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    store.clear();
    assertThat(store.size()).isZero();
    assertThat(store.get(key("a"))).isNull();
  }

  @Test
  void key_ringHash_isCrc32OfBytes() {
    assertThat(key("foo").ringHash()).isEqualTo(io.ringcache.ring.Crc32.hash(bytes("foo")));
    assertThat(key("foo")).isEqualTo(key("foo")).isNotEqualTo(key("bar"));
  }

  @Test
  void decimal_parseLong_isStrictAsRedis() {
    assertThat(Decimal.parseLong(bytes("-9223372036854775808"))).isEqualTo(Long.MIN_VALUE);
    assertThat(Decimal.parseLong(bytes("9223372036854775807"))).isEqualTo(Long.MAX_VALUE);
    assertThat(Decimal.parseLong(bytes("0"))).isZero();
    for (String bad : List.of("", "-", "+1", " 1", "01", "1a", "9223372036854775808", "-0x1")) {
      assertThatThrownBy(() -> Decimal.parseLong(bytes(bad))).as(bad).isInstanceOf(NumberFormatException.class);
    }
  }
}
