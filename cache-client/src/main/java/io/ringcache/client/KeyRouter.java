package io.ringcache.client;

import io.ringcache.ring.Handoff;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.Topology;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/*
 * Where the client sends each key under one topology, as a node address.
 *
 * The rule itself (ring owner, or a handoff's source while PREPARED and its target after) is the
 * one clients, proxy and nodes share: io.ringcache.ring.RoutingTable. This class only adds what the
 * client needs around it: the key's placement hash (the topology's HashTag: CRC32 of the key, or of
 * its hash tag when the cluster uses tags), the node's address
 * (NodeInfo.address()), and the standalone case (a node without topology, or a plain Redis that
 * does not know RING.TOPOLOGY), which sends every key to one address.
 *
 * Immutable, built once per topology and shared between threads through TopologyManager's volatile
 * field. Routing a key costs one CRC, one binary search, a scan of the handoffs under way (usually
 * none) and a map lookup of the owner's address; it allocates nothing.
 */

/** The address that serves each key under one topology, or one address for a standalone node. */
final class KeyRouter {

  private final RoutingTable table;
  private final String standaloneAddress;
  private final List<String> addresses;
  private final List<String> scanAddresses;

  private KeyRouter(RoutingTable table, String standaloneAddress) {
    this.table = table;
    this.standaloneAddress = standaloneAddress;
    if (table == null) {
      this.addresses = List.of(standaloneAddress);
      this.scanAddresses = addresses;
    } else {
      Set<String> all = new LinkedHashSet<>();
      for (NodeInfo node : table.topology().nodes()) {
        all.add(node.address());
      }
      this.addresses = List.copyOf(all);
      Set<String> holders = new LinkedHashSet<>();
      for (String name : table.ring().nodeNames()) {
        holders.add(table.addressOf(name));
      }
      for (Handoff handoff : table.handoffs()) {
        holders.add(table.addressOf(handoff.from()));
        holders.add(table.addressOf(handoff.to()));
      }
      this.scanAddresses = List.copyOf(holders);
    }
  }

  /** The router of {@code topology}. */
  static KeyRouter of(Topology topology) {
    return new KeyRouter(RoutingTable.of(topology), null);
  }

  /** Every key to {@code address}: a node that owns every key. */
  static KeyRouter standalone(String address) {
    return new KeyRouter(null, address);
  }

  /** The epoch of the topology; 0 when standalone. */
  long epoch() {
    return table == null ? 0 : table.epoch();
  }

  /** Whether every key goes to one node that has no topology. */
  boolean isStandalone() {
    return table == null;
  }

  /** The topology, {@code null} when standalone. */
  Topology topology() {
    return table == null ? null : table.topology();
  }

  /** The addresses of every node the topology lists, in topology order. */
  List<String> addresses() {
    return addresses;
  }

  /**
   * The addresses of every node that may hold keys under this topology: the ring's members and both
   * ends of every handoff under way (a leaving node is out of the ring but still holds its ranges).
   */
  List<String> scanAddresses() {
    return scanAddresses;
  }

  /**
   * The key's placement hash (CRC32 of the key, or of its hash tag when the cluster uses tags): its
   * position on the circle the nodes' SCAN cursors walk. Only for a topology, not standalone.
   */
  int hashOf(byte[] key) {
    return table.hashTag().hash(key);
  }

  /** The address of the node that serves {@code key}. */
  String addressOf(byte[] key) {
    if (standaloneAddress != null) {
      return standaloneAddress;
    }
    return addressOfHash(table.hashTag().hash(key));
  }

  /** The address of the node that serves keys whose placement hash is {@code hash}. */
  String addressOfHash(int hash) {
    if (standaloneAddress != null) {
      return standaloneAddress;
    }
    try {
      return table.addressOf(table.serverOfHash(hash));
    } catch (IllegalStateException e) {
      throw new CacheException("the topology at epoch " + table.epoch() + " has no node in the ring", e);
    }
  }

  @Override
  public String toString() {
    return isStandalone()
        ? "KeyRouter{standalone " + standaloneAddress + "}"
        : "KeyRouter{epoch " + epoch() + ", nodes " + addresses + ", handoffs " + table.handoffs().size() + "}";
  }
}
