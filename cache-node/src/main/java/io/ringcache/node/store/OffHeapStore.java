package io.ringcache.node.store;

import io.ringcache.resp.Decimal;
import io.netty.util.internal.PlatformDependent;
import io.ringcache.ring.HashRange;
import io.ringcache.ring.RangeIndex;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/*
 * A store whose entries live in pages of direct memory, slab-allocated by size class, with an
 * open-addressing index of int references: no Java object per entry, so the collector has nothing
 * to scan.
 *
 *  - Pages: pageSize bytes (4 KiB to 1 MiB, about maxBytes / 8192) of direct memory each
 *    (ByteBuffer.allocateDirect, little-endian). A page belongs to one segment and one size class at a
 *    time and is cut into chunks of that class's size. Classes step by 8 bytes up to 256, then by
 *    about 12.5% up to maxChunk = pageSize / 8. An entry larger than maxChunk is a "jumbo": a direct
 *    buffer of its own, held in its segment's jumbo table (one Java object per such entry; they are
 *    at least 512 bytes and rare in a cache of small values), freed as soon as its entry goes.
 *
 *  - Entry: [flags 1][mixed hash 4][keyLength varint][valueLength varint][deadline 8, if timed][key]
 *    [value]. flags: bit 7 live, bits 1-2 the CLOCK counter, bit 0 timed. The deadline is the
 *    Clock.nanoTime() at which the entry expires (absolute on the store's monotonic clock). A free
 *    chunk has flags 0 and the offset of the next free chunk of its page at +4.
 *
 *  - Index: per segment an int[] of slots holding refs, 0 = empty; a ref is
 *    pageId << (pageShift - 3) | offset / 8 for a chunk, or JUMBO | id for a jumbo. The hash lives in
 *    the entry, not the slot: 4 bytes per slot instead of 8, at the price of reading the entry of
 *    every slot a probe passes (1.6 slots per lookup on average at these loads) and of every entry
 *    when a table is resized. (For 16-byte keys with 64-byte values the 4 bytes fill what the
 *    rounding to the 88-byte class wasted anyway.) Everything else is ClockStore's table: fmix32 of
 *    the ring hash picks the segment by its top bits and the home slot by the bits below; linear
 *    probing with backward-shift deletion (no tombstones); tables double above 3/4 load and halve
 *    below 1/8. A key's position (m << segmentBits) never changes while it is present, which is
 *    what lets range walks resume between chunks (see PackedStore).
 *
 *  - Free space and fragmentation (memcached's slab classes, per segment): each (segment, class) has
 *    a list of its pages that have room (a free chunk, or room never cut). A delete or overwrite
 *    returns the chunk to its page's free list; a page whose last entry goes is returned to a global
 *    pool of idle pages at once, for any segment and class to reuse. Waste is therefore (1) the
 *    rounding up to a class (under 8 bytes up to 256, under 12.5% above), (2) at most one partly cut
 *    page per (segment, class), (3) free chunks on pages that still hold live entries: memory that
 *    a change in the mix of value sizes leaves in the old classes until those pages empty or are
 *    evicted (memcached's "slab calcification"; the page eviction below moves them, there is no
 *    compaction). Idle pages stay committed
 *    (RSS) but are not counted as reserved.
 *
 *  - Memory: reserved = pages owned by segments + jumbo buffers + index arrays + a per-segment
 *    estimate, and it is what the bound maxBytes applies to. usedBytes (INFO used_memory) = the chunks
 *    live entries occupy + jumbos + index + per-segment estimate, like Redis's used_memory beside
 *    its RSS: reserved - usedBytes is the slab's free space. A write needing a chunk of class c takes
 *    one from a page with room; else a new page if reserved stays within maxBytes; else it runs its
 *    segment's CLOCK hand to a victim: a victim of class c (the steady state of a full cache) or a
 *    jumbo is evicted and its chunk or bytes reused; a victim of another class takes its whole page
 *    with it (every entry on it), and the page goes to class c. So memory moves between classes
 *    in proportion to where the cold entries are, a page at a time, instead of staying with the
 *    classes that filled the store first; the price is that a page's other entries go with a cold
 *    one. Only a segment that holds nothing over-commits a page, as a jumbo always does; after
 *    releasing its lock every write runs evictIfOver, which evicts CLOCK victims (a jumbo alone,
 *    else the victim's page) in the other segments first, then its own, until reserved is within
 *    maxBytes. So reserved exceeds maxBytes only by what writers in flight hold.
 *
 *  - CLOCK: the 2-bit counter in flags starts at 1 and a read adds 1 (up to 3) with a plain racy
 *    write under the read lock (readers of the same entry write the same other bits); a segment's
 *    hand walks its slots, decrementing non-zero counters and evicting the first entry at zero.
 *
 *  - Concurrency: one StampedLock per segment (1 to 64 segments, one per 4 MiB of maxBytes); reads
 *    take the read lock, writes the write lock; entries are read and written only under their
 *    segment's lock, through absolute ByteBuffer methods (bounds-checked: a bug throws, it cannot
 *    corrupt other memory). Pages move between segments only through the idle pool under pageLock,
 *    which is taken while holding at most one segment lock and never the other way round, so no
 *    thread holds two segment locks. Visitors of range walks get heap copies, outside the lock.
 *
 *  - Time to live, range walks, SCAN: as in PackedStore (expired entries are invisible at once,
 *    removed when met and by ClockStore's resumable sweep in cleanUp; walks visit copies chunk by
 *    chunk).
 */
final class OffHeapStore extends ClockStore {

  /** Bytes of a segment beyond its slot array (object, lock, class heads), an estimate. */
  static final int SEGMENT_OVERHEAD = 512;

  /** The largest bound this store takes: page refs have 31 bits of 8-byte units. */
  static final long MAX_BYTES = 8L << 30;

  private static final int MAX_SEGMENTS = 64;
  private static final int MIN_PAGE_SHIFT = 12;
  private static final int MAX_PAGE_SHIFT = 20;
  private static final int PAGE_SLACK = 1024;
  private static final int SMALL_CLASS_LIMIT = 256;

  /** Bytes before an entry's varints: flags, then the key's mixed hash. */
  private static final int HEADER = 5;

  private static final int LIVE = 0x80;
  private static final int TIMED = 0x01;
  private static final int COUNT_SHIFT = 1;
  private static final int COUNT_MASK = 0x06;
  private static final int JUMBO = 0x8000_0000;

  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final int pageShift;
  private final int pageSize;
  private final int offsetBits;
  private final int maxChunk;
  private final int[] classSizes;
  private final Segment[] segments;
  private final int segmentBits;

  // pages: ids 1..maxPages; ownership changes under pageLock, contents under the owner's lock
  private final int maxPages;
  private final ByteBuffer[] pageBuffers;
  private final int[] pageOwner;
  private final int[] pageClass;
  private final int[] pageLive;
  private final int[] pageFree;
  private final int[] pageBump;
  private final int[] pageNext;
  private final int[] pagePrev;
  private final ReentrantLock pageLock = new ReentrantLock();
  private final int[] idlePages; // guarded by pageLock
  private int idleCount; // guarded by pageLock
  private int newPages; // guarded by pageLock: ids 1..newPages have a buffer

  private final AtomicLong reserved = new AtomicLong();

  OffHeapStore(long maxBytes, Clock clock) {
    super(maxBytes, clock);
    if (maxBytes <= 0 || maxBytes > MAX_BYTES) {
      throw new IllegalArgumentException("max-memory of the off-heap store: " + maxBytes + " (expected: 1 to " + MAX_BYTES + " bytes)");
    }
    long direct = PlatformDependent.maxDirectMemory();
    if (direct > 0 && direct < maxBytes) {
      throw new IllegalArgumentException("the off-heap store needs -XX:MaxDirectMemorySize of at least max-memory ("
          + maxBytes + " bytes); the JVM allows " + direct);
    }
    int shift = 63 - Long.numberOfLeadingZeros(Math.max(1, maxBytes >>> 13));
    this.pageShift = Math.max(MIN_PAGE_SHIFT, Math.min(MAX_PAGE_SHIFT, shift));
    this.pageSize = 1 << pageShift;
    this.offsetBits = pageShift - 3;
    this.maxChunk = pageSize / 8;
    this.classSizes = classSizes(maxChunk);
    this.maxPages = (int) (maxBytes >>> pageShift) + PAGE_SLACK;
    if (maxPages >= (1 << (31 - offsetBits))) {
      throw new IllegalArgumentException("max-memory too large for the off-heap store: " + maxBytes);
    }
    this.pageBuffers = new ByteBuffer[maxPages + 1];
    this.pageOwner = new int[maxPages + 1];
    this.pageClass = new int[maxPages + 1];
    this.pageLive = new int[maxPages + 1];
    this.pageFree = new int[maxPages + 1];
    this.pageBump = new int[maxPages + 1];
    this.pageNext = new int[maxPages + 1];
    this.pagePrev = new int[maxPages + 1];
    this.idlePages = new int[maxPages + 1];
    Arrays.fill(pageOwner, -1);
    int n = (int) Math.min(MAX_SEGMENTS, Math.max(1, Long.highestOneBit(maxBytes / BYTES_PER_SEGMENT)));
    this.segmentBits = Integer.numberOfTrailingZeros(n);
    this.segments = new Segment[n];
    for (int i = 0; i < n; i++) {
      segments[i] = new Segment(i);
    }
    long empty = n * (SEGMENT_OVERHEAD + tableBytes(MIN_BITS));
    reserved.set(empty);
    used.set(empty);
  }

  // ---- layout ----

  static int[] classSizes(int maxChunk) {
    List<Integer> sizes = new ArrayList<>();
    for (int s = 16; s <= SMALL_CLASS_LIMIT && s <= maxChunk; s += 8) {
      sizes.add(s);
    }
    for (int s = SMALL_CLASS_LIMIT; s < maxChunk; ) {
      s = Math.min(maxChunk, (s + s / 8 + 7) & ~7);
      sizes.add(s);
    }
    return sizes.stream().mapToInt(Integer::intValue).toArray();
  }

  private int classOf(int size) {
    if (size <= SMALL_CLASS_LIMIT) {
      return Math.max(0, ((size + 7) >>> 3) - 2);
    }
    int i = Arrays.binarySearch(classSizes, size);
    return i >= 0 ? i : -i - 1;
  }

  /** The bytes an entry of these lengths occupies before rounding to a class. */
  static long entrySize(int keyLength, int valueLength, boolean timed) {
    return HEADER + varintLength(keyLength) + varintLength(valueLength) + (timed ? 8 : 0) + keyLength + valueLength;
  }

  /** The bytes an entry of these lengths adds to usedBytes: its class's chunk, or its own buffer. */
  long weight(int keyLength, int valueLength, boolean timed) {
    long size = entrySize(keyLength, valueLength, timed);
    return size > maxChunk ? size : classSizes[classOf((int) size)];
  }

  static long tableBytes(int bits) {
    return (16 + 4L * (1L << bits) + 7) & ~7L;
  }

  private static int putVarint(ByteBuffer b, int at, int v) {
    while ((v & ~0x7F) != 0) {
      b.put(at++, (byte) (v & 0x7F | 0x80));
      v >>>= 7;
    }
    b.put(at++, (byte) v);
    return at;
  }

  private static int getVarint(ByteBuffer b, int at) {
    int v = 0;
    for (int shift = 0; ; shift += 7) {
      int x = b.get(at++);
      v |= (x & 0x7F) << shift;
      if (x >= 0) {
        return v;
      }
    }
  }

  @Override
  Stripe[] segments() {
    return segments;
  }

  private Segment segmentFor(int m) {
    return segments[segmentBits == 0 ? 0 : m >>> (32 - segmentBits)];
  }

  private static int refOf(int slot) {
    return slot;
  }

  // ---- reads ----

  @Override
  public byte[] get(Key key) {
    byte[] k = key.bytes();
    int m = mix(key.ringHash());
    Segment s = segmentFor(m);
    byte[] value;
    long stamp = s.readLock();
    try {
      value = s.read(k, m);
    } finally {
      s.unlockRead(stamp);
    }
    if (value == EXPIRED) {
      removeExpired(s, k, m);
      return null;
    }
    return value;
  }

  /**
   * GET's path: under the segment's read lock (so no eviction or overwrite can reuse the chunk while
   * it is read), the RESP header and then the value, copied once from the page straight into
   * {@code out} (a memcpy when {@code out} is direct, as the node's pooled output buffers are).
   */
  @Override
  public boolean writeBulk(Key key, io.netty.buffer.ByteBuf out) {
    return writeBulk(key.bytes(), key.ringHash(), out);
  }

  @Override
  public boolean writeBulk(byte[] k, int ringHash, io.netty.buffer.ByteBuf out) {
    int m = mix(ringHash);
    Segment s = segmentFor(m);
    int found;
    long stamp = s.readLock();
    try {
      found = s.writeBulk(k, m, out);
    } finally {
      s.unlockRead(stamp);
    }
    if (found < 0) {
      removeExpired(s, k, m);
    }
    return found > 0;
  }

  @Override
  public int valueLength(Key key) {
    byte[] k = key.bytes();
    int m = mix(key.ringHash());
    Segment s = segmentFor(m);
    int length;
    long stamp = s.readLock();
    try {
      length = s.valueLength(k, m);
    } finally {
      s.unlockRead(stamp);
    }
    if (length == -2) {
      removeExpired(s, k, m);
      return -1;
    }
    return length;
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
    long stamp = s.readLock();
    try {
      int i = s.indexOf(k, m);
      if (i < 0) {
        return ABSENT;
      }
      long deadline = s.deadline(refOf(s.slots[i]));
      if (deadline == NO_DEADLINE) {
        return NO_DEADLINE;
      }
      return deadline - clock.nanoTime() <= 0 ? ABSENT : deadline;
    } finally {
      s.unlockRead(stamp);
    }
  }

  private void removeExpired(Segment s, byte[] k, int m) {
    long stamp = s.writeLock();
    try {
      int i = s.indexOf(k, m);
      if (i >= 0 && s.expiredAt(refOf(s.slots[i]), clock.nanoTime())) {
        s.deleteAt(i);
        expired.increment();
        s.shrinkIfSparse();
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

  /** SET's write, the value taken from {@code value} if not null, else from {@code valueBuffer} at {@code valueIndex}. */
  private SetResult write(byte[] k, int ringHash, byte[] value, io.netty.buffer.ByteBuf valueBuffer, int valueIndex,
      int valueLength, long ttlNanos, boolean keepTtl, Condition condition, boolean withPrevious, long now) {
    int m = mix(ringHash);
    Segment s = segmentFor(m);
    boolean elapsed = !keepTtl && ttlNanos != NO_TTL && ttlNanos <= 0;
    boolean timedWrite = !keepTtl && ttlNanos != NO_TTL && !elapsed;
    SetResult result;
    long stamp = s.writeLock();
    try {
      int i = s.liveIndexOf(k, m, timedWrite ? now : clock.nanoTime());
      int old = i < 0 ? 0 : refOf(s.slots[i]);
      if ((condition == Condition.IF_ABSENT && i >= 0) || (condition == Condition.IF_PRESENT && i < 0)) {
        return i < 0 || !withPrevious ? NOT_STORED : new SetResult(false, s.value(old));
      }
      result = i < 0 || !withPrevious ? STORED : new SetResult(true, s.value(old));
      if (elapsed) {
        // already expired (EXAT/PXAT in the past): the write wins and vanishes at once
        if (i >= 0) {
          s.deleteAt(i);
          s.shrinkIfSparse();
        }
        return result;
      }
      long deadline = keepTtl ? (i < 0 ? NO_DEADLINE : s.deadline(old)) : deadlineAfter(ttlNanos, now);
      s.store(k, m, value, valueBuffer, valueIndex, valueLength, deadline, i);
    } finally {
      s.unlockWrite(stamp);
    }
    evictIfOver(s);
    return result;
  }

  @Override
  public byte[] remove(Key key) {
    return take(key, true);
  }

  @Override
  public boolean delete(Key key) {
    return take(key, false) != null;
  }

  /** Removes {@code key}; returns its value (or EXPIRED without {@code withValue}) if it was present and live. */
  private byte[] take(Key key, boolean withValue) {
    byte[] k = key.bytes();
    int m = mix(key.ringHash());
    Segment s = segmentFor(m);
    long stamp = s.writeLock();
    try {
      int i = s.indexOf(k, m);
      if (i < 0) {
        return null;
      }
      int ref = refOf(s.slots[i]);
      boolean lapsed = s.expiredAt(ref, clock.nanoTime());
      byte[] value = lapsed ? null : withValue ? s.value(ref) : EXPIRED;
      s.deleteAt(i);
      s.shrinkIfSparse();
      if (lapsed) {
        expired.increment();
      }
      return value;
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
      int i = s.liveIndexOf(k, m, now);
      if (i < 0) {
        return false;
      }
      int old = refOf(s.slots[i]);
      long deadline = deadlineAfter(ttlNanos, now);
      boolean timed = s.deadline(old) != NO_DEADLINE;
      if (timed && deadline != NO_DEADLINE) {
        s.setDeadline(old, deadline);
      } else if (timed || deadline != NO_DEADLINE) {
        byte[] value = s.value(old);
        s.store(k, m, value, 0, value.length, deadline, i);
      }
    } finally {
      s.unlockWrite(stamp);
    }
    evictIfOver(s);
    return true;
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
      int i = s.liveIndexOf(k, m, now);
      long current = 0;
      long deadline = NO_DEADLINE;
      if (i >= 0) {
        int old = refOf(s.slots[i]);
        byte[] value = s.value(old);
        current = Decimal.parseLong(value, 0, value.length);
        deadline = s.deadline(old);
      }
      next = Math.addExact(current, delta);
      byte[] digits = Decimal.toBytes(next);
      s.store(k, m, digits, 0, digits.length, deadline, i);
    } finally {
      s.unlockWrite(stamp);
    }
    evictIfOver(s);
    return next;
  }

  @Override
  public byte[] update(Key key, UnaryOperator<byte[]> update) {
    byte[] k = key.bytes();
    int m = mix(key.ringHash());
    Segment s = segmentFor(m);
    long now = clock.nanoTime();
    byte[] next;
    long stamp = s.writeLock();
    try {
      int i = s.liveIndexOf(k, m, now);
      int old = i < 0 ? 0 : refOf(s.slots[i]);
      byte[] current = i < 0 ? null : s.value(old);
      next = update.apply(current);
      if (next == null) {
        return current;
      }
      s.store(k, m, next, 0, next.length, i < 0 ? NO_DEADLINE : s.deadline(old), i);
    } finally {
      s.unlockWrite(stamp);
    }
    evictIfOver(s);
    return next;
  }

  // ---- size, bound, maintenance ----

  /** The bytes held against the bound: owned pages (live chunks and their free space), jumbos, index. */
  long reservedBytes() {
    return reserved.get();
  }

  int pageSize() {
    return pageSize;
  }

  @Override
  void evictIfOver() {
    evictIfOver(null);
  }

  /**
   * Evicts, one segment at a time, until the reserved bytes are within maxBytes (or nothing is left).
   * The writer's own segment comes last, so that what was just written is not the first to go.
   */
  private void evictIfOver(Segment writer) {
    if (reserved.get() <= maxBytes) {
      return;
    }
    int n = segments.length;
    int start = evictionHand.getAndIncrement();
    boolean withWriter = n == 1;
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int k = 0; k < n; k++) {
        if (reserved.get() <= maxBytes) {
          return;
        }
        Segment s = segments[(start + k) & (n - 1)];
        if (s == writer && !withWriter) {
          continue;
        }
        long stamp = s.writeLock();
        try {
          if (s.count > 0) {
            s.evictForBudget();
            progress = true;
          }
        } finally {
          s.unlockWrite(stamp);
        }
      }
      if (!progress && !withWriter) {
        withWriter = true;
        progress = true;
      }
    }
  }

  // ---- scans ----

  @Override
  public ScanPage scan(long cursor, int count) {
    ScanWindow window = ScanWindow.of(cursor, count, size());
    List<Key> keys = window.newKeyList();
    long now = clock.nanoTime();
    for (Segment s : segments) {
      long stamp = s.readLock();
      try {
        int[] slots = s.slots;
        for (int e : slots) {
          if (e != 0) {
            int ringHash = unmix(s.hashAt(e));
            if (window.contains(ringHash) && !s.expiredAt(refOf(e), now)) {
              keys.add(Key.of(s.key(refOf(e)), ringHash));
            }
          }
        }
      } finally {
        s.unlockRead(stamp);
      }
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
          from = s.collect(from, index, now, false, true, chunk);
        } finally {
          s.unlockRead(stamp);
        }
        for (int j = 0; j < chunk.size; j++) {
          long ttl = ttlLeft(chunk.ttls[j], now); // now, not when the chunk was collected
          if (ttl == -2) {
            continue; // expired meanwhile
          }
          long deadline = chunk.ttls[j] == NO_TTL ? NO_DEADLINE : now + chunk.ttls[j]; // exact: ttls[j] was measured from now
          int keyAt = chunk.keyAt[j];
          int keyLength = chunk.keyLengths[j];
          visitor.visitBytesUntil(chunk.bytes, keyAt, keyLength, keyAt + keyLength, chunk.valueLengths[j],
              chunk.hashes[j], ttl, deadline);
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
          from = s.collect(from, index, now, true, false, chunk);
          int lapsed = 0;
          for (int j = 0; j < chunk.size; j++) {
            s.deleteAt(s.indexOfRef(mix(chunk.hashes[j]), chunk.refs[j]));
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

  /**
   * Recounts by walking every segment under its lock, for tests: {entries, usedBytes, reservedBytes}
   * and checks the page bookkeeping (free lists, live counts) on the way.
   */
  long[] recount() {
    long entries = 0;
    long usedRecount = 0;
    long reservedRecount = 0;
    for (Segment s : segments) {
      long stamp = s.writeLock();
      try {
        long fixed = SEGMENT_OVERHEAD + tableBytes(s.bits);
        usedRecount += fixed;
        reservedRecount += fixed;
        int[] live = new int[maxPages + 1];
        for (int e : s.slots) {
          if (e != 0) {
            entries++;
            int ref = refOf(e);
            if ((ref & JUMBO) != 0) {
              long cap = s.jumbos[ref & ~JUMBO].capacity();
              usedRecount += cap;
              reservedRecount += cap;
            } else {
              int p = ref >>> offsetBits;
              if (pageOwner[p] != s.id) {
                throw new AssertionError("entry on page " + p + " owned by " + pageOwner[p] + ", not " + s.id);
              }
              live[p]++;
              usedRecount += classSizes[pageClass[p]];
            }
          }
        }
        for (int p = 1; p <= maxPages; p++) {
          if (pageOwner[p] == s.id) {
            reservedRecount += pageSize;
            if (live[p] != pageLive[p] || live[p] == 0) {
              throw new AssertionError("page " + p + " counts " + pageLive[p] + " live entries; the index has " + live[p]);
            }
          }
        }
      } finally {
        s.unlockWrite(stamp);
      }
    }
    return new long[] {entries, usedRecount, reservedRecount};
  }

  /**
   * Copies {@code length} bytes of {@code from} at {@code index} into the page or jumbo {@code to} at
   * {@code at}, bounds-checked on both sides, without moving either's position (readers share the
   * page's): a memcpy from a direct buffer, an array copy from a heap one.
   */
  private static void copyInto(ByteBuffer to, int at, io.netty.buffer.ByteBuf from, int index, int length) {
    java.util.Objects.checkFromIndexSize(at, length, to.capacity());
    java.util.Objects.checkFromIndexSize(index, length, from.capacity());
    if (from.hasMemoryAddress()) {
      PlatformDependent.copyMemory(from.memoryAddress() + index, PlatformDependent.directBufferAddress(to) + at, length);
    } else if (from.hasArray()) {
      to.put(at, from.array(), from.arrayOffset() + index, length);
    } else {
      to.put(at, io.netty.buffer.ByteBufUtil.getBytes(from, index, length));
    }
  }

  /**
   * The live entries found in one chunk of a segment, visited after its lock is released: each
   * entry's key and value copied side by side into one array that the walk reuses (no array per
   * entry), or, for a removal, only its reference.
   */
  private static final class Chunk {
    /** What a chunk's array may keep between chunks; a larger one (a jumbo's copy) is dropped. */
    static final int KEPT_BYTES = 64 * 1024;

    byte[] bytes = new byte[8 * 1024];
    int length;
    int[] keyAt = new int[64];
    int[] keyLengths = new int[64];
    int[] valueLengths = new int[64];
    int[] hashes = new int[64];
    int[] refs = new int[64];
    long[] ttls = new long[64];
    int size;
    /** keyStart's lengths, for the segment's collect. */
    final int[] lengths = new int[2];
    /** The hashes of the slots a collect covers, read ahead of the tests. */
    int[] slotHashes = new int[CHUNK_SLOTS * 2];

    /** Adds an entry without its bytes (a removal's). */
    void add(int ringHash, int ref, long ttl) {
      if (size == hashes.length) {
        int n = size * 2;
        keyAt = Arrays.copyOf(keyAt, n);
        keyLengths = Arrays.copyOf(keyLengths, n);
        valueLengths = Arrays.copyOf(valueLengths, n);
        hashes = Arrays.copyOf(hashes, n);
        refs = Arrays.copyOf(refs, n);
        ttls = Arrays.copyOf(ttls, n);
      }
      hashes[size] = ringHash;
      refs[size] = ref;
      ttls[size] = ttl;
      size++;
    }

    /** Adds an entry with a copy of its key and value, which lie side by side at {@code at} in {@code b}. */
    void add(ByteBuffer b, int at, int keyLength, int valueLength, int ringHash, int ref, long ttl) {
      int n = keyLength + valueLength;
      if (length + n > bytes.length) {
        bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(2L * bytes.length, (long) length + n)));
      }
      b.get(at, bytes, length, n);
      add(ringHash, ref, ttl);
      keyAt[size - 1] = length;
      keyLengths[size - 1] = keyLength;
      valueLengths[size - 1] = valueLength;
      length += n;
    }

    void clear() {
      size = 0;
      length = 0;
      if (bytes.length > KEPT_BYTES) {
        bytes = new byte[8 * 1024];
      }
    }
  }

  /** One lock stripe: an index of slots and the pages and jumbos its entries live in. */
  private final class Segment extends Stripe {
    final int id;
    int[] slots;
    /** Per class: the first page of this segment with room in that class, 0 if none. */
    final int[] spaceHead = new int[classSizes.length];
    /** Per class: the entries of this segment in that class. */
    final int[] liveByClass = new int[classSizes.length];
    ByteBuffer[] jumbos = new ByteBuffer[4];
    int[] freeJumbos = new int[4];
    int freeJumboCount;
    int jumboTop;
    /**
     * Changes each time entries may have moved between slots (a delete's backward shift, a resize, a
     * reset): a slot index found under the write lock stays valid while this is unchanged.
     */
    int moves;

    Segment(int id) {
      super(segmentBits);
      this.id = id;
      this.bits = MIN_BITS;
      this.slots = new int[1 << MIN_BITS];
    }

    // ---- entries ----

    ByteBuffer buffer(int ref) {
      return (ref & JUMBO) != 0 ? jumbos[ref & ~JUMBO] : pageBuffers[ref >>> offsetBits];
    }

    int offset(int ref) {
      return (ref & JUMBO) != 0 ? 0 : (ref & ((1 << offsetBits) - 1)) << 3;
    }

    /** The key's mixed hash, kept in the entry: the index holds only references. */
    int hashAt(int ref) {
      return buffer(ref).getInt(offset(ref) + 1);
    }

    long deadline(int ref) {
      ByteBuffer b = buffer(ref);
      int o = offset(ref);
      if ((b.get(o) & TIMED) == 0) {
        return NO_DEADLINE;
      }
      int kl = getVarint(b, o + HEADER);
      int p = o + HEADER + varintLength(kl);
      int vl = getVarint(b, p);
      return b.getLong(p + varintLength(vl));
    }

    void setDeadline(int ref, long deadline) {
      ByteBuffer b = buffer(ref);
      int o = offset(ref);
      int kl = getVarint(b, o + HEADER);
      int p = o + HEADER + varintLength(kl);
      int vl = getVarint(b, p);
      b.putLong(p + varintLength(vl), deadline);
    }

    boolean expiredAt(int ref, long now) {
      long d = deadline(ref);
      return d != NO_DEADLINE && d - now <= 0;
    }

    /** The offset of the key in the entry's buffer; keyLength and valueLength through the two arrays. */
    private int keyStart(ByteBuffer b, int o, int[] lengths) {
      int kl = getVarint(b, o + HEADER);
      int p = o + HEADER + varintLength(kl);
      int vl = getVarint(b, p);
      p += varintLength(vl);
      if ((b.get(o) & TIMED) != 0) {
        p += 8;
      }
      lengths[0] = kl;
      lengths[1] = vl;
      return p;
    }

    byte[] key(int ref) {
      ByteBuffer b = buffer(ref);
      int[] lengths = new int[2];
      int p = keyStart(b, offset(ref), lengths);
      byte[] key = new byte[lengths[0]];
      b.get(p, key, 0, key.length);
      return key;
    }

    byte[] value(int ref) {
      ByteBuffer b = buffer(ref);
      int[] lengths = new int[2];
      int p = keyStart(b, offset(ref), lengths);
      byte[] value = new byte[lengths[1]];
      b.get(p + lengths[0], value, 0, value.length);
      return value;
    }

    boolean keyEquals(int ref, byte[] key) {
      ByteBuffer b = buffer(ref);
      int o = offset(ref);
      int kl = getVarint(b, o + HEADER);
      if (kl != key.length) {
        return false;
      }
      int p = o + HEADER + varintLength(kl);
      int vl = getVarint(b, p);
      p += varintLength(vl) + ((b.get(o) & TIMED) != 0 ? 8 : 0);
      int i = 0;
      for (; i + 8 <= kl; i += 8) {
        if (b.getLong(p + i) != (long) LONG.get(key, i)) {
          return false;
        }
      }
      for (; i < kl; i++) {
        if (b.get(p + i) != key[i]) {
          return false;
        }
      }
      return true;
    }

    private int countOf(int ref) {
      return (buffer(ref).get(offset(ref)) & COUNT_MASK) >>> COUNT_SHIFT;
    }

    private void setCount(int ref, int count) {
      ByteBuffer b = buffer(ref);
      int o = offset(ref);
      b.put(o, (byte) ((b.get(o) & ~COUNT_MASK) | (count << COUNT_SHIFT)));
    }

    // ---- index ----

    int indexOf(byte[] key, int m) {
      int[] ss = slots;
      int mask = ss.length - 1;
      int i = home(m);
      for (int n = 0; n <= mask; n++, i = (i + 1) & mask) {
        int e = ss[i];
        if (e == 0) {
          return -1;
        }
        if (hashAt(e) == m && keyEquals(e, key)) {
          return i;
        }
      }
      return -1;
    }

    /** As indexOf; an expired entry found is removed (counted) and reported absent. Write lock. */
    int liveIndexOf(byte[] key, int m, long now) {
      int i = indexOf(key, m);
      if (i >= 0 && expiredAt(refOf(slots[i]), now)) {
        deleteAt(i);
        expired.increment();
        return -1;
      }
      return i;
    }

    int indexOfRef(int m, int ref) {
      int mask = slots.length - 1;
      int i = home(m);
      while (slots[i] != ref) {
        i = (i + 1) & mask;
      }
      return i;
    }

    /** The value (a copy), EXPIRED, or null; counts the read for CLOCK. Read lock. */
    byte[] read(byte[] key, int m) {
      int i = indexOf(key, m);
      if (i < 0) {
        return null;
      }
      int ref = refOf(slots[i]);
      if (expiredAt(ref, clock.nanoTime())) {
        return EXPIRED;
      }
      int c = countOf(ref);
      if (c < MAX_COUNT) {
        setCount(ref, c + 1); // racy: a lost bump only makes eviction slightly less accurate
      }
      return value(ref);
    }

    /**
     * Writes the value as a RESP bulk string to {@code out}; counts the read for CLOCK. Read lock.
     *
     * @return 1 if written, 0 if absent, -1 if expired
     */
    /** The value's length, -1 if absent, -2 if expired (the caller removes it): no copy, no count bumped. */
    int valueLength(byte[] key, int m) {
      int i = indexOf(key, m);
      if (i < 0) {
        return -1;
      }
      int ref = refOf(slots[i]);
      if (expiredAt(ref, clock.nanoTime())) {
        return -2;
      }
      ByteBuffer b = buffer(ref);
      int o = offset(ref);
      int kl = getVarint(b, o + HEADER);
      return getVarint(b, o + HEADER + varintLength(kl));
    }

    int writeBulk(byte[] key, int m, io.netty.buffer.ByteBuf out) {
      int i = indexOf(key, m);
      if (i < 0) {
        return 0;
      }
      int ref = refOf(slots[i]);
      if (expiredAt(ref, clock.nanoTime())) {
        return -1;
      }
      int c = countOf(ref);
      if (c < MAX_COUNT) {
        setCount(ref, c + 1); // racy: a lost bump only makes eviction slightly less accurate
      }
      ByteBuffer b = buffer(ref);
      int o = offset(ref);
      int kl = getVarint(b, o + HEADER);
      int p = o + HEADER + varintLength(kl);
      int vl = getVarint(b, p);
      p += varintLength(vl) + ((b.get(o) & TIMED) != 0 ? 8 : 0) + kl;
      java.util.Objects.checkFromIndexSize(p, vl, b.capacity()); // a bug throws: it never reads other memory
      io.ringcache.resp.Resp.bulkHeader(out, vl);
      if (out.hasMemoryAddress()) {
        int at = out.writerIndex();
        PlatformDependent.copyMemory(PlatformDependent.directBufferAddress(b) + p, out.memoryAddress() + at, vl);
        out.writerIndex(at + vl);
      } else {
        out.writeBytes(b.slice(p, vl)); // a view: the page's position is shared by concurrent readers
      }
      io.ringcache.resp.Resp.crlf(out);
      return 1;
    }

    /**
     * Writes key → value with {@code deadline} as a new entry, replacing the present one, which the
     * caller found in slot {@code slot} (-1: absent) under this same write lock. The chunk is
     * allocated first, which may evict anything in this segment (this key's entry included) and
     * shift slots: only then is the key looked up again (see {@link #moves}).
     */
    void store(byte[] key, int m, byte[] value, int valueOffset, int valueLength, long deadline, int slot) {
      store(key, m, value, null, valueOffset, valueLength, deadline, slot);
    }

    /**
     * As {@link #store(byte[], int, byte[], int, int, long, int)}, the value taken from {@code value}
     * if not null, else from {@code valueBuffer} at {@code valueOffset}: copied once, into the chunk
     * (a memcpy when the buffer is direct, as the node's read buffers are).
     */
    void store(byte[] key, int m, byte[] value, io.netty.buffer.ByteBuf valueBuffer, int valueOffset, int valueLength,
        long deadline, int slot) {
      boolean timed = deadline != NO_DEADLINE;
      long size = entrySize(key.length, valueLength, timed);
      if (size > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("entry too large: " + size + " bytes");
      }
      int movesBefore = moves;
      int ref = allocate((int) size);
      ByteBuffer b = buffer(ref);
      int p = offset(ref);
      b.put(p, (byte) (LIVE | (1 << COUNT_SHIFT) | (timed ? TIMED : 0)));
      b.putInt(p + 1, m);
      p = putVarint(b, p + HEADER, key.length);
      p = putVarint(b, p, valueLength);
      if (timed) {
        b.putLong(p, deadline);
        p += 8;
      }
      b.put(p, key, 0, key.length);
      if (value != null) {
        b.put(p + key.length, value, valueOffset, valueLength);
      } else {
        copyInto(b, p + key.length, valueBuffer, valueOffset, valueLength);
      }
      // a lookup reads the entry of every slot it passes (a cache miss each): only when slots moved
      int i = moves == movesBefore ? slot : indexOf(key, m);
      if (i >= 0) {
        int old = refOf(slots[i]);
        int c = countOf(old);
        if (c < MAX_COUNT) {
          c++;
        }
        setCount(ref, c);
        if (deadline(old) != NO_DEADLINE) {
          ttlCount--;
        }
        free(old);
        slots[i] = ref;
      } else {
        insert(m, ref);
      }
      if (timed) {
        ttlCount++;
      }
    }

    private void insert(int m, int ref) {
      int capacity = slots.length;
      if (count + 1 > capacity - (capacity >>> 2) && bits < 32 - segmentBits) {
        resize(bits + 1);
      }
      int mask = slots.length - 1;
      int i = home(m);
      while (slots[i] != 0) {
        i = (i + 1) & mask;
      }
      slots[i] = ref;
      count++;
    }

    @Override
    boolean expiredInSlot(int i, long now) {
      int e = slots[i];
      return e != 0 && expiredAt(refOf(e), now);
    }

    /** Removes the entry in slot i (freeing its memory) and shifts the rest of its run back. */
    @Override
    void deleteAt(int i) {
      moves++;
      int ref = refOf(slots[i]);
      if (deadline(ref) != NO_DEADLINE) {
        ttlCount--;
      }
      free(ref);
      count--;
      int[] ss = slots;
      int mask = ss.length - 1;
      int hole = i;
      for (int j = (i + 1) & mask; ss[j] != 0; j = (j + 1) & mask) {
        if (movesBack(j, hashAt(ss[j]), hole, mask)) {
          ss[hole] = ss[j];
          hole = j;
        }
      }
      ss[hole] = 0;
    }

    @Override
    void resize(int newBits) {
      moves++;
      int[] old = slots;
      int oldBits = bits;
      bits = newBits;
      slots = new int[1 << newBits];
      int mask = slots.length - 1;
      for (int e : old) {
        if (e != 0) {
          int i = home(hashAt(e));
          while (slots[i] != 0) {
            i = (i + 1) & mask;
          }
          slots[i] = e;
        }
      }
      hand = scaledHand(oldBits);
      long delta = tableBytes(newBits) - tableBytes(oldBits);
      used.addAndGet(delta);
      reserved.addAndGet(delta);
    }

    @Override
    void reset() {
      moves++;
      for (int e : slots) {
        if (e != 0) {
          free(refOf(e));
        }
      }
      long delta = tableBytes(MIN_BITS) - tableBytes(bits);
      used.addAndGet(delta);
      reserved.addAndGet(delta);
      bits = MIN_BITS;
      slots = new int[1 << MIN_BITS];
      count = 0;
      ttlCount = 0;
      hand = 0;
      jumbos = new ByteBuffer[4];
      freeJumbos = new int[4];
      freeJumboCount = 0;
      jumboTop = 0;
    }

    // ---- memory ----

    /** A chunk (or jumbo) of at least {@code size} bytes for a new entry; may evict in this segment. */
    int allocate(int size) {
      if (size > maxChunk) {
        return allocateJumbo(size);
      }
      int c = classOf(size);
      for (int attempt = 0; ; attempt++) {
        int p = spaceHead[c];
        if (p != 0) {
          return takeChunk(p, c);
        }
        p = acquirePage(false);
        if (p == 0) {
          int victim = attempt < 64 ? clockVictim() : -1;
          if (victim >= 0) {
            int ref = refOf(slots[victim]);
            if ((ref & JUMBO) != 0 || pageClass[ref >>> offsetBits] == c) {
              // the steady state of a full store: the victim's chunk (or budget) is reused
              deleteAt(victim);
              evictions.increment();
            } else {
              // a victim of another class: its whole page goes to the pool, and from there to class c
              evictPage(ref >>> offsetBits);
            }
            continue;
          }
          p = acquirePage(true); // this segment holds nothing: over-commit, evictIfOver follows
        }
        pageClass[p] = c;
        pageLive[p] = 0;
        pageFree[p] = -1;
        pageBump[p] = 0;
        link(p, c);
      }
    }

    private int takeChunk(int p, int c) {
      ByteBuffer b = pageBuffers[p];
      int size = classSizes[c];
      int o = pageFree[p];
      if (o >= 0) {
        pageFree[p] = b.getInt(o + 4);
      } else {
        o = pageBump[p];
        pageBump[p] = o + size;
      }
      pageLive[p]++;
      liveByClass[c]++;
      if (pageFree[p] < 0 && pageBump[p] + size > pageSize) {
        unlink(p, c); // full
      }
      used.addAndGet(size);
      return p << offsetBits | o >>> 3;
    }

    private boolean hasRoom(int p) {
      return pageFree[p] >= 0 || pageBump[p] + classSizes[pageClass[p]] <= pageSize;
    }

    /** Returns an entry's memory: a chunk to its page's free list (the page to the pool when empty). */
    private void free(int ref) {
      if ((ref & JUMBO) != 0) {
        int id = ref & ~JUMBO;
        ByteBuffer b = jumbos[id];
        long cap = b.capacity();
        jumbos[id] = null;
        // freed now rather than when the collector finds the buffer: nothing else can reach it (every
        // access is under this segment's lock, and visitors get copies)
        PlatformDependent.freeDirectBuffer(b);
        if (freeJumboCount == freeJumbos.length) {
          freeJumbos = Arrays.copyOf(freeJumbos, freeJumboCount * 2);
        }
        freeJumbos[freeJumboCount++] = id;
        used.addAndGet(-cap);
        reserved.addAndGet(-cap);
        return;
      }
      int p = ref >>> offsetBits;
      int o = offset(ref);
      int c = pageClass[p];
      boolean hadRoom = hasRoom(p);
      ByteBuffer b = pageBuffers[p];
      b.put(o, (byte) 0);
      b.putInt(o + 4, pageFree[p]);
      pageFree[p] = o;
      pageLive[p]--;
      liveByClass[c]--;
      used.addAndGet(-classSizes[c]);
      if (pageLive[p] == 0) {
        if (hadRoom) {
          unlink(p, c);
        }
        releasePage(p);
      } else if (!hadRoom) {
        link(p, c);
      }
    }

    private int allocateJumbo(int size) {
      ByteBuffer b;
      try {
        b = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
      } catch (OutOfMemoryError e) {
        throw new IllegalStateException("the off-heap store could not allocate " + size
            + " bytes of direct memory (raise -XX:MaxDirectMemorySize)", e);
      }
      int id;
      if (freeJumboCount > 0) {
        id = freeJumbos[--freeJumboCount];
      } else {
        if (jumboTop == jumbos.length) {
          jumbos = Arrays.copyOf(jumbos, jumboTop * 2);
        }
        id = jumboTop++;
      }
      jumbos[id] = b;
      used.addAndGet(size);
      reserved.addAndGet(size); // over the bound if need be: evictIfOver follows the write
      return JUMBO | id;
    }

    private void link(int p, int c) {
      int head = spaceHead[c];
      pageNext[p] = head;
      pagePrev[p] = 0;
      if (head != 0) {
        pagePrev[head] = p;
      }
      spaceHead[c] = p;
    }

    private void unlink(int p, int c) {
      int next = pageNext[p];
      int prev = pagePrev[p];
      if (prev != 0) {
        pageNext[prev] = next;
      } else {
        spaceHead[c] = next;
      }
      if (next != 0) {
        pagePrev[next] = prev;
      }
      pageNext[p] = 0;
      pagePrev[p] = 0;
    }

    /** A page from the idle pool or a new one, owned by this segment; 0 if over the bound (unless forced). */
    private int acquirePage(boolean force) {
      pageLock.lock();
      try {
        if (!force && reserved.get() + pageSize > maxBytes) {
          return 0;
        }
        int p;
        if (idleCount > 0) {
          p = idlePages[--idleCount];
        } else {
          if (newPages == maxPages) {
            if (force) {
              throw new IllegalStateException("the off-heap store has no page left (" + maxPages + " pages)");
            }
            return 0;
          }
          ByteBuffer b;
          try {
            b = ByteBuffer.allocateDirect(pageSize).order(ByteOrder.LITTLE_ENDIAN);
          } catch (OutOfMemoryError e) {
            if (force) {
              throw new IllegalStateException("the off-heap store could not allocate a page of direct memory "
                  + "(raise -XX:MaxDirectMemorySize above max-memory)", e);
            }
            return 0;
          }
          p = ++newPages;
          pageBuffers[p] = b;
        }
        pageOwner[p] = id;
        reserved.addAndGet(pageSize);
        return p;
      } finally {
        pageLock.unlock();
      }
    }

    private void releasePage(int p) {
      pageLock.lock();
      try {
        pageOwner[p] = -1;
        idlePages[idleCount++] = p;
        reserved.addAndGet(-pageSize);
      } finally {
        pageLock.unlock();
      }
    }

    /**
     * CLOCK: advances the hand over this segment's slots, decrementing non-zero counters, to the first
     * entry whose counter is zero; returns its slot (the hand stays on it), or -1 if the segment is
     * empty.
     */
    private int clockVictim() {
      if (count == 0) {
        return -1;
      }
      int mask = slots.length - 1;
      for (;; hand = (hand + 1) & mask) {
        int e = slots[hand];
        if (e == 0) {
          continue;
        }
        int ref = refOf(e);
        int count = countOf(ref);
        if (count == 0) {
          return hand;
        }
        setCount(ref, count - 1);
      }
    }

    /** Evicts every entry on page p (which then returns to the pool). */
    private void evictPage(int p) {
      if (p == 0) {
        return;
      }
      while (pageOwner[p] == id && pageLive[p] > 0) {
        for (int i = 0; i < slots.length; ) {
          int e = slots[i];
          int ref = refOf(e);
          if (e != 0 && (ref & JUMBO) == 0 && ref >>> offsetBits == p) {
            deleteAt(i); // an entry from later in the run may shift into i: look again
            evictions.increment();
            if (pageOwner[p] != id) {
              return; // emptied and released (and possibly already taken by another segment)
            }
          } else {
            i++;
          }
        }
      }
    }

    /** Frees memory toward the bound: the next CLOCK victim if a jumbo, else its whole page. */
    void evictForBudget() {
      int victim = clockVictim();
      if (victim < 0) {
        return;
      }
      int ref = refOf(slots[victim]);
      if ((ref & JUMBO) != 0) {
        deleteAt(victim);
        evictions.increment();
      } else {
        evictPage(ref >>> offsetBits);
      }
    }

    /**
     * Adds the entries whose position is in [from, from + about CHUNK_SLOTS slots) and whose ring hash
     * is in {@code index} to {@code chunk}, with their TTL (-2 for expired ones, added only
     * {@code withExpired}); copies of their keys and values only {@code withValues}. Returns the end
     * of that interval.
     */
    long collect(long from, RangeIndex index, long now, boolean withExpired, boolean withValues, Chunk chunk) {
      int[] lengths = chunk.lengths; // the walk's own: walks run concurrently under the read lock
      int shift = 32 - bits;
      long to = chunkEnd(from);
      int mask = slots.length - 1;
      int first = (int) (from >>> shift);
      int last = (int) ((to - 1) >>> shift);
      // first the hashes of the slots in reach, in a loop that nothing in it waits for: each is a
      // read of its entry in direct memory (a cache miss), and the processor overlaps them
      int[] ms = chunk.slotHashes;
      int reach = 0;
      for (int n = 0, i = first; n <= mask; n++, i = (i + 1) & mask) {
        int e = slots[i];
        if (e == 0 && n > last - first) {
          break;
        }
        if (reach == ms.length) {
          ms = chunk.slotHashes = Arrays.copyOf(ms, reach * 2);
        }
        ms[reach++] = e == 0 ? 0 : hashAt(e);
      }
      for (int n = 0, i = first; n < reach; n++, i = (i + 1) & mask) {
        int e = slots[i];
        if (e == 0) {
          continue;
        }
        int m = ms[n];
        long position = position(m);
        if (position >= from && position < to) {
          int ringHash = unmix(m);
          if (index.contains(ringHash)) {
            int ref = refOf(e);
            long deadline = deadline(ref);
            if (deadline != NO_DEADLINE && deadline - now <= 0) {
              if (withExpired) {
                chunk.add(ringHash, ref, -2);
              }
            } else {
              long ttl = deadline == NO_DEADLINE ? NO_TTL : deadline - now;
              if (withValues) {
                ByteBuffer b = buffer(ref);
                int at = keyStart(b, offset(ref), lengths);
                chunk.add(b, at, lengths[0], lengths[1], ringHash, ref, ttl);
              } else {
                chunk.add(ringHash, ref, ttl);
              }
            }
          }
        }
      }
      return to;
    }
  }
}
