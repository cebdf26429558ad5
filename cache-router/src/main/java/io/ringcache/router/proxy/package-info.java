/**
 * The router's RESP proxy port, for clients that are not ring-aware (redis-cli, Jedis, Lettuce in
 * standalone mode): keyed commands go to the owner of their key under the router's live topology,
 * multi-key commands are split per node and merged, and {@code -MOVED}/{@code -TRYAGAIN} are
 * followed inside the proxy, so its clients see no redirect during a scale event. Two hops instead
 * of one; docs/proxy.md lists the commands and how each is served.
 *
 * <p>Client side, one per connection:
 * <ul>
 *   <li>{@link ProxyServer}: the entry point; binds the port on event loops of its own and builds
 *       each connection's pipeline: [TLS], the node's {@code OutputGuard} and {@code RespDecoder},
 *       then a {@link ClientHandler}.
 *   <li>{@link ClientHandler}: one client. Answers connection and server commands itself (the
 *       handshake commands AUTH, HELLO, CLIENT, COMMAND, CONFIG, ... through cache-resp's {@link
 *       io.ringcache.resp.command.Handshake}, the same code as a node's; INFO, {@code
 *       RING.TOPOLOGY}, TIME), sends the rest on (a single-key command as the bytes the client
 *       sent: a retained slice of the read buffer, not decoded and encoded again), and writes
 *       replies in request order from a FIFO of {@link Pending} slots.
 *   <li>{@link ProxyCommands}: the proxy's command catalogue: arity, key positions, and how each
 *       command is served (locally, to its key's owner, split and merged, or to every node).
 * </ul>
 *
 * <p>Node side, one set per event loop, so a client, its calls and their connections share one
 * thread and need no locks:
 * <ul>
 *   <li>{@link Dispatcher}: routes each {@link Call} by {@link Routes} (the {@link
 *       io.ringcache.ring.RoutingTable} of the router's topology, built once per epoch), follows
 *       {@code -MOVED} and retries {@code -TRYAGAIN} within a budget (cache-resp's {@link
 *       io.ringcache.resp.Redirect} reads them), and keeps a client's requests
 *       for one key in order through a scale event. Its design note holds the rules.
 *   <li>{@link Backend}: the loop's pipelined connection to one node, with a bound on calls in
 *       flight; cache-resp's {@link io.ringcache.resp.RespReplyFramer} cuts the node's replies into
 *       raw slices that go to the client unchanged; {@link RawReply} looks into the few that must
 *       be merged or checked.
 *   <li>{@link Call}: one request to one node; {@link Pending}: one client request's reply, merged
 *       from its calls (MGET values, integer sums, SCAN steps, the first error).
 * </ul>
 *
 * <p>{@link ProxyStats}: the port's counters, shown by its INFO. Nothing here blocks: the hot path
 * is decode, route, write to the backend, frame the reply, copy it to the client.
 */
package io.ringcache.router.proxy;
