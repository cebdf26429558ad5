package io.ringcache.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.store.Clock;
import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.node.store.Stores;
import io.ringcache.ring.Handoff;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.HashRange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Touched marks at a target: an insert from the source is lost only to a write that happened. */
class ImportStateTest {

  private final ImportState state =
      new ImportState(new Handoff("h0", "a", "b", List.of(HashRange.all()), HandoffPhase.ACTIVE), "a");
  private final Key key = Key.of("k".getBytes(StandardCharsets.UTF_8));
  private final List<String> inserted = new ArrayList<>();

  @Test
  void applyIfUntouched_noWrite_insertsAtOnce() {
    state.applyIfUntouched(key, () -> inserted.add("source"));
    assertThat(inserted).containsExactly("source");
  }

  @Test
  void endWrite_failed_runsTheInsertThatArrivedMeanwhile_andTouchesNothing() {
    state.beginWrite(key);
    state.applyIfUntouched(key, () -> inserted.add("source"));
    assertThat(inserted).isEmpty();
    state.endWrite(key, false);
    assertThat(inserted).containsExactly("source");
    assertThat(state.isTouched(key)).isFalse();
  }

  @Test
  void endWrite_succeeded_dropsTheInsertThatArrivedMeanwhile_andTouches() {
    state.beginWrite(key);
    state.applyIfUntouched(key, () -> inserted.add("source"));
    state.endWrite(key, true);
    assertThat(inserted).isEmpty();
    assertThat(state.isTouched(key)).isTrue();
    state.applyIfUntouched(key, () -> inserted.add("later"));
    assertThat(inserted).isEmpty();
  }

  @Test
  void flushAll_touchesEveryKey_andNoInsertFromTheSourceRunsAfterIt() {
    Key other = Key.of("never-written".getBytes(StandardCharsets.UTF_8));
    state.beginWrite(key);
    state.applyIfUntouched(key, () -> inserted.add("kept while the write runs"));
    state.flushAll();
    assertThat(state.isTouched(other)).as("a key no client wrote").isTrue();
    state.applyIfUntouched(other, () -> inserted.add("a batch read before the source flushed"));
    state.endWrite(key, false);
    assertThat(inserted).as("inserts after the flush, kept ones included").isEmpty();
  }

  @Test
  void flushAll_waitsForAnInsertRunningNow() throws Exception {
    java.util.concurrent.CountDownLatch inInsert = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Thread importer = new Thread(() -> state.applyIfUntouched(key, () -> {
      inInsert.countDown();
      awaitQuietly(release);
      inserted.add("source");
    }));
    importer.start();
    inInsert.await();
    Thread flusher = new Thread(state::flushAll);
    flusher.start();
    flusher.join(200);
    assertThat(flusher.isAlive()).as("the flush waits for the insert it must clear").isTrue();
    release.countDown();
    flusher.join(10_000);
    importer.join(10_000);
    assertThat(flusher.isAlive()).isFalse();
    assertThat(inserted).containsExactly("source");
  }

  private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void endWrite_oneOfTwoConcurrentWritesSucceeds_keyIsTouched() {
    state.beginWrite(key);
    state.beginWrite(key);
    state.applyIfUntouched(key, () -> inserted.add("source"));
    state.endWrite(key, false);
    assertThat(inserted).as("another write is still in flight").isEmpty();
    state.endWrite(key, true);
    assertThat(inserted).isEmpty();
    assertThat(state.isTouched(key)).isTrue();
  }

  @Test
  void endWrite_failedWithoutInsert_leavesTheKeyUntouched() {
    state.beginWrite(key);
    state.endWrite(key, false);
    assertThat(state.isTouched(key)).isFalse();
    state.applyIfUntouched(key, () -> inserted.add("source"));
    assertThat(inserted).containsExactly("source");
  }

  @Test
  void importIfUntouched_storesAnUntouchedKey_keepsOneBehindAWrite_dropsATouchedOne() {
    Store store = Stores.packed(1 << 20, Clock.SYSTEM);
    byte[] source = "source".getBytes(StandardCharsets.UTF_8);
    assertThat(state.importIfUntouched(key, store, source, -1)).isTrue();
    assertThat(store.get(key)).isEqualTo(source);

    Key pending = Key.of("pending".getBytes(StandardCharsets.UTF_8));
    state.beginWrite(pending);
    assertThat(state.importIfUntouched(pending, store, source, -1)).isFalse();
    assertThat(store.get(pending)).isNull();
    state.endWrite(pending, false); // the write failed: the kept entry is stored now
    assertThat(store.get(pending)).isEqualTo(source);

    Key touched = Key.of("touched".getBytes(StandardCharsets.UTF_8));
    state.beginWrite(touched);
    state.endWrite(touched, true); // a delete that succeeded: the tombstone keeps the source's copy out
    assertThat(state.importIfUntouched(touched, store, source, -1)).isFalse();
    assertThat(store.get(touched)).isNull();
  }

  /** importIfUntouched of {@code key} from a batch's buffer, then the key's array and the buffer overwritten. */
  private boolean importFromBuffer(Store store, String key, String value) {
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    io.netty.buffer.ByteBuf batch = io.netty.buffer.Unpooled.directBuffer(v.length + 8);
    try {
      batch.writeLong(0).writeBytes(v);
      byte[] borrowed = key.getBytes(StandardCharsets.UTF_8);
      boolean stored = state.importIfUntouched(borrowed, Key.of(borrowed.clone()).ringHash(), store, batch, 8, v.length, -1);
      java.util.Arrays.fill(borrowed, (byte) '#'); // the event loop reuses both at once
      batch.setZero(0, batch.capacity());
      return stored;
    } finally {
      batch.release();
    }
  }

  @Test
  void importIfUntouchedFromBuffer_storesAnUntouchedKey_keepsOneBehindAWrite_dropsATouchedOne() {
    Store store = Stores.packed(1 << 20, Clock.SYSTEM);
    assertThat(importFromBuffer(store, "k", "source")).isTrue();
    assertThat(store.get(key)).isEqualTo("source".getBytes(StandardCharsets.UTF_8));

    Key pending = Key.of("pending".getBytes(StandardCharsets.UTF_8));
    state.beginWrite(pending);
    assertThat(importFromBuffer(store, "pending", "source")).isFalse();
    assertThat(store.get(pending)).isNull();
    state.endWrite(pending, false); // the write failed: the kept entry (its own copy) is stored now
    assertThat(store.get(pending)).isEqualTo("source".getBytes(StandardCharsets.UTF_8));

    Key touched = Key.of("touched".getBytes(StandardCharsets.UTF_8));
    state.beginWrite(touched);
    state.endWrite(touched, true);
    assertThat(importFromBuffer(store, "touched", "source")).isFalse();
    assertThat(store.get(touched)).isNull();
  }

  @Test
  void importIfUntouchedFromBuffer_everyKeyOfAStripeWithAWriteInFlight_isStoredUnlessItIsThatKey() {
    Store store = Stores.packed(1 << 20, Clock.SYSTEM);
    Key writing = Key.of("writing".getBytes(StandardCharsets.UTF_8));
    state.beginWrite(writing);
    // 1,000 keys: each of the 64 stripes, the writing key's among them, holds some
    for (int i = 0; i < 1000; i++) {
      assertThat(importFromBuffer(store, "k" + i, "v" + i)).isTrue();
    }
    assertThat(importFromBuffer(store, "writing", "source")).isFalse();
    state.endWrite(writing, true);
    assertThat(store.size()).isEqualTo(1000);
    assertThat(store.get(writing)).isNull();
    assertThat(state.touchedCount()).isEqualTo(1);
  }

  @Test
  void importIfUntouchedFromBuffer_afterFlushAll_storesNothing() {
    Store store = Stores.packed(1 << 20, Clock.SYSTEM);
    state.flushAll();
    assertThat(importFromBuffer(store, "k", "source")).isFalse();
    assertThat(store.size()).isZero();
  }
}
