package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.node.NodeServer;
import io.ringcache.router.control.ScaleEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/** With a password, the router's pushes and health checks and the nodes' streams and reads authenticate. */
class AuthClusterIT {

  private static final int KEYS = 20_000;

  private TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = new TestCluster(3, "s3cret");
    cluster.load(KEYS);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void joinWithAPassword_movesEveryKey_andStrangersGetNoauth() {
    NodeServer fourth = cluster.startNode();
    ScaleEvent event = cluster.router.coordinator().join(TestCluster.name(fourth), null, 1);
    cluster.awaitIdle();
    assertThat(event.status()).as(event.message()).isEqualTo(ScaleEvent.Status.DONE);
    assertThat(event.keysMoved()).isPositive();
    assertThat(cluster.wrongValues(KEYS)).isEmpty();
    cluster.assertEachNodeHoldsExactlyItsKeys(KEYS);

    try (Jedis stranger = TestCluster.jedis(fourth.cluster().advertisedAddress())) {
      assertThatThrownBy(() -> stranger.sendCommand(() -> "RING.TOPOLOGY".getBytes()))
          .isInstanceOf(JedisDataException.class)
          .hasMessageStartingWith("NOAUTH");
      assertThatThrownBy(() -> stranger.get("key:1")).hasMessageStartingWith("NOAUTH");
    }
  }

  @Test
  void transactionThroughTheProxy_withAPassword_authenticatesItsOwnNodeConnection() {
    try (Jedis jedis = new Jedis("127.0.0.1", cluster.router.port(), 10_000)) {
      jedis.auth("s3cret");
      jedis.watch("tx:a");
      redis.clients.jedis.Transaction t = jedis.multi();
      t.set("tx:a", "1");
      t.incr("tx:a");
      assertThat(t.exec()).containsExactly("OK", 2L);
      assertThat(jedis.get("tx:a")).isEqualTo("2");
    }
  }
}
