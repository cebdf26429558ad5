package io.ringcache.router.proxy;

import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.Topology;
import java.util.function.Supplier;

/**
 * Who serves a key: the {@link RoutingTable} of the router's live topology, built once per epoch and
 * shared by every event loop.
 */
final class Routes {

  private final Supplier<Topology> topology;
  private volatile RoutingTable table;

  Routes(Supplier<Topology> topology) {
    this.topology = topology;
  }

  /** The table of the router's current topology. */
  RoutingTable current() {
    Topology t = topology.get();
    RoutingTable cached = table;
    if (cached == null || cached.topology() != t) {
      cached = RoutingTable.of(t);
      table = cached;
    }
    return cached;
  }
}
