/**
 * The network and process layer the node, the router and the client share around the codec, so
 * that none of them borrows from inside another's module.
 *
 * <ul>
 *   <li>{@link Transport}: io_uring, epoll or NIO for every event loop ({@code
 *       -Dringcache.transport=io_uring|epoll|nio} or {@code RINGCACHE_TRANSPORT}; epoll by default).
 *   <li>{@link Tls}: server and client TLS contexts (BoringSSL where available) and the blocking
 *       sockets' TLS.
 *   <li>{@link HostPort}: the one {@code host:port} parser; {@link HostPort#isLoopback}.
 *   <li>Connection guards of a RESP or HTTP server: {@link OutputGuard} (a client that does not
 *       read its replies), {@link ClientMemory} (all clients' buffers against one cap), {@link
 *       HttpGuard} (the HTTP ports), {@link Descriptors} (max clients against the open-files
 *       limit).
 *   <li>{@link ClusterAuth}: the cluster user and secret, and who may run cluster commands.
 *   <li>Processes: {@link FailStop} (an {@code Error} ends the process), {@link EmptyEnvAsUnset}
 *       and {@link Sizes} (picocli options: empty environment variables, sizes such as {@code
 *       256m}).
 * </ul>
 */
package io.ringcache.resp.net;
