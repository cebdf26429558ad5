package io.ringcache.router.control;

import io.ringcache.ring.Handoff;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import java.util.stream.Collectors;

/** Short human-readable renderings for log lines. */
public final class Describe {

  private Describe() {}

  public static String topology(Topology topology) {
    String nodes =
        topology.nodes().stream()
            .map(n -> n.name() + "=" + n.weight() + (n.state() == io.ringcache.ring.NodeState.UP ? "" : "(" + n.state() + ")"))
            .collect(Collectors.joining(", ", "[", "]"));
    if (topology.handoffs().isEmpty()) {
      return nodes;
    }
    return nodes + " handoffs " + topology.handoffs().stream().map(Describe::handoff).collect(Collectors.joining(", "));
  }

  static String handoff(Handoff h) {
    return h.id() + " " + h.from() + "->" + h.to() + " " + h.phase() + " (" + h.ranges().size() + " ranges)";
  }

  static String node(NodeInfo n) {
    return n.name() + (n.name().equals(n.address()) ? "" : " at " + n.address());
  }
}
