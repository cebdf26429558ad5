package io.ringcache.router.control;

import io.ringcache.ring.Topology;
import java.io.IOException;

/**
 * Every call the control plane (health checks, scale events, the admin API's reads of a node) makes
 * to a node. The seam between the router's decisions and the network: {@link NodePool} implements
 * it over RESP connections, and the simulation test over a simulated network and clock.
 */
interface NodeControl {

  /** What a node answered to a heartbeat. */
  record Heartbeat(long epoch, long incarnation, boolean member, long leaseLeftMillis) {}

  /**
   * Sends a health check to the node {@code name} at {@code address} that renews the lease of
   * {@code incarnation} (0: learn the incarnation, renew nothing) for {@code leaseMillis}. Another
   * node answering at that address (a stale DNS entry, an address reused) refuses it with an error
   * reply, so that its answer is never taken for the named node's.
   */
  Heartbeat heartbeat(String name, String address, long incarnation, long leaseMillis) throws IOException;

  /**
   * Pushes {@code topology} to the process {@code incarnation} (0: whichever answers) of the node at
   * {@code address}; returns the epoch it holds after.
   *
   * @throws NodeClient.ErrorReply if the node refused it (another incarnation, say)
   */
  long push(String address, Topology topology, long incarnation) throws IOException;

  /** Makes the source at {@code address} stream handoff {@code id}; returns the entries sent, once done. */
  long stream(String address, String id) throws IOException;

  /** Streaming progress of handoff {@code id} at its source: entries acknowledged and to send. */
  long[] progress(String address, String id) throws IOException;

  /** Drops every entry of the node {@code name} at {@code address} (before it joins); another node there refuses it. */
  void flush(String name, String address) throws IOException;

  /** How many keys the node at {@code address} holds ({@code DBSIZE}). */
  long keyCount(String address) throws IOException;

  /** The bytes the store of the node at {@code address} uses ({@code INFO memory}); null if it reports none. */
  Long usedMemory(String address) throws IOException;

  /** Closes the connections kept to {@code address}, after it failed. */
  void discard(String address);
}
