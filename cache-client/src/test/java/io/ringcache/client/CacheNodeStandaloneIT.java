package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.testkit.EmbeddedCluster;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against one real cache node that was never given a topology: it owns every key. */
class CacheNodeStandaloneIT {

  private static EmbeddedCluster node;
  private static CacheClient cache;

  @BeforeAll
  static void start() {
    node = EmbeddedCluster.builder().nodes(1).withoutRouter().start();
    cache = CacheClient.builder().seeds(node.nodeAddress(0)).build();
  }

  @AfterAll
  static void stop() {
    if (cache != null) {
      cache.close();
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  void build_standaloneNode_routesEveryKeyToIt() {
    assertThat(cache.topologyEpoch()).isZero();
    assertThat(((DefaultCacheClient) cache).addressOf("any")).isEqualTo(node.nodeAddress(0));
  }

  @Test
  void everyOperation_behavesAsDocumented() {
    cache.put("user:1", "alice");
    assertThat(cache.get("user:1")).isEqualTo("alice");
    assertThat(cache.get("user:none")).isNull();
    assertThat(cache.exists("user:1")).isTrue();
    assertThat(cache.ttl("user:1")).isEmpty(); // exists, no time to live
    assertThat(cache.expire("user:1", Duration.ofMinutes(1))).isTrue();
    assertThat(cache.ttl("user:1").orElseThrow()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
    assertThat(cache.delete("user:1")).isTrue();
    assertThat(cache.delete("user:1")).isFalse();
    assertThat(cache.ttl("user:1")).isEmpty(); // no key
    cache.put("session:9", "x", Duration.ofMinutes(5));
    assertThat(cache.ttl("session:9").orElseThrow()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(5));
    assertThat(cache.incr("n")).isEqualTo(1);
    assertThat(cache.incrBy("n", 41)).isEqualTo(42);
  }

  @Test
  void bulkAndAsync_roundTrip() {
    Map<String, String> entries = new LinkedHashMap<>();
    for (int i = 0; i < 100; i++) {
      entries.put("bulk:" + i, "v" + i);
    }
    cache.async().putAll(entries).join();
    assertThat(cache.async().getAll(entries.keySet()).join()).containsExactlyEntriesOf(entries);
    assertThat(cache.getAll(List.of("bulk:1", "bulk:none"))).containsExactly(Map.entry("bulk:1", "v1"));
    byte[] key = {1, 2, 3};
    cache.binaryAsync().put(key, new byte[] {0, (byte) 0xFF}).join();
    assertThat(cache.binary().get(key)).containsExactly(0, 0xFF);
  }

  @Test
  void put_valuesOfOneMebibyte_roundTripSyncAndAsync() {
    String big = "b".repeat(1 << 20);
    cache.put("big", big);
    assertThat(cache.get("big")).isEqualTo(big);
    Map<String, String> many = new LinkedHashMap<>();
    for (int i = 0; i < 4; i++) {
      many.put("big:" + i, big);
    }
    cache.async().putAll(many).join();
    assertThat(cache.async().getAll(many.keySet()).join()).containsExactlyEntriesOf(many);
  }

  @Test
  void build_protectedNode_worksWithThePasswordAndFailsClearlyWithout() {
    try (EmbeddedCluster secured = EmbeddedCluster.builder().nodes(1).password("s3cret").withoutRouter().start()) {
      try (CacheClient withPassword = CacheClient.builder().seeds(secured.nodeAddress(0)).password("s3cret").build()) {
        withPassword.put("k", "v");
        assertThat(withPassword.get("k")).isEqualTo("v");
      }
      assertThatThrownBy(() -> CacheClient.builder().seeds(secured.nodeAddress(0)).build())
          .isInstanceOf(CacheAuthenticationException.class)
          .hasMessageContaining("NOAUTH");
      assertThatThrownBy(
              () -> CacheClient.builder().seeds(secured.nodeAddress(0)).password("wrong").build())
          .isInstanceOf(CacheAuthenticationException.class);
    }
  }
}
