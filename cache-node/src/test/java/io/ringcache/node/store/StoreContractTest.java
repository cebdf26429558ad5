package io.ringcache.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.ring.HashRange;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Store} must do, run against each implementation by a subclass. Policy-specific
 * behaviour (which entries eviction picks, the exact per-entry weight) is tested in the subclasses.
 */
abstract class StoreContractTest {

  final FakeClock clock = new FakeClock();
  final Store store = newStore(1 << 20, clock);

  /** A new, empty store bounded at {@code maxBytes} on {@code clock}, with deterministic maintenance. */
  abstract Store newStore(long maxBytes, Clock clock);

  /** The bytes one entry with a key and value of these lengths (and no TTL) adds to usedBytes. */
  abstract long entryWeight(int keyLength, int valueLength);

  static Key key(String s) {
    return Key.of(s.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static long seconds(long s) {
    return Duration.ofSeconds(s).toNanos();
  }

  @Test
  void prefetch_changesNothing_andNeverThrows_whileAWriterGrowsAndShrinksTheTables() throws Exception {
    store.set(key("kept"), bytes("v"), seconds(10), false, Store.Condition.ALWAYS);
    int[] hashes = new int[16];
    java.util.Random random = new java.util.Random(16);
    List<Throwable> writerFailed = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread writer = new Thread(() -> {
      try {
        for (int round = 0; round < 30; round++) {
          for (int i = 0; i < 3000; i++) {
            store.set(key("w" + i), bytes("value " + i), Store.NO_TTL, false, Store.Condition.ALWAYS);
          }
          for (int i = 0; i < 3000; i++) {
            store.delete(key("w" + i));
          }
        }
      } catch (Throwable t) {
        writerFailed.add(t);
      }
    });
    writer.start();
    long calls = 0;
    do {
      // hashes of keys the writer holds or is about to, and of nothing at all, against tables it resizes
      for (int j = 0; j < hashes.length; j++) {
        hashes[j] = j % 2 == 0 ? key("w" + random.nextInt(3000)).ringHash() : random.nextInt();
      }
      store.prefetch(hashes, hashes.length);
      calls++;
    } while (writer.isAlive());
    writer.join();

    assertThat(writerFailed).isEmpty();
    assertThat(calls).isPositive();
    hashes[0] = key("kept").ringHash();
    store.prefetch(hashes, 1);
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.get(key("kept"))).isEqualTo(bytes("v"));
    assertThat(store.ttlNanos(key("kept"))).isEqualTo(seconds(10));
  }

  @Test
  void get_afterSet_returnsValue() {
    store.set(key("a"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    assertThat(store.get(key("a"))).isEqualTo(bytes("1"));
    assertThat(store.get(key("b"))).isNull();
  }

  /** What writeBulk writes to a fresh buffer (direct or heap), as a string; null if it returned false. */
  private String writtenBulk(Key key, boolean direct) {
    io.netty.buffer.ByteBuf out = direct ? io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(16)
        : io.netty.buffer.Unpooled.buffer(16);
    try {
      out.writeByte('>'); // what the buffer held before stays in front
      boolean found = store.writeBulk(key, out);
      String s = out.toString(StandardCharsets.ISO_8859_1);
      assertThat(found).as("returned true exactly when something was written").isEqualTo(s.length() > 1);
      return found ? s.substring(1) : null;
    } finally {
      out.release();
    }
  }

  @Test
  void writeBulk_writesTheValueAsABulkStringAfterWhatTheBufferHeld_directOrHeap() {
    byte[] large = new byte[70_000]; // beyond the off-heap store's largest chunk: a jumbo entry
    Arrays.fill(large, (byte) 'v');
    large[large.length - 1] = '\n';
    store.set(key("a"), bytes("hello\r\n"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    store.set(key("empty"), new byte[0], Store.NO_TTL, false, Store.Condition.ALWAYS);
    store.set(key("large"), large, Store.NO_TTL, false, Store.Condition.ALWAYS);
    for (boolean direct : new boolean[] {true, false}) {
      assertThat(writtenBulk(key("a"), direct)).isEqualTo("$7\r\nhello\r\n\r\n");
      assertThat(writtenBulk(key("empty"), direct)).isEqualTo("$0\r\n\r\n");
      assertThat(writtenBulk(key("large"), direct))
          .isEqualTo("$70000\r\n" + new String(large, StandardCharsets.ISO_8859_1) + "\r\n");
      assertThat(writtenBulk(key("absent"), direct)).isNull();
    }
  }

  @Test
  void writeBulk_afterTtlElapses_writesNothing_andAfterOverwriteWritesTheNewValue() {
    store.set(key("t"), bytes("1"), seconds(10), false, Store.Condition.ALWAYS);
    clock.advance(Duration.ofSeconds(9));
    assertThat(writtenBulk(key("t"), true)).isEqualTo("$1\r\n1\r\n");
    store.set(key("t"), bytes("22"), Store.NO_TTL, true, Store.Condition.ALWAYS);
    assertThat(writtenBulk(key("t"), true)).isEqualTo("$2\r\n22\r\n");
    clock.advance(Duration.ofSeconds(1));
    assertThat(writtenBulk(key("t"), true)).isNull();
    assertThat(store.contains(key("t"))).isFalse();
  }

  /** Puts {@code value} through the span method, from a direct or heap buffer with other bytes around it. */
  private boolean putFromBuffer(Store target, String key, byte[] value, long ttl, boolean keepTtl, Store.Condition condition,
      boolean direct) {
    io.netty.buffer.ByteBuf in = direct ? io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(value.length + 8)
        : io.netty.buffer.Unpooled.buffer(value.length + 8);
    try {
      in.writeBytes(bytes("*$3\r\n")).writeBytes(value).writeBytes(bytes("\r\n"));
      int reader = in.readerIndex();
      int writer = in.writerIndex();
      byte[] borrowed = bytes(key);
      boolean stored = target.put(borrowed, key(key).ringHash(), in, 5, value.length, ttl, keepTtl, condition);
      Arrays.fill(borrowed, (byte) '#'); // the caller reuses the key's array at once: the store must not have kept it
      assertThat(in.readerIndex()).isEqualTo(reader);
      assertThat(in.writerIndex()).isEqualTo(writer);
      return stored;
    } finally {
      in.release();
    }
  }

  @Test
  void putFromBuffer_storesTheValueBytesAtTheIndex_countedAsPutOfAnArray_directOrHeap() {
    byte[] large = new byte[70_000]; // a jumbo entry off-heap
    Arrays.fill(large, (byte) 'v');
    large[0] = '\r';
    Store byArray = newStore(1 << 20, clock);
    for (boolean direct : new boolean[] {true, false}) {
      store.clear();
      byArray.clear();
      assertThat(putFromBuffer(store, "a", bytes("hello"), Store.NO_TTL, false, Store.Condition.ALWAYS, direct)).isTrue();
      assertThat(putFromBuffer(store, "empty", new byte[0], Store.NO_TTL, false, Store.Condition.ALWAYS, direct)).isTrue();
      assertThat(putFromBuffer(store, "large", large, Store.NO_TTL, false, Store.Condition.ALWAYS, direct)).isTrue();
      byArray.put(key("a"), bytes("hello"), Store.NO_TTL, false, Store.Condition.ALWAYS);
      byArray.put(key("empty"), new byte[0], Store.NO_TTL, false, Store.Condition.ALWAYS);
      byArray.put(key("large"), large, Store.NO_TTL, false, Store.Condition.ALWAYS);
      assertThat(store.get(key("a"))).isEqualTo(bytes("hello"));
      assertThat(store.get(key("empty"))).isEqualTo(new byte[0]);
      assertThat(store.get(key("large"))).isEqualTo(large);
      assertThat(store.size()).isEqualTo(3);
      assertThat(store.usedBytes()).isEqualTo(byArray.usedBytes());
      assertThat(store.timedSize()).isZero();
    }
  }

  @Test
  void putFromBuffer_followsConditionsAndTtls_asPutOfAnArray() {
    assertThat(putFromBuffer(store, "k", bytes("1"), Store.NO_TTL, false, Store.Condition.IF_PRESENT, true)).isFalse();
    assertThat(store.contains(key("k"))).isFalse();
    assertThat(putFromBuffer(store, "k", bytes("1"), seconds(10), false, Store.Condition.IF_ABSENT, true)).isTrue();
    assertThat(putFromBuffer(store, "k", bytes("2"), Store.NO_TTL, false, Store.Condition.IF_ABSENT, false)).isFalse();
    assertThat(store.get(key("k"))).isEqualTo(bytes("1"));
    assertThat(store.timedSize()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(4));
    assertThat(putFromBuffer(store, "k", bytes("33"), Store.NO_TTL, true, Store.Condition.IF_PRESENT, true)).isTrue();
    assertThat(store.get(key("k"))).isEqualTo(bytes("33"));
    assertThat(store.ttlNanos(key("k"))).isEqualTo(seconds(6)); // KEEPTTL kept the deadline
    assertThat(putFromBuffer(store, "k", bytes("4"), Store.NO_TTL, false, Store.Condition.ALWAYS, false)).isTrue();
    assertThat(store.ttlNanos(key("k"))).isEqualTo(Store.NO_TTL);
    assertThat(store.timedSize()).isZero();
    assertThat(putFromBuffer(store, "k", bytes("5"), 0, false, Store.Condition.ALWAYS, true)).isTrue(); // a TTL already over
    assertThat(store.contains(key("k"))).isFalse();
    assertThat(putFromBuffer(store, "e", bytes("6"), seconds(1), false, Store.Condition.ALWAYS, true)).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(putFromBuffer(store, "e", bytes("7"), Store.NO_TTL, false, Store.Condition.IF_PRESENT, true))
        .as("an expired entry is absent").isFalse();
    assertThat(store.contains(key("e"))).isFalse();
  }

  @Test
  void writeBulkOfBorrowedKey_writesAsWriteBulkOfAKey_andKeepsNothingOfTheArray() {
    store.set(key("a"), bytes("hello"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    store.set(key("t"), bytes("1"), seconds(10), false, Store.Condition.ALWAYS);
    for (boolean direct : new boolean[] {true, false}) {
      for (String k : new String[] {"a", "t", "absent"}) {
        io.netty.buffer.ByteBuf out = direct ? io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(16)
            : io.netty.buffer.Unpooled.buffer(16);
        try {
          byte[] borrowed = bytes(k);
          boolean found = store.writeBulk(borrowed, key(k).ringHash(), out);
          Arrays.fill(borrowed, (byte) '#');
          String expected = writtenBulk(key(k), direct);
          assertThat(found).isEqualTo(expected != null);
          assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(expected == null ? "" : expected);
        } finally {
          out.release();
        }
      }
    }
    clock.advance(Duration.ofSeconds(10));
    io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer(16);
    assertThat(store.writeBulk(bytes("t"), key("t").ringHash(), out)).as("expired").isFalse();
    assertThat(out.readableBytes()).isZero();
    assertThat(store.contains(key("t"))).isFalse();
    assertThat(store.get(key("a"))).isEqualTo(bytes("hello"));
  }

  @Test
  void update_replacesTheValueKeepingItsTtl_andNullChangesNothing() {
    assertThat(store.update(key("a"), old -> null)).isNull();
    assertThat(store.contains(key("a"))).isFalse();
    assertThat(store.update(key("a"), old -> old == null ? bytes("x") : null)).isEqualTo(bytes("x"));
    assertThat(store.ttlNanos(key("a"))).isEqualTo(Store.NO_TTL);
    store.set(key("t"), bytes("1"), seconds(10), false, Store.Condition.ALWAYS);
    clock.advance(Duration.ofSeconds(4));
    assertThat(store.update(key("t"), old -> (new String(old, java.nio.charset.StandardCharsets.UTF_8) + "2").getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isEqualTo(bytes("12"));
    assertThat(store.get(key("t"))).isEqualTo(bytes("12"));
    assertThat(store.ttlNanos(key("t"))).isEqualTo(seconds(6));
    assertThat(store.update(key("t"), old -> null)).isEqualTo(bytes("12"));
    clock.advance(Duration.ofSeconds(6));
    assertThat(store.update(key("t"), old -> old)).isNull(); // expired: absent, and left so
    assertThat(store.contains(key("t"))).isFalse();
  }

  @Test
  void timedSize_countsTheEntriesWithATtl() {
    store.set(key("plain"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    store.set(key("timed"), bytes("1"), seconds(10), false, Store.Condition.ALWAYS);
    store.set(key("far"), bytes("1"), Store.MAX_TTL_NANOS, false, Store.Condition.ALWAYS);
    assertThat(store.timedSize()).isEqualTo(2);
    assertThat(store.ttlNanos(key("far"))).isPositive();
    store.expire(key("plain"), seconds(5));
    assertThat(store.timedSize()).isEqualTo(3);
    store.expire(key("timed"), Store.NO_TTL);
    store.delete(key("far"));
    assertThat(store.timedSize()).isEqualTo(1);
    store.set(key("plain"), bytes("2"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    assertThat(store.timedSize()).isZero();
  }

  @Test
  void valueLength_isTheValuesLength_minusOneWhenAbsentOrExpired() {
    store.set(key("a"), bytes("hello"), seconds(10), false, Store.Condition.ALWAYS);
    store.set(key("empty"), new byte[0], Store.NO_TTL, false, Store.Condition.ALWAYS);
    store.set(key("large"), new byte[70_000], Store.NO_TTL, false, Store.Condition.ALWAYS);
    assertThat(store.valueLength(key("a"))).isEqualTo(5);
    assertThat(store.valueLength(key("empty"))).isZero();
    assertThat(store.valueLength(key("large"))).isEqualTo(70_000);
    assertThat(store.valueLength(key("absent"))).isEqualTo(-1);
    clock.advance(Duration.ofSeconds(10));
    assertThat(store.valueLength(key("a"))).isEqualTo(-1);
    assertThat(store.get(key("a"))).isNull();
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
  void putIfAbsentUntil_storesWithTheTimeLeftUntilTheAbsoluteExpiry_andNothingExpiredOrPresent() {
    long now = clock.currentTimeMillis();
    assertThat(store.putIfAbsentUntil(key("a"), bytes("1"), now + 10_000)).isTrue();
    assertThat(store.ttlNanos(key("a"))).isEqualTo(seconds(10));
    assertThat(store.putIfAbsentUntil(key("a"), bytes("2"), now + 20_000)).isFalse();
    assertThat(store.get(key("a"))).isEqualTo(bytes("1"));
    assertThat(store.putIfAbsentUntil(key("gone"), bytes("1"), now)).isFalse();
    assertThat(store.putIfAbsentUntil(key("gone"), bytes("1"), now - 5)).isFalse();
    assertThat(store.contains(key("gone"))).isFalse();
    assertThat(store.putIfAbsentUntil(key("forever"), bytes("1"), -1)).isTrue();
    assertThat(store.ttlNanos(key("forever"))).isEqualTo(Store.NO_TTL);
  }

  /** putIfAbsentUntil of a borrowed key and a value inside a buffer (a streamed batch), checked not to keep either. */
  private boolean importFromBuffer(String key, byte[] value, long expireAt, boolean direct) {
    io.netty.buffer.ByteBuf in = direct ? io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(value.length + 16)
        : io.netty.buffer.Unpooled.buffer(value.length + 16);
    try {
      in.writeLong(0).writeBytes(value).writeLong(0);
      int reader = in.readerIndex();
      int writer = in.writerIndex();
      byte[] borrowed = bytes(key);
      boolean stored = store.putIfAbsentUntil(borrowed, key(key).ringHash(), in, 8, value.length, expireAt);
      Arrays.fill(borrowed, (byte) '#'); // reused for the next entry at once: the store must not have kept it
      in.setZero(0, in.capacity()); // as is the batch's buffer
      assertThat(in.readerIndex()).isEqualTo(reader);
      assertThat(in.writerIndex()).isEqualTo(writer);
      return stored;
    } finally {
      in.release();
    }
  }

  @Test
  void putIfAbsentUntilFromBuffer_storesACopyWithTheTimeLeft_andNothingExpiredOrPresent_directOrHeap() {
    for (boolean direct : new boolean[] {true, false}) {
      store.clear();
      long now = clock.currentTimeMillis();
      assertThat(importFromBuffer("a", bytes("1"), now + 10_000, direct)).isTrue();
      assertThat(store.get(key("a"))).isEqualTo(bytes("1"));
      assertThat(store.ttlNanos(key("a"))).isEqualTo(seconds(10));
      assertThat(importFromBuffer("a", bytes("2"), now + 20_000, direct)).isFalse();
      assertThat(store.get(key("a"))).isEqualTo(bytes("1"));
      assertThat(importFromBuffer("gone", bytes("1"), now, direct)).isFalse();
      assertThat(importFromBuffer("gone", bytes("1"), now - 5, direct)).isFalse();
      assertThat(store.contains(key("gone"))).isFalse();
      assertThat(importFromBuffer("forever", bytes("v"), -1, direct)).isTrue();
      assertThat(store.get(key("forever"))).isEqualTo(bytes("v"));
      assertThat(store.ttlNanos(key("forever"))).isEqualTo(Store.NO_TTL);
      assertThat(store.size()).isEqualTo(2);
    }
  }

  @Test
  void putIfAbsentUntilFromBuffer_pausedBetweenItsClockReadings_neverOutlivesTheExpiry() {
    long expireAt = clock.currentTimeMillis() + 10_000;
    clock.pauseAfterNextReading(Duration.ofMillis(300)); // a GC between the store's two readings
    assertThat(importFromBuffer("a", bytes("1"), expireAt, true)).isTrue();
    assertThat(store.ttlNanos(key("a"))).isLessThanOrEqualTo(Duration.ofMillis(9_700).toNanos());
    clock.advance(Duration.ofMillis(9_700));
    assertThat(store.get(key("a"))).isNull();
  }

  @Test
  void deadline_ofAnAbsentAPlainAndAnExpiredKey_isAbsentNoDeadlineAndAbsent() {
    store.set(key("plain"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    store.set(key("timed"), bytes("1"), seconds(1), false, Store.Condition.ALWAYS);
    assertThat(store.deadline(key("absent"))).isEqualTo(Store.ABSENT);
    assertThat(store.deadline(key("plain"))).isEqualTo(Store.NO_DEADLINE);
    assertThat(store.deadline(key("timed"))).isEqualTo(clock.nanoTime() + seconds(1));
    clock.advance(Duration.ofSeconds(1));
    assertThat(store.deadline(key("timed"))).isEqualTo(Store.ABSENT);
  }

  @Test
  void untilWrites_pausedAfterEveryClockReading_keepTheDeadlineGivenExactly() {
    long deadline = clock.nanoTime() + seconds(10) + 123_456; // not a whole millisecond
    clock.pauseAfterEveryReading(Duration.ofMillis(3)); // a loaded machine: every reading is followed by a pause
    store.setUntil(key("set"), bytes("1"), deadline, false, Store.Condition.ALWAYS);
    store.putUntil(key("put"), bytes("1"), deadline, false, Store.Condition.ALWAYS);
    io.netty.buffer.ByteBuf value = io.netty.buffer.Unpooled.wrappedBuffer(bytes("xx1"));
    store.putUntil(bytes("buffered"), key("buffered").ringHash(), value, 2, 1, deadline, false, Store.Condition.ALWAYS);
    store.set(key("expired"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    assertThat(store.expireUntil(key("expired"), deadline + 7)).isTrue();
    for (String k : List.of("set", "put", "buffered")) {
      assertThat(store.deadline(key(k))).as(k).isEqualTo(deadline);
      assertThat(store.get(key(k))).as(k).isEqualTo(bytes("1"));
    }
    assertThat(store.deadline(key("expired"))).isEqualTo(deadline + 7);
    assertThat(store.expireUntil(key("expired"), Store.NO_DEADLINE)).isTrue();
    assertThat(store.deadline(key("expired"))).isEqualTo(Store.NO_DEADLINE);
    // the entries end at the deadline, not a pause later
    clock.pauseAfterEveryReading(Duration.ZERO);
    clock.advance(Duration.ofNanos(deadline - clock.nanoTime()));
    assertThat(store.get(key("set"))).isNull();
    assertThat(store.get(key("buffered"))).isNull();
  }

  @Test
  void untilWrites_withADeadlineNotAfterNow_winAndVanishAtOnce() {
    store.set(key("a"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    assertThat(store.setUntil(key("a"), bytes("2"), clock.nanoTime(), false, Store.Condition.ALWAYS).stored()).isTrue();
    assertThat(store.contains(key("a"))).isFalse();
    store.set(key("b"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    assertThat(store.expireUntil(key("b"), clock.nanoTime() - 1)).isTrue();
    assertThat(store.contains(key("b"))).isFalse();
    assertThat(store.expireUntil(key("b"), clock.nanoTime() + seconds(1))).isFalse();
  }

  @Test
  void putIfAbsentUntil_pausedAfterEveryClockReading_expiresAtExactlyTheInstantSent() {
    long expireAt = clock.currentTimeMillis() + 10_000;
    clock.pauseAfterEveryReading(Duration.ofMillis(3));
    assertThat(store.putIfAbsentUntil(key("a"), bytes("1"), expireAt)).isTrue();
    assertThat(store.deadline(key("a"))).isEqualTo(expireAt * 1_000_000 - clock.wallOffsetNanos());
  }

  @Test
  void forEachInRanges_visitUntil_givesEachEntrysExactDeadline() {
    long deadline = clock.nanoTime() + seconds(5) + 789;
    store.setUntil(key("timed"), bytes("1"), deadline, false, Store.Condition.ALWAYS);
    store.set(key("plain"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    Map<String, Long> seen = new HashMap<>();
    clock.pauseAfterEveryReading(Duration.ofMillis(3));
    store.forEachInRanges(List.of(HashRange.all()), new Store.EntryVisitor() {
      @Override
      public void visit(Key k, byte[] v, long ttl) {
        throw new AssertionError("the store calls the form with the deadline");
      }

      @Override
      public void visitUntil(Key k, byte[] v, long ttl, long d) {
        seen.put(new String(k.bytes(), StandardCharsets.UTF_8), d);
      }

      @Override
      public void visitBytesUntil(byte[] b, int ko, int kl, int vo, int vl, int ringHash, long ttl, long d) {
        seen.put(new String(b, ko, kl, StandardCharsets.UTF_8), d);
      }
    });
    assertThat(seen).containsExactlyInAnyOrderEntriesOf(Map.of("timed", deadline, "plain", Store.NO_DEADLINE));
  }

  @Test
  void putIfAbsentUntil_pausedBetweenItsClockReadings_neverOutlivesTheExpiry() {
    long expireAt = clock.currentTimeMillis() + 10_000;
    clock.pauseAfterNextReading(Duration.ofMillis(300)); // a GC between the store's two readings
    assertThat(store.putIfAbsentUntil(key("a"), bytes("1"), expireAt)).isTrue();
    // 9,700 ms are left in truth; an entry that outlives its expiry comes back from the dead
    assertThat(store.ttlNanos(key("a"))).isLessThanOrEqualTo(Duration.ofMillis(9_700).toNanos());
    clock.advance(Duration.ofMillis(9_700));
    assertThat(store.get(key("a"))).isNull();
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
    store.cleanUp();
    long empty = store.usedBytes();
    store.set(key("abc"), new byte[100], Store.NO_TTL, false, Store.Condition.ALWAYS);
    store.cleanUp();
    assertThat(store.usedBytes() - empty).isEqualTo(entryWeight(3, 100));
    store.remove(key("abc"));
    store.cleanUp();
    assertThat(store.usedBytes()).isEqualTo(empty);
  }

  @Test
  void set_beyondMaxMemory_evictsToTheBound() {
    Store small = newStore(100_000, clock);
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
  void set_overExpiredEntry_treatsItAsAbsent() {
    store.set(key("a"), bytes("1"), seconds(1), false, Store.Condition.ALWAYS);
    clock.advance(Duration.ofSeconds(2));
    Store.SetResult r = store.set(key("a"), bytes("2"), Store.NO_TTL, false, Store.Condition.IF_ABSENT);
    assertThat(r.stored()).isTrue();
    assertThat(r.previous()).isNull();
    assertThat(store.get(key("a"))).isEqualTo(bytes("2"));
    assertThat(store.ttlNanos(key("a"))).isEqualTo(Store.NO_TTL);
  }

  @Test
  void set_ifPresentOverExpiredEntry_doesNotStore() {
    store.set(key("a"), bytes("1"), seconds(1), false, Store.Condition.ALWAYS);
    clock.advance(Duration.ofSeconds(1));
    assertThat(store.set(key("a"), bytes("2"), Store.NO_TTL, false, Store.Condition.IF_PRESENT).stored()).isFalse();
    assertThat(store.contains(key("a"))).isFalse();
  }

  @Test
  void set_keepTtlOnAbsentKey_storesWithoutTtl() {
    store.set(key("a"), bytes("1"), Store.NO_TTL, true, Store.Condition.ALWAYS);
    assertThat(store.ttlNanos(key("a"))).isEqualTo(Store.NO_TTL);
  }

  @Test
  void set_withTtlAlreadyElapsedOnAbsentKey_storesNothing() {
    Store.SetResult r = store.set(key("a"), bytes("1"), 0, false, Store.Condition.ALWAYS);
    assertThat(r.stored()).isTrue();
    assertThat(r.previous()).isNull();
    assertThat(store.contains(key("a"))).isFalse();
    assertThat(store.size()).isZero();
  }

  @Test
  void set_ifAbsentWithTtlAlreadyElapsedOnPresentKey_keepsIt() {
    store.set(key("a"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    Store.SetResult r = store.set(key("a"), bytes("2"), 0, false, Store.Condition.IF_ABSENT);
    assertThat(r.stored()).isFalse();
    assertThat(r.previous()).isEqualTo(bytes("1"));
    assertThat(store.get(key("a"))).isEqualTo(bytes("1"));
  }

  @Test
  void put_storesAsSetDoesAndSaysWhether() {
    assertThat(store.put(key("a"), bytes("1"), seconds(5), false, Store.Condition.IF_PRESENT)).isFalse();
    assertThat(store.put(key("a"), bytes("1"), seconds(5), false, Store.Condition.IF_ABSENT)).isTrue();
    assertThat(store.put(key("a"), bytes("2"), Store.NO_TTL, false, Store.Condition.IF_ABSENT)).isFalse();
    assertThat(store.put(key("a"), bytes("3"), Store.NO_TTL, true, Store.Condition.IF_PRESENT)).isTrue();
    assertThat(store.get(key("a"))).isEqualTo(bytes("3"));
    assertThat(store.ttlNanos(key("a"))).isEqualTo(seconds(5));
    assertThat(store.put(key("a"), bytes("4"), 0, false, Store.Condition.ALWAYS)).isTrue();
    assertThat(store.contains(key("a"))).isFalse();
  }

  @Test
  void delete_saysWhetherALiveKeyWasRemoved() {
    store.set(key("a"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    store.set(key("b"), bytes("1"), seconds(1), false, Store.Condition.ALWAYS);
    clock.advance(Duration.ofSeconds(1));
    assertThat(store.delete(key("a"))).isTrue();
    assertThat(store.delete(key("a"))).isFalse();
    assertThat(store.delete(key("b"))).isFalse();
    assertThat(store.size()).isZero();
  }

  @Test
  void remove_expiredEntry_returnsNull() {
    store.set(key("a"), bytes("1"), seconds(1), false, Store.Condition.ALWAYS);
    clock.advance(Duration.ofSeconds(1));
    assertThat(store.remove(key("a"))).isNull();
    assertThat(store.remove(key("b"))).isNull();
  }

  @Test
  void expire_expiredOrAbsentKey_returnsFalse() {
    store.set(key("a"), bytes("1"), seconds(1), false, Store.Condition.ALWAYS);
    clock.advance(Duration.ofSeconds(1));
    assertThat(store.expire(key("a"), seconds(10))).isFalse();
    assertThat(store.expire(key("a"), 0)).isFalse();
    assertThat(store.contains(key("a"))).isFalse();
  }

  @Test
  void expire_changesTtlRepeatedly_andValueSurvives() {
    store.set(key("a"), bytes("value"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    assertThat(store.expire(key("a"), seconds(5))).isTrue();
    assertThat(store.expire(key("a"), seconds(50))).isTrue();
    assertThat(store.ttlNanos(key("a"))).isEqualTo(seconds(50));
    assertThat(store.expire(key("a"), Store.NO_TTL)).isTrue();
    assertThat(store.expire(key("a"), seconds(2))).isTrue();
    assertThat(store.get(key("a"))).isEqualTo(bytes("value"));
    clock.advance(Duration.ofSeconds(2));
    assertThat(store.get(key("a"))).isNull();
  }

  @Test
  void increment_expiredKey_countsFromZeroWithoutTtl() {
    store.set(key("n"), bytes("41"), seconds(1), false, Store.Condition.ALWAYS);
    clock.advance(Duration.ofSeconds(1));
    assertThat(store.increment(key("n"), 1)).isEqualTo(1);
    assertThat(store.ttlNanos(key("n"))).isEqualTo(Store.NO_TTL);
  }

  @Test
  void keysAndValues_ofAnyLength_roundTrip() {
    for (int length : new int[] {0, 1, 63, 64, 127, 128, 8191, 8192, 20_000}) {
      byte[] k = new byte[length];
      Arrays.fill(k, (byte) 'k');
      byte[] v = new byte[length * 2 + 1];
      Arrays.fill(v, (byte) length);
      store.set(Key.of(k), v, length % 2 == 0 ? seconds(100) : Store.NO_TTL, false, Store.Condition.ALWAYS);
      assertThat(store.get(Key.of(k))).as("length %d", length).isEqualTo(v);
      assertThat(store.ttlNanos(Key.of(k))).isEqualTo(length % 2 == 0 ? seconds(100) : Store.NO_TTL);
    }
    List<Integer> visited = new ArrayList<>();
    store.forEachInRanges(List.of(HashRange.all()), (k, v, ttl) -> {
      assertThat(v).hasSize(k.bytes().length * 2 + 1);
      assertThat(k.ringHash()).isEqualTo(io.ringcache.ring.Crc32.hash(k.bytes()));
      visited.add(k.bytes().length);
    });
    assertThat(visited).containsExactlyInAnyOrder(0, 1, 63, 64, 127, 128, 8191, 8192, 20_000);
  }

  @Test
  void get_returnsValueThatSurvivesLaterWrites() {
    store.set(key("a"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    byte[] before = store.get(key("a"));
    store.set(key("a"), bytes("2"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    store.increment(key("a"), 5);
    assertThat(before).isEqualTo(bytes("1"));
    assertThat(store.get(key("a"))).isEqualTo(bytes("7"));
  }

  @Test
  void set_valueOfATenthOfTheBound_isStoredByEvictingOthers() {
    Store small = newStore(1 << 20, clock);
    for (int i = 0; i < 10_000; i++) {
      small.set(key("key:" + i), new byte[64], Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    byte[] big = new byte[100 << 10];
    Arrays.fill(big, (byte) 7);
    small.set(key("big"), big, Store.NO_TTL, false, Store.Condition.ALWAYS);
    small.cleanUp();
    assertThat(small.get(key("big"))).isEqualTo(big);
    assertThat(small.usedBytes()).isLessThanOrEqualTo(1 << 20);
  }

  @Test
  void cleanUp_withManyExpiredEntries_eventuallyCollectsAll() {
    Store large = newStore(64 << 20, clock);
    for (int i = 0; i < 200_000; i++) {
      large.set(key("k" + i), bytes("v"), seconds(1 + i % 3), false, Store.Condition.ALWAYS);
    }
    clock.advance(Duration.ofSeconds(4));
    for (int i = 0; i < 100 && large.size() > 0; i++) {
      large.cleanUp();
    }
    assertThat(large.size()).isZero();
    assertThat(large.stats().expired()).isEqualTo(200_000);
  }

  @Test
  void scan_skipsExpiredKeys() {
    store.set(key("a"), bytes("1"), seconds(1), false, Store.Condition.ALWAYS);
    store.set(key("b"), bytes("1"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    clock.advance(Duration.ofSeconds(1));
    assertThat(store.scan(0, 10).keys()).extracting(Key::toString).containsExactly("b");
  }

  @Test
  void forEachInRanges_whileTheVisitorWrites_visitsEveryKeyPresentThroughoutOnce() {
    // the visitor grows and shrinks the tables and shifts runs between the store's chunks
    Store large = newStore(64 << 20, clock);
    for (int i = 0; i < 3_000; i++) {
      large.set(key("stable" + i), bytes("s"), Store.NO_TTL, false, Store.Condition.ALWAYS);
      large.set(key("churn" + i), bytes("c"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    Map<String, Integer> visits = new HashMap<>();
    int[] written = {0};
    large.forEachInRanges(List.of(HashRange.all()), (k, v, ttl) -> {
      visits.merge(k.toString(), 1, Integer::sum);
      int n = written[0]++;
      large.remove(key("churn" + n));
      large.set(key("new" + n), bytes("n"), Store.NO_TTL, false, Store.Condition.ALWAYS);
      large.set(key("new" + (n + 100_000)), bytes("n"), Store.NO_TTL, false, Store.Condition.ALWAYS);
    });
    for (int i = 0; i < 3_000; i++) {
      assertThat(visits.get("stable" + i)).as("stable%d", i).isEqualTo(1);
    }
    assertThat(visits.values()).allMatch(n -> n == 1);
  }

  @Test
  void concurrentOperations_leaveConsistentContents() throws Exception {
    Store shared = newStore(64 << 20, clock);
    runStress(shared, true);
    assertConsistent(shared);
  }

  @Test
  void concurrentOperationsUnderEviction_keepAccountingExact() throws Exception {
    Store shared = newStore(100_000, clock);
    runStress(shared, false);
    assertConsistent(shared);
    assertThat(shared.usedBytes()).isLessThanOrEqualTo(100_000);
    assertThat(shared.stats().evictions()).isPositive();
  }

  /** Asserts that the store's running counts (size, usedBytes) agree with a full recount of its entries. */
  abstract void assertRecountMatches(Store store);

  private void assertConsistent(Store s) {
    s.cleanUp();
    List<Key> all = new ArrayList<>();
    s.forEachInRanges(List.of(HashRange.all()), (k, v, ttl) -> {
      all.add(k);
      String name = k.toString();
      String value = new String(v, StandardCharsets.ISO_8859_1);
      if (name.startsWith("c:")) {
        assertThat(Long.parseLong(value)).as(name).isPositive();
      } else {
        // every value written names its key: a value under another key means a mixed-up entry
        assertThat(value).as(name).startsWith(name + "=");
      }
    });
    assertThat(new HashSet<>(all)).hasSameSizeAs(all);
    // Caffeine may hold expired entries that no iteration shows until its timer wheel reaches them
    clock.advance(Duration.ofMinutes(1));
    s.cleanUp();
    assertRecountMatches(s);
  }

  /**
   * Four writer threads on overlapping keys (set, get, remove, increment, expire), one thread walking
   * ranges and scanning, one removing a range and advancing the clock, for about a second. With
   * {@code checkStable}, a set of keys no one writes must be visited exactly once by every walk.
   */
  private void runStress(Store s, boolean checkStable) throws Exception {
    HashRange doomed = HashRange.of(0x10000000, 0x30000000);
    List<Key> stable = new ArrayList<>();
    for (int i = 0; stable.size() < 500; i++) {
      Key k = key("p:" + i);
      if (!doomed.contains(k.ringHash())) {
        stable.add(k);
        s.set(k, bytes("p:" + i + "=stable"), Store.NO_TTL, false, Store.Condition.ALWAYS);
      }
    }
    long deadline = System.nanoTime() + Duration.ofMillis(1200).toNanos();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int id = t;
      threads.add(new Thread(() -> {
        java.util.Random random = new java.util.Random(id);
        long n = 0;
        while (System.nanoTime() < deadline) {
          String name = "k:" + random.nextInt(2_000);
          Key k = key(name);
          int op = random.nextInt(10);
          switch (op) {
            case 0, 1, 2 -> {
              byte[] v = bytes(name + "=" + id + ":" + n++ + ":" + "x".repeat(random.nextInt(100)));
              s.set(k, v, random.nextBoolean() ? Store.NO_TTL : seconds(1 + random.nextInt(3)), random.nextInt(4) == 0,
                  Store.Condition.values()[random.nextInt(3)]);
            }
            case 3, 4 -> {
              byte[] v = s.get(k);
              if (v != null && !new String(v, StandardCharsets.ISO_8859_1).startsWith(name + "=")) {
                throw new AssertionError("get " + name + " returned " + new String(v, StandardCharsets.ISO_8859_1));
              }
            }
            case 5 -> s.remove(k);
            case 6 -> s.expire(k, random.nextInt(3) == 0 ? Store.NO_TTL : seconds(random.nextInt(3)));
            case 7 -> s.increment(key("c:" + random.nextInt(200)), 1);
            case 8 -> s.ttlNanos(k);
            default -> s.contains(k);
          }
        }
      }, "writer-" + t));
    }
    threads.add(new Thread(() -> {
      while (System.nanoTime() < deadline) {
        Map<Key, Integer> seen = new HashMap<>();
        s.forEachInRanges(List.of(HashRange.all()), (k, v, ttl) -> seen.merge(k, 1, Integer::sum));
        if (checkStable) {
          for (Key k : stable) {
            if (seen.getOrDefault(k, 0) != 1) {
              throw new AssertionError(k + " visited " + seen.getOrDefault(k, 0) + " times");
            }
          }
        }
        Map<Key, Integer> scanned = new HashMap<>();
        long cursor = 0;
        do {
          Store.ScanPage page = s.scan(cursor, 100);
          page.keys().forEach(k -> scanned.merge(k, 1, Integer::sum));
          cursor = page.nextCursor();
        } while (cursor != 0);
        if (checkStable) {
          for (Key k : stable) {
            if (scanned.getOrDefault(k, 0) != 1) {
              throw new AssertionError(k + " scanned " + scanned.getOrDefault(k, 0) + " times");
            }
          }
        }
      }
    }, "walker"));
    threads.add(new Thread(() -> {
      while (System.nanoTime() < deadline) {
        s.removeInRanges(List.of(doomed));
        clock.advance(Duration.ofMillis(100));
        s.cleanUp();
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
      }
    }, "purger"));
    for (Thread t : threads) {
      t.setUncaughtExceptionHandler((th, e) -> failures.add(e));
      t.start();
    }
    for (Thread t : threads) {
      t.join(Duration.ofSeconds(30).toMillis());
      assertThat(t.isAlive()).as(t.getName() + " still running").isFalse();
    }
    assertThat(failures).isEmpty();
    if (checkStable) {
      for (Key k : stable) {
        assertThat(s.get(k)).isEqualTo(bytes(k + "=stable"));
      }
    }
  }
}
