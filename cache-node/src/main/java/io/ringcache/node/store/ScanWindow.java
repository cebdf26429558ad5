package io.ringcache.node.store;

import java.util.ArrayList;
import java.util.List;

/**
 * One step of {@link Store#scan}'s stateless cursor: the interval [cursor, end) of the ring-hash
 * circle whose keys the step returns, sized so that about {@code count} keys (at least 1/64 of the
 * store) fall into it. Shared by every store so that a cursor means the same in each.
 */
record ScanWindow(long cursor, long end, long target) {

  /** The size of the ring-hash circle: cursors are in [0, 2^32). */
  static final long CIRCLE = 1L << 32;

  /**
   * @param size the number of entries (an estimate will do)
   * @throws IllegalArgumentException if {@code cursor} is not in [0, 2^32)
   */
  static ScanWindow of(long cursor, int count, long size) {
    if (cursor < 0 || cursor >= CIRCLE) {
      throw new IllegalArgumentException("cursor must be in [0, 2^32): " + cursor);
    }
    long n = Math.max(1, size);
    long target = Math.max(Math.max(1, count), n / 64);
    long window = target >= n ? CIRCLE : Math.max(1, (CIRCLE / n) * target);
    return new ScanWindow(cursor, Math.min(CIRCLE, cursor + window), target);
  }

  /** Whether a key with this ring hash belongs to the step. */
  boolean contains(int ringHash) {
    long h = Integer.toUnsignedLong(ringHash);
    return h >= cursor && h < end;
  }

  /** An empty list for the step's keys, sized for about twice the target (at most 2^16). */
  List<Key> newKeyList() {
    return new ArrayList<>((int) Math.min(target * 2, 1 << 16));
  }

  /** The page of {@code keys}, with the next cursor (0 when the circle is done). */
  Store.ScanPage page(List<Key> keys) {
    return new Store.ScanPage(end >= CIRCLE ? 0 : end, keys);
  }
}
