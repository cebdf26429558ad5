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

  /**
   * GET and SET borrow the key into arrays reused per key length (up to 256 bytes) and copy the
   * value from the read buffer: keys of every length, pipelined so that many share one read, a
   * WATCHed key set by another client, and an inline SET (no read buffer to copy from) all keep
   * their own values.
   */
  @ParameterizedTest
  @CsvSource({"PACKED", "CAFFEINE", "OFFHEAP"})
  void getAndSet_keysOfEveryLengthPipelined_watchedAndInline_eachKeepItsValue(NodeConfig.StoreType type) throws Exception {
    try (LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().store(type.name().toLowerCase(Locale.ROOT)).start();
        Jedis jedis = new Jedis("127.0.0.1", nodes.nodePort(0));
        Jedis watcher = new Jedis("127.0.0.1", nodes.nodePort(0))) {
      redis.clients.jedis.Pipeline pipeline = jedis.pipelined();
      for (int length = 1; length <= 300; length++) {
        pipeline.set(keyOf(length, 'a'), "value-" + length + "-a");
        pipeline.set(keyOf(length, 'b'), "value-" + length + "-b");
      }
      java.util.List<redis.clients.jedis.Response<String>> gets = new java.util.ArrayList<>();
      for (int length = 1; length <= 300; length++) {
        gets.add(pipeline.get(keyOf(length, 'a')));
        gets.add(pipeline.get(keyOf(length, 'b')));
      }
      pipeline.sync();
      for (int length = 1; length <= 300; length++) {
        assertThat(gets.get(2 * (length - 1)).get()).isEqualTo("value-" + length + "-a");
        assertThat(gets.get(2 * (length - 1) + 1).get()).isEqualTo("value-" + length + "-b");
      }
      assertThat(jedis.dbSize()).isEqualTo(600);

      watcher.watch("w");
      assertThat(jedis.set("w", "changed")).isEqualTo("OK");
      redis.clients.jedis.Transaction tx = watcher.multi();
      tx.set("w", "mine");
      assertThat(tx.exec()).as("a SET by another client aborts the watcher's EXEC").isNull();
      assertThat(jedis.get("w")).isEqualTo("changed");

      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", nodes.nodePort(0))) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write("SET inline v1\r\nGET inline\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        byte[] expected = "+OK\r\n$2\r\nv1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(socket.getInputStream().readNBytes(expected.length)).isEqualTo(expected);
      }
    }
  }

  /** A key of {@code length} bytes ending in {@code last}, so that two keys of each length differ. */
  private static String keyOf(int length, char last) {
    return "k".repeat(length - 1) + last;
  }
}
