package io.ringcache.ring;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/*
 * Routing during handoffs. The topology's ring is the new membership (a leaving node is LEAVING, out
 * of the ring), so without handoffs the ring owner is the owner. A handoff moves ranges R from S to
 * T in steps; while it is PREPARED, S still serves R; from SEALED on, T does (answering -TRYAGAIN
 * until it is ACTIVE). Handoffs of one topology cover disjoint ranges, so at most one applies.
 *
 * Built once per topology (it holds the ring, an address map and a RangeIndex of the handoffs'
 * ranges) and shared between threads; a lookup allocates nothing.
 */

/** Which node serves a key under one topology, handoffs included: the rule clients, proxy and nodes share. */
public final class RoutingTable {

  private final Topology topology;
  private final HashRing ring;
  private final Map<String, NodeInfo> nodes = new HashMap<>();
  private final Handoff[] handoffs;
  private final RangeIndex handoffRanges;
  private final HashTag hashTag;

  private RoutingTable(Topology topology) {
    this.topology = topology;
    this.hashTag = topology.keyHash();
    this.ring = topology.ring();
    for (NodeInfo node : topology.nodes()) {
      nodes.put(node.name(), node);
    }
    this.handoffs = topology.handoffs().toArray(Handoff[]::new);
    this.handoffRanges = RangeIndex.ofTagged(topology.handoffs().stream().map(Handoff::ranges).toList());
  }

  public static RoutingTable of(Topology topology) {
    return new RoutingTable(topology);
  }

  public Topology topology() {
    return topology;
  }

  public long epoch() {
    return topology.epoch();
  }

  public HashRing ring() {
    return ring;
  }

  /** The handoff whose ranges hold {@code hash}, or null. */
  public Handoff handoffCovering(int hash) {
    if (handoffs.length == 0) {
      return null;
    }
    int tag = handoffRanges.tagOf(hash);
    return tag < 0 ? null : handoffs[tag];
  }

  /**
   * The name of the node that serves a key of placement hash {@code hash} ({@link #hashTag()}): the handoff's source while it is
   * {@link HandoffPhase#PREPARED}, its target after that, otherwise the ring owner.
   *
   * @throws IllegalStateException if no node is in the ring
   */
  public String serverOfHash(int hash) {
    Handoff handoff = handoffCovering(hash);
    if (handoff != null) {
      return handoff.phase() == HandoffPhase.PREPARED ? handoff.from() : handoff.to();
    }
    return ring.ownerOfHash(hash);
  }

  /** The node that serves {@code key}. */
  public String serverOf(byte[] key) {
    return serverOfHash(hashTag.hash(key));
  }

  /** How keys are hashed for placement under this table's topology (its hash tag, if any). */
  public HashTag hashTag() {
    return hashTag;
  }

  /** The node called {@code name}, or null. */
  public NodeInfo node(String name) {
    return nodes.get(name);
  }

  /** The address clients use for {@code name}; the name itself for a node the topology does not list. */
  public String addressOf(String name) {
    NodeInfo node = nodes.get(name);
    return node == null ? name : node.address();
  }

  public List<Handoff> handoffs() {
    return topology.handoffs();
  }
}
