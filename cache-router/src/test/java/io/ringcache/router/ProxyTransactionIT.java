package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.ringcache.node.RedisPy;
import io.ringcache.node.RedisServer;
import io.ringcache.ring.RoutingTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * Transactions through the proxy in front of three real nodes: against a real Redis 7.0 where every
 * key lives on one node, -CROSSNODE where they do not, order within a pipeline, and real clients.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyTransactionIT {

  private TestCluster cluster;
  private RedisServer redis;
  private RedisServer.Conn redisA;
  private RedisServer.Conn redisB;
  private RedisServer.Conn proxyA;
  private RedisServer.Conn proxyB;
  /** Three keys that live on one node, and one that lives on another. */
  private String k1;
  private String k2;
  private String k3;
  private String elsewhere;

  @BeforeAll
  void start() throws Exception {
    assumeTrue(RedisServer.installed(), "redis-server is not installed at " + RedisServer.BINARY + " (.ci/run installs it)");
    redis = RedisServer.start();
    cluster = new TestCluster(3);
    redisA = redis.connect();
    redisB = redis.connect();
    proxyA = RedisServer.Conn.tcp(cluster.router.port());
    proxyB = RedisServer.Conn.tcp(cluster.router.port());
    RoutingTable table = RoutingTable.of(cluster.topology());
    List<String> same = new ArrayList<>();
    String first = null;
    for (int i = 0; same.size() < 3 || elsewhere == null; i++) {
      String key = "tx" + i;
      String owner = table.serverOf(key.getBytes(StandardCharsets.UTF_8));
      if (first == null) {
        first = owner;
      }
      if (owner.equals(first) && same.size() < 3) {
        same.add(key);
      } else if (!owner.equals(first) && elsewhere == null) {
        elsewhere = key;
      }
    }
    k1 = same.get(0);
    k2 = same.get(1);
    k3 = same.get(2);
  }

  @AfterAll
  void stop() throws IOException {
    for (RedisServer.Conn c : new RedisServer.Conn[] {proxyA, proxyB, redisA, redisB}) {
      if (c != null) {
        c.close();
      }
    }
    if (cluster != null) {
      cluster.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void reset() throws IOException {
    redisA.call("discard");
    proxyA.call("discard");
    same("unwatch");
    redisA.call("flushall");
    proxyA.call("del", k1, k2, k3, elsewhere);
  }

  private String same(String... args) throws IOException {
    String expected = redisA.call(args);
    String actual = proxyA.call(args);
    assertThat(printable(actual)).as("reply to %s", String.join(" ", args)).isEqualTo(printable(expected));
    return actual;
  }

  private String sameOnB(String... args) throws IOException {
    String expected = redisB.call(args);
    String actual = proxyB.call(args);
    assertThat(printable(actual)).as("other client's reply to %s", String.join(" ", args)).isEqualTo(printable(expected));
    return actual;
  }

  private static String printable(String raw) {
    return raw.replace("\r", "\\r").replace("\n", "\\n");
  }

  @Test
  void errorsOutsideAndInsideMulti_answerAsRedis() throws IOException {
    same("exec");
    same("discard");
    same("exec", "x");
    same("watch");
    same("multi");
    same("multi");
    same("watch", k1);
    same("set", k1, "1");
    same("exec");
    same("multi");
    same("set", k1, "1");
    same("get");
    same("nosuchcommand", "a");
    same("exec");
    same("get", k1);
    same("multi");
    same("set", k1, "1");
    same("exec", "extra");
    same("exec");
    same("multi");
    same("exec");
  }

  @Test
  void exec_runsQueuedCommandsOnTheKeysNode_withRuntimeErrorsInTheArray() throws IOException {
    same("set", k2, "abc");
    same("multi");
    same("set", k1, "1");
    same("incr", k1);
    same("incr", k2);
    same("mget", k1, k2, k3);
    same("mset", k1, "5", k3, "7");
    same("del", k2, k3);
    same("ping");
    same("unwatch");
    same("exec");
    same("mget", k1, k2, k3);
  }

  @Test
  void watch_otherClientsWrite_abortsExec_andDiscardUnwatches() throws IOException {
    same("set", k1, "1");
    same("watch", k1, k2);
    sameOnB("incr", k1);
    same("multi");
    same("set", k1, "100");
    assertThat(same("exec")).isEqualTo("*-1\r\n");
    same("get", k1);
    same("watch", k1);
    same("multi");
    same("set", k1, "2");
    same("discard");
    sameOnB("set", k1, "3");
    same("multi");
    same("get", k1);
    same("exec");
    same("watch", k1);
    same("unwatch");
    sameOnB("set", k1, "4");
    same("multi");
    same("get", k1);
    same("exec");
  }

  @Test
  void keysOnDifferentNodes_getCrossnode_andExecAborts() throws IOException {
    assertThat(proxyA.call("watch", k1, elsewhere)).isEqualTo("-CROSSNODE keys in request are owned by different nodes\r\n");
    assertThat(proxyA.call("multi")).isEqualTo("+OK\r\n");
    assertThat(proxyA.call("set", k1, "1")).isEqualTo("+QUEUED\r\n");
    assertThat(proxyA.call("set", elsewhere, "1")).isEqualTo("-CROSSNODE keys in request are owned by different nodes\r\n");
    assertThat(proxyA.call("exec")).isEqualTo("-EXECABORT Transaction discarded because of previous errors.\r\n");
    assertThat(proxyA.call("exists", k1, elsewhere)).isEqualTo(":0\r\n");

    assertThat(proxyA.call("watch", k1)).isEqualTo("+OK\r\n");
    assertThat(proxyA.call("multi")).isEqualTo("+OK\r\n");
    assertThat(proxyA.call("get", elsewhere)).isEqualTo("-CROSSNODE keys in request are owned by different nodes\r\n");
    assertThat(proxyA.call("exec")).startsWith("-EXECABORT");

    assertThat(proxyA.call("multi")).isEqualTo("+OK\r\n");
    assertThat(proxyA.call("dbsize")).startsWith("-ERR command 'dbsize' is not supported inside a transaction by the proxy");
    assertThat(proxyA.call("exec")).startsWith("-EXECABORT");
  }

  @Test
  void pipeline_aroundATransaction_reachesTheNodeInOrder() throws IOException {
    for (int round = 0; round < 20; round++) {
      proxyA.send("set", k1, "10");
      proxyA.send("watch", k1);
      proxyA.send("set", elsewhere, "x");
      proxyA.send("multi");
      proxyA.send("incr", k1);
      proxyA.send("exec");
      proxyA.send("get", k1);
      proxyA.send("incr", k1);
      assertThat(proxyA.reply()).isEqualTo("+OK\r\n");
      assertThat(proxyA.reply()).isEqualTo("+OK\r\n");
      assertThat(proxyA.reply()).isEqualTo("+OK\r\n");
      assertThat(proxyA.reply()).isEqualTo("+OK\r\n");
      assertThat(proxyA.reply()).isEqualTo("+QUEUED\r\n");
      assertThat(proxyA.reply()).isEqualTo("*1\r\n:11\r\n");
      assertThat(proxyA.reply()).isEqualTo("$2\r\n11\r\n");
      assertThat(proxyA.reply()).isEqualTo(":12\r\n");
    }
  }

  @Test
  void jedisAndLettuce_multiExec_throughTheProxy() {
    try (Jedis jedis = new Jedis("127.0.0.1", cluster.router.port(), 10_000);
        Jedis other = new Jedis("127.0.0.1", cluster.router.port(), 10_000)) {
      Transaction t = jedis.multi();
      t.set(k1, "1");
      t.incr(k1);
      t.get(k2);
      List<Object> results = t.exec();
      assertThat(results).hasSize(3);
      assertThat(results.get(1)).isEqualTo(2L);
      jedis.watch(k1);
      other.set(k1, "changed");
      Transaction aborted = jedis.multi();
      aborted.set(k1, "mine");
      assertThat(aborted.exec()).isNull();
      assertThat(jedis.get(k1)).isEqualTo("changed");
    }
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", cluster.router.port()));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      redis.multi();
      redis.set(k2, "5");
      redis.incrby(k2, 3);
      TransactionResult result = redis.exec();
      assertThat(result.wasDiscarded()).isFalse();
      assertThat(result.<Object>get(1)).isEqualTo(8L);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void redisPy_pipelines_throughTheProxy() throws Exception {
    assumeTrue(RedisPy.installed(), RedisPy.MISSING);
    String out = RedisPy.run(cluster.router.port(), """
        k1, k2, elsewhere = '%s', '%s', '%s'
        p = r.pipeline()
        p.set(k1, 1).incr(k1).mget(k1, k2)
        assert p.execute() == [True, 2, [b'2', None]]
        p = r.pipeline(transaction=False)
        p.set(k1, 'a').set(elsewhere, 'b').mget(k1, elsewhere)
        assert p.execute() == [True, True, [b'a', b'b']]
        def incr(pipe):
            v = int(pipe.get(k2) or 0)
            pipe.multi()
            pipe.set(k2, v + 1)
        for _ in range(5):
            r.transaction(incr, k2)
        assert r.get(k2) == b'5'
        print('ok')
        """.formatted(k1, k2, elsewhere));
    assertThat(out).contains("ok");
  }
}
