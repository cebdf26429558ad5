package io.ringcache.node.store;

import io.netty.buffer.ByteBuf;
import io.ringcache.resp.Resp;
import io.ringcache.ring.HashRange;
import java.util.List;

/**
 * A memory-bounded map from binary keys to binary values with per-entry time to live; safe for
 * concurrent use by every worker loop, and no method blocks.
 *
 * <p>Durations are in nanoseconds of the store's {@link Clock}. {@link #NO_TTL} means "never
 * expires". A deadline is an instant of the clock's {@link Clock#nanoTime()} ({@link
 * #NO_DEADLINE}: none): the {@code ...Until} methods take one, so that a caller that turned an
 * absolute time into it (or read the clock once and added a TTL) stores exactly that instant, with
 * no second clock reading in between. Values handed to the store are kept as they are (not copied) and must not be changed by
 * the caller afterwards; values returned must not be changed either.
 */
public interface Store {

  /** A time to live meaning "never expires". */
  long NO_TTL = -1;

  /**
   * The longest time to live a store keeps as one (2^60 ns, about 36 years): a caller with a longer
   * one (Redis allows TTLs up to 2^63 ms) clamps it to this, since every store takes a duration far
   * beyond it (2^61 ns) for "never expires".
   */
  long MAX_TTL_NANOS = 1L << 60;

  /** A deadline meaning "never expires". */
  long NO_DEADLINE = Long.MIN_VALUE;

  /** What {@link #deadline} answers for an absent key (no real deadline equals it). */
  long ABSENT = Long.MIN_VALUE + 1;

  /** When {@link #set} writes. */
  enum Condition {
    /** Whether or not the key is present (plain SET). */
    ALWAYS,
    /** Only if the key is absent (SET NX). */
    IF_ABSENT,
    /** Only if the key is present (SET XX). */
    IF_PRESENT
  }

  /** The value of {@code key}, or null if absent or expired. (Hits and misses are counted by the caller.) */
  byte[] get(Key key);

  /**
   * As {@link #get}, written as a RESP bulk string ({@code $len\r\n value \r\n}) to {@code out}:
   * the value is copied once, from where the store keeps it into {@code out}, with no copy on the
   * heap in between. Writes nothing if the key is absent or expired.
   *
   * @return whether the key was present
   */
  default boolean writeBulk(Key key, ByteBuf out) {
    byte[] value = get(key);
    if (value == null) {
      return false;
    }
    Resp.bulk(out, value);
    return true;
  }

  /**
   * As {@link #writeBulk(Key, ByteBuf)} for the key {@code key} whose placement hash is
   * {@code ringHash}, with no {@link Key} made: GET's path. The array is borrowed: the store reads
   * it during the call only (the caller reuses it for the next request).
   */
  default boolean writeBulk(byte[] key, int ringHash, ByteBuf out) {
    return writeBulk(Key.of(key.clone(), ringHash), out);
  }

  /**
   * The length of {@code key}'s value, or -1 if absent or expired, without copying the value: what
   * EXEC weighs a transaction by before running it. The default copies it.
   */
  default int valueLength(Key key) {
    byte[] value = get(key);
    return value == null ? -1 : value.length;
  }

  /**
   * A hint before a pipelined batch's lookups: reads what the lookups of the first {@code count} of
   * these placement hashes will read first (their slots and entries), all at once, so that their
   * cache misses overlap instead of coming one request at a time. Changes nothing; the default does
   * nothing.
   *
   * @return a value derived from what was read, for the caller to keep (so the reads are not elided)
   */
  default int prefetch(int[] ringHashes, int count) {
    return 0;
  }

  /** Whether {@code key} is present, without counting a hit or miss. */
  boolean contains(Key key);

  /**
   * Stores {@code value} under {@code key} if {@code condition} holds.
   *
   * @param ttlNanos the time to live, {@link #NO_TTL}, or ignored when {@code keepTtl}
   * @param keepTtl keep the present entry's time to live (SET KEEPTTL)
   * @return whether the value was stored, and the value present before (null if none)
   */
  SetResult set(Key key, byte[] value, long ttlNanos, boolean keepTtl, Condition condition);

  /**
   * As {@link #set}, without the value present before (which a store may have to copy to return).
   *
   * @return whether the value was stored
   */
  default boolean put(Key key, byte[] value, long ttlNanos, boolean keepTtl, Condition condition) {
    return set(key, value, ttlNanos, keepTtl, condition).stored();
  }

  /**
   * As {@link #put(Key, byte[], long, boolean, Condition)} for the key {@code key} whose placement
   * hash is {@code ringHash} and the value held in {@code valueLength} bytes of {@code value} from
   * index {@code valueIndex}: SET's path, where a store copies the value once, from the request's
   * buffer to where it keeps it, and makes no {@link Key}. Both are borrowed: read during the call
   * only, and {@code value}'s indexes are left unchanged. (The default copies both onto the heap.)
   */
  default boolean put(byte[] key, int ringHash, ByteBuf value, int valueIndex, int valueLength, long ttlNanos,
      boolean keepTtl, Condition condition) {
    byte[] v = new byte[valueLength];
    value.getBytes(valueIndex, v);
    return put(Key.of(key.clone(), ringHash), v, ttlNanos, keepTtl, condition);
  }

  /**
   * As {@link #set}, the entry expiring at {@code deadline} ({@link #NO_DEADLINE}: never; one not
   * after the clock's present reading: the write wins and the entry is gone at once).
   */
  SetResult setUntil(Key key, byte[] value, long deadline, boolean keepTtl, Condition condition);

  /** As {@link #setUntil}, without the value present before. */
  default boolean putUntil(Key key, byte[] value, long deadline, boolean keepTtl, Condition condition) {
    return setUntil(key, value, deadline, keepTtl, condition).stored();
  }

  /**
   * As {@link #put(byte[], int, ByteBuf, int, int, long, boolean, Condition)}, the entry expiring
   * at {@code deadline}: SET's path for every SET, with or without an expiry.
   */
  default boolean putUntil(byte[] key, int ringHash, ByteBuf value, int valueIndex, int valueLength, long deadline,
      boolean keepTtl, Condition condition) {
    byte[] v = new byte[valueLength];
    value.getBytes(valueIndex, v);
    return putUntil(Key.of(key.clone(), ringHash), v, deadline, keepTtl, condition);
  }

  /** Removes {@code key}; returns its value, or null if it was absent. */
  byte[] remove(Key key);

  /** Removes {@code key}; returns whether it was present. As {@link #remove}, without the value. */
  default boolean delete(Key key) {
    return remove(key) != null;
  }

  /** The remaining time to live of {@code key}: {@link #NO_TTL}, or -2 if absent. */
  long ttlNanos(Key key);

  /**
   * Sets the time to live of a present key ({@link #NO_TTL} removes it; a value {@code <= 0}
   * deletes the key). Returns false if the key is absent.
   */
  boolean expire(Key key, long ttlNanos);

  /**
   * As {@link #expire}, the key expiring at {@code deadline} ({@link #NO_DEADLINE} removes its
   * expiry; one not after the clock's present reading deletes the key).
   */
  boolean expireUntil(Key key, long deadline);

  /** The deadline of {@code key}: {@link #NO_DEADLINE} if it has none, {@link #ABSENT} if absent or expired. */
  long deadline(Key key);

  /** The clock this store's deadlines are instants of. */
  Clock clock();

  /**
   * Atomically adds {@code delta} to the decimal integer stored at {@code key} (absent counts as 0),
   * keeping its time to live.
   *
   * @throws NumberFormatException if the value is not a 64-bit decimal integer
   * @throws ArithmeticException if the result overflows
   */
  long increment(Key key, long delta);

  /**
   * Atomically replaces the value of {@code key} with {@code update.apply(current)} ({@code current}
   * null if absent), keeping its time to live (a new entry gets none), as APPEND and SETRANGE need.
   * When {@code update} returns null nothing changes. {@code update} runs under the store's lock for
   * the key: it must be quick and must not call the store.
   *
   * @return the value held after the call (null if absent and left so)
   */
  byte[] update(Key key, java.util.function.UnaryOperator<byte[]> update);

  /** The number of entries (expired entries not yet collected may be counted). */
  long size();

  /**
   * The number of entries with a time to live (INFO's {@code expires=}); like {@link #size()}, expired
   * entries not yet collected may be counted.
   */
  long timedSize();

  /** The bytes the entries weigh (keys, values and per-entry overhead). */
  long usedBytes();

  /** The bound on {@link #usedBytes()}. */
  long maxBytes();

  /** Removes every entry. */
  void clear();

  /** Runs pending maintenance now: evicts to the bound and drops expired entries. */
  void cleanUp();

  /**
   * One step of a stateless cursor over the keys, in ring-hash order. Start with cursor 0; the
   * returned {@link ScanPage#nextCursor()} is 0 when the walk is done. A key present for the whole walk
   * is returned exactly once; at least about {@code count} keys come back per step when there are
   * that many left.
   */
  ScanPage scan(long cursor, int count);

  /**
   * Stores an entry that comes from another node unless {@code key} is present: the value, and its
   * absolute expiry in Unix milliseconds ({@code expireAtMillis < 0}: none). Nothing is stored if
   * it has already expired. The store turns the expiry into its deadline through {@link
   * Clock#wallOffsetNanos()}, exactly: the entry expires at the instant sent, no later.
   *
   * @return whether it was stored
   */
  boolean putIfAbsentUntil(Key key, byte[] value, long expireAtMillis);

  /**
   * As {@link #putIfAbsentUntil(Key, byte[], long)} for the key {@code key} whose placement hash is
   * {@code ringHash} and the value held in {@code valueLength} bytes of {@code value} from index
   * {@code valueIndex}: a streamed entry applied straight from the batch's buffer, copied once into
   * the store and with no {@link Key} made. Both are borrowed: read during the call only, and
   * {@code value}'s indexes are left unchanged. (The default copies both onto the heap.)
   */
  default boolean putIfAbsentUntil(byte[] key, int ringHash, ByteBuf value, int valueIndex, int valueLength,
      long expireAtMillis) {
    byte[] v = new byte[valueLength];
    value.getBytes(valueIndex, v);
    return putIfAbsentUntil(Key.of(key.clone(), ringHash), v, expireAtMillis);
  }

  /**
   * Visits each entry whose key's ring hash falls in one of {@code ranges}, one at a time on the
   * calling thread. Each entry's TTL is measured after the previous visit returned (after this
   * call began, for the first): a visitor that reads the wall clock at the end of each visit can
   * turn the next TTL into an absolute expiry that is never late.
   */
  default void forEachInRanges(List<HashRange> ranges, EntryVisitor visitor) {
    forEachInRanges(ranges, 0, visitor);
  }

  /**
   * As {@link #forEachInRanges(List, EntryVisitor)}, in {@link #parts()} parts visited in order,
   * starting at part {@code fromPart}; after the last entry of each part the visitor hears
   * {@link EntryVisitor#partDone}. A key present throughout the walk lies in exactly one part, and
   * a walk started at part p visits every such key of parts p and later: a walk cut short resumes
   * at the first part whose entries were not all handled, without visiting the others again.
   */
  void forEachInRanges(List<HashRange> ranges, int fromPart, EntryVisitor visitor);

  /** How many parts a walk of {@link #forEachInRanges(List, int, EntryVisitor)} has (at least 1). */
  default int parts() {
    return 1;
  }

  /** Removes each entry whose key's ring hash falls in one of {@code ranges}; returns how many. */
  long removeInRanges(List<HashRange> ranges);

  /** Counters since start. */
  StoreStats stats();

  /** The name of the eviction policy, as INFO reports it ({@code maxmemory_policy}). */
  String evictionPolicy();

  /** What {@link #set} did. */
  record SetResult(boolean stored, byte[] previous) {}

  /** A page of {@link #scan}. */
  record ScanPage(long nextCursor, List<Key> keys) {}

  /** Receives entries from {@link #forEachInRanges}. */
  @FunctionalInterface
  interface EntryVisitor {
    /**
     * @param ttlNanos the remaining time to live, or {@link Store#NO_TTL}
     */
    void visit(Key key, byte[] value, long ttlNanos);

    /**
     * As {@link #visit}, for a store that holds the key and the value in one array: both are read
     * from {@code bytes} at the spans given, which must not be written to or kept after the call
     * returns (the array is the store's). The default copies them out and calls {@link #visit};
     * a visitor that only copies the bytes elsewhere (a handoff's stream) overrides it to skip
     * those copies.
     *
     * @param ringHash the key's ring hash
     * @param ttlNanos the remaining time to live, or {@link Store#NO_TTL}
     */
    default void visitBytes(byte[] bytes, int keyOffset, int keyLength, int valueOffset, int valueLength,
        int ringHash, long ttlNanos) {
      visit(Key.of(java.util.Arrays.copyOfRange(bytes, keyOffset, keyOffset + keyLength), ringHash),
          java.util.Arrays.copyOfRange(bytes, valueOffset, valueOffset + valueLength), ttlNanos);
    }

    /**
     * As {@link #visit}, with the entry's deadline ({@link Store#NO_DEADLINE}: none), exact: a
     * visitor that turns it into an absolute expiry needs no clock reading. The stores call this
     * form (or {@link #visitBytesUntil}); the default drops the deadline and calls {@link #visit}.
     */
    default void visitUntil(Key key, byte[] value, long ttlNanos, long deadline) {
      visit(key, value, ttlNanos);
    }

    /** As {@link #visitBytes}, with the entry's deadline (see {@link #visitUntil}). */
    default void visitBytesUntil(byte[] bytes, int keyOffset, int keyLength, int valueOffset, int valueLength,
        int ringHash, long ttlNanos, long deadline) {
      visitBytes(bytes, keyOffset, keyLength, valueOffset, valueLength, ringHash, ttlNanos);
    }

    /** Every entry of part {@code part} has been visited. */
    default void partDone(int part) {}
  }
}
