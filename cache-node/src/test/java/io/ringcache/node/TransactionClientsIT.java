package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.ringcache.testkit.core.LaunchedCluster;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/** Real clients' transactions against a node: redis-py's pipelines, Jedis's and Lettuce's multi()/exec(). */
class TransactionClientsIT {

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

  @Test
  void redisPy_pipelineWithAndWithoutTransaction_returnsEachReply() throws Exception {
    assumeTrue(RedisPy.installed(), RedisPy.MISSING);
    String out = RedisPy.run(node.port(), """
        r.delete('py:a', 'py:b')
        p = r.pipeline()  # transaction=True: MULTI ... EXEC
        p.set('py:a', 1).incr('py:a').get('py:a').mget('py:a', 'py:b')
        assert p.execute() == [True, 2, b'2', [b'2', None]], 'transaction'
        p = r.pipeline(transaction=False)
        p.incr('py:a').set('py:b', 'x').get('py:b')
        assert p.execute() == [3, True, b'x'], 'plain pipeline'
        p = r.pipeline()
        p.set('py:a', 'v').incr('py:a').get('py:a')
        res = p.execute(raise_on_error=False)
        assert res[0] is True and isinstance(res[1], redis.ResponseError) and res[2] == b'v', res
        # WATCH: an optimistic increment, interrupted once by another client's write
        with r.pipeline() as p:
            p.watch('py:c')
            p.multi()
            r.set('py:c', 'other')
            p.set('py:c', 'mine')
            try:
                p.execute()
                raise AssertionError('EXEC should have been aborted')
            except redis.WatchError:
                pass
        assert r.get('py:c') == b'other'
        def incr(pipe):
            v = int(pipe.get('py:d') or 0)
            pipe.multi()
            pipe.set('py:d', v + 1)
        for _ in range(5):
            r.transaction(incr, 'py:d')
        assert r.get('py:d') == b'5'
        print('ok')
        """);
    assertThat(out).contains("ok");
  }

  @Test
  void jedis_multiExecAndWatch_behaveAsAgainstRedis() {
    try (Jedis jedis = new Jedis("127.0.0.1", node.port(), 10_000); Jedis other = new Jedis("127.0.0.1", node.port(), 10_000)) {
      jedis.del("jedis:a", "jedis:b");
      Transaction t = jedis.multi();
      t.set("jedis:a", "1");
      t.incr("jedis:a");
      t.mget("jedis:a", "jedis:b");
      List<Object> results = t.exec();
      assertThat(results).hasSize(3);
      assertThat(results.get(0)).isEqualTo("OK");
      assertThat(results.get(1)).isEqualTo(2L);
      assertThat(jedis.get("jedis:a")).isEqualTo("2");

      jedis.watch("jedis:a");
      other.set("jedis:a", "changed");
      Transaction aborted = jedis.multi();
      aborted.set("jedis:a", "mine");
      assertThat(aborted.exec()).isNull();
      assertThat(jedis.get("jedis:a")).isEqualTo("changed");

      Transaction discarded = jedis.multi();
      discarded.set("jedis:a", "discarded");
      assertThat(discarded.discard()).isEqualTo("OK");
      assertThat(jedis.get("jedis:a")).isEqualTo("changed");
    }
  }

  @Test
  void lettuce_multiExecAndWatch_behaveAsAgainstRedis() {
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", node.port()));
    try (StatefulRedisConnection<String, String> connection = client.connect();
        StatefulRedisConnection<String, String> otherConnection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      redis.del("lettuce:a");
      assertThat(redis.multi()).isEqualTo("OK");
      redis.set("lettuce:a", "1");
      redis.incrby("lettuce:a", 5);
      redis.get("lettuce:a");
      TransactionResult result = redis.exec();
      assertThat(result.wasDiscarded()).isFalse();
      assertThat(result.<Object>get(0)).isEqualTo("OK");
      assertThat(result.<Object>get(1)).isEqualTo(6L);
      assertThat(result.<Object>get(2)).isEqualTo("6");

      redis.watch("lettuce:a");
      otherConnection.sync().set("lettuce:a", "changed");
      redis.multi();
      redis.set("lettuce:a", "mine");
      assertThat(redis.exec().wasDiscarded()).isTrue();
      assertThat(redis.get("lettuce:a")).isEqualTo("changed");
    } finally {
      client.shutdown();
    }
  }
}
