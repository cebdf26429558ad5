package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.ring.Crc32;
import io.ringcache.ring.Handoff;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.HashRange;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.Topology;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyRouterTest {

  private static final NodeInfo A = new NodeInfo("a:1", "127.0.0.1:7001", 1, NodeState.UP);
  private static final NodeInfo B = new NodeInfo("b:2", "127.0.0.1:7002", 2, NodeState.UP);
  private static final NodeInfo C = new NodeInfo("c:3", "127.0.0.1:7003", 1, NodeState.UP);

  private static byte[] key(int i) {
    return ("key:" + i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void addressOf_withoutHandoff_isTheRingOwnersAddress() {
    Topology topology = Topology.of(4, List.of(A, B, C));
    KeyRouter router = KeyRouter.of(topology);
    for (int i = 0; i < 2000; i++) {
      String owner = topology.ring().ownerOfHash(Crc32.hash(key(i)));
      assertThat(router.addressOf(key(i))).isEqualTo(topology.node(owner).orElseThrow().address());
    }
    assertThat(router.epoch()).isEqualTo(4);
    assertThat(router.addresses()).containsExactly("127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003");
  }

  @Test
  void addressOf_coveredByPreparedHandoff_isTheSource() {
    Handoff handoff = new Handoff("h1", "a:1", "c:3", List.of(HashRange.all()), HandoffPhase.PREPARED);
    KeyRouter router = KeyRouter.of(new Topology(5, List.of(A, B, C), List.of(handoff)));
    for (int i = 0; i < 100; i++) {
      assertThat(router.addressOf(key(i))).isEqualTo("127.0.0.1:7001");
    }
  }

  @Test
  void addressOf_coveredBySealedActiveOrStreamingHandoff_isTheTarget() {
    for (HandoffPhase phase : List.of(HandoffPhase.SEALED, HandoffPhase.ACTIVE, HandoffPhase.STREAMING)) {
      Handoff handoff = new Handoff("h1", "a:1", "c:3", List.of(HashRange.all()), phase);
      KeyRouter router = KeyRouter.of(new Topology(5, List.of(A, B, C), List.of(handoff)));
      assertThat(router.addressOf(key(1))).as(phase.name()).isEqualTo("127.0.0.1:7003");
    }
  }

  @Test
  void addressOf_notCoveredByTheHandoff_isTheRingOwner() {
    Topology plain = Topology.of(5, List.of(A, B));
    int hash = Crc32.hash(key(7));
    // A range that holds everything but this key's hash.
    HashRange allButKey = HashRange.of(hash, hash - 1);
    Handoff handoff = new Handoff("h1", "a:1", "c:3", List.of(allButKey), HandoffPhase.ACTIVE);
    KeyRouter router = KeyRouter.of(new Topology(5, List.of(A, B, C.withState(NodeState.EJECTED)), List.of(handoff)));
    assertThat(router.addressOf(key(7))).isEqualTo(KeyRouter.of(plain).addressOf(key(7)));
  }

  @Test
  void standalone_sendsEveryKeyToOneAddress() {
    KeyRouter router = KeyRouter.standalone("127.0.0.1:6379");
    assertThat(router.addressOf(key(1))).isEqualTo("127.0.0.1:6379");
    assertThat(router.addressOf(key(2))).isEqualTo("127.0.0.1:6379");
    assertThat(router.isStandalone()).isTrue();
    assertThat(router.epoch()).isZero();
  }

  @Test
  void addressOf_topologyWithNoNodeInTheRing_failsWithCacheException() {
    KeyRouter router = KeyRouter.of(Topology.of(3, List.of(A.withState(NodeState.EJECTED))));
    assertThatThrownBy(() -> router.addressOf(key(1)))
        .isInstanceOf(CacheException.class)
        .hasMessageContaining("epoch 3 has no node");
  }

  @Test
  void addressOf_leavingNodeWhilePrepared_isStillTheLeavingNodesAddress() {
    // A leaving node is out of the ring but keeps its address while it hands its ranges over.
    Handoff handoff = new Handoff("h1", "c:3", "a:1", List.of(HashRange.all()), HandoffPhase.PREPARED);
    KeyRouter router =
        KeyRouter.of(new Topology(6, List.of(A, B, C.withState(NodeState.LEAVING)), List.of(handoff)));
    assertThat(router.addressOf(key(1))).isEqualTo("127.0.0.1:7003");
  }
}
