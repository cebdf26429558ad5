package io.ringcache.node.cluster;

import io.ringcache.node.store.Store;

/*
 * Entries cross from node to node (RING.IMPORT batches, RING.READ answers) with their ABSOLUTE
 * expiry time, in Unix milliseconds (-1: none), never a remaining TTL: a batch that waits in a
 * socket buffer or behind a paused process must not come out living longer than it would have at
 * the source. The receiver turns it back into its own deadline when it stores the entry
 * (Store.putIfAbsentUntil). Each conversion reads the two clocks in the order that makes a pause
 * between the readings shorten the entry's life, never lengthen it.
 * This assumes the nodes' wall clocks agree (NTP), as Redis's MIGRATE with ABSTTL does.
 */

/** Converts between a store's remaining TTL and the absolute expiry time sent between nodes. */
public final class Expiry {

  /** No expiry, on the wire. */
  public static final long NONE = -1;

  private Expiry() {}

  /**
   * The absolute expiry (Unix ms) of an entry with {@code ttlNanos} left, measured AFTER the wall
   * clock read {@code wallMillis}; {@link #NONE} for none. Reading the wall clock first means that
   * a pause between the two readings makes the entry expire earlier, never later.
   */
  public static long absoluteMillis(long wallMillis, long ttlNanos) {
    if (ttlNanos == Store.NO_TTL) {
      return NONE;
    }
    // round up: an entry never expires here before it does at the source by rounding
    return wallMillis + Math.max(1, (ttlNanos + 999_999) / 1_000_000);
  }
}
