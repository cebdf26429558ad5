package io.ringcache.ring;

import static io.ringcache.ring.Checks.requireArgument;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster's membership at one epoch: the nodes (in ring order) and the handoffs under way.
 * The router owns it and increases the epoch by one on every change; nodes and clients hold copies
 * and always know which epoch they act on.
 */
public record Topology(long epoch, List<NodeInfo> nodes, List<Handoff> handoffs) {

  public Topology {
    requireArgument(epoch >= 0, "epoch must not be negative: %s", epoch);
    nodes = nodes == null ? List.of() : List.copyOf(nodes);
    handoffs = handoffs == null ? List.of() : List.copyOf(handoffs);
    Set<String> names = new HashSet<>();
    for (NodeInfo node : nodes) {
      requireArgument(names.add(node.name()), "duplicate node: %s", node.name());
    }
  }

  /** A topology with these nodes and no handoff. */
  public static Topology of(long epoch, List<NodeInfo> nodes) {
    return new Topology(epoch, nodes, List.of());
  }

  /** The ring of the nodes that are in the ring, in topology order. */
  @JsonIgnore
  public HashRing ring() {
    return HashRing.of(nodes);
  }

  /** The node called {@code name}, if it is part of the topology. */
  public Optional<NodeInfo> node(String name) {
    return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
  }

  /** The same topology at the next epoch with {@code newNodes}. */
  public Topology next(List<NodeInfo> newNodes, List<Handoff> newHandoffs) {
    return new Topology(epoch + 1, newNodes, newHandoffs);
  }
}
