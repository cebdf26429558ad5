/**
 * A node's metrics and the HTTP port that serves them ({@code --metrics-port}; off by default).
 *
 * <ul>
 *   <li>{@link NodeMetrics}: one Prometheus registry (Micrometer). Command counters are resolved
 *       once per command name, so counting is one adder increment on the worker loop that ran the
 *       command; everything else (store, connections, limits) is read through suppliers when
 *       scraped. Its design note lists every metric name.
 *   <li>{@code PrometheusEndpoint}: {@code GET /metrics} on an event loop of its own, with {@link
 *       io.ringcache.resp.net.HttpGuard}'s limits; scrapes render one at a time on one thread, shared
 *       by the requests that wait for them.
 * </ul>
 *
 * <p>{@link io.ringcache.node.NodeServer} binds the metrics to its state and starts the endpoint;
 * nothing here samples in the background, and nothing runs on the node's worker loops but the
 * counter increments.
 */
package io.ringcache.node.metrics;
