/**
 * A real ringcache cluster for tests: ours and our users', documented as a product (as OkHttp's
 * {@code MockWebServer} is).
 *
 * <ul>
 *   <li>{@link io.ringcache.testkit.EmbeddedCluster}: a router and N nodes in the test's JVM on
 *       ephemeral loopback ports; options for a password, TLS, the store, weights, a hash tag;
 *       scale changes through the real admin API; {@code close()} stops everything. The entry point.
 *   <li>{@link io.ringcache.testkit.RespTestClient}: a raw RESP2 connection over a real socket, to
 *       send exact (or malformed) commands and read replies as bytes or parsed.
 *   <li>{@link io.ringcache.testkit.Await}: polls a condition with a deadline and a failure message
 *       that says what did not happen; the one way a test waits.
 *   <li>{@link io.ringcache.testkit.TestCertificates}: a fresh self-signed certificate for 127.0.0.1,
 *       the keystore for servers and the PEM a client trusts; {@code EmbeddedCluster}'s TLS uses it.
 * </ul>
 *
 * <h2>Who can use it</h2>
 *
 * This module depends on {@code cache-node} and {@code cache-router} (compile scope): it starts the
 * real servers. Maven forbids a cycle even through test scope, so {@code cache-node}'s and
 * {@code cache-router}'s own tests cannot use it; they keep their fixtures ({@code Nodes},
 * {@code RawClient}, the router's {@code TestCluster}, ...), which also reach into package-private
 * state that a public testkit must not expose. Every module downstream of both ({@code cache-client},
 * {@code cache-jcache}, {@code cache-cli}) and every user's project uses this one. The one exception
 * {@code cache-client} keeps on purpose is {@code FakeNode}, a scripted server that misbehaves (never
 * answers, answers wrongly): no real server can be made to do that.
 */
package io.ringcache.testkit;
