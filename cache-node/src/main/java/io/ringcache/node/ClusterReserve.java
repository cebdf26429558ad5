package io.ringcache.node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/*
 * Room beyond max-clients for the cluster's own connections.
 *
 * Any client that can reach the port can hold every max-clients slot: idle connections cost it
 * nothing, and without a password it needs none (each is closed after auth-timeout, and opened
 * again). If the router's control connection then breaks (the router restarted, a network blip, a
 * heartbeat that timed out) it cannot connect again, its heartbeats miss, and the node is ejected
 * once its lease ran out, then re-admitted flushed when the flood ends: an abuse of the client limit
 * became lost data. Peer streams of a handoff were refused the same way.
 *
 * So a connection beyond max-clients is not refused at once: up to cluster-reserve of them wait,
 * for at most WAIT_MILLIS, for their first command, which decides. AUTH or HELLO that authenticates
 * the connection as the cluster user, or a RING.* command from a connection that may run the
 * cluster-internal commands (a loopback peer when the node has no cluster secret), admits it;
 * anything else, or silence, gets Redis's "max number of clients reached" and the close, as before.
 * The router and the peers send their AUTH first, at once, so they pass; a client sees the same
 * refusal as reply to its first command, and only a client that sends nothing waits WAIT_MILLIS.
 *
 * Idle connections cannot hold the reserve either: when it is full, a waiting connection is refused
 * to make room for the newest, the oldest of the source address that has the most waiting. A flood
 * from other addresses than the router's only ever displaces its own connections, however fast it
 * opens them; a flood from the router's own address must open cluster-reserve connections within
 * the millisecond between the router's connect and its AUTH. bench/client-flood.sh, 15,000-24,000
 * silent connections/s: from another address every router connect was admitted (from its own
 * address a third, or none); without the reserve none was.
 */

/** Connections beyond max-clients that wait for their first command to show they are the cluster's. */
final class ClusterReserve {

  /** How long a connection beyond max-clients may stay silent before it is refused. */
  static final long WAIT_MILLIS = 500;

  /** A connection waiting in the reserve. */
  interface Waiter {
    /** Refuses the connection unless it was admitted meanwhile; called from any thread. */
    void refuseWaiting();
  }

  private record Entry(Waiter waiter, Object source) {}

  private final int size;
  /** In arrival order; at most size entries. Guarded by this. */
  private final List<Entry> waiting = new ArrayList<>();

  /** @param size how many connections may wait at once; 0 refuses every connection beyond max-clients at once */
  ClusterReserve(int size) {
    this.size = size;
  }

  /**
   * Lets {@code waiter}'s connection, from {@code source} (its address), wait for its first
   * command; when the reserve is full, the oldest waiting connection of the source with the most
   * waiting is refused to make room. False when the reserve is 0.
   */
  boolean enter(Waiter waiter, Object source) {
    if (size == 0) {
      return false;
    }
    Waiter displaced = null;
    synchronized (this) {
      waiting.add(new Entry(waiter, source));
      if (waiting.size() > size) {
        displaced = waiting.remove(indexToDisplace()).waiter();
      }
    }
    if (displaced != null) {
      displaced.refuseWaiting();
    }
    return true;
  }

  /** The index of the oldest entry of the source with the most entries (the oldest such source on a tie). */
  private int indexToDisplace() {
    Map<Object, Integer> counts = new HashMap<>();
    Object most = null;
    int mostCount = 0;
    for (Entry e : waiting) {
      int n = counts.merge(e.source(), 1, Integer::sum);
      if (n > mostCount) {
        mostCount = n;
        most = e.source();
      }
    }
    for (int i = 0; i < waiting.size(); i++) {
      if (java.util.Objects.equals(waiting.get(i).source(), most)) {
        return i;
      }
    }
    return 0;
  }

  /** {@code waiter}'s connection no longer waits: admitted, refused or closed. */
  synchronized void leave(Waiter waiter) {
    waiting.removeIf(e -> e.waiter() == waiter);
  }

  /** Connections waiting now. */
  synchronized int waiting() {
    return waiting.size();
  }
}
