/**
 * The Java client: sends each key straight to the node that serves it (one hop), following the
 * cluster's topology, with blocking and non-blocking views over the same pipelined connections.
 * docs/client.md is the user's guide.
 *
 * <p>Public API:
 * <ul>
 *   <li>{@link CacheClient}: the entry point. {@link CacheClient#builder()} bootstraps from seed
 *       addresses (the router, or any node); one long-lived, thread-safe instance per application.
 *   <li>{@link CacheCommands} (blocking) and {@link AsyncCacheCommands} (futures): the operations.
 *       The client itself is the blocking view on {@code String}s; {@code async()}, {@code
 *       binary()} and {@code binaryAsync()} return other views of the same connections.
 *   <li>{@link ClientOptions}: immutable settings, each default documented on the builder.
 *   <li>{@link Codec}: keys and values to bytes for typed views ({@code withCodec}); {@link
 *       JsonCodec} for JSON values with Jackson.
 *   <li>{@link ScanOptions}: what {@code scan()} walks; {@link ClusterScan} is the walk (hash-circle
 *       cursors on every node, each step checked against the nodes' epochs).
 *   <li>{@link ClientMetrics}: the opt-in metrics hook; {@link MicrometerMetrics} records it as
 *       Micrometer meters (Micrometer is an optional dependency).
 *   <li>{@link CacheException} and its subclasses: every failure. Error replies become exceptions
 *       by their Redis prefix in one place, {@link CacheExceptions}.
 * </ul>
 *
 * <p>An operation's path:
 * <ol>
 *   <li>{@link SyncView} waits on {@link AsyncView}, which turns the call into a {@link Request}
 *       (the {@link CommandType}, the arguments encoded by a {@link Codec}, a {@link
 *       ReplyConverter}); the request is also the caller's future. {@link DefaultCacheClient} holds
 *       the views.
 *   <li>{@link ClusterExecutor}: the core every view shares. Routes by the current {@link
 *       KeyRouter}, sends to the node's {@link Endpoint}, and decides what a reply means (a redirect
 *       read by cache-resp's {@link io.ringcache.resp.Redirect}): a result, {@code -MOVED} (resend to the member it names and refresh the topology), {@code -TRYAGAIN}
 *       (back off and resend), or an exception. Its design note covers retries, deadlines and
 *       close.
 *   <li>{@link Endpoint}: one node: its connection, the bound on requests in flight, and fail-fast
 *       while the node is unreachable or not answering.
 *   <li>{@link CommandHandler}: one pipelined connection. Requests from any thread are queued and
 *       written in batches by {@link RespRequestEncoder}; {@link io.ringcache.resp.RespReplyDecoder} (bounded)
 *       decodes the replies as {@link io.ringcache.resp.RespReply} shapes, matched to requests in order.
 * </ol>
 *
 * <p>Topology: {@link TopologyManager} holds the current {@link KeyRouter} (built on {@link
 * io.ringcache.ring.RoutingTable}, the rule the nodes and the proxy use too) and refreshes it with
 * {@code RING.TOPOLOGY} from the seeds or any node, so the client keeps working while the router is
 * down. {@code host:port} is parsed by {@link io.ringcache.resp.net.HostPort}.
 *
 * <p>Threads: one Netty event-loop group ({@code ringcache-client}, {@code ioThreads}) does all
 * I/O, timeouts, retries and periodic refreshes; futures complete on it, so their callbacks must
 * not block. A blocking call waits on the caller's thread and is refused on an I/O thread.
 */
package io.ringcache.client;
