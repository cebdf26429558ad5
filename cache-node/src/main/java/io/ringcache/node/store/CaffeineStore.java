package io.ringcache.node.store;

import io.netty.util.concurrent.FastThreadLocal;
import io.ringcache.resp.Decimal;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.ringcache.ring.HashRange;
import io.ringcache.ring.RangeIndex;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/*
 * The store is a Caffeine cache of Key -> byte[] with:
 *
 *  - Size: maximumWeight(maxBytes) with a weigher of key length + value length + ENTRY_OVERHEAD,
 *    the measured heap cost of one entry beyond its bytes (Key object, the two array headers,
 *    Caffeine's node with its access-order and timer-wheel links, the hash table's node and slot).
 *    Eviction is W-TinyLFU: a frequency sketch admits a candidate only if it is used more than the
 *    victim, so a scan of one-off keys does not flush the hot set.
 *
 *  - Time to live: variable expiry (Caffeine's hierarchical timer wheel, O(1) per entry). The TTL
 *    lives in Caffeine's node, not in the value: creation means "no TTL" (a duration beyond
 *    NO_TTL_THRESHOLD), updates and reads keep the current duration, and SET/EXPIRE set it
 *    explicitly through Policy.VarExpiration. Expired entries are invisible at once (lazy expiry
 *    on access) and are removed by maintenance, which advances the wheel by elapsed buckets only
 *    (active expiry without scanning every key); the server calls cleanUp() periodically so an
 *    idle node collects them too. Time comes from the injected Clock (Caffeine's Ticker). A call
 *    with a deadline (setUntil, expireUntil, deadline, putIfAbsentUntil) reads the clock once and
 *    pins the ticker to that reading on its thread for the call (tick()): Caffeine turns durations
 *    into its deadlines with its own readings, which then equal ours, so the deadline is exact.
 *
 *  - Concurrency: every operation is one ConcurrentHashMap-backed call (get, put, compute), so
 *    worker loops never block each other beyond a bin lock. SET XX with a TTL is two calls
 *    (replace, then set the duration): a concurrent EXPIRE between them can be overridden.
 *
 *  - Ring ranges: a key's CRC32 is cached in Key, so scanning and range iteration only test
 *    integers. They are O(n) passes over the table: fine for handoff batches and SCAN, whose
 *    cursor is a position on the hash circle (stateless, each key present throughout is returned
 *    once), and whose window is sized so that a full walk takes at most ~64 passes.
 */
final class CaffeineStore implements Store {

  /** Heap bytes of one entry beyond its key and value bytes (see the design note). */
  static final int ENTRY_OVERHEAD = 160;

  /** Durations beyond this (~73 years) mean "no TTL"; Caffeine caps durations at ~146 years. */
  private static final long NO_TTL_THRESHOLD = 1L << 61;

  private static final long FOREVER = Long.MAX_VALUE;

  private final long maxBytes;
  private final Clock clock;
  private final Cache<Key, byte[]> cache;
  private final ConcurrentMap<Key, byte[]> map;
  private final Policy.VarExpiration<Key, byte[]> expiration;
  private final Policy.Eviction<Key, byte[]> eviction;
  private final LongAdder evictions = new LongAdder();
  private final LongAdder expired = new LongAdder();
  /** Per thread: [0] is 1 while a deadline call has pinned Caffeine's ticker to the reading in [1]. */
  private final FastThreadLocal<long[]> pinned = new FastThreadLocal<>() {
    @Override
    protected long[] initialValue() {
      return new long[2];
    }
  };

  CaffeineStore(long maxBytes, Clock clock, Executor executor) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.clock = clock;
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher((Key k, byte[] v) -> weigh(k, v))
            .expireAfter(
                new Expiry<Key, byte[]>() {
                  @Override
                  public long expireAfterCreate(Key key, byte[] value, long currentTime) {
                    return FOREVER;
                  }

                  @Override
                  public long expireAfterUpdate(Key key, byte[] value, long currentTime, long currentDuration) {
                    return currentDuration;
                  }

                  @Override
                  public long expireAfterRead(Key key, byte[] value, long currentTime, long currentDuration) {
                    return currentDuration;
                  }
                })
            .ticker(this::tick)
            .executor(executor)
            .evictionListener(
                (Key k, byte[] v, RemovalCause cause) -> {
                  if (cause == RemovalCause.EXPIRED) {
                    expired.increment();
                  } else if (cause == RemovalCause.SIZE) {
                    evictions.increment();
                  }
                })
            .build();
    this.map = cache.asMap();
    this.expiration = cache.policy().expireVariably().orElseThrow();
    this.eviction = cache.policy().eviction().orElseThrow();
  }

  /**
   * Caffeine's ticker: the clock, or during a deadline call on this thread the one reading that call
   * made, so that Caffeine's own readings inside it (it reads the ticker to turn a duration into its
   * deadline, and back) equal the reading the duration was computed from: the deadline is exact.
   */
  private long tick() {
    long[] pin = pinned.get();
    return pin[0] != 0 ? pin[1] : clock.nanoTime();
  }

  /** Reads the clock and pins the ticker to that reading on this thread; unpin() in a finally. */
  private long pin() {
    long[] pin = pinned.get();
    long now = clock.nanoTime();
    pin[1] = now;
    pin[0] = 1;
    return now;
  }

  private void unpin() {
    pinned.get()[0] = 0;
  }

  /** The TTL from {@code now} to {@code deadline}: NO_TTL for none, 0 if not after now. */
  private static long ttlUntil(long deadline, long now) {
    if (deadline == NO_DEADLINE) {
      return NO_TTL;
    }
    long left = deadline - now;
    return left <= 0 ? 0 : left;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public SetResult setUntil(Key key, byte[] value, long deadline, boolean keepTtl, Condition condition) {
    long now = pin();
    try {
      return set(key, value, ttlUntil(deadline, now), keepTtl, condition);
    } finally {
      unpin();
    }
  }

  @Override
  public boolean expireUntil(Key key, long deadline) {
    long now = pin();
    try {
      return expire(key, ttlUntil(deadline, now));
    } finally {
      unpin();
    }
  }

  @Override
  public long deadline(Key key) {
    long now = pin();
    try {
      OptionalLong ttl = expiration.getExpiresAfter(key, TimeUnit.NANOSECONDS);
      if (ttl.isEmpty()) {
        return map.containsKey(key) ? NO_DEADLINE : ABSENT;
      }
      if (ttl.getAsLong() > NO_TTL_THRESHOLD) {
        return NO_DEADLINE;
      }
      long deadline = now + ttl.getAsLong();
      return deadline == NO_DEADLINE || deadline == ABSENT ? ABSENT + 1 : deadline;
    } finally {
      unpin();
    }
  }

  static int weigh(Key key, byte[] value) {
    long w = (long) key.bytes().length + value.length + ENTRY_OVERHEAD;
    return (int) Math.min(Integer.MAX_VALUE, w);
  }

  private static long duration(long ttlNanos) {
    return ttlNanos == NO_TTL ? FOREVER : ttlNanos;
  }

  @Override
  public byte[] get(Key key) {
    return cache.getIfPresent(key);
  }

  @Override
  public boolean contains(Key key) {
    return map.containsKey(key);
  }

  @Override
  public boolean putIfAbsentUntil(Key key, byte[] value, long expireAtMillis) {
    if (expireAtMillis < 0) {
      return map.putIfAbsent(key, value) == null;
    }
    // the instant sent, exactly: Caffeine's readings inside putIfAbsent are pinned to `now`
    long deadline = TimeUnit.MILLISECONDS.toNanos(expireAtMillis) - clock.wallOffsetNanos();
    long now = pin();
    try {
      long left = deadline - now;
      return left > 0 && expiration.putIfAbsent(key, value, left, TimeUnit.NANOSECONDS) == null;
    } finally {
      unpin();
    }
  }

  @Override
  public SetResult set(Key key, byte[] value, long ttlNanos, boolean keepTtl, Condition condition) {
    if (!keepTtl && ttlNanos != NO_TTL && ttlNanos <= 0) {
      // already expired (EXAT/PXAT in the past): the write wins and vanishes at once
      return setExpired(key, condition);
    }
    switch (condition) {
      case ALWAYS:
        return new SetResult(
            true, keepTtl ? map.put(key, value) : expiration.put(key, value, duration(ttlNanos), TimeUnit.NANOSECONDS));
      case IF_ABSENT:
        {
          byte[] present = expiration.putIfAbsent(key, value, keepTtl ? FOREVER : duration(ttlNanos), TimeUnit.NANOSECONDS);
          return new SetResult(present == null, present);
        }
      case IF_PRESENT:
        {
          byte[][] previous = new byte[1][];
          map.computeIfPresent(
              key,
              (k, old) -> {
                previous[0] = old;
                return value;
              });
          if (previous[0] != null && !keepTtl) {
            expiration.setExpiresAfter(key, duration(ttlNanos), TimeUnit.NANOSECONDS);
          }
          return new SetResult(previous[0] != null, previous[0]);
        }
      default:
        throw new AssertionError(condition);
    }
  }

  private SetResult setExpired(Key key, Condition condition) {
    byte[] present = map.get(key);
    if ((condition == Condition.IF_ABSENT && present != null)
        || (condition == Condition.IF_PRESENT && present == null)) {
      return new SetResult(false, present);
    }
    return new SetResult(true, map.remove(key));
  }

  @Override
  public byte[] remove(Key key) {
    return map.remove(key);
  }

  @Override
  public long ttlNanos(Key key) {
    OptionalLong ttl = expiration.getExpiresAfter(key, TimeUnit.NANOSECONDS);
    if (ttl.isEmpty()) {
      return map.containsKey(key) ? NO_TTL : -2;
    }
    return ttl.getAsLong() > NO_TTL_THRESHOLD ? NO_TTL : ttl.getAsLong();
  }

  @Override
  public boolean expire(Key key, long ttlNanos) {
    if (ttlNanos != NO_TTL && ttlNanos <= 0) {
      return map.remove(key) != null;
    }
    if (!map.containsKey(key)) {
      return false;
    }
    expiration.setExpiresAfter(key, duration(ttlNanos), TimeUnit.NANOSECONDS);
    return true;
  }

  @Override
  public long increment(Key key, long delta) {
    long[] result = new long[1];
    map.compute(
        key,
        (k, old) -> {
          long current = old == null ? 0 : Decimal.parseLong(old);
          long next = Math.addExact(current, delta);
          result[0] = next;
          return Decimal.toBytes(next);
        });
    return result[0];
  }

  @Override
  public byte[] update(Key key, java.util.function.UnaryOperator<byte[]> update) {
    // returning the old value for a present key keeps it (and its duration: updates keep it)
    return map.compute(key, (k, old) -> {
      byte[] next = update.apply(old);
      return next == null ? old : next;
    });
  }

  @Override
  public long size() {
    return cache.estimatedSize();
  }

  /**
   * Walks every entry (Caffeine keeps no count of the timed ones, and its timer wheel keeps far
   * expiries unordered, so the walk cannot stop at the first entry without a TTL): O(n), for INFO's
   * keyspace line (docs/operations.md).
   */
  @Override
  public long timedSize() {
    long now = clock.nanoTime();
    return expiration.oldest(entries -> entries.filter(e -> e.expiresAt() - now <= NO_TTL_THRESHOLD).count());
  }

  @Override
  public long usedBytes() {
    return eviction.weightedSize().orElse(0);
  }

  @Override
  public long maxBytes() {
    return maxBytes;
  }

  @Override
  public void clear() {
    cache.invalidateAll();
  }

  @Override
  public void cleanUp() {
    cache.cleanUp();
  }

  @Override
  public ScanPage scan(long cursor, int count) {
    ScanWindow window = ScanWindow.of(cursor, count, cache.estimatedSize());
    List<Key> keys = window.newKeyList();
    for (Key key : map.keySet()) {
      if (window.contains(key.ringHash())) {
        keys.add(key);
      }
    }
    return window.page(keys);
  }


  @Override
  public void forEachInRanges(List<HashRange> ranges, int fromPart, EntryVisitor visitor) {
    if (fromPart > 0) {
      return; // one part (the map has no stable order to resume in): it was done
    }
    RangeIndex index = RangeIndex.of(ranges);
    for (var entry : map.entrySet()) {
      Key key = entry.getKey();
      if (index.contains(key.ringHash())) {
        long deadline = deadline(key);
        long ttl = ttlNanos(key);
        if (deadline != ABSENT && ttl != -2) {
          visitor.visitUntil(key, entry.getValue(), ttl, deadline);
        }
      }
    }
    visitor.partDone(0);
  }

  @Override
  public long removeInRanges(List<HashRange> ranges) {
    RangeIndex index = RangeIndex.of(ranges);
    long removed = 0;
    for (Key key : map.keySet()) {
      if (index.contains(key.ringHash()) && map.remove(key) != null) {
        removed++;
      }
    }
    return removed;
  }

  @Override
  public StoreStats stats() {
    return new StoreStats(evictions.sum(), expired.sum());
  }

  @Override
  public String evictionPolicy() {
    return "w-tinylfu";
  }
}
