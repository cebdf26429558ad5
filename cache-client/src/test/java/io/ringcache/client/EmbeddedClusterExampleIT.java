package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.testkit.EmbeddedCluster;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example of docs/client.md ("Testing against a real cluster"), word for word: a user's JUnit 5
 * test that starts a real cluster with the testkit. It lives here, not in cache-testkit, because
 * the testkit cannot depend on the client (the client's tests depend on the testkit).
 */
class EmbeddedClusterExampleIT {

  static EmbeddedCluster cluster;
  static CacheClient cache;

  @BeforeAll
  static void startCluster() {
    cluster = EmbeddedCluster.builder().nodes(3).start(); // a router and 3 nodes on free loopback ports
    cache = CacheClient.builder().seeds(cluster.seeds()).build();
  }

  @AfterAll
  static void stopCluster() {
    cache.close();
    cluster.close();
  }

  @Test
  void put_thenGet_returnsTheValue() {
    cache.put("greeting", "hello");
    assertThat(cache.get("greeting")).isEqualTo("hello");
  }

  @Test
  void addNode_keysWrittenBefore_stayReadable() {
    Map<String, String> entries = new HashMap<>();
    for (int i = 0; i < 1_000; i++) {
      entries.put("user:" + i, "value-" + i);
    }
    cache.putAll(entries);

    cluster.addNode(); // a fourth node joins through the admin API; returns once its ranges moved

    assertThat(cache.getAll(entries.keySet())).containsExactlyInAnyOrderEntriesOf(entries);
  }
}
