/**
 * The router's admin HTTP API ({@code /health}, {@code /topology}, {@code /nodes}, {@code
 * /handoffs}, {@code /events}, {@code /metrics}; docs/operations.md lists it), used by {@code
 * cachectl} and by operators.
 *
 * <ul>
 *   <li>{@link AdminServer}: the entry point; binds the port, checks the token on the event loop,
 *       routes each request on a bounded pool of admin threads, and writes every reply as JSON.
 *   <li>{@link AdminViews}: the JSON documents the API answers with (health, handoffs, nodes, a
 *       scale event), read from the control plane's {@code ControlPlane}: topology, scale events,
 *       health, a node's key count and memory.
 *   <li>{@link ApiException}: a refused request and its HTTP status; {@code ApiException.of} maps
 *       the control plane's refusals: an invalid request 400, a conflict with the cluster's state
 *       409, an unknown node 404. The admin layer's own refusals (bad JSON, a missing token, a host
 *       outside {@code --node-allow}) are ApiExceptions from the start.
 * </ul>
 */
package io.ringcache.router.admin;
