package io.ringcache.node.cluster;

import io.ringcache.node.store.Store;

/*
 * Entries cross from node to node (RING.IMPORT batches, RING.READ answers) with their ABSOLUTE
 * expiry time, in Unix milliseconds (-1: none), never a remaining TTL: a batch that waits in a
 * socket buffer or behind a paused process must not come out living longer than it would have at
 * the source. The sender turns the entry's deadline into Unix time through its clock's wall offset
 * (Clock.wallOffsetNanos), rounded down to the millisecond; the receiver turns it back the same way
 * when it stores the entry (Store.putIfAbsentUntil). Neither reads a clock in between, so no pause can
 * shift the expiry, and rounding down means the entry never outlives the source's.
 * This assumes the nodes' wall clocks agree (NTP), as Redis's MIGRATE with ABSTTL does.
 */

/** Converts between a store's remaining TTL and the absolute expiry time sent between nodes. */
public final class Expiry {

  /** No expiry, on the wire. */
  public static final long NONE = -1;

  private Expiry() {}

  /**
   * The absolute expiry (Unix ms, rounded down) of an entry whose deadline on a store's monotonic
   * clock is {@code deadline} ({@link Store#NO_DEADLINE}: {@link #NONE}), the clock's wall offset
   * being {@code wallOffsetNanos}. A deadline set from an absolute time in ms comes back as that time.
   */
  public static long ofDeadline(long deadline, long wallOffsetNanos) {
    if (deadline == Store.NO_DEADLINE) {
      return NONE;
    }
    return Math.floorDiv(deadline + wallOffsetNanos, 1_000_000L);
  }
}
