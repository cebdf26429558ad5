package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.NodeServer;
import io.ringcache.ring.RoutingTable;
import io.ringcache.router.control.ScaleEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Writers and readers run through join/leave cycles under the history checker: no stale read, nothing lost. */
class HistoryCheckIT {

  private static final int CYCLES = 3;

  private TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = new TestCluster(3);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void joinsAndLeavesUnderLoad_neverServeAnOlderValue_andLoseNothing() throws Exception {
    try (HistoryChecker history = new HistoryChecker(() -> RoutingTable.of(cluster.topology()), 4_000, 4, 4, false)) {
      history.awaitWrites(4_000);
      for (int cycle = 0; cycle < CYCLES; cycle++) {
        NodeServer extra = cluster.startNode();
        long before = history.writes.get();
        ScaleEvent join = cluster.router.coordinator().join(TestCluster.name(extra), null, 1);
        cluster.awaitIdle();
        assertThat(join.status()).as(join.message()).isEqualTo(ScaleEvent.Status.DONE);
        ScaleEvent leave = cluster.router.coordinator().leave(TestCluster.name(extra));
        cluster.awaitIdle();
        assertThat(leave.status()).as(leave.message()).isEqualTo(ScaleEvent.Status.DONE);
        assertThat(history.writes.get()).as("writes kept going during cycle %s", cycle).isGreaterThan(before);
        extra.close();
        cluster.nodes.remove(TestCluster.name(extra));
      }
      assertThat(history.stopAndVerify()).isEmpty();
      assertThat(history.reads.get()).isGreaterThan(1000);
      assertThat(history.errors.get()).isZero();
    }
  }
}
