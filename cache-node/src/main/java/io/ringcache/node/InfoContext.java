package io.ringcache.node;

import io.ringcache.node.cluster.ClusterState;

/**
 * What INFO ({@link Info}) needs beyond a {@link CommandContext} (the store and the counters): the
 * node's configuration, port, uptime, transport, run id, command counters and cluster state.
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

  /** The transport the node's loops use: {@code io_uring}, {@code epoll} or {@code nio}. */
  String transport();

  /** This run's random identity, 40 hex digits (INFO's run_id and master_replid). */
  String runId();

  /** The node's per-command counters (INFO commandstats). */
  io.ringcache.node.metrics.NodeMetrics metrics();
}
