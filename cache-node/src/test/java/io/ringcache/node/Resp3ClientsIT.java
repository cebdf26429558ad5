package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.ringcache.testkit.core.LaunchedCluster;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real RESP3 client against a node: Lettuce told to speak RESP3 (its default, which it no longer
 * falls back from: the node accepts HELLO 3), through the commands whose replies differ in RESP3
 * (nulls, maps, verbatim strings, sets, EXEC).
 */
class Resp3ClientsIT {

  private static LaunchedCluster<NodeServer, Void> nodes;
  private static NodeServer node;

  @BeforeAll
  static void start() {
    nodes = Nodes.standalone().start();
    node = nodes.node(0);
  }

  @AfterAll
  static void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  /** A Lettuce client that negotiates RESP3 and fails if it cannot. */
  static RedisClient resp3Client(int port) {
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
    client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
    return client;
  }

  @Test
  void lettuceResp3_stringsNullsMapsVerbatimAndTransactions_workAsAgainstRedis() {
    RedisClient client = resp3Client(node.port());
    try (StatefulRedisConnection<String, String> connection = client.connect();
        StatefulRedisConnection<String, String> other = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      assertThat(redis.clientInfo()).contains(" resp=3 ");
      redis.del("r3:a", "r3:b", "r3:f");
      assertThat(redis.get("r3:a")).isNull();
      assertThat(redis.set("r3:a", "1")).isEqualTo("OK");
      assertThat(redis.get("r3:a")).isEqualTo("1");
      assertThat(redis.mget("r3:a", "r3:b")).containsExactly(KeyValue.just("r3:a", "1"), KeyValue.empty("r3:b"));
      assertThat(redis.getdel("r3:b")).isNull();
      assertThat(redis.incrbyfloat("r3:f", 1.5)).isEqualTo(1.5);
      assertThat(redis.exists("r3:a", "r3:b")).isEqualTo(1L);
      assertThat(redis.ttl("r3:b")).isEqualTo(-2L);
      assertThat(redis.clientGetname()).isNull();
      assertThat(redis.info("keyspace")).startsWith("# Keyspace\r\ndb0:keys=");
      assertThat(redis.configGet("maxmemory")).containsOnlyKeys("maxmemory");
      assertThat(redis.commandCount()).isPositive();
      assertThat(redis.commandInfo("get")).hasSize(1);
      assertThat(redis.scan(ScanCursor.INITIAL).getKeys()).contains("r3:a");

      assertThat(redis.multi()).isEqualTo("OK");
      redis.get("r3:b");
      redis.mget("r3:a", "r3:b");
      redis.incr("r3:a");
      TransactionResult result = redis.exec();
      assertThat(result.wasDiscarded()).isFalse();
      assertThat(result.<Object>get(0)).isNull();
      assertThat(result.<List<KeyValue<String, String>>>get(1)).containsExactly(KeyValue.just("r3:a", "1"), KeyValue.empty("r3:b"));
      assertThat(result.<Object>get(2)).isEqualTo(2L);

      redis.watch("r3:a");
      other.sync().set("r3:a", "changed");
      redis.multi();
      redis.set("r3:a", "mine");
      assertThat(redis.exec().wasDiscarded()).isTrue();
      assertThat(redis.get("r3:a")).isEqualTo("changed");
    } finally {
      client.shutdown();
    }
  }

  @Test
  void lettuceDefault_negotiatesResp3() {
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", node.port()));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      assertThat(connection.sync().clientInfo()).contains(" resp=3 ");
      assertThat(connection.sync().get("r3:nosuch")).isNull();
    } finally {
      client.shutdown();
    }
  }
}
