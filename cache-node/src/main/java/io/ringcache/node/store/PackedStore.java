package io.ringcache.node.store;

import io.ringcache.resp.Decimal;
import io.ringcache.ring.HashRange;
import io.ringcache.ring.RangeIndex;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/*
 * A store of one byte[] per entry in lock-striped open-addressing tables. The frame it shares with
 * OffHeapStore (segment and home-slot arithmetic, backward-shift deletion, shrinking, the expiry
 * sweep, putIfAbsentUntil over SET's write) is ClockStore's; what follows is this store's own.
 *
 *  - Entry: one byte[] holding [header][deadline][key][value]. The header is an unsigned LEB128
 *    varint of keyLength << 1 | hasDeadline (one byte for keys under 64 bytes); the deadline, only
 *    when the entry has a TTL, is 8 bytes little-endian of Clock.nanoTime(). Key and value bytes are
 *    never written after the array is published (SET, INCR build a new array); only EXPIRE writes a
 *    deadline in place, under the segment's write lock.
 *
 *  - Segments: a power of two (64 to 4096, one per ~4 MiB of maxBytes), each a StampedLock over
 *    three parallel slot arrays: int hashes[] (the key's CRC32 after fmix32, compared before an entry
 *    is dereferenced), byte[][] entries (null = empty) and byte counts[] (the CLOCK counter). The
 *    mixed hash m picks the segment by its top bits; the bits below them, m << segmentBits, are the
 *    entry's "position", whose top bits are its home slot. Linear probing, no tombstones: deletion
 *    shifts the rest of the run back (an entry moves into the hole unless its home lies cyclically
 *    between the hole and itself). Tables double above 3/4 load and halve below 1/8 (not under 16).
 *
 *  - Concurrency: writers take the segment's write lock. Readers (GET, EXISTS, TTL) first read
 *    optimistically (no write to shared memory) and validate the stamp; a torn read is discarded and
 *    retried under the read lock. Code on the optimistic path bounds-checks everything it reads so a
 *    torn read cannot throw or loop. The CLOCK counter is bumped with a plain racy write: a lost bump
 *    only makes eviction slightly less accurate. No method holds two segment locks at once, and no
 *    visitor runs under a lock.
 *
 *  - Memory: usedBytes is the heap the store holds, as the JVM lays it out with compressed oops:
 *    each entry array (16-byte header + length, rounded up to 8), each segment's three slot arrays,
 *    and a fixed per-segment estimate. Beyond maxBytes a write evicts in its own segment when the
 *    excess is small (the usual case: one entry), else spreads the excess over all segments. Eviction
 *    is CLOCK with a 2-bit counter (GCLOCK): a new entry starts at 1, each read adds 1 (up to 3); the
 *    hand decrements non-zero counters and evicts the first entry at 0. Entries read often survive
 *    several sweeps; a run of one-off keys is evicted first.
 *
 *  - Prefetch: a lookup's cost is mostly two dependent cache misses (the slot arrays, then the
 *    entry array). When a read brings several pipelined requests, the node passes their keys'
 *    hashes to prefetch() before they run (RespDecoder.Lookahead), which reads every home slot and
 *    then every entry in two tight loops, so the misses of a batch overlap; the lookups that follow
 *    find their lines in cache. Racy reads of whatever arrays are there, bounds-checked; a resize
 *    in between only wastes the hint. Nothing is written (no CLOCK count).
 *
 *  - Time to live: the absolute deadline lives in the entry. Expired entries are invisible at once;
 *    reads remove them when they meet them; cleanUp() sweeps at most SWEEP_SLOTS slots per call
 *    (skipping segments without TTLs) with a cursor that continues at the next call.
 *
 *  - Ring ranges: forEachInRanges and removeInRanges walk each segment in chunks of about 256 slots
 *    by position interval [from, to). Positions never change while a key is present, and a key's
 *    slot lies in the run that starts at its home, so each chunk finds exactly the entries in its
 *    interval whatever happened between chunks (growth, shrinking, shifts): a key present throughout
 *    is visited exactly once. Visits happen outside the lock, on copies. SCAN keeps CaffeineStore's
 *    stateless cursor on the ring-hash circle: each step filters every segment by CRC window.
 */
final class PackedStore extends ClockStore {

  /** Bytes of an array's header (mark word, compressed class pointer, length). */
  static final int ARRAY_HEADER = 16;

  /** Bytes of a reference in an array: 4 with compressed oops (heaps under 32 GiB). */
  static final int REFERENCE_BYTES = Runtime.getRuntime().maxMemory() < (32L << 30) ? 4 : 8;

  /** Bytes of a segment beyond its slot arrays (the object with its lock state), an estimate. */
  static final int SEGMENT_OVERHEAD = 80;

  private static final int MIN_SEGMENTS = 64;
  private static final int MAX_SEGMENTS = 4096;

  /** An excess above maxBytes that a write evicts from its own segment; beyond it, from all. */
  private static final long LOCAL_EXCESS = 64 * 1024;

  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final Segment[] segments;
  private final int segmentBits;

  PackedStore(long maxBytes, Clock clock) {
    super(maxBytes, clock);
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    }
    int n = (int) Math.min(MAX_SEGMENTS, Math.max(MIN_SEGMENTS, Long.highestOneBit(maxBytes / BYTES_PER_SEGMENT)));
    this.segmentBits = Integer.numberOfTrailingZeros(n);
    this.segments = new Segment[n];
    for (int i = 0; i < n; i++) {
      segments[i] = new Segment();
    }
    used.set(n * (SEGMENT_OVERHEAD + tableBytes(MIN_BITS)));
  }

  @Override
  Stripe[] segments() {
    return segments;
  }

  private Segment segmentFor(int m) {
    return segments[m >>> (32 - segmentBits)];
  }

  // ---- entry layout ----

  static long entryBytes(byte[] e) {
    return (ARRAY_HEADER + (long) e.length + 7) & ~7L;
  }

  static long tableBytes(int bits) {
    long slots = 1L << bits;
    return align(ARRAY_HEADER + 4 * slots) + align(ARRAY_HEADER + REFERENCE_BYTES * slots) + align(ARRAY_HEADER + slots);
  }

  private static long align(long bytes) {
    return (bytes + 7) & ~7L;
  }

  static byte[] pack(byte[] key, byte[] value, int valueOffset, int valueLength, long deadline) {
    byte[] e = packKey(key, valueLength, deadline);
    System.arraycopy(value, valueOffset, e, e.length - valueLength, valueLength);
    return e;
  }

  /** As {@link #pack}, the value copied from {@code valueLength} bytes of {@code value} at {@code valueIndex}. */
  static byte[] pack(byte[] key, io.netty.buffer.ByteBuf value, int valueIndex, int valueLength, long deadline) {
    byte[] e = packKey(key, valueLength, deadline);
    value.getBytes(valueIndex, e, e.length - valueLength, valueLength);
    return e;
  }

  /** A new entry array with its header, deadline and key written, and room for the value at its end. */
  private static byte[] packKey(byte[] key, int valueLength, long deadline) {
    boolean timed = deadline != NO_DEADLINE;
    int header = key.length << 1 | (timed ? 1 : 0);
    int headerLength = varintLength(header);
    int keyOffset = headerLength + (timed ? 8 : 0);
    byte[] e = new byte[keyOffset + key.length + valueLength];
    int v = header;
    int i = 0;
    while ((v & ~0x7F) != 0) {
      e[i++] = (byte) (v & 0x7F | 0x80);
      v >>>= 7;
    }
    e[i] = (byte) v;
    if (timed) {
      LONG.set(e, headerLength, deadline);
    }
    System.arraycopy(key, 0, e, keyOffset, key.length);
    return e;
  }

  /** keyOffset << 32 | keyLength, or -1 if the bytes are not a well-formed entry (a torn read). */
  private static long keySpan(byte[] e) {
    int v = 0;
    int i = 0;
    int b;
    int shift = 0;
    do {
      if (i == e.length || shift > 28) {
        return -1;
      }
      b = e[i++];
      v |= (b & 0x7F) << shift;
      shift += 7;
    } while (b < 0);
    int keyLength = v >>> 1;
    int keyOffset = i + ((v & 1) << 3);
    if (keyLength < 0 || keyOffset + (long) keyLength > e.length) {
      return -1;
    }
    return (long) keyOffset << 32 | keyLength;
  }

  private static boolean timed(byte[] e) {
    return (e[0] & 1) != 0;
  }

  /** The deadline of a timed entry (its header is always 1-5 bytes, so the varint's end is found first). */
  private static long deadline(byte[] e) {
    if (!timed(e)) {
      return NO_DEADLINE;
    }
    int i = 0;
    while (e[i] < 0 && i < 4) {
      i++;
    }
    return (long) LONG.get(e, i + 1);
  }

  private static void setDeadline(byte[] e, long deadline) {
    int i = 0;
    while (e[i] < 0 && i < 4) {
      i++;
    }
    LONG.set(e, i + 1, deadline);
  }

  private static boolean keyEquals(byte[] e, byte[] key) {
    long span = keySpan(e);
    if (span < 0 || (int) span != key.length) {
      return false;
    }
    int offset = (int) (span >>> 32);
    return Arrays.equals(e, offset, offset + key.length, key, 0, key.length);
  }

  private static byte[] keyOf(byte[] e) {
    long span = keySpan(e);
    int offset = (int) (span >>> 32);
    return Arrays.copyOfRange(e, offset, offset + (int) span);
  }

  private static int valueOffset(byte[] e) {
    long span = keySpan(e);
    return span < 0 ? e.length : (int) (span >>> 32) + (int) span;
  }

  private static byte[] valueOf(byte[] e) {
    return Arrays.copyOfRange(e, valueOffset(e), e.length);
  }

  private static boolean expiredAt(byte[] e, long now) {
    return timed(e) && deadline(e) - now <= 0;
  }

  /** The slot holding {@code key} in these arrays, or -1. Safe on arrays read optimistically. */
  private int indexOf(int[] hashes, byte[][] entries, byte[] key, int m) {
    int capacity = hashes.length;
    if (entries.length != capacity) {
      return -1; // torn: a resize between the two reads
    }
    int mask = capacity - 1;
    int i = (m << segmentBits) >>> (32 - Integer.numberOfTrailingZeros(capacity));
    for (int n = 0; n < capacity; n++, i = (i + 1) & mask) {
      byte[] e = entries[i];
      if (e == null) {
        return -1;
      }
      if (hashes[i] == m && keyEquals(e, key)) {
        return i;
      }
    }
    return -1;
  }

  // ---- reads ----

  @Override
  public int prefetch(int[] ringHashes, int count) {
    int sink = 0;
    // first every home slot's hash and entry reference (two arrays, independent misses), then every
    // entry's first and last byte: each loop's reads do not wait for one another. Racy reads of the
    // arrays as they are; a resize between the two loops only wastes the hint.
    for (int j = 0; j < count; j++) {
      int m = mix(ringHashes[j]);
      Segment s = segmentFor(m);
      int[] hs = s.hashes;
      byte[][] es = s.entries;
      int i = (m << segmentBits) >>> (32 - Integer.numberOfTrailingZeros(hs.length));
      if (i < es.length) {
        sink += hs[i] + (es[i] == null ? 0 : 1);
      }
    }
    for (int j = 0; j < count; j++) {
      int m = mix(ringHashes[j]);
      byte[][] es = segmentFor(m).entries;
      int i = (m << segmentBits) >>> (32 - Integer.numberOfTrailingZeros(es.length));
      byte[] e = es[i];
      if (e != null) {
        sink += e[0] + e[e.length - 1];
      }
    }
    return sink;
  }

  @Override
  public byte[] get(Key key) {
    byte[] e = liveEntry(key.bytes(), key.ringHash());
    return e == null ? null : valueOf(e); // the entry's bytes never change once published: copied outside the lock
  }

  @Override
  public int valueLength(Key key) {
    byte[] e = liveEntry(key.bytes(), key.ringHash());
    return e == null ? -1 : e.length - valueOffset(e);
  }

  /**
   * GET's path: the entry is found as {@link #get} finds it, and its value bytes, which never change
   * once the entry is published, are copied from the entry array into {@code out} (no copy of the
   * value on the heap).
   */
  @Override
  public boolean writeBulk(Key key, io.netty.buffer.ByteBuf out) {
    return writeBulk(key.bytes(), key.ringHash(), out);
  }

  @Override
  public boolean writeBulk(byte[] key, int ringHash, io.netty.buffer.ByteBuf out) {
    byte[] e = liveEntry(key, ringHash);
    if (e == null) {
      return false;
    }
    int from = valueOffset(e);
    io.ringcache.resp.Resp.bulkHeader(out, e.length - from);
    out.writeBytes(e, from, e.length - from);
    io.ringcache.resp.Resp.crlf(out);
    return true;
  }

  /**
   * The entry array of {@code key} (counted as a read for CLOCK), or null if absent or expired (an
   * expired one is removed): an optimistic read first, the read lock if a writer interfered.
   */
  private byte[] liveEntry(byte[] k, int ringHash) {
    int m = mix(ringHash);
    Segment s = segmentFor(m);
    byte[] e = null;
    boolean done = false;
    long stamp = s.tryOptimisticRead();
    if (stamp != 0L) {
      try {
        e = s.readEntry(k, m);
        done = s.validate(stamp);
      } catch (RuntimeException torn) {
        if (s.validate(stamp)) {
          throw torn;
        }
      }
    }
    if (!done) {
      stamp = s.readLock();
      try {
        e = s.readEntry(k, m);
      } finally {
        s.unlockRead(stamp);
      }
    }
    if (e == EXPIRED) {
      removeExpired(s, k, m);
      return null;
    }
    return e;
  }

  @Override
  public boolean contains(Key key) {
    return ttlNanos(key) != -2; // here, not in ClockStore: EXISTS binds to this store's ttlNanos statically
  }

  @Override
  public long ttlNanos(Key key) {
    return ttlOf(deadline(key));
  }

  @Override
  public long deadline(Key key) {
    byte[] k = key.bytes();
    int m = mix(key.ringHash());
    Segment s = segmentFor(m);
    long stamp = s.tryOptimisticRead();
    if (stamp != 0L) {
      try {
        long deadline = s.deadlineOf(k, m);
        if (s.validate(stamp)) {
          return deadline;
        }
      } catch (RuntimeException torn) {
        if (s.validate(stamp)) {
          throw torn;
        }
      }
    }
    stamp = s.readLock();
    try {
      return s.deadlineOf(k, m);
    } finally {
      s.unlockRead(stamp);
    }
  }

  private void removeExpired(Segment s, byte[] k, int m) {
    long stamp = s.writeLock();
    try {
      int i = s.indexOf(k, m);
      if (i >= 0 && expiredAt(s.entries[i], clock.nanoTime())) {
        s.deleteAt(i);
        expired.increment();
      }
    } finally {
      s.unlockWrite(stamp);
    }
  }

  // ---- writes ----

  @Override
  public SetResult set(Key key, byte[] value, long ttlNanos, boolean keepTtl, Condition condition) {
    return write(key, value, ttlNanos, keepTtl, condition, true, nowIfTimed(ttlNanos, keepTtl));
  }

  @Override
  public boolean put(Key key, byte[] value, long ttlNanos, boolean keepTtl, Condition condition) {
    return write(key, value, ttlNanos, keepTtl, condition, false, nowIfTimed(ttlNanos, keepTtl)).stored();
  }

  @Override
  boolean writeBorrowed(byte[] key, int ringHash, io.netty.buffer.ByteBuf value, int valueIndex, int valueLength,
      long ttlNanos, boolean keepTtl, Condition condition, long now) {
    return write(key, ringHash, null, value, valueIndex, valueLength, ttlNanos, keepTtl, condition, false, now).stored();
  }

  @Override
  SetResult write(
      Key key, byte[] value, long ttlNanos, boolean keepTtl, Condition condition, boolean withPrevious, long now) {
    return write(key.bytes(), key.ringHash(), value, null, 0, value.length, ttlNanos, keepTtl, condition, withPrevious, now);
  }

  /**
   * SET's write, the value taken from {@code value} if not null, else from {@code valueBuffer} at
   * {@code valueIndex}: either way copied once, into the new entry.
   */
  private SetResult write(byte[] k, int ringHash, byte[] value, io.netty.buffer.ByteBuf valueBuffer, int valueIndex,
      int valueLength, long ttlNanos, boolean keepTtl, Condition condition, boolean withPrevious, long now) {
    int m = mix(ringHash);
    Segment s = segmentFor(m);
    boolean elapsed = !keepTtl && ttlNanos != NO_TTL && ttlNanos <= 0;
    boolean timedWrite = !keepTtl && ttlNanos != NO_TTL && !elapsed;
    SetResult result;
    long stamp = s.writeLock();
    try {
      int i = s.indexOf(k, m);
      byte[] old = i < 0 ? null : s.entries[i];
      if (old != null && timed(old)) {
        now = timedWrite ? now : clock.nanoTime();
        if (expiredAt(old, now)) {
          s.deleteAt(i);
          expired.increment();
          i = -1;
          old = null;
        }
      }
      if ((condition == Condition.IF_ABSENT && old != null) || (condition == Condition.IF_PRESENT && old == null)) {
        return old == null || !withPrevious ? NOT_STORED : new SetResult(false, valueOf(old));
      }
      result = old == null || !withPrevious ? STORED : new SetResult(true, valueOf(old));
      if (elapsed) {
        // already expired (EXAT/PXAT in the past): the write wins and vanishes at once
        if (old != null) {
          s.deleteAt(i);
        }
        return result;
      }
      long deadline = keepTtl ? (old == null ? NO_DEADLINE : deadline(old)) : deadlineAfter(ttlNanos, now);
      byte[] e = value != null ? pack(k, value, valueIndex, valueLength, deadline)
          : pack(k, valueBuffer, valueIndex, valueLength, deadline);
      if (old != null) {
        s.replace(i, e);
      } else {
        s.insert(m, e);
      }
      s.evictWhileOver();
    } finally {
      s.unlockWrite(stamp);
    }
    evictIfOver();
    return result;
  }

  @Override
  public byte[] remove(Key key) {
    byte[] old = take(key);
    return old == null ? null : valueOf(old);
  }

  @Override
  public boolean delete(Key key) {
    return take(key) != null;
  }

  /** Removes {@code key}; returns its entry if it was present and live. */
  private byte[] take(Key key) {
    byte[] k = key.bytes();
    int m = mix(key.ringHash());
    Segment s = segmentFor(m);
    long stamp = s.writeLock();
    try {
      int i = s.indexOf(k, m);
      if (i < 0) {
        return null;
      }
      byte[] old = s.entries[i];
      s.deleteAt(i);
      s.shrinkIfSparse();
      if (timed(old) && expiredAt(old, clock.nanoTime())) {
        expired.increment();
        return null;
      }
      return old;
    } finally {
      s.unlockWrite(stamp);
    }
  }

  @Override
  public boolean expire(Key key, long ttlNanos) {
    return expire(key, ttlNanos, clock.nanoTime());
  }

  @Override
  public boolean expireUntil(Key key, long deadline) {
    long now = clock.nanoTime();
    return expire(key, ttlUntil(deadline, now), now);
  }

  /** EXPIRE, the TTL counted from {@code now}. */
  private boolean expire(Key key, long ttlNanos, long now) {
    if (ttlNanos != NO_TTL && ttlNanos <= 0) {
      return delete(key);
    }
    byte[] k = key.bytes();
    int m = mix(key.ringHash());
    Segment s = segmentFor(m);
    long stamp = s.writeLock();
    try {
      int i = s.indexOf(k, m);
      if (i < 0) {
        return false;
      }
      byte[] old = s.entries[i];
      if (expiredAt(old, now)) {
        s.deleteAt(i);
        expired.increment();
        return false;
      }
      long deadline = deadlineAfter(ttlNanos, now);
      if (timed(old) && deadline != NO_DEADLINE) {
        setDeadline(old, deadline);
      } else if (timed(old) || deadline != NO_DEADLINE) {
        int offset = valueOffset(old);
        s.replace(i, pack(keyOf(old), old, offset, old.length - offset, deadline));
        s.evictWhileOver();
      }
      return true;
    } finally {
      s.unlockWrite(stamp);
    }
  }

  @Override
  public long increment(Key key, long delta) {
    byte[] k = key.bytes();
    int m = mix(key.ringHash());
    Segment s = segmentFor(m);
    long now = clock.nanoTime();
    long next;
    long stamp = s.writeLock();
    try {
      int i = s.indexOf(k, m);
      byte[] old = i < 0 ? null : s.entries[i];
      if (old != null && expiredAt(old, now)) {
        s.deleteAt(i);
        expired.increment();
        i = -1;
        old = null;
      }
      long current = 0;
      if (old != null) {
        int offset = valueOffset(old);
        current = Decimal.parseLong(old, offset, old.length - offset);
      }
      next = Math.addExact(current, delta);
      byte[] digits = Decimal.toBytes(next);
      if (old != null) {
        s.replace(i, pack(k, digits, 0, digits.length, deadline(old)));
      } else {
        s.insert(m, pack(k, digits, 0, digits.length, NO_DEADLINE));
      }
      s.evictWhileOver();
    } finally {
      s.unlockWrite(stamp);
    }
    evictIfOver();
    return next;
  }

  @Override
  public byte[] update(Key key, java.util.function.UnaryOperator<byte[]> update) {
    byte[] k = key.bytes();
    int m = mix(key.ringHash());
    Segment s = segmentFor(m);
    long now = clock.nanoTime();
    byte[] next;
    long stamp = s.writeLock();
    try {
      int i = s.indexOf(k, m);
      byte[] old = i < 0 ? null : s.entries[i];
      if (old != null && expiredAt(old, now)) {
        s.deleteAt(i);
        expired.increment();
        i = -1;
        old = null;
      }
      byte[] current = old == null ? null : valueOf(old);
      next = update.apply(current);
      if (next == null) {
        return current;
      }
      if (old != null) {
        s.replace(i, pack(k, next, 0, next.length, deadline(old)));
      } else {
        s.insert(m, pack(k, next, 0, next.length, NO_DEADLINE));
      }
      s.evictWhileOver();
    } finally {
      s.unlockWrite(stamp);
    }
    evictIfOver();
    return next;
  }

  // ---- bound ----

  /** Evicts across segments until usedBytes is within maxBytes, spreading the excess over them. */
  @Override
  void evictIfOver() {
    if (used.get() <= maxBytes) {
      return;
    }
    int n = segments.length;
    int start = evictionHand.getAndIncrement();
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int k = 0; k < n; k++) {
        long excess = used.get() - maxBytes;
        if (excess <= 0) {
          return;
        }
        Segment s = segments[(start + k) & (n - 1)];
        long target = used.get() - Math.max(1, excess / (n - k));
        long stamp = s.writeLock();
        try {
          while (s.count > 0 && used.get() > maxBytes && used.get() > target) {
            s.evictOne();
            progress = true;
          }
        } finally {
          s.unlockWrite(stamp);
        }
      }
    }
  }

  // ---- scans ----

  @Override
  public ScanPage scan(long cursor, int count) {
    ScanWindow window = ScanWindow.of(cursor, count, size());
    List<Key> keys = window.newKeyList();
    Chunk found = new Chunk();
    long now = clock.nanoTime();
    for (Segment s : segments) {
      long stamp = s.readLock();
      try {
        byte[][] entries = s.entries;
        int[] hashes = s.hashes;
        for (int i = 0; i < entries.length; i++) {
          byte[] e = entries[i];
          if (e != null) {
            int ringHash = unmix(hashes[i]);
            if (window.contains(ringHash) && !expiredAt(e, now)) {
              found.add(e, ringHash, 0);
            }
          }
        }
      } finally {
        s.unlockRead(stamp);
      }
      for (int j = 0; j < found.size; j++) {
        keys.add(Key.of(keyOf(found.entries[j]), found.hashes[j]));
      }
      found.clear();
    }
    return window.page(keys);
  }

  @Override
  public void forEachInRanges(List<HashRange> ranges, int fromPart, EntryVisitor visitor) {
    RangeIndex index = RangeIndex.of(ranges);
    if (index.isEmpty()) {
      return;
    }
    Chunk chunk = new Chunk();
    for (int part = Math.max(0, fromPart); part < segments.length; part++) {
      Segment s = segments[part];
      for (long from = 0; from < CIRCLE; ) {
        long now = clock.nanoTime();
        long stamp = s.readLock();
        try {
          from = s.collect(from, index, now, false, chunk);
        } finally {
          s.unlockRead(stamp);
        }
        for (int j = 0; j < chunk.size; j++) {
          byte[] e = chunk.entries[j];
          long ttl = ttlLeft(chunk.ttls[j], now); // now, not when the chunk was collected
          if (ttl == -2) {
            continue; // expired meanwhile
          }
          long span = keySpan(e); // a published entry's key and value never change: no lock needed
          int keyOffset = (int) (span >>> 32);
          int valueOffset = keyOffset + (int) span;
          long deadline = chunk.ttls[j] == NO_TTL ? NO_DEADLINE : now + chunk.ttls[j]; // exact: ttls[j] was measured from now
          visitor.visitBytesUntil(e, keyOffset, (int) span, valueOffset, e.length - valueOffset, chunk.hashes[j], ttl,
              deadline);
          // the next entry's TTL is measured after this visit returned (see Store.forEachInRanges)
        }
        chunk.clear();
      }
      visitor.partDone(part);
    }
  }

  @Override
  public long removeInRanges(List<HashRange> ranges) {
    RangeIndex index = RangeIndex.of(ranges);
    if (index.isEmpty()) {
      return 0;
    }
    Chunk chunk = new Chunk();
    long removed = 0;
    for (Segment s : segments) {
      for (long from = 0; from < CIRCLE; ) {
        long now = clock.nanoTime();
        long stamp = s.writeLock();
        try {
          from = s.collect(from, index, now, true, chunk);
          int lapsed = 0;
          for (int j = 0; j < chunk.size; j++) {
            s.deleteAt(s.indexOfEntry(chunk.entries[j], mix(chunk.hashes[j])));
            lapsed += chunk.ttls[j] == -2 ? 1 : 0;
          }
          removed += chunk.size - lapsed;
          if (lapsed > 0) {
            expired.add(lapsed);
          }
          chunk.clear();
          s.shrinkIfSparse();
        } finally {
          s.unlockWrite(stamp);
        }
      }
    }
    return removed;
  }

  /** Counts entries and bytes by walking every segment under its lock: for tests, to check the running totals. */
  long[] recount() {
    long entries = 0;
    long bytes = 0;
    for (Segment s : segments) {
      long stamp = s.readLock();
      try {
        bytes += SEGMENT_OVERHEAD + tableBytes(s.bits);
        for (byte[] e : s.entries) {
          if (e != null) {
            entries++;
            bytes += entryBytes(e);
          }
        }
      } finally {
        s.unlockRead(stamp);
      }
    }
    return new long[] {entries, bytes};
  }

  /** Live entries found in one chunk of a segment, visited after its lock is released. */
  private static final class Chunk {
    byte[][] entries = new byte[64][];
    int[] hashes = new int[64];
    long[] ttls = new long[64];
    int size;

    void add(byte[] e, int ringHash, long ttl) {
      if (size == entries.length) {
        entries = Arrays.copyOf(entries, size * 2);
        hashes = Arrays.copyOf(hashes, size * 2);
        ttls = Arrays.copyOf(ttls, size * 2);
      }
      entries[size] = e;
      hashes[size] = ringHash;
      ttls[size] = ttl;
      size++;
    }

    void clear() {
      Arrays.fill(entries, 0, size, null);
      size = 0;
    }
  }

  /** One lock stripe: an open-addressing table guarded by the StampedLock it extends. */
  private final class Segment extends Stripe {
    int[] hashes;
    byte[][] entries;
    byte[] counts;

    Segment() {
      super(segmentBits);
      allocate(MIN_BITS);
    }

    private void allocate(int bits) {
      this.bits = bits;
      hashes = new int[1 << bits];
      entries = new byte[1 << bits][];
      counts = new byte[1 << bits];
    }

    int indexOf(byte[] key, int m) {
      return PackedStore.this.indexOf(hashes, entries, key, m);
    }

    int indexOfEntry(byte[] e, int m) {
      int mask = entries.length - 1;
      int i = home(m);
      while (entries[i] != e) {
        i = (i + 1) & mask;
      }
      return i;
    }

    /**
     * The entry array (whose key and value bytes are never written after it was published, so it
     * may be read outside the lock), EXPIRED, or null; counts the read for CLOCK. Safe under an
     * optimistic read.
     */
    byte[] readEntry(byte[] key, int m) {
      byte[][] es = entries;
      int i = PackedStore.this.indexOf(hashes, es, key, m);
      if (i < 0) {
        return null;
      }
      byte[] e = es[i];
      if (timed(e) && deadline(e) - clock.nanoTime() <= 0) {
        return EXPIRED;
      }
      byte[] cs = counts;
      if (i < cs.length && cs[i] < MAX_COUNT) {
        cs[i]++;
      }
      return e;
    }

    /** The deadline, NO_DEADLINE, or ABSENT (also once expired). Safe under an optimistic read. */
    long deadlineOf(byte[] key, int m) {
      byte[][] es = entries;
      int i = PackedStore.this.indexOf(hashes, es, key, m);
      if (i < 0) {
        return ABSENT;
      }
      byte[] e = es[i];
      if (!timed(e)) {
        return NO_DEADLINE;
      }
      long deadline = deadline(e);
      return deadline - clock.nanoTime() <= 0 ? ABSENT : deadline;
    }

    void insert(int m, byte[] e) {
      int capacity = entries.length;
      if (count + 1 > capacity - (capacity >>> 2)) {
        if (bits < 32 - segmentBits) {
          resize(bits + 1);
        } else if (count + 1 == capacity) {
          evictOne(); // the table cannot grow: make room
        }
      }
      int mask = entries.length - 1;
      int i = home(m);
      while (entries[i] != null) {
        i = (i + 1) & mask;
      }
      hashes[i] = m;
      counts[i] = 1;
      entries[i] = e;
      count++;
      if (timed(e)) {
        ttlCount++;
      }
      used.addAndGet(entryBytes(e));
    }

    void replace(int i, byte[] e) {
      byte[] old = entries[i];
      entries[i] = e;
      if (counts[i] < MAX_COUNT) {
        counts[i]++;
      }
      ttlCount += (timed(e) ? 1 : 0) - (timed(old) ? 1 : 0);
      long delta = entryBytes(e) - entryBytes(old);
      if (delta != 0) {
        used.addAndGet(delta);
      }
    }

    @Override
    boolean expiredInSlot(int i, long now) {
      byte[] e = entries[i];
      return e != null && expiredAt(e, now);
    }

    /** Empties slot i and shifts the rest of its run back so that every entry stays reachable from its home. */
    @Override
    void deleteAt(int i) {
      byte[] e = entries[i];
      count--;
      if (timed(e)) {
        ttlCount--;
      }
      used.addAndGet(-entryBytes(e));
      int mask = entries.length - 1;
      int hole = i;
      for (int j = (i + 1) & mask; entries[j] != null; j = (j + 1) & mask) {
        if (movesBack(j, hashes[j], hole, mask)) {
          hashes[hole] = hashes[j];
          counts[hole] = counts[j];
          entries[hole] = entries[j];
          hole = j;
        }
      }
      entries[hole] = null;
    }

    @Override
    void resize(int newBits) {
      int[] oldHashes = hashes;
      byte[][] oldEntries = entries;
      byte[] oldCounts = counts;
      int oldBits = bits;
      allocate(newBits);
      int mask = entries.length - 1;
      for (int j = 0; j < oldEntries.length; j++) {
        byte[] e = oldEntries[j];
        if (e != null) {
          int i = home(oldHashes[j]);
          while (entries[i] != null) {
            i = (i + 1) & mask;
          }
          hashes[i] = oldHashes[j];
          counts[i] = oldCounts[j];
          entries[i] = e;
        }
      }
      hand = scaledHand(oldBits);
      used.addAndGet(tableBytes(newBits) - tableBytes(oldBits));
    }

    @Override
    void reset() {
      long freed = tableBytes(bits) - tableBytes(MIN_BITS);
      for (byte[] e : entries) {
        if (e != null) {
          freed += entryBytes(e);
        }
      }
      allocate(MIN_BITS);
      count = 0;
      ttlCount = 0;
      hand = 0;
      used.addAndGet(-freed);
    }

    /** Evicts in this segment while the store is over its bound, if the excess is one write's worth. */
    void evictWhileOver() {
      long excess = used.get() - maxBytes;
      if (excess > 0 && excess <= LOCAL_EXCESS) {
        while (count > 0 && used.get() > maxBytes) {
          evictOne();
        }
      }
    }

    /** CLOCK: passes over entries with a non-zero counter (decrementing it), evicts the first at zero. */
    void evictOne() {
      int mask = entries.length - 1;
      for (;; hand = (hand + 1) & mask) {
        if (entries[hand] == null) {
          continue;
        }
        if (counts[hand] > 0) {
          counts[hand]--;
          continue;
        }
        deleteAt(hand); // the hand stays: an entry may have shifted into its slot
        evictions.increment();
        return;
      }
    }

    /**
     * Adds the entries whose position is in [from, from + about CHUNK_SLOTS slots) and whose ring hash
     * is in {@code index} to {@code chunk}, with their TTL (-2 for expired ones, which are added only
     * if {@code withExpired}); returns the end of that interval.
     */
    long collect(long from, RangeIndex index, long now, boolean withExpired, Chunk chunk) {
      int shift = 32 - bits;
      long to = chunkEnd(from);
      int mask = entries.length - 1;
      int first = (int) (from >>> shift);
      int last = (int) ((to - 1) >>> shift);
      // slots first..last, then the rest of the run that crosses last (entries whose home is <= last)
      for (int n = 0, i = first; n <= mask; n++, i = (i + 1) & mask) {
        byte[] e = entries[i];
        boolean pastLast = n > last - first;
        if (e == null) {
          if (pastLast) {
            break;
          }
          continue;
        }
        int m = hashes[i];
        long position = position(m);
        if (position >= from && position < to) {
          int ringHash = unmix(m);
          if (index.contains(ringHash)) {
            // a timed entry's TTL is compared before it can be mistaken for NO_TTL (-1 ns left)
            boolean expired = timed(e) && deadline(e) - now <= 0;
            long ttl = timed(e) ? deadline(e) - now : NO_TTL;
            if (expired) {
              if (withExpired) {
                chunk.add(e, ringHash, -2);
              }
            } else {
              chunk.add(e, ringHash, ttl);
            }
          }
        }
      }
      return to;
    }
  }
}
