/**
 * The router: the cluster's control plane, its admin HTTP API and its RESP proxy port, started as
 * one process. This package is the entry point and the configuration only; each role is a package
 * of its own:
 * <ul>
 *   <li>{@link io.ringcache.router.control}: the control plane: the topology store, health checks
 *       and leases, scale events and their handoffs, and {@code NodeControl}, the one seam through
 *       which it calls nodes.
 *   <li>{@link io.ringcache.router.admin}: the admin HTTP API, which reads the control plane and
 *       asks it for scale events, and maps its refusals to HTTP statuses.
 *   <li>{@link io.ringcache.router.proxy}: the RESP proxy port for clients that are not ring-aware.
 *   <li>{@link io.ringcache.router.metrics}: the Prometheus metrics the admin port serves.
 * </ul>
 * The router is off the data path of the Java client: if it stops, reads and writes go on with
 * the last topology the clients hold (until the nodes' leases run out).
 *
 * <p>Start: {@link RouterMain} (the {@code cache-router} command line, picocli) builds a {@link
 * RouterConfig} and calls {@link Router#start}, which opens the control plane ({@code
 * ControlPlane.open}: the persisted topology, or the configured nodes for a new cluster), binds the
 * admin port, brings the nodes up to date (pushes the topology, or resumes the handoffs it lists),
 * binds the proxy port and starts the health checks. {@link Router#close} stops them in reverse.
 * Tests start a {@code Router} in-process on ephemeral ports.
 *
 * <p>Threads: scale events on one {@code ringcache-scale-events} thread; streams, pushes and timed
 * retries on {@code ringcache-handoff-stream}, {@code ringcache-push} and {@code
 * ringcache-control-timer}; health checks on {@code ringcache-health} with parallel {@code
 * ringcache-health-probe} threads; the admin port on Netty loops that hand work to a bounded {@code
 * ringcache-admin} pool; the proxy on event loops of its own. Blocking control calls never run on
 * an event loop.
 */
package io.ringcache.router;
