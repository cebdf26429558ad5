package io.ringcache.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.ring.Handoff;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.HashRange;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopologyGuardTest {

  private static final List<NodeInfo> NODES = List.of(NodeInfo.of("a:1", 1), NodeInfo.of("b:2", 1));

  @Test
  void refusal_ordinaryNextEpoch_isNull() {
    assertThat(TopologyGuard.refusal(Topology.of(1, NODES), 0)).isNull();
    assertThat(TopologyGuard.refusal(Topology.of(8, NODES), 7)).isNull();
    assertThat(TopologyGuard.refusal(Topology.of(7 + TopologyGuard.MAX_EPOCH_STEP, NODES), 7)).isNull();
    assertThat(TopologyGuard.refusal(Topology.of(TopologyGuard.MAX_EPOCH - 1, NODES), 0)).isNull();
  }

  @Test
  void refusal_epochAtOrAboveBound_isRefusedEvenWhenStandalone() {
    assertThat(TopologyGuard.refusal(Topology.of(TopologyGuard.MAX_EPOCH, NODES), 0)).contains("absurd");
    assertThat(TopologyGuard.refusal(Topology.of(Long.MAX_VALUE, NODES), 5)).contains("absurd");
  }

  @Test
  void refusal_jumpBeyondStepOnceHolding_isRefused() {
    assertThat(TopologyGuard.refusal(Topology.of(8 + TopologyGuard.MAX_EPOCH_STEP, NODES), 7)).contains("too far ahead");
    // older epochs are not refused here: adoption ignores them
    assertThat(TopologyGuard.refusal(Topology.of(3, NODES), 7)).isNull();
  }

  @Test
  void refusal_handoffWithNonMember_isRefused() {
    Handoff good = new Handoff("h", "a:1", "b:2", List.of(HashRange.all()), HandoffPhase.PREPARED);
    Handoff bad = new Handoff("h", "a:1", "127.0.0.1:18666", List.of(HashRange.all()), HandoffPhase.STREAMING);
    assertThat(TopologyGuard.refusal(new Topology(2, NODES, List.of(good)), 1)).isNull();
    assertThat(TopologyGuard.refusal(new Topology(2, NODES, List.of(bad)), 1)).contains("not a member");
  }
}
