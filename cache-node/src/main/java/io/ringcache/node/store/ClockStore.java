package io.ringcache.node.store;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;

/*
 * What the two CLOCK stores (PackedStore, OffHeapStore) share, written once: their tables differ
 * (byte[] entries and parallel arrays; int refs into direct memory), the frame around them does not.
 *
 *  - Segments: a power of two of Stripes, each a StampedLock over an open-addressing table of
 *    2^bits slots. fmix32 of the ring hash (mix) picks the segment by its top segmentBits bits; the
 *    bits below, m << segmentBits, are the key's position, whose top bits are its home slot (home).
 *    Linear probing with backward-shift deletion: an entry moves back into a hole unless its home
 *    lies cyclically between the hole and itself (movesBack). Tables halve below 1/8 load, not under
 *    2^MIN_BITS slots (shrinkIfSparse); when they grow is each store's business.
 *
 *  - Time to live: an entry's deadline is absolute on the store's monotonic clock (deadlineAfter);
 *    durations beyond NO_TTL_THRESHOLD mean none. cleanUp() evicts to the bound, then sweeps at most
 *    SWEEP_SLOTS slots for expired entries, with a cursor that continues at the next call.
 *
 *  - Dispatch: only what runs off the per-command hot path lives here as template code calling
 *    abstract methods (putIfAbsentUntil for handoffs, cleanUp, clear, size). get, set, put, contains
 *    and the other per-command paths stay in the final subclasses, where every call on this or on a
 *    Segment binds statically (the helpers here that they call are static or final).
 */
abstract class ClockStore implements Store {

  static final int MIN_BITS = 4;
  static final long BYTES_PER_SEGMENT = 4L << 20;
  /** The CLOCK counter's ceiling: a new entry starts at 1, each read adds 1. */
  static final int MAX_COUNT = 3;
  /** Slots a range walk covers per lock hold, about. */
  static final int CHUNK_SLOTS = 256;
  private static final int SWEEP_SLOTS = 1 << 17;
  private static final int SWEEP_CHUNK = 1024;

  /** TTLs beyond this (~73 years) mean "no TTL", as in CaffeineStore. */
  static final long NO_TTL_THRESHOLD = 1L << 61;

  static final long NO_DEADLINE = Store.NO_DEADLINE;
  static final long CIRCLE = ScanWindow.CIRCLE;
  /** What a segment's read returns for an entry that has expired (to be removed under the write lock). */
  static final byte[] EXPIRED = new byte[0];
  static final SetResult STORED = new SetResult(true, null);
  static final SetResult NOT_STORED = new SetResult(false, null);

  final long maxBytes;
  final Clock clock;
  /** The bytes usedBytes() reports. */
  final AtomicLong used = new AtomicLong();
  final AtomicInteger evictionHand = new AtomicInteger();
  final LongAdder evictions = new LongAdder();
  final LongAdder expired = new LongAdder();
  private final ReentrantLock sweepLock = new ReentrantLock();
  private int sweepSegment; // guarded by sweepLock
  private int sweepSlot; // guarded by sweepLock

  ClockStore(long maxBytes, Clock clock) {
    this.maxBytes = maxBytes;
    this.clock = clock;
  }

  // ---- what each store provides ----

  /** The segments, in part order; a part of a range walk is a segment (a key's segment never changes). */
  abstract Stripe[] segments();

  /**
   * SET; the previous value is copied only {@code withPrevious}; a timed write's TTL counts from
   * {@code now}, the store's clock read before the TTL was computed.
   */
  abstract SetResult write(
      Key key, byte[] value, long ttlNanos, boolean keepTtl, Condition condition, boolean withPrevious, long now);

  /**
   * As {@link #write} without the previous value, the key borrowed and the value copied once from
   * {@code valueLength} bytes of {@code value} at {@code valueIndex} into the new entry (SET's
   * path, a streamed entry's); neither is kept after the call.
   */
  abstract boolean writeBorrowed(byte[] key, int ringHash, io.netty.buffer.ByteBuf value, int valueIndex,
      int valueLength, long ttlNanos, boolean keepTtl, Condition condition, long now);

  /** Evicts across segments until the store is within its bound. */
  abstract void evictIfOver();

  // ---- arithmetic ----

  /** murmur3's fmix32: a bijection, so equal mixed hashes mean equal CRCs. */
  static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  /** The inverse of {@link #mix}: the CRC32 (ring hash) back from a stored hash. */
  static int unmix(int h) {
    h ^= h >>> 16;
    h *= 0x7ed1b41d;
    h ^= (h >>> 13) ^ (h >>> 26);
    h *= 0xa5cb9243;
    h ^= h >>> 16;
    return h;
  }

  /** The deadline {@code ttlNanos} after {@code now}, or NO_DEADLINE (which no real deadline equals). */
  static long deadlineAfter(long ttlNanos, long now) {
    if (ttlNanos == NO_TTL || ttlNanos > NO_TTL_THRESHOLD) {
      return NO_DEADLINE;
    }
    long d = now + ttlNanos;
    return d == NO_DEADLINE || d == ABSENT ? ABSENT + 1 : d;
  }

  /**
   * The TTL that, counted from {@code now}, ends at {@code deadline}: NO_TTL for NO_DEADLINE, 0 (elapsed)
   * for a deadline not after {@code now}. deadlineAfter(ttlUntil(d, now), now) == d for every deadline
   * after {@code now} within NO_TTL_THRESHOLD of it.
   */
  static long ttlUntil(long deadline, long now) {
    if (deadline == NO_DEADLINE) {
      return NO_TTL;
    }
    long left = deadline - now;
    return left <= 0 ? 0 : left;
  }

  /** The bytes of an unsigned LEB128 varint of {@code v}. */
  static int varintLength(int v) {
    return v < (1 << 7) ? 1 : v < (1 << 14) ? 2 : v < (1 << 21) ? 3 : v < (1 << 28) ? 4 : 5;
  }

  /**
   * The store's clock read for a write of {@code ttlNanos} that sets a TTL (which then counts from
   * it), or 0 for one that does not (keeps it, removes it, or has already elapsed).
   */
  final long nowIfTimed(long ttlNanos, boolean keepTtl) {
    boolean timedWrite = !keepTtl && ttlNanos != NO_TTL && ttlNanos > 0;
    return timedWrite ? clock.nanoTime() : 0;
  }

  /** As {@link #nowIfTimed}, for a write of {@code deadline}. */
  final long nowIfTimedUntil(long deadline, boolean keepTtl) {
    return keepTtl || deadline == NO_DEADLINE ? 0 : clock.nanoTime();
  }

  /**
   * The TTL left of an entry collected at {@code collectedAt} with {@code ttl} ({@link #NO_TTL} stays
   * so), or -2 if it has expired since: a range walk's visitor may have waited (a handoff's stream
   * blocks while its window is full), and an entry must not outlive it.
   */
  final long ttlLeft(long ttl, long collectedAt) {
    if (ttl < 0) {
      return ttl;
    }
    ttl -= clock.nanoTime() - collectedAt;
    return ttl <= 0 ? -2 : ttl;
  }

  // ---- Store ----

  @Override
  public final Clock clock() {
    return clock;
  }

  @Override
  public final SetResult setUntil(Key key, byte[] value, long deadline, boolean keepTtl, Condition condition) {
    long now = nowIfTimedUntil(deadline, keepTtl);
    return write(key, value, ttlUntil(deadline, now), keepTtl, condition, true, now);
  }

  @Override
  public final boolean putUntil(Key key, byte[] value, long deadline, boolean keepTtl, Condition condition) {
    long now = nowIfTimedUntil(deadline, keepTtl);
    return write(key, value, ttlUntil(deadline, now), keepTtl, condition, false, now).stored();
  }

  @Override
  public final boolean put(byte[] key, int ringHash, io.netty.buffer.ByteBuf value, int valueIndex, int valueLength,
      long ttlNanos, boolean keepTtl, Condition condition) {
    return writeBorrowed(key, ringHash, value, valueIndex, valueLength, ttlNanos, keepTtl, condition,
        nowIfTimed(ttlNanos, keepTtl));
  }

  @Override
  public final boolean putUntil(byte[] key, int ringHash, io.netty.buffer.ByteBuf value, int valueIndex,
      int valueLength, long deadline, boolean keepTtl, Condition condition) {
    long now = nowIfTimedUntil(deadline, keepTtl);
    return writeBorrowed(key, ringHash, value, valueIndex, valueLength, ttlUntil(deadline, now), keepTtl, condition,
        now);
  }

  /**
   * The TTL left of an entry whose {@link #deadline} is {@code deadline}: {@link #NO_TTL} for none,
   * -2 if absent or expired by now.
   */
  final long ttlOf(long deadline) {
    if (deadline == ABSENT) {
      return -2;
    }
    if (deadline == NO_DEADLINE) {
      return NO_TTL;
    }
    long left = deadline - clock.nanoTime();
    return left <= 0 ? -2 : left;
  }

  @Override
  public final boolean putIfAbsentUntil(Key key, byte[] value, long expireAtMillis) {
    if (expireAtMillis < 0) {
      return write(key, value, NO_TTL, false, Condition.IF_ABSENT, false, 0).stored();
    }
    // the instant sent, exactly (no wall clock reading that a pause could move it against)
    long deadline = TimeUnit.MILLISECONDS.toNanos(expireAtMillis) - clock.wallOffsetNanos();
    long now = clock.nanoTime();
    long left = ttlUntil(deadline, now);
    if (left <= 0) {
      return false;
    }
    return write(key, value, left, false, Condition.IF_ABSENT, false, now).stored();
  }

  @Override
  public final boolean putIfAbsentUntil(byte[] key, int ringHash, io.netty.buffer.ByteBuf value, int valueIndex,
      int valueLength, long expireAtMillis) {
    if (expireAtMillis < 0) {
      return writeBorrowed(key, ringHash, value, valueIndex, valueLength, NO_TTL, false, Condition.IF_ABSENT, 0);
    }
    long deadline = TimeUnit.MILLISECONDS.toNanos(expireAtMillis) - clock.wallOffsetNanos();
    long now = clock.nanoTime();
    long left = ttlUntil(deadline, now);
    if (left <= 0) {
      return false;
    }
    return writeBorrowed(key, ringHash, value, valueIndex, valueLength, left, false, Condition.IF_ABSENT, now);
  }

  @Override
  public final long size() {
    long n = 0;
    for (Stripe s : segments()) {
      n += s.count;
    }
    return n;
  }

  @Override
  public final long timedSize() {
    long n = 0;
    for (Stripe s : segments()) {
      n += s.ttlCount;
    }
    return n;
  }

  @Override
  public final long usedBytes() {
    return used.get();
  }

  @Override
  public final long maxBytes() {
    return maxBytes;
  }

  @Override
  public final int parts() {
    return segments().length; // a part is a segment: a key's segment never changes
  }

  @Override
  public final void clear() {
    for (Stripe s : segments()) {
      long stamp = s.writeLock();
      try {
        s.reset();
      } finally {
        s.unlockWrite(stamp);
      }
    }
  }

  @Override
  public final void cleanUp() {
    evictIfOver();
    if (!sweepLock.tryLock()) {
      return; // another thread is sweeping
    }
    try {
      sweepExpired();
    } finally {
      sweepLock.unlock();
    }
  }

  /** Drops expired entries from at most SWEEP_SLOTS slots, continuing where the last call stopped. */
  private void sweepExpired() {
    Stripe[] segments = segments();
    long now = clock.nanoTime();
    int budget = SWEEP_SLOTS;
    for (int moves = 0; moves <= segments.length && budget > 0; ) {
      Stripe s = segments[sweepSegment];
      boolean finished = true;
      if (s.ttlCount > 0) {
        long stamp = s.writeLock();
        try {
          int capacity = 1 << s.bits;
          int end = Math.min(capacity, sweepSlot + Math.min(SWEEP_CHUNK, budget));
          int removed = 0;
          for (int i = sweepSlot; i < end; ) {
            if (s.expiredInSlot(i, now)) {
              s.deleteAt(i); // an entry from later in the run may shift into i: look again
              removed++;
            } else {
              i++;
            }
          }
          budget -= Math.max(1, end - sweepSlot);
          sweepSlot = end;
          finished = end >= capacity;
          if (removed > 0) {
            expired.add(removed);
            s.shrinkIfSparse(); // the cursor is a slot index: after a resize it only sweeps a little off
          }
        } finally {
          s.unlockWrite(stamp);
        }
      }
      if (finished) {
        sweepSegment = (sweepSegment + 1) & (segments.length - 1);
        sweepSlot = 0;
        moves++;
        budget--;
      }
    }
  }

  @Override
  public final StoreStats stats() {
    return new StoreStats(evictions.sum(), expired.sum());
  }

  @Override
  public final String evictionPolicy() {
    return "clock";
  }

  /**
   * One lock stripe: the StampedLock it extends guards an open-addressing table of {@code 1 << bits}
   * slots (empty = null or 0, as each store keeps them) and the counts below.
   */
  abstract static class Stripe extends StampedLock {
    private final int segmentBits;
    int bits;
    int count;
    int ttlCount;
    /** The CLOCK hand: a slot index. */
    int hand;

    Stripe(int segmentBits) {
      this.segmentBits = segmentBits;
    }

    /** The home slot of mixed hash {@code m}: the top bits of its position. */
    final int home(int m) {
      return (m << segmentBits) >>> (32 - bits);
    }

    /**
     * The key's position, {@code m << segmentBits} as unsigned: it never changes while the key is
     * present, and its top {@code bits} bits are its home slot.
     */
    final long position(int m) {
      return Integer.toUnsignedLong(m << segmentBits);
    }

    /** The end of the range-walk chunk that starts at position {@code from}: about CHUNK_SLOTS slots on. */
    final long chunkEnd(long from) {
      return Math.min(CIRCLE, from + ((long) CHUNK_SLOTS << (32 - bits)));
    }

    /**
     * Whether the entry in slot {@code j}, of mixed hash {@code m}, moves back into the hole at
     * {@code hole} (backward-shift deletion): unless its home lies cyclically between the hole and it.
     * {@code mask} is the table's capacity - 1.
     */
    final boolean movesBack(int j, int m, int hole, int mask) {
      return ((j - home(m)) & mask) >= ((j - hole) & mask);
    }

    /** The CLOCK hand after the table was resized from {@code oldBits} to {@code bits}. */
    final int scaledHand(int oldBits) {
      return (bits > oldBits ? hand << 1 : hand >>> 1) & ((1 << bits) - 1);
    }

    /** Halves the table below 1/8 load (not under 2^MIN_BITS slots). Write lock. */
    final void shrinkIfSparse() {
      if (bits > MIN_BITS && count < ((1 << bits) >>> 3)) {
        resize(bits - 1);
      }
    }

    /** Whether slot {@code i} holds an entry that has expired at {@code now}. Write lock. */
    abstract boolean expiredInSlot(int i, long now);

    /** Removes the entry in slot {@code i} and shifts the rest of its run back. Write lock. */
    abstract void deleteAt(int i);

    /** Rehashes into {@code 1 << newBits} slots. Write lock. */
    abstract void resize(int newBits);

    /** Drops every entry and returns to the smallest table. Write lock. */
    abstract void reset();
  }
}
