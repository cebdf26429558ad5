package io.ringcache.node;

import io.ringcache.node.cluster.ClusterState;
import io.ringcache.node.cluster.HandoffStreamer;
import io.ringcache.node.cluster.PeerPool;
import io.ringcache.node.cluster.ReadThrough;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * What the cluster commands ({@link RingCommands}) need beyond a {@link CommandContext}: the node's
 * cluster state and handoff streamer, the connection's last answered heartbeat, and a way to reply
 * once background work completes.
 */
interface RingContext extends CommandContext {

  /** The node's side of the cluster: topology, lease, handoffs. */
  ClusterState cluster();

  /** Streams a handoff's entries to its target. */
  HandoffStreamer streamer();

  /** Reads keys of imported ranges through from their source. */
  ReadThrough readThrough();

  /** The node's connections to its peers (RING.PROBE dials through them). */
  PeerPool peers();

  /** Whether this connection answered a RING.HEARTBEAT (see ClusterState#heartbeat). */
  boolean heartbeatAnswered();

  /** When this connection last answered a RING.HEARTBEAT, on the cluster's clock. */
  long heartbeatAnsweredNanos();

  /** Records that this connection answered a RING.HEARTBEAT at {@code nanos}. */
  void heartbeatAnswered(long nanos);

  /**
   * Lets the event loop serve its other connections before this connection's next request runs
   * (see RespDecoder#yieldAfterRequest): after a request that took a long turn of the loop.
   */
  void yieldInput();

  /** Suspends the connection until {@code work} completes; then {@code reply} writes the reply. */
  <T> void defer(CompletionStage<T> work, BiConsumer<T, Throwable> reply);
}
