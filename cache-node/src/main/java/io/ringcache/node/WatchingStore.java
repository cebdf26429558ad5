package io.ringcache.node;

import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.node.store.StoreStats;
import io.ringcache.ring.HashRange;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A store that tells {@link KeyWatches} about every change made through it, exactly when Redis
 * would signal a modified key: a value stored, a key removed, a TTL set or removed, an increment,
 * an update that changed something, a flush or a dropped range of keys that were present. Reads
 * and changes that did not happen (SET NX on a present key, DEL of an absent one, PERSIST of a key
 * without TTL) signal nothing. Everything else is the wrapped store's.
 */
final class WatchingStore implements Store {

  private final Store store;
  private final KeyWatches watches;

  WatchingStore(Store store, KeyWatches watches) {
    this.store = store;
    this.watches = watches;
  }

  @Override
  public byte[] get(Key key) {
    return store.get(key);
  }

  @Override
  public int valueLength(Key key) {
    return store.valueLength(key);
  }

  @Override
  public boolean writeBulk(Key key, io.netty.buffer.ByteBuf out) {
    return store.writeBulk(key, out);
  }

  @Override
  public boolean writeBulk(byte[] key, int ringHash, io.netty.buffer.ByteBuf out) {
    return store.writeBulk(key, ringHash, out);
  }

  @Override
  public int prefetch(int[] ringHashes, int count) {
    return store.prefetch(ringHashes, count);
  }

  @Override
  public boolean put(byte[] key, int ringHash, io.netty.buffer.ByteBuf value, int valueIndex, int valueLength,
      long ttlNanos, boolean keepTtl, Condition condition) {
    return modified(store.put(key, ringHash, value, valueIndex, valueLength, ttlNanos, keepTtl, condition),
        key, ringHash);
  }

  @Override
  public boolean putUntil(byte[] key, int ringHash, io.netty.buffer.ByteBuf value, int valueIndex, int valueLength,
      long deadline, boolean keepTtl, Condition condition) {
    return modified(store.putUntil(key, ringHash, value, valueIndex, valueLength, deadline, keepTtl, condition),
        key, ringHash);
  }

  @Override
  public SetResult setUntil(Key key, byte[] value, long deadline, boolean keepTtl, Condition condition) {
    SetResult result = store.setUntil(key, value, deadline, keepTtl, condition);
    modified(result.stored(), key);
    return result;
  }

  @Override
  public boolean putUntil(Key key, byte[] value, long deadline, boolean keepTtl, Condition condition) {
    return modified(store.putUntil(key, value, deadline, keepTtl, condition), key);
  }

  @Override
  public boolean contains(Key key) {
    return store.contains(key);
  }

  @Override
  public SetResult set(Key key, byte[] value, long ttlNanos, boolean keepTtl, Condition condition) {
    SetResult result = store.set(key, value, ttlNanos, keepTtl, condition);
    modified(result.stored(), key);
    return result;
  }

  @Override
  public boolean put(Key key, byte[] value, long ttlNanos, boolean keepTtl, Condition condition) {
    return modified(store.put(key, value, ttlNanos, keepTtl, condition), key);
  }

  @Override
  public byte[] remove(Key key) {
    byte[] removed = store.remove(key);
    if (removed != null) {
      watches.signalModified(key);
    }
    return removed;
  }

  @Override
  public boolean delete(Key key) {
    return modified(store.delete(key), key);
  }

  @Override
  public long ttlNanos(Key key) {
    return store.ttlNanos(key);
  }

  @Override
  public boolean expire(Key key, long ttlNanos) {
    // removing a TTL the key does not have changes nothing (GETEX PERSIST, as Redis's removeExpire)
    boolean changes = ttlNanos != NO_TTL || !watches.watched(key) || store.ttlNanos(key) >= 0;
    boolean expired = store.expire(key, ttlNanos);
    if (expired && changes) {
      watches.signalModified(key);
    }
    return expired;
  }

  @Override
  public boolean expireUntil(Key key, long deadline) {
    // removing a deadline the key does not have changes nothing (as expire)
    boolean changes = deadline != NO_DEADLINE || !watches.watched(key) || store.ttlNanos(key) >= 0;
    boolean expired = store.expireUntil(key, deadline);
    if (expired && changes) {
      watches.signalModified(key);
    }
    return expired;
  }

  @Override
  public long deadline(Key key) {
    return store.deadline(key);
  }

  @Override
  public io.ringcache.node.store.Clock clock() {
    return store.clock();
  }

  @Override
  public long increment(Key key, long delta) {
    long result = store.increment(key, delta);
    watches.signalModified(key);
    return result;
  }

  @Override
  public byte[] update(Key key, UnaryOperator<byte[]> update) {
    if (!watches.watched(key)) {
      return store.update(key, update);
    }
    boolean[] changed = new boolean[1];
    byte[] result = store.update(key, current -> {
      byte[] next = update.apply(current);
      changed[0] = next != null;
      return next;
    });
    if (changed[0]) {
      watches.signalModified(key);
    }
    return result;
  }

  @Override
  public long size() {
    return store.size();
  }

  @Override
  public long timedSize() {
    return store.timedSize();
  }

  @Override
  public long usedBytes() {
    return store.usedBytes();
  }

  @Override
  public long maxBytes() {
    return store.maxBytes();
  }

  @Override
  public void clear() {
    watches.signalModifiedWhere(store::contains);
    store.clear();
  }

  @Override
  public void cleanUp() {
    store.cleanUp();
  }

  @Override
  public ScanPage scan(long cursor, int count) {
    return store.scan(cursor, count);
  }

  @Override
  public boolean putIfAbsentUntil(Key key, byte[] value, long expireAtMillis) {
    return modified(store.putIfAbsentUntil(key, value, expireAtMillis), key);
  }

  @Override
  public boolean putIfAbsentUntil(byte[] key, int ringHash, io.netty.buffer.ByteBuf value, int valueIndex,
      int valueLength, long expireAtMillis) {
    return modified(store.putIfAbsentUntil(key, ringHash, value, valueIndex, valueLength, expireAtMillis),
        key, ringHash);
  }

  @Override
  public void forEachInRanges(List<HashRange> ranges, EntryVisitor visitor) {
    store.forEachInRanges(ranges, visitor);
  }

  @Override
  public void forEachInRanges(List<HashRange> ranges, int fromPart, EntryVisitor visitor) {
    store.forEachInRanges(ranges, fromPart, visitor);
  }

  @Override
  public int parts() {
    return store.parts();
  }

  @Override
  public long removeInRanges(List<HashRange> ranges) {
    watches.signalModifiedWhere(key -> KeyWatches.inRanges(key, ranges) && store.contains(key));
    return store.removeInRanges(ranges);
  }

  @Override
  public StoreStats stats() {
    return store.stats();
  }

  @Override
  public String evictionPolicy() {
    return store.evictionPolicy();
  }

  /** Signals a watched {@code key}'s change if {@code stored}; returns {@code stored}. */
  private boolean modified(boolean stored, Key key) {
    if (stored) {
      watches.signalModified(key);
    }
    return stored;
  }

  /** As {@link #modified(boolean, Key)} for a borrowed key: a {@link Key} is made only when someone watches. */
  private boolean modified(boolean stored, byte[] key, int ringHash) {
    if (stored && watches.anyWatched()) {
      watches.signalModified(Key.of(key.clone(), ringHash));
    }
    return stored;
  }
}
