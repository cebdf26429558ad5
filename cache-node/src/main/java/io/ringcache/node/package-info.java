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
 *   <li>{@link io.ringcache.resp.RespDecoder} (cache-resp): the wire. A bounded state machine
 *       from the read buffer to one {@link io.ringcache.resp.Request} (the arguments decoded in
 *       place, copied into a {@code byte[]} only when a command asks for one: the command name is
 *       looked up where it lies), or a {@link io.ringcache.resp.ProtocolError} that closes the
 *       connection; it stops reading while the client does not drain its replies. GET writes the
 *       stored value straight into the output buffer ({@code Store.writeBulk}): one copy, no heap
 *       copy in between. GET and SET allocate nothing per request: the key is borrowed into one of
 *       the event loop's reused arrays ({@link CommandContext#borrowKey}), and SET's value goes from
 *       the read buffer into the store in one copy ({@code Store.put} of a buffer span).
 *   <li>{@link CommandHandler}: dispatch. Looks the name up in the {@link CommandTable}, checks
 *       AUTH ({@link io.ringcache.resp.net.ClusterAuth} for the cluster-internal {@code RING.*} commands), arity and key
 *       sizes, asks {@code ClusterState} whether this node serves the keys ({@code -MOVED}, {@code
 *       -TRYAGAIN}, {@code -CROSSNODE}, or a wait while a range arrives), then runs the command.
 *   <li>The command families, one class each: cache-resp's {@link
 *       io.ringcache.resp.command.Handshake} (PING, ECHO, QUIT, AUTH, HELLO, CLIENT, SELECT, COMMAND,
 *       CONFIG, FUNCTION, shared with the proxy), {@link ConnectionCommands} (HTTP sent to the
 *       port, refused), {@link KeyCommands} (keys and strings:
 *       GET, SET, ..., EXPIRE, SCAN, KEYS, RENAME, COPY), {@link BitCommands} (SETBIT, GETBIT,
 *       BITCOUNT, BITPOS, BITOP, BITFIELD, LCS), {@link ServerCommands} (DBSIZE, TIME,
 *       FLUSHALL) and {@link RingCommands} (the cluster's {@code RING.*}); MULTI, EXEC and WATCH are
 *       {@link Transaction}'s. {@code Commands.table()} names them all in the one table and holds
 *       what they share (argument echoing, the common error texts). The data commands run on a
 *       {@link CommandContext} (the reply buffer, the store, clock, limits, counters and watches),
 *       {@code RING.*} on a {@link RingContext} (that, plus the cluster state) and the handshake
 *       commands (AUTH, HELLO, CLIENT, ...) on a {@link ConnectionContext} (that, plus the
 *       {@link io.ringcache.resp.command.HandshakeSession}: the connection's own state, the node's
 *       configuration), MULTI/EXEC/WATCH on a {@link TransactionContext} and INFO on an {@link
 *       InfoContext}. A table command runs on a {@link NodeContext}, all of them at once; {@link
 *       Connection} implements it, and a unit test can
 *       implement them over a real store.
 *       Helpers with an algorithm of their own sit beside them: {@link LongDouble} (INCRBYFLOAT),
 *       {@link Info} (INFO's text); MATCH patterns are cache-resp's {@link io.ringcache.resp.Glob}.
 *   <li>{@link io.ringcache.resp.Resp} (cache-resp): the writer. Replies are encoded into the {@link Connection}'s buffer and
 *       written and flushed once per read batch.
 * </ol>
 *
 * <p>State: {@link Connection} (one client: authentication, name, reply buffer), {@link NodeStats}
 * (counters for INFO). The guards and process helpers the node shares with the router are
 * cache-resp's {@link io.ringcache.resp.net}: {@code ClientMemory} (all clients' buffers against
 * {@code max-clients-memory}), {@code OutputGuard} (closes a client that does not read its
 * replies), {@code HttpGuard} (the metrics port), {@code Descriptors}, {@code Tls}, {@code
 * Transport}, {@code FailStop}, {@code EmptyEnvAsUnset} and {@code Sizes} (the options).
 *
 * <p>Threads: one boss loop accepts (and runs the once-a-second housekeeping: stats, active
 * expiry); N worker loops ({@code --threads}) read, execute and write; a command runs on its
 * connection's loop, and everything per connection is confined to it. Nothing on a loop blocks:
 * read-through and handoff traffic go through the cluster package's peer connections, and its
 * background work runs on the {@code ringcache-cluster} threads.
 */
package io.ringcache.node;
