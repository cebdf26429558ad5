package io.ringcache.node.cluster;

import io.ringcache.node.store.Store;
import java.util.concurrent.TimeUnit;

/*
 * Entries cross from node to node (RING.IMPORT batches, RING.READ answers) with their ABSOLUTE
 * expiry time, in Unix milliseconds (-1: none), never a remaining TTL: a batch that waits in a
 * socket buffer or behind a paused process must not come out living longer than it would have at
 * the source. The receiver turns it back into its own remaining TTL when it applies the entry.
 * This assumes the nodes' wall clocks agree (NTP), as Redis's MIGRATE with ABSTTL does.
 */

/** Converts between a store's remaining TTL and the absolute expiry time sent between nodes. */
public final class Expiry {

  /** No expiry, on the wire. */
  public static final long NONE = -1;

  private Expiry() {}

  /** The absolute expiry (Unix ms) of an entry with {@code ttlNanos} left now; {@link #NONE} for none. */
  public static long absoluteMillis(long ttlNanos) {
    if (ttlNanos == Store.NO_TTL) {
      return NONE;
    }
    // round up: an entry never expires here before it does at the source by rounding
    return System.currentTimeMillis() + Math.max(1, (ttlNanos + 999_999) / 1_000_000);
  }

  /**
   * The TTL left, in nanoseconds, of an entry that expires at {@code expireAtMillis};
   * {@link Store#NO_TTL} for {@link #NONE}, 0 if it has already expired.
   */
  public static long remainingNanos(long expireAtMillis) {
    if (expireAtMillis < 0) {
      return Store.NO_TTL;
    }
    long left = expireAtMillis - System.currentTimeMillis();
    return left <= 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(left);
  }
}
