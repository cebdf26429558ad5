package io.ringcache.node.cluster;

import io.ringcache.ring.Handoff;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import java.util.HashSet;
import java.util.Set;

/*
 * What a node refuses to adopt, whoever sends it (defence in depth behind ClusterAuth: a leaked
 * credential or a confused router must not be able to wedge or hijack a node).
 *
 *  - An epoch at or above MAX_EPOCH (2^40). The router adds one per change; at a thousand changes
 *    a second 2^40 lasts 34 years. A huge epoch would make the node refuse every real topology
 *    after it (adoption is monotonic), which is what hijacking a node with epoch 9e18 did.
 *  - Once the node holds a topology, an epoch more than MAX_EPOCH_STEP (2^20) above it: no
 *    cluster makes a million changes while one of its members is away and still holds its copy.
 *  - A handoff whose source or target is not a node of the topology: the node would redirect
 *    (-MOVED), stream (RING.STREAM) or read through (RING.READ) to an address that is not a
 *    member. With every handoff's participants listed, every address a node sends clients or data
 *    to is a member's advertised address.
 */

/** Refuses topologies a node must never adopt (absurd epochs, handoffs with strangers). */
public final class TopologyGuard {

  /** No topology at or above this epoch is adopted: 2^40. */
  public static final long MAX_EPOCH = 1L << 40;

  /** Once a topology is held, no topology more than this many epochs newer is adopted: 2^20. */
  public static final long MAX_EPOCH_STEP = 1L << 20;

  private TopologyGuard() {}

  /**
   * Why {@code incoming} must not be adopted by a node holding {@code heldEpoch} (0 when
   * standalone), or null if it may be (adoption still ignores epochs not newer than the one held).
   */
  public static String refusal(Topology incoming, long heldEpoch) {
    long epoch = incoming.epoch();
    if (epoch >= MAX_EPOCH) {
      return "epoch " + epoch + " is absurd (expected: < " + MAX_EPOCH + ")";
    }
    if (heldEpoch > 0 && epoch > heldEpoch && epoch - heldEpoch > MAX_EPOCH_STEP) {
      return "epoch " + epoch + " jumps too far ahead of the epoch held, " + heldEpoch
          + " (expected: at most " + MAX_EPOCH_STEP + " newer)";
    }
    Set<String> members = new HashSet<>();
    for (NodeInfo node : incoming.nodes()) {
      members.add(node.name());
    }
    for (Handoff h : incoming.handoffs()) {
      if (!members.contains(h.from()) || !members.contains(h.to())) {
        return "handoff " + h.id() + " from " + h.from() + " to " + h.to() + " names a node that is not a member";
      }
    }
    return null;
  }
}
