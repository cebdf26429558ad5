/**
 * Placement and topology: which node owns a key, which node serves it while handoffs run, and which
 * ranges move when the membership changes. No Netty and no I/O (Jackson only, for the topology's
 * JSON). Node, router, client and {@code cachectl} all place keys with these classes, so the rule
 * is written once.
 *
 * <p>Placement, exactly nginx's {@code hash $key consistent}:
 * <ul>
 *   <li>{@link Crc32}: the hash of keys and of ring points (the JDK intrinsic, allocation-free).
 *   <li>{@link HashRing}: the weighted ring, {@code 160 × weight} points per node in a sorted
 *       {@code int[]}; its design note states the placement rule. Owner lookup is on the hot path
 *       of every routed request and allocates nothing.
 *   <li>{@link HashRange}: a range {@code (start, end]} of the hash circle; {@link RangeIndex}: a
 *       set of disjoint ranges, looked up by binary search.
 * </ul>
 *
 * <p>The topology, the document the router owns, persists and pushes to nodes and clients:
 * <ul>
 *   <li>{@link Topology}: the epoch, the {@link NodeInfo nodes} (name, address, weight, {@link
 *       NodeState state}, incarnation) and the {@link Handoff handoffs} under way, each at a {@link
 *       HandoffPhase phase}.
 *   <li>{@link TopologyJson}: its JSON form (the router's {@code topology.json}, {@code
 *       RING.TOPOLOGY} and {@code RING.SETTOPOLOGY}, the admin API).
 * </ul>
 *
 * <p>Change and routing:
 * <ul>
 *   <li>{@link RingDiff}: the ranges whose owner differs between two rings, as {@link MovedRange}s
 *       grouped by {@link Transfer} (from, to); the router makes one handoff per group.
 *   <li>{@link RoutingTable}: who serves a key under one topology, handoffs included (a handoff's
 *       source while it is {@code PREPARED}, its target after). The one rule that the client, the
 *       router's proxy and the nodes share.
 * </ul>
 *
 * <p>Threads: everything here is immutable (records, and rings and routing tables built once per
 * topology) and shared between threads without locks; nothing starts a thread or blocks.
 *
 * <p>Reading order: {@code HashRing}'s design note, then {@code RingDiff}, then {@code
 * RoutingTable}.
 */
package io.ringcache.ring;
