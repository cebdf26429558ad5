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

  /** What a node found when it dialled another for this router (RING.PROBE). */
  enum Reach {
    /** The named node answered: {@link Probe#incarnation} is the process that did. */
    ANSWERED,
    /** The connection was refused: nothing listens at the address, as far as the prober sees. */
    REFUSED,
    /** Anything else: no answer within the timeout, a reset, another node at the address, an error. */
    SILENT
  }

  /** A prober's finding: how it reached the node, the incarnation that answered (0 if none), and what it saw. */
  record Probe(Reach reach, long incarnation, String detail) {}

  /**
   * Asks the node at {@code proberAddress} to dial the node {@code name} at {@code address} itself,
   * within {@code timeoutMillis}, and report what it found: whether this router's refused
   * connections are the node's (its port refuses everyone: its process is gone) or the path's.
   *
   * @throws IOException if the prober did not answer, or cannot probe (a node too old to know RING.PROBE)
   */
  Probe probe(String proberAddress, String name, String address, long timeoutMillis) throws IOException;

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
