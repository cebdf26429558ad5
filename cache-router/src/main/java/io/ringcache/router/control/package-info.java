/**
 * The router's control plane: it owns and persists the topology, checks the nodes' health and
 * renews their leases, and runs scale events (join, leave, weight, ejection, re-admission) as
 * successor-range handoffs. It knows nothing of HTTP: a request it refuses is a {@link
 * ScaleRequestException}, which the admin API maps to a status.
 *
 * <ul>
 *   <li>{@link ControlPlane}: the parts below, wired, started and stopped as one; what the entry
 *       point and the admin API hold.
 *   <li>{@link TopologyStore}: the current topology, persisted atomically before any node sees it.
 *   <li>{@link ScaleCoordinator}: runs one {@link ScaleEvent} at a time through the handoff phases
 *       (start, seal, activate, stream, finish) and resolves failed participants as the failure
 *       table says. Its design note is the protocol.
 *   <li>{@link HealthChecker}: heartbeats every node, renews leases, fences a failed node, and
 *       hands ejections and re-admissions to the coordinator as events.
 *   <li>{@link NodeControl}: every call the control plane makes to a node (heartbeat, push,
 *       stream, progress, flush, and the admin API's key count and memory). The seam the
 *       simulation test drives with a simulated network; {@link NodePool} implements it over
 *       pooled, authenticated {@link NodeClient}s (blocking RESP2 on the router's own threads).
 *   <li>{@link ControlRuntime}: the executors and the clock the control plane runs on: real threads
 *       here, one thread and a virtual clock in the simulation, so a seed replays exactly.
 *   <li>{@link ScaleRequestException}: a refused scale request, one of {@link
 *       InvalidScaleRequestException} (the request is wrong), {@link ScaleConflictException} (the
 *       cluster's state does not allow it now) and {@link UnknownNodeException}.
 *   <li>{@link NodeAllowList}: the addresses a join may dial ({@code --node-allow}).
 *   <li>Helpers: {@link HostPort} ({@code host:port} parsing), {@link Describe} (topologies and
 *       handoffs in log lines).
 * </ul>
 *
 * <p>Public here is what the entry point and the admin API use: {@code ControlPlane}, the
 * coordinator's requests and {@code ScaleEvent}, {@code HealthChecker.Health}, the exceptions, the
 * allow list and the helpers. The store, the runtime, the node connections and the seam are
 * package-private; the simulation test lives in this package to drive them.
 */
package io.ringcache.router.control;
