/**
 * The testkit without the servers: a real cluster started through injected launchers, and the tools a
 * test talks to it with. It links neither {@code cache-node} nor {@code cache-router}, so their own
 * tests use it (passing their servers), and {@code cache-testkit}'s {@code EmbeddedCluster} is this
 * with the real servers wired in for everyone else.
 *
 * <ul>
 *   <li>{@link io.ringcache.testkit.core.LaunchedCluster}: a router and N nodes (or standalone nodes)
 *       on ephemeral loopback ports, started from the servers' real command-line options; a password,
 *       a cluster secret, TLS, the store, weights, a hash tag, any other option; scale changes through
 *       the real admin API; {@code close()} stops everything. The entry point.
 *   <li>{@link io.ringcache.testkit.core.ServerLauncher} and {@link io.ringcache.testkit.core.RunningServer}:
 *       the seam: command-line options in, a running server (its ports, the in-process object, how to
 *       stop it) out. The servers' side is {@code CacheNode.embed} and {@code RouterMain.embed}.
 *   <li>{@link io.ringcache.testkit.core.RespTestClient}: a raw RESP2 connection over a real socket,
 *       to send exact (or malformed) commands and read replies as bytes or parsed.
 *   <li>{@link io.ringcache.testkit.core.Await}: polls a condition with a deadline and a failure
 *       message that says what did not happen; the one way a test waits.
 *   <li>{@link io.ringcache.testkit.core.TestCertificates}: a fresh self-signed certificate for
 *       127.0.0.1, the keystore for servers and the PEM a client trusts; the cluster's TLS uses it.
 * </ul>
 */
package io.ringcache.testkit.core;
