package io.ringcache.ring;

import static io.ringcache.ring.Checks.requireArgument;

import java.util.Objects;

/**
 * A node of the cluster.
 *
 * @param name its ring identity, the string an nginx {@code server} line would hold (usually
 *     {@code host:port}); placement depends on it and on nothing else but the weight
 * @param address where clients and other nodes connect to it, {@code host:port}
 * @param weight its number of ring points divided by {@value HashRing#POINTS_PER_WEIGHT}
 * @param state whether it serves and whether it is in the ring
 * @param incarnation the random identity of the node's process that the router admitted; 0 when
 *     not known yet. A node adopts only topologies that name its own incarnation, so a restarted
 *     process is never taken for the one that held the node's data (see ARCHITECTURE, fencing)
 */
public record NodeInfo(String name, String address, int weight, NodeState state, long incarnation) {

  /** A node whose process is not known yet (incarnation 0). */
  public NodeInfo(String name, String address, int weight, NodeState state) {
    this(name, address, weight, state, 0);
  }

  public NodeInfo {
    Objects.requireNonNull(name, "name");
    requireArgument(!name.isBlank(), "node name must not be blank");
    requireArgument(weight > 0, "weight must be positive: %s (node %s)", weight, name);
    requireArgument(
        weight <= HashRing.MAX_WEIGHT,
        "weight must be at most %s: %s (node %s)",
        HashRing.MAX_WEIGHT,
        weight,
        name);
    if (address == null || address.isBlank()) {
      address = name;
    }
    if (state == null) {
      state = NodeState.UP;
    }
  }

  /** A node that is up, at the address its name gives. */
  public static NodeInfo of(String name, int weight) {
    return new NodeInfo(name, name, weight, NodeState.UP);
  }

  public NodeInfo withState(NodeState newState) {
    return new NodeInfo(name, address, weight, newState, incarnation);
  }

  public NodeInfo withWeight(int newWeight) {
    return new NodeInfo(name, address, newWeight, state, incarnation);
  }

  public NodeInfo withIncarnation(long newIncarnation) {
    return new NodeInfo(name, address, weight, state, newIncarnation);
  }
}
