package io.ringcache.node;

import io.ringcache.node.cluster.ClusterState;

/**
 * What INFO ({@link Info}) needs beyond a {@link CommandContext} (the store and the counters): the
 * node's configuration, port, uptime, transport and cluster state.
 */
interface InfoContext extends CommandContext {

  /** The node's configuration. */
  NodeConfig config();

  /** The node's RESP port. */
  int port();

  /** The node's side of the cluster (INFO's ring section). */
  ClusterState cluster();

  /** Seconds since the node started. */
  long uptimeSeconds();

  /** The transport the node's loops use: {@code epoll} or {@code nio}. */
  String transport();
}
