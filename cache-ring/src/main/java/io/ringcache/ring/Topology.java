package io.ringcache.ring;

import static io.ringcache.ring.Checks.requireArgument;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster's membership at one epoch: the nodes (in ring order), the handoffs under way, and how
 * keys are hashed for placement ({@code hashTag}: null for the whole key, else the two characters of
 * the hash tag, see {@link HashTag}). The router owns it and increases the epoch by one on every
 * change; nodes and clients hold copies and always know which epoch they act on.
 *
 * <p>{@code hashTag} is written only when set, so a cluster without tags keeps its document as
 * before, and readers ignore fields they do not know.
 */
public record Topology(long epoch, List<NodeInfo> nodes, List<Handoff> handoffs,
    @JsonInclude(JsonInclude.Include.NON_NULL) String hashTag) {

  public Topology {
    requireArgument(epoch >= 0, "epoch must not be negative: %s", epoch);
    hashTag = HashTag.of(hashTag).spec(); // validated; "" is null
    nodes = nodes == null ? List.of() : List.copyOf(nodes);
    handoffs = handoffs == null ? List.of() : List.copyOf(handoffs);
    Set<String> names = new HashSet<>();
    for (NodeInfo node : nodes) {
      requireArgument(names.add(node.name()), "duplicate node: %s", node.name());
    }
  }

  /** A topology without hash tags. */
  public Topology(long epoch, List<NodeInfo> nodes, List<Handoff> handoffs) {
    this(epoch, nodes, handoffs, null);
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
    return new Topology(epoch + 1, newNodes, newHandoffs, hashTag);
  }

  /** This topology with hash tags {@code spec} (null: off), at the same epoch. */
  public Topology withHashTag(String spec) {
    return new Topology(epoch, nodes, handoffs, spec);
  }

  /** How keys are hashed for placement under this topology. */
  @JsonIgnore
  public HashTag keyHash() {
    return HashTag.of(hashTag);
  }
}
