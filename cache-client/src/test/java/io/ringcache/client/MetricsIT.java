package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringcache.testkit.core.Await;
import io.ringcache.testkit.EmbeddedCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link MicrometerMetrics} counts real traffic: real nodes, a topology change behind the client's back, a scripted -TRYAGAIN. */
class MetricsIT {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private long operations(String command, String outcome) {
    var timer = registry.find("ringcache.client.operations").tag("command", command).tag("outcome", outcome).timer();
    return timer == null ? 0 : timer.count();
  }

  private double counter(String name, String... tags) {
    var counter = registry.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void meters_countOperationsWithTheirLatency_redirectsAndTopologyRefreshes_onRealNodes() {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).withoutRouter().start()) {
      cluster.pushTopology(cluster.topologyOf(1, 0, 1));
      try (CacheClient cache = CacheClient.builder()
          .seeds(cluster.nodeAddress(0))
          .topologyRefreshPeriod(Duration.ZERO)
          .metrics(MicrometerMetrics.of(registry))
          .build()) {
        assertThat(counter("ringcache.client.topology.refreshes", "outcome", "changed")).as("the bootstrap").isEqualTo(1);
        assertThat(registry.get("ringcache.client.topology.epoch").gauge().value()).isEqualTo(1);
        for (int i = 0; i < 100; i++) {
          cache.put("m:" + i, "v");
        }
        for (int i = 0; i < 100; i++) {
          cache.async().get("m:" + i).join();
        }
        assertThat(cache.get("m:none")).isNull();
        assertThatThrownBy(() -> cache.incr("m:0")).isInstanceOf(CacheServerException.class);
        assertThat(operations("SET", "ok")).isEqualTo(100);
        assertThat(operations("GET", "ok")).isEqualTo(101);
        assertThat(operations("INCR", "server")).isEqualTo(1);
        var setTimer = registry.get("ringcache.client.operations").tag("command", "SET").timer();
        assertThat(setTimer.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(setTimer.max(TimeUnit.SECONDS)).isLessThan(2);

        // node 2 joins behind the client's back: keys it now owns are redirected there
        cluster.pushTopology(cluster.topologyOf(2, 0, 1, 2));
        for (int i = 0; i < 100; i++) {
          assertThat(cache.get("m:" + i)).isIn("v", null);
        }
        assertThat(counter("ringcache.client.redirects")).isPositive();
        Await.until(() -> counter("ringcache.client.topology.refreshes", "outcome", "changed") == 2, Duration.ofSeconds(10),
            "the refresh the first -MOVED started");
        assertThat(registry.get("ringcache.client.topology.epoch").gauge().value()).isEqualTo(2);
        assertThat(operations("RING.TOPOLOGY", "ok")).isGreaterThanOrEqualTo(2);
      }
    }
  }

  @Test
  void meters_countEachTryAgainRetry_andTheOperationOnceWhenItSucceeds() throws Exception {
    AtomicInteger tryAgains = new AtomicInteger(3);
    try (FakeNode node = new FakeNode(args -> switch (args.get(0)) {
          case "RING.TOPOLOGY" -> "-ERR unknown command 'RING.TOPOLOGY'\r\n";
          case "GET" -> tryAgains.getAndDecrement() > 0 ? "-TRYAGAIN handoff under way\r\n" : FakeNode.bulk("v");
          default -> "+OK\r\n";
        });
        CacheClient cache = CacheClient.builder().seeds(node.address()).metrics(MicrometerMetrics.of(registry)).build()) {
      assertThat(cache.get("k")).isEqualTo("v");
      assertThat(counter("ringcache.client.retries")).isEqualTo(3);
      assertThat(operations("GET", "ok")).isEqualTo(1);
      assertThat(new String(cache.binary().get("k".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8)).isEqualTo("v");
      assertThat(operations("GET", "ok")).isEqualTo(2);
    }
  }
}
