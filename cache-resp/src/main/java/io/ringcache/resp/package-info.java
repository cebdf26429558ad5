/**
 * The one RESP2 codec of the project: the node, the router's proxy port and control connections,
 * and the Java client all read and write RESP through these classes, with one set of bounds.
 *
 * <p>Requests (what a server reads):
 * <ul>
 *   <li>{@link RespDecoder}: a Netty handler, the bounded state machine from the read buffer to one
 *       {@link Request} (multibulk or inline; a multibulk request's arguments stay in the read
 *       buffer until asked for, and its raw bytes can be kept as a retained slice), or a {@link
 *       ProtocolError} after which the
 *       connection is closed; tighter bounds before AUTH; it stops reading while the client does
 *       not drain its replies. The node's pipeline and the proxy port use it.
 * </ul>
 *
 * <p>Replies (what a client reads):
 * <ul>
 *   <li>{@link ReplyParser}: the reply state machine, incremental, in two modes over the same
 *       checks: typed (builds {@link RespReply}'s shapes) and framing (only finds where a reply
 *       ends). A malformed reply is a {@link RespProtocolException} carrying a {@link
 *       ProtocolError}.
 *   <li>{@link RespReplyDecoder}: a Netty handler over a typed parser, one message per reply: the
 *       client and the node's peer link. The router's blocking {@code NodeClient} feeds a typed
 *       parser itself.
 *   <li>{@link RespReplyFramer}: a Netty handler over a framing parser, one retained raw slice per
 *       reply: the proxy, which copies replies through untouched.
 *   <li>{@link Redirect}: the redirect error replies ({@code -MOVED <epoch> <host>:<port>},
 *       {@code -TRYAGAIN}, {@code -CROSSNODE}) parsed once, for the client and the proxy that
 *       follow them.
 * </ul>
 *
 * <p>Both sides: {@link Resp} writes RESP2 straight into a buffer, the one writer of replies and
 * requests (node, peer link, proxy, the router's {@code NodeClient}, the client's request
 * encoder); {@link Resp3} converts a complete RESP2 reply to the RESP3 shape Redis 7.0 gives it,
 * by command, for a server connection that said {@code HELLO 3} (node and proxy); {@link
 * RespLimits} holds every bound (request and reply) and the connection defaults
 * the node and the proxy share; {@link Glob} is Redis's glob matching (KEYS and SCAN MATCH, CONFIG
 * GET) without backtracking; {@link Decimal} reads an integer argument as strictly as Redis does.
 *
 * <p>Next to this package: {@link io.ringcache.resp.net} (TLS, transport, {@code host:port}, the
 * connection guards) and {@link io.ringcache.resp.command} (the command catalogue, COMMAND's answers, and the
 * connection handshake commands the node and the proxy share).
 */
package io.ringcache.resp;
