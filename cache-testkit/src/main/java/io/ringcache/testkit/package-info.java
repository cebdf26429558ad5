/**
 * A real ringcache cluster for tests, ours and our users', documented as a product (as OkHttp's
 * {@code MockWebServer} is).
 *
 * <ul>
 *   <li>{@link io.ringcache.testkit.EmbeddedCluster}: a router and N nodes in the test's JVM on
 *       ephemeral loopback ports, the real servers started from their command-line options
 *       ({@code CacheNode.embed}, {@code RouterMain.embed}); the entry point for users.
 * </ul>
 *
 * <p>Everything else lives one module down, in {@code cache-testkit-core}
 * ({@link io.ringcache.testkit.core}): the cluster's logic ({@code LaunchedCluster}, which this class
 * extends with the servers plugged in), {@code RespTestClient}, {@code Await} and
 * {@code TestCertificates}. That module links no server, so {@code cache-node}'s and
 * {@code cache-router}'s own tests use it with their own servers, and every module downstream of both
 * ({@code cache-client}, {@code cache-jcache}, {@code cache-cli}) and every user's project uses this
 * one. The one fixture {@code cache-client} keeps on purpose is {@code FakeNode}, a scripted server
 * that misbehaves (never answers, answers wrongly): no real server can be made to do that.
 */
package io.ringcache.testkit;
