/**
 * The node's side of the cluster: which keys this node serves under the topology it adopted, its
 * lease, and its part in a handoff (as a source that streams, as a target that imports and reads
 * through). The router decides; these classes carry out on one node what its {@code RING.*}
 * commands ask ({@code io.ringcache.node.RingCommands} implements the commands and calls in here).
 *
 * <ul>
 *   <li>{@link ClusterState}: the state, one per node. It holds the adopted topology (adoption is
 *       monotonic in the epoch and fenced by the node's incarnation), the lease renewed by {@code
 *       RING.HEARTBEAT}, and the purge of ranges the node gains. {@link ClusterState#route} is on
 *       the hot path of every keyed command: a precomputed {@link ClusterState.Route} per hash
 *       ({@code SERVE}, {@code IMPORT}, {@code REDIRECT} to {@code -MOVED}, {@code TRYAGAIN}),
 *       built from {@link io.ringcache.ring.RoutingTable}.
 *   <li>{@link TopologyGuard}: what a node refuses to adopt whoever sends it (absurd epochs,
 *       handoffs with non-members).
 *   <li>{@link ImportState}: the target of one handoff: the keys written or deleted here (touched,
 *       so nothing older from the source replaces them) and the source to read through to.
 *   <li>{@link ReadThrough}: the target fetches a key it neither holds nor touched from the source
 *       ({@code RING.READ}); a failure is {@code -TRYAGAIN}, never a miss.
 *   <li>{@link HandoffStreamer}: the source walks the store's entries in the moving ranges and
 *       sends them to the target as pipelined {@code RING.IMPORTRAW} batches of raw entries, resuming where a failed
 *       stream stopped.
 *   <li>{@link Expiry}: the absolute expiry time that entries carry between nodes, converted so a
 *       delayed entry never outlives the source.
 *   <li>The peer link: {@link PeerPool} (one connection per peer address, redialled after a
 *       failure) of {@link PeerClient}s (pipelined RESP2, authenticated with the cluster secret,
 *       or the password without one), whose replies {@link io.ringcache.resp.RespReplyDecoder} decodes.
 * </ul>
 *
 * <p>Threads: {@code route} and the import marks run on the worker loop of the command; {@code
 * ClusterState} swaps an immutable view in a volatile field, so readers need no lock. Purge passes
 * and streams run on the node's {@code ringcache-cluster} threads. Peer connections live on the
 * node's worker loops and answer through futures.
 *
 * <p>The deterministic simulation ({@code cache-router}'s {@code Simulation} test) runs the real
 * {@code ClusterState}, {@code ImportState} and store under a simulated network and clock.
 */
package io.ringcache.node.cluster;
