/**
 * The router's metrics, served in the Prometheus text format at {@code GET /metrics} on the admin
 * port.
 *
 * <ul>
 *   <li>{@link RouterMetrics}: one Micrometer registry, read from the router's state (topology,
 *       event history, health misses) when scraped; nothing samples in the background. Its design
 *       note lists every metric name.
 *   <li>{@link SingleFlight}: shares one render among the scrapes that wait for it, so a flood of
 *       requests costs one render at a time.
 * </ul>
 */
package io.ringcache.router.metrics;
