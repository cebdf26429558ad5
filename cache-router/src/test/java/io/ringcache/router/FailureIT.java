package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.NodeServer;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.Topology;
import io.ringcache.router.control.ScaleConflictException;
import io.ringcache.router.control.ScaleEvent;
import io.ringcache.testkit.core.Await;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Faults in the middle of a handoff: the invariants hold and the cluster converges. */
class FailureIT {

  private static final int BULK = 150_000;

  private TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = new TestCluster(3);
    cluster.load(BULK); // enough entries that streaming takes a while
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void targetKilledWhileStreaming_isEjected_andNoReadIsStale() throws Exception {
    try (HistoryChecker history = checker(true)) {
      history.awaitWrites(2_000);
      NodeServer target = cluster.startNode();
      cluster.router.coordinator().join(TestCluster.name(target), null, 1);
      awaitPhase(HandoffPhase.STREAMING);
      cluster.kill(TestCluster.name(target));

      cluster.awaitIdle();
      Topology t = cluster.topology();
      assertThat(t.node(TestCluster.name(target)).orElseThrow().state()).isEqualTo(NodeState.EJECTED);
      assertThat(cluster.router.coordinator().history().get(0).status()).isEqualTo(ScaleEvent.Status.FAILED);
      long after = history.writes.get();
      history.awaitWrites(after + 2_000);
      assertThat(history.stopAndVerify()).isEmpty();
    }
  }

  @Test
  void sourceKilledWhileStreaming_isEjected_theOtherSourcesStillHandOff_andNoReadIsStale() throws Exception {
    RoutingTable before = RoutingTable.of(cluster.topology());
    try (HistoryChecker history = checker(true)) {
      history.awaitWrites(2_000);
      NodeServer target = cluster.startNode();
      cluster.router.coordinator().join(TestCluster.name(target), null, 1);
      Topology streaming = awaitPhase(HandoffPhase.STREAMING);
      String source = streaming.handoffs().get(0).from();
      cluster.kill(source);

      cluster.awaitIdle();
      Topology t = cluster.topology();
      assertThat(t.node(source).orElseThrow().state()).isEqualTo(NodeState.EJECTED);
      assertThat(t.node(TestCluster.name(target)).orElseThrow().state()).isEqualTo(NodeState.UP);
      assertThat(t.ring().nodeNames()).contains(TestCluster.name(target));
      assertThat(cluster.router.coordinator().history().get(0).status()).isEqualTo(ScaleEvent.Status.DONE);
      // the join went on from the live sources: only the dead node's keys may be gone
      assertThat(cluster.wrongValues(BULK))
          .allSatisfy(i -> assertThat(before.serverOf(TestCluster.key(i))).as("owner of lost key %s", i).isEqualTo(source));
      long after = history.writes.get();
      history.awaitWrites(after + 2_000);
      assertThat(history.stopAndVerify()).isEmpty();
    }
  }

  @Test
  void routerRestartedWhileStreaming_resumesTheHandoff_andLosesNothing() throws Exception {
    try (HistoryChecker history = checker(false)) {
      history.awaitWrites(2_000);
      NodeServer target = cluster.startNode();
      cluster.router.coordinator().join(TestCluster.name(target), null, 1);
      awaitPhase(HandoffPhase.STREAMING);
      cluster.restartRouter();

      cluster.awaitIdle();
      Topology t = cluster.topology();
      assertThat(t.handoffs()).isEmpty();
      assertThat(t.ring().nodeNames()).contains(TestCluster.name(target));
      assertThat(cluster.wrongValues(BULK)).isEmpty();
      long after = history.writes.get();
      history.awaitWrites(after + 2_000);
      assertThat(history.stopAndVerify()).isEmpty();
      assertThat(history.errors.get()).isZero();
    }
  }

  @Test
  void secondJoinWhileOneRuns_isRefusedClearly_andTheRingStaysWhole() throws Exception {
    NodeServer first = cluster.startNode();
    NodeServer second = cluster.startNode();
    cluster.router.coordinator().join(TestCluster.name(first), null, 1);
    // a conflict with the cluster's state: the admin API answers it 409 (ApiExceptionTest)
    ScaleConflictException refused = org.junit.jupiter.api.Assertions.assertThrows(ScaleConflictException.class,
        () -> cluster.router.coordinator().join(TestCluster.name(second), null, 1));
    assertThat(refused.getMessage()).contains("is under way");
    cluster.awaitIdle();
    assertThat(cluster.topology().ring().nodeNames()).hasSize(4).doesNotContain(TestCluster.name(second));
    assertThat(cluster.wrongValues(BULK)).isEmpty();
    cluster.assertEachNodeHoldsExactlyItsKeys(BULK);
  }

  private HistoryChecker checker(boolean missesAllowed) {
    return new HistoryChecker(() -> RoutingTable.of(cluster.topology()), 2_000, 2, 2, missesAllowed);
  }

  private Topology awaitPhase(HandoffPhase phase) {
    Topology[] seen = new Topology[1];
    Await.until(() -> {
      Topology t = cluster.topology();
      seen[0] = t;
      return !t.handoffs().isEmpty() && t.handoffs().get(0).phase() == phase;
    }, Duration.ofSeconds(20), "phase " + phase);
    return seen[0];
  }
}
