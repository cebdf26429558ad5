package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.store.FakeClock;
import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.node.store.Stores;
import io.ringcache.ring.HashRange;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** WatchingStore signals a watched key exactly when a change was made through it, on every store. */
class WatchingStoreTest {

  private static final Key K = key("k");
  private static final Key OTHER = key("other");

  private static Key key(String s) {
    return Key.of(s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] v(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Store store(String type) {
    FakeClock clock = new FakeClock();
    return switch (type) {
      case "packed" -> Stores.packed(16L << 20, clock);
      case "offheap" -> Stores.offHeap(16L << 20, clock);
      default -> Stores.caffeine(16L << 20, clock, Runnable::run);
    };
  }

  /** Whether {@code change} marks a watcher of K dirty, after {@code setup} ran unwatched. */
  private static boolean dirtied(String type, Consumer<Store> setup, Consumer<Store> change) {
    KeyWatches watches = new KeyWatches();
    Store store = new WatchingStore(store(type), watches);
    setup.accept(store);
    KeyWatches.Watcher watcher = new KeyWatches.Watcher();
    watches.watch(K, watcher);
    change.accept(store);
    boolean dirty = watcher.dirty();
    watches.unwatch(K, watcher);
    assertThat(watches.size()).isZero();
    return dirty;
  }

  private static final Consumer<Store> NOTHING = s -> {};
  private static final Consumer<Store> PRESENT = s -> s.put(K, v("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
  private static final Consumer<Store> WITH_TTL = s -> s.put(K, v("1"), 100_000_000_000L, false, Store.Condition.ALWAYS);

  @ParameterizedTest
  @ValueSource(strings = {"packed", "caffeine", "offheap"})
  void changes_signalTheWatcher(String type) {
    assertThat(dirtied(type, NOTHING, s -> s.put(K, v("1"), Store.NO_TTL, false, Store.Condition.ALWAYS))).isTrue();
    assertThat(dirtied(type, PRESENT, s -> s.set(K, v("1"), Store.NO_TTL, false, Store.Condition.ALWAYS))).isTrue();
    assertThat(dirtied(type, PRESENT, s -> s.remove(K))).isTrue();
    assertThat(dirtied(type, PRESENT, s -> s.delete(K))).isTrue();
    assertThat(dirtied(type, PRESENT, s -> s.expire(K, 5_000_000_000L))).isTrue();
    assertThat(dirtied(type, WITH_TTL, s -> s.expire(K, Store.NO_TTL))).isTrue();
    assertThat(dirtied(type, PRESENT, s -> s.increment(K, 0))).isTrue();
    assertThat(dirtied(type, PRESENT, s -> s.update(K, old -> v("2")))).isTrue();
    assertThat(dirtied(type, PRESENT, Store::clear)).isTrue();
    assertThat(dirtied(type, PRESENT, s -> s.removeInRanges(List.of(HashRange.all())))).isTrue();
    assertThat(dirtied(type, NOTHING, s -> s.putIfAbsentUntil(K, v("1"), -1))).isTrue();
    assertThat(dirtied(type, PRESENT, s -> s.put(v("k"), K.ringHash(), io.netty.buffer.Unpooled.wrappedBuffer(v("2")), 0, 1,
        Store.NO_TTL, false, Store.Condition.ALWAYS))).as("SET's path: a borrowed key, the value from a buffer").isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"packed", "caffeine", "offheap"})
  void noChange_orAnotherKey_signalsNothing(String type) {
    assertThat(dirtied(type, PRESENT, s -> s.put(K, v("2"), Store.NO_TTL, false, Store.Condition.IF_ABSENT))).isFalse();
    assertThat(dirtied(type, PRESENT, s -> s.put(v("k"), K.ringHash(), io.netty.buffer.Unpooled.wrappedBuffer(v("2")), 0, 1,
        Store.NO_TTL, false, Store.Condition.IF_ABSENT))).isFalse();
    assertThat(dirtied(type, NOTHING, s -> s.put(v("other"), OTHER.ringHash(), io.netty.buffer.Unpooled.wrappedBuffer(v("2")), 0, 1,
        Store.NO_TTL, false, Store.Condition.ALWAYS))).isFalse();
    assertThat(dirtied(type, NOTHING, s -> s.put(K, v("2"), Store.NO_TTL, false, Store.Condition.IF_PRESENT))).isFalse();
    assertThat(dirtied(type, NOTHING, s -> s.remove(K))).isFalse();
    assertThat(dirtied(type, NOTHING, s -> s.delete(K))).isFalse();
    assertThat(dirtied(type, NOTHING, s -> s.expire(K, 5_000_000_000L))).isFalse();
    assertThat(dirtied(type, PRESENT, s -> s.expire(K, Store.NO_TTL))).as("PERSIST without a TTL").isFalse();
    assertThat(dirtied(type, PRESENT, s -> s.update(K, old -> null))).isFalse();
    assertThat(dirtied(type, PRESENT, s -> {
      s.get(K);
      s.contains(K);
      s.ttlNanos(K);
    })).isFalse();
    assertThat(dirtied(type, NOTHING, Store::clear)).as("FLUSHALL while the key was absent").isFalse();
    assertThat(dirtied(type, PRESENT, s -> s.put(OTHER, v("1"), Store.NO_TTL, false, Store.Condition.ALWAYS))).isFalse();
    assertThat(dirtied(type, PRESENT, s -> s.putIfAbsentUntil(K, v("2"), -1))).isFalse();
  }
}
