package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.NodeConfig;
import io.ringcache.node.NodeServer;
import io.ringcache.ring.NodeState;
import io.ringcache.testkit.core.Await;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Health checks: a dead node is ejected within 3 seconds; when it answers again it is re-admitted, flushed. */
class HealthIT {
  private TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = new TestCluster(3);
    cluster.load(20_000);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void deadNode_isEjectedWithinThreeSeconds_andReadmittedFlushedWhenItReturns() throws Exception {
    String victim = cluster.topology().ring().nodeNames().get(1);
    int port = cluster.nodes.get(victim).port();
    long killedAt = System.nanoTime();
    cluster.kill(victim);

    Await.until(
        () -> cluster.topology().node(victim).orElseThrow().state() == NodeState.EJECTED,
        Duration.ofSeconds(3),
        "ejection of " + victim);
    assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(3));
    cluster.awaitIdle();
    assertThat(cluster.topology().ring().nodeNames()).doesNotContain(victim);
    // the survivors serve every key now; the victim's keys are misses, everyone else's intact
    int wrong = cluster.wrongValues(20_000).size();
    assertThat(wrong).isPositive().isLessThan(20_000);

    // the node comes back on the same address, with stale data written before it died
    NodeServer back = NodeServer.start(NodeConfig.builder().port(port).threads(1).cluster(true).build());
    back.store().set(io.ringcache.node.store.Key.of("stale".getBytes()), "old".getBytes(), -1, false,
        io.ringcache.node.store.Store.Condition.ALWAYS);
    cluster.nodes.put(victim, back);
    Await.until(
        () -> cluster.topology().node(victim).orElseThrow().state() == NodeState.UP
            && cluster.topology().handoffs().isEmpty() && !cluster.router.coordinator().busy(),
        Duration.ofSeconds(20),
        "re-admission of " + victim);
    cluster.awaitIdle();
    assertThat(cluster.topology().ring().nodeNames()).contains(victim);
    assertThat(back.store().get(io.ringcache.node.store.Key.of("stale".getBytes()))).isNull();
    // the keys lost with the node stay misses, nothing else changed; the stale entry was flushed
    assertThat(cluster.wrongValues(20_000)).hasSize(wrong);
    cluster.load(20_000);
    assertThat(cluster.wrongValues(20_000)).isEmpty();
    cluster.assertEachNodeHoldsExactlyItsKeys(20_000);
  }
}
