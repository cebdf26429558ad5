package io.ringcache.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.store.Clock;
import io.ringcache.node.store.Stores;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterStateTest {

  private final ClusterState state =
      new ClusterState("127.0.0.1:7001", "10.0.0.1:7001", Stores.packed(1 << 20, Clock.SYSTEM), Runnable::run);

  private static Topology threeNodes(long epoch) {
    return Topology.of(
        epoch,
        List.of(
            new NodeInfo("127.0.0.1:7001", "10.0.0.1:7001", 1, NodeState.UP),
            new NodeInfo("127.0.0.1:7002", "10.0.0.2:7002", 1, NodeState.UP),
            new NodeInfo("127.0.0.1:7003", "10.0.0.3:7003", 2, NodeState.UP)));
  }

  @Test
  void route_standalone_servesEveryKey() {
    assertThat(state.isStandalone()).isTrue();
    for (int h = Integer.MIN_VALUE; h < Integer.MAX_VALUE - 99_999_999; h += 100_000_000) {
      assertThat(state.route(h)).isSameAs(ClusterState.Route.SERVE);
    }
  }

  @Test
  void topology_standalone_isEpochZeroWithThisNodeAlone() {
    Topology t = state.topology();
    assertThat(t.epoch()).isZero();
    assertThat(t.nodes()).containsExactly(new NodeInfo("127.0.0.1:7001", "10.0.0.1:7001", 1, NodeState.UP));
  }

  @Test
  void route_withTopology_servesOwnKeysAndRedirectsOthersToOwnerAddress() {
    Topology t = threeNodes(3);
    assertThat(state.adopt(t)).isEqualTo(3);
    HashRing ring = t.ring();
    int served = 0;
    for (int i = 0; i < 10_000; i++) {
      int hash = io.ringcache.ring.Crc32.hash(("key:" + i).getBytes());
      String owner = ring.ownerOfHash(hash);
      ClusterState.Route route = state.route(hash);
      if (owner.equals("127.0.0.1:7001")) {
        assertThat(route).isSameAs(ClusterState.Route.SERVE);
        served++;
      } else {
        String address = t.node(owner).orElseThrow().address();
        assertThat(route.action()).isEqualTo(ClusterState.Action.REDIRECT);
        assertThat(route.error()).isEqualTo("MOVED 3 " + address);
        assertThat(route.address()).isEqualTo(address);
      }
    }
    assertThat(served).isBetween(1_500, 3_500);
  }

  @Test
  void adopt_olderOrSameEpoch_isIgnored() {
    state.adopt(threeNodes(5));
    assertThat(state.adopt(threeNodes(4))).isEqualTo(5);
    assertThat(state.adopt(threeNodes(5))).isEqualTo(5);
    assertThat(state.adopt(threeNodes(6))).isEqualTo(6);
    assertThat(state.epoch()).isEqualTo(6);
  }

  @Test
  void adopt_epochZero_keepsStandalone() {
    assertThat(state.adopt(threeNodes(0))).isZero();
    assertThat(state.isStandalone()).isTrue();
  }

  @Test
  void route_ringWithoutNodes_isTryAgain() {
    state.adopt(Topology.of(2, List.of(new NodeInfo("127.0.0.1:7001", null, 1, NodeState.EJECTED))));
    ClusterState.Route route = state.route(42);
    assertThat(route.action()).isEqualTo(ClusterState.Action.TRYAGAIN);
    assertThat(route.error()).startsWith("TRYAGAIN");
  }

  @Test
  void route_nodeNotInTopology_redirectsEverything() {
    state.adopt(Topology.of(1, List.of(NodeInfo.of("127.0.0.1:7002", 1))));
    assertThat(state.route(7).error()).isEqualTo("MOVED 1 127.0.0.1:7002");
  }
}
