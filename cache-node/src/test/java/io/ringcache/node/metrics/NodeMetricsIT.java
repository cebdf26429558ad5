package io.ringcache.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.node.NodeConfig;
import io.ringcache.node.NodeServer;
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
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/** A real node on an ephemeral loopback port, scraped over HTTP as Prometheus would. */
class NodeMetricsIT {

  private NodeServer node;
  private int metricsPort;

  @BeforeEach
  void start() {
    node = NodeServer.start(NodeConfig.builder().bind("127.0.0.1").port(0).threads(1).maxMemory(1 << 20).build());
    metricsPort = node.serveMetrics(0);
  }

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void scrape_afterCommands_countsOpsErrorsHitsMissesKeysAndConnections() throws Exception {
    try (Jedis jedis = new Jedis("127.0.0.1", node.port(), 5_000)) {
      jedis.set("a", "1");
      jedis.set("s", "not a number");
      assertThat(jedis.get("a")).isEqualTo("1");
      assertThat(jedis.get("missing")).isNull();
      assertThatThrownBy(() -> jedis.incr("s")).isInstanceOf(JedisDataException.class);

      HttpResponse<String> response = get("/metrics");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
      String text = response.body();
      assertThat(value(text, "ringcache_node_commands_total{command=\"set\"}")).isEqualTo(2);
      assertThat(value(text, "ringcache_node_commands_total{command=\"get\"}")).isEqualTo(2);
      assertThat(value(text, "ringcache_node_commands_total{command=\"incr\"}")).isEqualTo(1);
      assertThat(value(text, "ringcache_node_command_errors_total{command=\"incr\"}")).isEqualTo(1);
      assertThat(value(text, "ringcache_node_command_errors_total{command=\"get\"}")).isZero();
      assertThat(value(text, "ringcache_node_keyspace_hits_total")).isEqualTo(1);
      assertThat(value(text, "ringcache_node_keyspace_misses_total")).isEqualTo(1);
      assertThat(value(text, "ringcache_node_keys")).isEqualTo(2);
      assertThat(value(text, "ringcache_node_memory_used_bytes")).isPositive();
      assertThat(value(text, "ringcache_node_memory_max_bytes")).isEqualTo(1 << 20);
      assertThat(value(text, "ringcache_node_connected_clients")).isEqualTo(1);
      assertThat(value(text, "ringcache_node_evictions_total")).isZero();
      assertThat(value(text, "ringcache_node_expired_keys_total")).isZero();
      assertThat(value(text, "ringcache_node_output_buffer_closes_total{limit=\"max-output-buffer\"}")).isZero();
      assertThat(value(text, "ringcache_node_output_buffer_closes_total{limit=\"output-stall-timeout\"}")).isZero();
      assertThat(text).contains("ringcache_node_info{name=\"127.0.0.1:" + node.port() + "\"} 1", "jvm_memory_used_bytes");
    }
  }

  @Test
  void scrape_otherPath_answers404() throws Exception {
    assertThat(get("/").statusCode()).isEqualTo(404);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The value of the sample named exactly {@code series} (name and labels). */
  static double value(String exposition, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
    assertThat(m.find()).as("series " + series + " in%n%s", exposition).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
