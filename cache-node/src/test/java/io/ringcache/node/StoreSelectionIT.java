package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.testkit.core.LaunchedCluster;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

/** Each store type serves the node's commands and reports its eviction policy. */
class StoreSelectionIT {

  @ParameterizedTest
  @CsvSource({"PACKED, clock, allkeys-lru", "CAFFEINE, w-tinylfu, allkeys-lfu", "OFFHEAP, clock, allkeys-lru"})
  void node_onEachStore_servesCommandsAndNamesItsPolicy(NodeConfig.StoreType type, String policy, String redisPolicy) {
    try (LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().store(type.name().toLowerCase(Locale.ROOT)).start();
        Jedis jedis = new Jedis("127.0.0.1", nodes.nodePort(0))) {
      assertThat(jedis.set("a", "1", SetParams.setParams().ex(100))).isEqualTo("OK");
      assertThat(jedis.get("a")).isEqualTo("1");
      assertThat(jedis.incr("a")).isEqualTo(2);
      assertThat(jedis.ttl("a")).isBetween(99L, 100L);
      assertThat(jedis.dbSize()).isEqualTo(1);
      assertThat(jedis.info("memory")).contains("maxmemory_policy:" + policy);
      assertThat(jedis.configGet("maxmemory-policy")).isEqualTo(Map.of("maxmemory-policy", redisPolicy));
    }
  }
}
