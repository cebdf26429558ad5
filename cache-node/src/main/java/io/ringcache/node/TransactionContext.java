package io.ringcache.node;

import io.ringcache.node.cluster.ClusterState;
import io.ringcache.resp.Request;

/**
 * What the transaction commands ({@link Transaction}: MULTI, EXEC, DISCARD, WATCH, UNWATCH) need
 * beyond a {@link CommandContext}: the connection's transaction, the cluster state EXEC checks the
 * keys against, the locks that keep every other command out while EXEC runs, and a way to run a
 * queued command on this connection.
 */
interface TransactionContext extends CommandContext {

  /** This connection's MULTI/WATCH state, created on first use. */
  Transaction transaction();

  /** The node's side of the cluster: whether EXEC's keys are still served here, the epoch WATCH records. */
  ClusterState cluster();

  /** The per-loop locks EXEC takes all of (see {@link LoopLocks}). */
  LoopLocks locks();

  /** EXEC begins or ends running the queued commands (a CLIENT REPLY among them waits for EXEC's reply). */
  void executing(boolean value);

  /**
   * What this connection's transaction now holds, its queued commands and watched keys, counted
   * with its buffers against max-clients-memory (Redis's multi-mem).
   */
  default void transactionHolds(long bytes) {}

  /** Runs a queued command on this connection, its replies to {@link #out()}. */
  void runQueued(CommandTable.Spec spec, Request r);
}
