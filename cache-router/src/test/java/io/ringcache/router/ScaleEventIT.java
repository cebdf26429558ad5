package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.NodeServer;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.RingDiff;
import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.Topology;
import io.ringcache.router.control.ScaleEvent;
import io.ringcache.testkit.core.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Join, leave and weight change on a loaded, idle cluster: nothing lost, nothing copied needlessly. */
class ScaleEventIT {

  private static final int KEYS = 200_000;

  private TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = new TestCluster(3);
    cluster.load(KEYS);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void join_movesExactlyTheKeysWhoseOwnerChanged_andLosesNone() {
    HashRing before = cluster.topology().ring();
    NodeServer fourth = cluster.startNode();
    ScaleEvent event = cluster.router.coordinator().join(TestCluster.name(fourth), null, 1);
    cluster.awaitIdle();

    assertThat(event.status()).as(event.message()).isEqualTo(ScaleEvent.Status.DONE);
    assertThat(cluster.wrongValues(KEYS)).isEmpty();
    cluster.assertEachNodeHoldsExactlyItsKeys(KEYS);
    assertThat(event.keysMoved()).isEqualTo(keysThatMove(before, cluster.topology().ring()));
  }

  @Test
  void leave_movesExactlyTheLeavingNodesKeys_andLosesNone() {
    HashRing before = cluster.topology().ring();
    String leaving = before.nodeNames().get(1);
    ScaleEvent event = cluster.router.coordinator().leave(leaving);
    cluster.awaitIdle();

    assertThat(event.status()).as(event.message()).isEqualTo(ScaleEvent.Status.DONE);
    assertThat(cluster.topology().node(leaving)).isEmpty();
    assertThat(cluster.wrongValues(KEYS)).isEmpty();
    cluster.assertEachNodeHoldsExactlyItsKeys(KEYS);
    assertThat(event.keysMoved()).isEqualTo(keysThatMove(before, cluster.topology().ring()));
    cluster.nodes.get(leaving).store().cleanUp();
    Await.until(() -> cluster.nodes.get(leaving).store().size() == 0, java.time.Duration.ofSeconds(10), "leaver to drop its entries");
  }

  @Test
  void weightChange_movesExactlyTheKeysWhoseOwnerChanged() {
    HashRing before = cluster.topology().ring();
    String heavier = before.nodeNames().get(0);
    ScaleEvent event = cluster.router.coordinator().reweight(heavier, 3);
    cluster.awaitIdle();

    assertThat(event.status()).as(event.message()).isEqualTo(ScaleEvent.Status.DONE);
    assertThat(cluster.topology().ring().weightOf(heavier)).isEqualTo(3);
    assertThat(cluster.wrongValues(KEYS)).isEmpty();
    cluster.assertEachNodeHoldsExactlyItsKeys(KEYS);
    assertThat(event.keysMoved()).isEqualTo(keysThatMove(before, cluster.topology().ring()));
  }

  @Test
  void join_carriesEachMovedEntrysRemainingTtl() {
    io.ringcache.ring.RoutingTable before = io.ringcache.ring.RoutingTable.of(cluster.topology());
    java.util.Map<String, java.util.List<Integer>> byNode = new java.util.HashMap<>();
    for (int i = 0; i < 2_000; i++) {
      byNode.computeIfAbsent(before.serverOf(ttlKey(i)), n -> new java.util.ArrayList<>()).add(i);
    }
    for (var e : byNode.entrySet()) {
      try (redis.clients.jedis.Jedis jedis = TestCluster.jedis(before.addressOf(e.getKey()))) {
        for (int i : e.getValue()) {
          jedis.set(ttlKey(i), TestCluster.value(i), redis.clients.jedis.params.SetParams.setParams().px(600_000));
        }
      }
    }
    NodeServer fourth = cluster.startNode();
    cluster.router.coordinator().join(TestCluster.name(fourth), null, 1);
    cluster.awaitIdle();

    io.ringcache.ring.RoutingTable after = io.ringcache.ring.RoutingTable.of(cluster.topology());
    int moved = 0;
    try (redis.clients.jedis.Jedis jedis = TestCluster.jedis(fourth.cluster().advertisedAddress())) {
      for (int i = 0; i < 2_000; i++) {
        if (after.serverOf(ttlKey(i)).equals(TestCluster.name(fourth))) {
          moved++;
          long pttl = jedis.pttl(ttlKey(i));
          assertThat(pttl).as("PTTL of moved key %s", i).isBetween(1L, 600_000L);
          assertThat(pttl).isGreaterThan(500_000L);
        }
      }
    }
    assertThat(moved).isPositive();
  }

  private static byte[] ttlKey(int i) {
    return ("ttl:" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static long keysThatMove(HashRing before, HashRing after) {
    RingDiff diff = RingDiff.between(before, after);
    long moved = 0;
    for (int i = 0; i < KEYS; i++) {
      if (!before.ownerOf(TestCluster.key(i)).equals(after.ownerOf(TestCluster.key(i)))) {
        moved++;
        assertThat(diff.moves(io.ringcache.ring.Crc32.hash(TestCluster.key(i)))).isTrue();
      }
    }
    assertThat(moved).isPositive();
    return moved;
  }
}
