package io.ringcache.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RoutingTableTest {

  private final List<NodeInfo> before = List.of(NodeInfo.of("a:1", 1), NodeInfo.of("b:1", 1));
  private final List<NodeInfo> after =
      List.of(NodeInfo.of("a:1", 1), NodeInfo.of("b:1", 1), new NodeInfo("c:1", "127.0.0.1:7003", 1, NodeState.UP));

  @Test
  void serverOfHash_withoutHandoffs_isTheRingOwner() {
    RoutingTable table = RoutingTable.of(Topology.of(1, after));
    Random random = new Random(5);
    for (int i = 0; i < 2000; i++) {
      int hash = random.nextInt();
      assertThat(table.serverOfHash(hash)).isEqualTo(table.ring().ownerOfHash(hash));
    }
    assertThat(table.addressOf("c:1")).isEqualTo("127.0.0.1:7003");
    assertThat(table.addressOf("unknown:9")).isEqualTo("unknown:9");
  }

  @Test
  void serverOfHash_duringAJoin_isTheSourceUntilSealedThenTheTarget() {
    Map<Transfer, List<HashRange>> groups = RingDiff.between(HashRing.of(before), HashRing.of(after)).groups();
    for (HandoffPhase phase : HandoffPhase.values()) {
      List<Handoff> handoffs = new ArrayList<>();
      int i = 0;
      for (Map.Entry<Transfer, List<HashRange>> group : groups.entrySet()) {
        handoffs.add(new Handoff("h" + i++, group.getKey().from(), group.getKey().to(), group.getValue(), phase));
      }
      RoutingTable table = RoutingTable.of(new Topology(2, after, handoffs));
      HashRing oldRing = HashRing.of(before);
      HashRing newRing = HashRing.of(after);
      Random random = new Random(9);
      for (int k = 0; k < 5000; k++) {
        int hash = random.nextInt();
        String expected = phase == HandoffPhase.PREPARED ? oldRing.ownerOfHash(hash) : newRing.ownerOfHash(hash);
        assertThat(table.serverOfHash(hash)).as("phase %s", phase).isEqualTo(expected);
      }
    }
  }

  @Test
  void ring_excludesLeavingNodes_butTheyKeepTheirAddress() {
    List<NodeInfo> nodes =
        List.of(NodeInfo.of("a:1", 1), new NodeInfo("b:1", "127.0.0.1:7002", 1, NodeState.LEAVING));
    RoutingTable table = RoutingTable.of(Topology.of(3, nodes));
    assertThat(table.ring().nodeNames()).containsExactly("a:1");
    assertThat(table.addressOf("b:1")).isEqualTo("127.0.0.1:7002");
  }
}
