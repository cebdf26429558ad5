/**
 * The cache node: a Netty RESP2 server that runs Redis's string, key, connection and server
 * commands on a memory-bounded store. The store is in {@link io.ringcache.node.store}, the node's
 * side of the cluster (routing, handoffs, leases) in {@link io.ringcache.node.cluster}, its metrics
 * in {@link io.ringcache.node.metrics}.
 *
 * <p>Start and configuration:
 * <ul>
 *   <li>{@link CacheNode}: the {@code cache-node} command line (picocli), which builds a {@link
 *       NodeConfig} (its {@link NodeConfig.Limits} hold every per-request and per-connection bound)
 *       and runs a {@link NodeServer}.
 *   <li>{@link NodeServer}: the running node; it owns the event loops, the store, the {@link
 *       io.ringcache.node.cluster.ClusterState}, the peer connections and the metrics. Tests start
 *       one in-process with {@link NodeServer#start}.
 * </ul>
 *
 * <p>A request's path (the hot path), assembled per connection by {@link NodeInitializer}:
 * <ol>
 *   <li>{@link RespDecoder}: the wire. A bounded state machine from the read buffer to one {@link
 *       Request} (the arguments as {@code byte[]}), or a {@link ProtocolError} that closes the
 *       connection; it stops reading while the client does not drain its replies.
 *   <li>{@link CommandHandler}: dispatch. Looks the name up in the {@link CommandTable}, checks
 *       AUTH ({@link ClusterAuth} for the cluster-internal {@code RING.*} commands), arity and key
 *       sizes, asks {@code ClusterState} whether this node serves the keys ({@code -MOVED}, {@code
 *       -TRYAGAIN}, {@code -CROSSNODE}, or a wait while a range arrives), then runs the command.
 *   <li>{@link Commands}: the implementations, on the store; {@code Commands.table()} names them.
 *       Helpers with an algorithm of their own sit beside it: {@link Glob} (MATCH patterns), {@link
 *       LongDouble} (INCRBYFLOAT), {@link Info} (INFO's text).
 *   <li>{@link Resp}: the writer. Replies are encoded into the {@link Connection}'s buffer and
 *       written and flushed once per read batch.
 * </ol>
 *
 * <p>State: {@link Connection} (one client: authentication, name, reply buffer), {@link NodeStats}
 * (counters for INFO) and {@link ClientMemory} (all clients' buffers against {@code
 * max-clients-memory}). Guards: {@link OutputGuard} closes a client that does not read its replies;
 * {@link HttpGuard} bounds the node's metrics port and the router's admin port; {@link Descriptors}
 * caps {@code max-clients} by the open-files limit. Process: {@link Tls} (the port's TLS and the
 * peers' trust), {@link FailStop} (an {@code Error} ends the process), {@link EmptyEnvAsUnset}
 * (picocli defaults).
 *
 * <p>Threads: one boss loop accepts (and runs the once-a-second housekeeping: stats, active
 * expiry); N worker loops ({@code --threads}) read, execute and write; a command runs on its
 * connection's loop, and everything per connection is confined to it. Nothing on a loop blocks:
 * read-through and handoff traffic go through the cluster package's peer connections, and its
 * background work runs on the {@code ringcache-cluster} threads.
 *
 * <p>Several classes here ({@code Resp}, {@code RespDecoder}, {@code Request}, {@code OutputGuard},
 * {@code Tls}, ...) are public only because {@code cache-router} uses them; issue 12 plans to move
 * the shared codec and network classes into a module of their own.
 */
package io.ringcache.node;
