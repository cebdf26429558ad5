package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringcache.testkit.EmbeddedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@code withTimeout}: a view whose operations get their own timeout, shorter or longer than the
 * client's command timeout, against a real {@code redis-server} held still with {@code CLIENT PAUSE}
 * (every client's commands wait, as behind a slow node).
 */
class PerCallTimeoutIT {

  @Test
  void withTimeout_shorterThanTheCommandTimeout_failsThatCallAtItsOwnDeadline_andNoOther() {
    assumeTrue(RedisProcess.available(), "redis-server is not installed");
    try (RedisProcess redis = RedisProcess.start();
        CacheClient cache = CacheClient.builder().seeds(redis.address()).commandTimeout(Duration.ofSeconds(5)).build()) {
      cache.put("k", "v");
      assertThat(RespTestClient.callOnce(redis.address(), "CLIENT", "PAUSE", "1500", "ALL")).isEqualTo("+OK");
      CompletableFuture<String> patient = cache.async().get("k");
      long start = System.nanoTime();
      assertThatThrownBy(() -> cache.withTimeout(Duration.ofMillis(100)).get("k"))
          .isInstanceOf(CacheTimeoutException.class)
          .hasMessageContaining("within 100 ms")
          .hasCauseInstanceOf(CacheTimeoutException.class);
      Duration failedAfter = Duration.ofNanos(System.nanoTime() - start);
      assertThatThrownBy(() -> cache.async().withTimeout(Duration.ofMillis(100)).put("k2", "x").join())
          .hasCauseInstanceOf(CacheTimeoutException.class);
      assertThat(failedAfter).isGreaterThanOrEqualTo(Duration.ofMillis(100)).isLessThan(Duration.ofMillis(1_000));
      assertThat(patient.join()).as("a call with the client's 5 s timeout waits out the pause").isEqualTo("v");
    }
  }

  @Test
  void withTimeout_longerThanTheCommandTimeout_waitsOutASlowNode() {
    assumeTrue(RedisProcess.available(), "redis-server is not installed");
    try (RedisProcess redis = RedisProcess.start();
        CacheClient cache = CacheClient.builder().seeds(redis.address()).commandTimeout(Duration.ofMillis(300)).build()) {
      cache.put("k", "v");
      CacheCommands<String, String> patient = cache.withTimeout(Duration.ofSeconds(10));
      assertThat(RespTestClient.callOnce(redis.address(), "CLIENT", "PAUSE", "1000", "ALL")).isEqualTo("+OK");
      long start = System.nanoTime();
      assertThat(patient.get("k")).isEqualTo("v");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(300));
      assertThat(patient.getAll(java.util.List.of("k", "missing"))).containsOnlyKeys("k");
    }
  }

  @Test
  void withTimeout_underAMillisecond_isRefused() {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(1).withoutRouter().start();
        CacheClient cache = CacheClient.builder().seeds(cluster.nodeAddress(0)).build()) {
      assertThatThrownBy(() -> cache.withTimeout(Duration.ofNanos(999_999)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("timeout must be at least 1 ms: PT0.000999999S");
      assertThatThrownBy(() -> cache.binaryAsync().withTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
