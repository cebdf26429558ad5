package io.ringcache.client;

import io.ringcache.node.NodeConfig;
import io.ringcache.node.NodeServer;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import java.util.ArrayList;
import java.util.List;

/**
 * Real cache nodes in this JVM on ephemeral loopback ports, and a stand-in for the router: it
 * pushes topologies to the nodes with {@code RING.SETTOPOLOGY}, as the router will.
 */
final class NodeCluster implements AutoCloseable {

  private final List<NodeServer> servers = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private String password;
  private boolean members;

  private NodeCluster() {}

  /** {@code nodes} nodes started as cluster members ({@code --cluster}), as a router adds them. */
  static NodeCluster startMembers(int nodes) {
    return start(nodes, null, true);
  }

  static NodeCluster start(int nodes) {
    return start(nodes, null);
  }

  /** {@code nodes} nodes that require {@code password} (null: none). */
  static NodeCluster start(int nodes, String password) {
    return start(nodes, password, false);
  }

  private static NodeCluster start(int nodes, String password, boolean members) {
    NodeCluster cluster = new NodeCluster();
    cluster.password = password;
    cluster.members = members;
    try {
      for (int i = 0; i < nodes; i++) {
        NodeServer server = cluster.startNode(0);
        cluster.servers.add(server);
        cluster.ports.add(server.port());
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private NodeServer startNode(int port) {
    return NodeServer.start(
        NodeConfig.builder()
            .bind("127.0.0.1")
            .port(port)
            .maxMemory(64L << 20)
            .threads(1)
            .requirepass(password)
            .cluster(members)
            .build());
  }

  int size() {
    return servers.size();
  }

  /** The address (and ring name) of node {@code i}: {@code 127.0.0.1:<port>}. */
  String address(int i) {
    return "127.0.0.1:" + ports.get(i);
  }

  /** A topology of the given nodes, weight 1 each, named by their addresses. */
  Topology topology(long epoch, int... indexes) {
    List<NodeInfo> nodes = new ArrayList<>();
    for (int i : indexes) {
      nodes.add(NodeInfo.of(address(i), 1));
    }
    return Topology.of(epoch, nodes);
  }

  /** Pushes {@code topology} to every running node; returns their replies. */
  List<String> push(Topology topology) {
    String json = TopologyJson.write(topology);
    List<String> replies = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      if (servers.get(i) != null) {
        replies.add(RespCall.call(address(i), "RING.SETTOPOLOGY", json));
      }
    }
    return replies;
  }

  /** Stops node {@code i} (its data is gone). */
  void kill(int i) {
    NodeServer server = servers.set(i, null);
    if (server != null) {
      server.close();
    }
  }

  /** Starts node {@code i} again on its port: empty and standalone until a topology is pushed. */
  void restart(int i) {
    if (servers.get(i) == null) {
      servers.set(i, startNode(ports.get(i)));
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < servers.size(); i++) {
      kill(i);
    }
  }
}
