package io.ringcache.node.cluster;

import io.ringcache.ring.HashRing;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.Topology;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/*
 * The node's view of the cluster: the one seam that decides, for a key's ring hash, whether this node
 * serves it.
 *
 *  - Standalone (no topology ever adopted): every key is served. The fast path is one volatile read
 *    and a null test.
 *  - With a topology: the owner is topology.ring().ownerIndexOfHash(hash) (nginx placement, see
 *    HashRing). A Route is precomputed for each node of the ring when the topology is adopted (SERVE
 *    for this node, REDIRECT with its "MOVED <epoch> <address>" text for the others), so a lookup is a
 *    binary search and an array read: no allocation, and routes compare by identity (a multi-key
 *    command spans owners iff two of its keys get different Route instances).
 *  - Adoption is monotonic in the epoch: a topology is taken only if its epoch is newer. The view is
 *    replaced whole (immutable View in a volatile field), so a reader sees one epoch consistently.
 *
 * Handoff phases (TRYAGAIN while a range is prepared, read-through, tombstones) belong on top of this
 * class: route() is where a prepared range would answer TRYAGAIN; it does not do so yet.
 */

/** Decides which keys this node serves, from the latest topology it adopted. */
public final class ClusterState {

  /** What to do with a request for a key. */
  public enum Action {
    /** This node owns the key: execute the command. */
    SERVE,
    /** Another node owns the key: answer {@code -MOVED <epoch> <address>}. */
    REDIRECT,
    /** No node can serve the key right now: answer {@code -TRYAGAIN}. */
    TRYAGAIN
  }

  /** A routing decision; instances are shared, compare them by identity. */
  public static final class Route {
    /** Serve here. */
    public static final Route SERVE = new Route(Action.SERVE, null, null);

    private final Action action;
    private final String address;
    private final String error;

    private Route(Action action, String address, String error) {
      this.action = action;
      this.address = address;
      this.error = error;
    }

    public Action action() {
      return action;
    }

    /** The owner's advertised address for {@link Action#REDIRECT}, else null. */
    public String address() {
      return address;
    }

    /** The error reply without its leading '-', e.g. {@code MOVED 3 127.0.0.1:7002}; null for SERVE. */
    public String error() {
      return error;
    }

    @Override
    public String toString() {
      return action == Action.SERVE ? "SERVE" : error;
    }
  }

  private record View(Topology topology, HashRing ring, Route[] routes, Route noOwner) {}

  private final String name;
  private final String advertisedAddress;
  private volatile View view;

  /**
   * @param name this node's ring identity (its name in topologies)
   * @param advertisedAddress where clients reach this node, {@code host:port}
   */
  public ClusterState(String name, String advertisedAddress) {
    this.name = Objects.requireNonNull(name, "name");
    this.advertisedAddress = Objects.requireNonNull(advertisedAddress, "advertisedAddress");
  }

  /** This node's name. */
  public String name() {
    return name;
  }

  /** This node's advertised address. */
  public String advertisedAddress() {
    return advertisedAddress;
  }

  /** Whether no topology was ever adopted (the node owns every key). */
  public boolean isStandalone() {
    return view == null;
  }

  /** The epoch of the topology held; 0 when standalone. */
  public long epoch() {
    View v = view;
    return v == null ? 0 : v.topology.epoch();
  }

  /**
   * The topology held; when standalone, a topology of epoch 0 with this node alone (weight 1, up).
   */
  public Topology topology() {
    View v = view;
    if (v == null) {
      return Topology.of(0, List.of(new NodeInfo(name, advertisedAddress, 1, NodeState.UP)));
    }
    return v.topology;
  }

  /** The decision for a key whose CRC32 is {@code keyHash}. Allocation-free. */
  public Route route(int keyHash) {
    View v = view;
    if (v == null) {
      return Route.SERVE;
    }
    if (v.ring.isEmpty()) {
      return v.noOwner;
    }
    return v.routes[v.ring.ownerIndexOfHash(keyHash)];
  }

  /**
   * Adopts {@code topology} if its epoch is newer than the one held.
   *
   * @return the epoch held afterwards
   */
  public synchronized long adopt(Topology topology) {
    Objects.requireNonNull(topology, "topology");
    View current = view;
    long held = current == null ? 0 : current.topology.epoch();
    if (topology.epoch() <= held) {
      return held;
    }
    HashRing ring = topology.ring();
    List<String> owners = ring.nodeNames();
    Route[] routes = new Route[owners.size()];
    for (int i = 0; i < routes.length; i++) {
      String owner = owners.get(i);
      if (owner.equals(name)) {
        routes[i] = Route.SERVE;
      } else {
        Optional<NodeInfo> node = topology.node(owner);
        String address = node.map(NodeInfo::address).orElse(owner);
        routes[i] = new Route(Action.REDIRECT, address, "MOVED " + topology.epoch() + " " + address);
      }
    }
    Route noOwner =
        new Route(Action.TRYAGAIN, null, "TRYAGAIN no node owns this key at epoch " + topology.epoch());
    view = new View(topology, ring, routes, noOwner);
    return topology.epoch();
  }
}
