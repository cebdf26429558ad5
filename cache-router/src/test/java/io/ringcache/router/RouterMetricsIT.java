package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.NodeServer;
import io.ringcache.router.control.ScaleEvent;
import io.ringcache.testkit.core.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The router's GET /metrics on its admin port, scraped over HTTP as Prometheus would. */
class RouterMetricsIT {
  private TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = new TestCluster(2);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void metrics_afterAJoin_showEpochNodeStatesTheEndedEventAndTheKeysItMoved() throws Exception {
    cluster.load(2_000);
    NodeServer third = cluster.startNode();
    ScaleEvent event = cluster.router.coordinator().join(TestCluster.name(third), null, 1);
    cluster.awaitIdle();
    assertThat(event.status()).as(event.message()).isEqualTo(ScaleEvent.Status.DONE);
    assertThat(event.keysMoved()).isPositive();
    Await.until(() -> cluster.topology().nodes().stream().allMatch(n -> answeredLastHealthCheck(n.name())),
        Duration.ofSeconds(10), "a health check of every node");

    HttpResponse<String> response = get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    String text = response.body();
    assertThat(value(text, "ringcache_router_topology_epoch")).isEqualTo(cluster.topology().epoch());
    assertThat(value(text, "ringcache_router_nodes_in_ring")).isEqualTo(3);
    assertThat(value(text, "ringcache_router_handoffs")).isZero();
    assertThat(value(text, "ringcache_router_scale_events_running")).isZero();
    assertThat(value(text, "ringcache_router_scale_event_keys_moved")).isZero(); // no event running
    assertThat(value(text, "ringcache_router_scale_event_keys_to_move")).isZero();
    for (String node : cluster.nodes.keySet()) {
      assertThat(value(text, "ringcache_router_node_state{node=\"" + node + "\",state=\"UP\"}")).isEqualTo(1);
      assertThat(value(text, "ringcache_router_node_state{node=\"" + node + "\",state=\"DOWN\"}")).isZero();
      assertThat(value(text, "ringcache_router_node_health_misses{node=\"" + node + "\"}")).isZero();
    }
    assertThat(value(text, "ringcache_router_scale_events_total{kind=\"JOIN\",status=\"DONE\"}")).isEqualTo(1);
    assertThat(value(text, "ringcache_router_keys_moved_total")).isEqualTo(event.keysMoved());

    // counted once: a second scrape does not count the same event again
    assertThat(value(get("/metrics").body(), "ringcache_router_scale_events_total{kind=\"JOIN\",status=\"DONE\"}")).isEqualTo(1);
  }

  private boolean answeredLastHealthCheck(String node) {
    return value(cluster.router.metrics().scrape(), "ringcache_router_node_health_misses{node=\"" + node + "\"}") == 0;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.router.adminPort() + path))
            .timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static double value(String exposition, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
    assertThat(m.find()).as("series " + series + " in%n%s", exposition).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
