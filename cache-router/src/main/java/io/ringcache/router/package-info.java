/**
 * The router: the cluster's control plane. It owns and persists the topology, checks the nodes'
 * health and renews their leases, runs scale events (join, leave, weight, ejection, re-admission)
 * as successor-range handoffs, and serves the admin HTTP API. It is off the data path of the Java
 * client; clients that are not ring-aware use its RESP proxy port ({@link
 * io.ringcache.router.proxy}). Its metrics are in {@link io.ringcache.router.metrics}.
 *
 * <p>Start: {@link RouterMain} (the {@code cache-router} command line) builds a {@link
 * RouterConfig} and calls {@link Router#start}, which loads the topology, pushes it, resumes any
 * handoff it lists, and starts the parts below. Tests start a {@code Router} in-process.
 *
 * <p>Control plane (state and decisions):
 * <ul>
 *   <li>{@link TopologyStore}: the current topology, persisted atomically before any node sees it.
 *   <li>{@link ScaleCoordinator}: runs one {@link ScaleEvent} at a time through the handoff phases
 *       (start, seal, activate, stream, finish) and resolves failed participants as the failure
 *       table says. Its design note is the protocol.
 *   <li>{@link HealthChecker}: heartbeats every node, renews leases, fences a failed node, and
 *       hands ejections and re-admissions to the coordinator as events.
 *   <li>{@link NodeControl}: every call the control plane makes to a node (heartbeat, push, stream,
 *       flush). The seam the simulation test drives with a simulated network; {@link NodePool}
 *       implements it over pooled, authenticated {@link NodeClient}s (blocking RESP2 on the
 *       router's own threads).
 *   <li>{@link ControlRuntime}: the executors and the clock the control plane runs on: real threads
 *       here, one thread and a virtual clock in the simulation, so a seed replays exactly.
 * </ul>
 *
 * <p>Admin: {@link AdminServer} (the HTTP API: {@code /health}, {@code /topology}, {@code
 * /nodes}, {@code /handoffs}, {@code /events}, {@code /metrics}), {@link ApiException} (a refusal
 * and its HTTP status; today the coordinator throws it too), {@link NodeAllowList} (the addresses
 * {@code POST /nodes} may admit). Helpers: {@link Describe} ({@code host:port} is parsed by {@link io.ringcache.resp.net.HostPort}).
 *
 * <p>Threads: scale events on one {@code ringcache-scale-events} thread; streams, pushes and timed
 * retries on {@code ringcache-handoff-stream}, {@code ringcache-push} and {@code
 * ringcache-control-timer}; health checks on {@code ringcache-health} with parallel {@code
 * ringcache-health-probe} threads; the admin port on Netty loops that hand work to a bounded {@code
 * ringcache-admin} pool; the proxy on event loops of its own. Blocking control calls never run on
 * an event loop.
 */
package io.ringcache.router;
