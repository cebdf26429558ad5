package io.ringcache.client;

import io.ringcache.ring.Crc32;
import io.ringcache.ring.Handoff;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/*
 * The client's routing rule, in one place, built once per topology:
 *
 *   1. A key hashes to crc32(key bytes) (Crc32.hash, as the ring places keys).
 *   2. If a handoff of the topology covers the hash, the key goes to the handoff's source (`from`)
 *      while the handoff is PREPARED (the target still answers -TRYAGAIN), and to its target
 *      (`to`) from SEALED on (the source would answer -MOVED).
 *   3. Otherwise the key goes to its ring owner: HashRing.ownerOfHash, the node of the first point
 *      at or after the hash.
 *
 * A node name becomes the address to connect to through the topology's NodeInfo.address(); the
 * ring owner lookup is an index into a parallel array, so routing a key costs one CRC, one binary
 * search and a scan of the handoffs under way (usually none), and allocates nothing.
 *
 * A standalone table (a node that has no topology, or a plain Redis that does not know
 * RING.TOPOLOGY) sends every key to one address.
 *
 * Immutable, shared between threads by a volatile reference in TopologyManager.
 */

/** Where each key goes under one topology. */
final class RoutingTable {

  private final long epoch;
  private final Topology topology;
  private final HashRing ring;
  private final String[] ownerAddresses;
  private final Handoff[] handoffs;
  private final String[] handoffFrom;
  private final String[] handoffTo;
  private final String standaloneAddress;
  private final List<String> addresses;

  private RoutingTable(Topology topology, String standaloneAddress) {
    this.topology = topology;
    this.standaloneAddress = standaloneAddress;
    if (topology == null) {
      this.epoch = 0;
      this.ring = HashRing.empty();
      this.ownerAddresses = new String[0];
      this.handoffs = new Handoff[0];
      this.handoffFrom = new String[0];
      this.handoffTo = new String[0];
      this.addresses = List.of(standaloneAddress);
      return;
    }
    this.epoch = topology.epoch();
    this.ring = topology.ring();
    List<String> names = ring.nodeNames();
    this.ownerAddresses = new String[names.size()];
    for (int i = 0; i < ownerAddresses.length; i++) {
      ownerAddresses[i] = addressOfName(topology, names.get(i));
    }
    this.handoffs = topology.handoffs().toArray(new Handoff[0]);
    this.handoffFrom = new String[handoffs.length];
    this.handoffTo = new String[handoffs.length];
    for (int i = 0; i < handoffs.length; i++) {
      handoffFrom[i] = addressOfName(topology, handoffs[i].from());
      handoffTo[i] = addressOfName(topology, handoffs[i].to());
    }
    Set<String> all = new LinkedHashSet<>();
    for (NodeInfo node : topology.nodes()) {
      all.add(node.address());
    }
    this.addresses = List.copyOf(new ArrayList<>(all));
  }

  /** The table of {@code topology}. */
  static RoutingTable of(Topology topology) {
    return new RoutingTable(topology, null);
  }

  /** Every key to {@code address}: a node that owns every key. */
  static RoutingTable standalone(String address) {
    return new RoutingTable(null, address);
  }

  private static String addressOfName(Topology topology, String name) {
    return topology.node(name).map(NodeInfo::address).orElse(name);
  }

  /** The epoch of the topology; 0 when standalone. */
  long epoch() {
    return epoch;
  }

  /** Whether every key goes to one node that has no topology. */
  boolean isStandalone() {
    return topology == null;
  }

  /** The topology, {@code null} when standalone. */
  Topology topology() {
    return topology;
  }

  /** The addresses of every node the table knows, in topology order. */
  List<String> addresses() {
    return addresses;
  }

  /** The address of the node that serves {@code key} under this topology. */
  String addressOf(byte[] key) {
    if (standaloneAddress != null) {
      return standaloneAddress;
    }
    return addressOfHash(Crc32.hash(key));
  }

  /** The address of the node that serves keys whose CRC32 is {@code hash}. */
  String addressOfHash(int hash) {
    if (standaloneAddress != null) {
      return standaloneAddress;
    }
    for (int i = 0; i < handoffs.length; i++) {
      if (handoffs[i].covers(hash)) {
        return handoffs[i].phase() == HandoffPhase.PREPARED ? handoffFrom[i] : handoffTo[i];
      }
    }
    if (ring.isEmpty()) {
      throw new CacheException("the topology at epoch " + epoch + " has no node in the ring");
    }
    return ownerAddresses[ring.ownerIndexOfHash(hash)];
  }

  @Override
  public String toString() {
    return isStandalone()
        ? "RoutingTable{standalone " + standaloneAddress + "}"
        : "RoutingTable{epoch " + epoch + ", nodes " + addresses + ", handoffs " + handoffs.length + "}";
  }
}
