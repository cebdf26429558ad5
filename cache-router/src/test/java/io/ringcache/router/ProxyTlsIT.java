package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.NodeServer;
import io.ringcache.testkit.core.TestCertificates;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * TLS everywhere: nodes with a keystore, the router dialling them with TLS and its proxy port
 * speaking TLS. TLS clients are served, plaintext ones refused on every port, and a join streams
 * its ranges node to node over TLS without losing a key.
 */
class ProxyTlsIT {

  private static final int KEYS = 3_000;

  @TempDir Path dir;
  private TestCertificates certificates;
  private TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = new TestCluster(2, null, true);
    certificates = cluster.tls;
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private Jedis proxy() {
    return TestCluster.tlsJedis("127.0.0.1:" + cluster.router.port(), certificates.caCert());
  }

  @Test
  void tlsClient_isServedThroughTheProxy_andAJoinStreamsOverTls() throws Exception {
    try (Jedis jedis = proxy()) {
      assertThat(jedis.ping()).isEqualTo("PONG");
      for (int i = 0; i < KEYS; i++) {
        jedis.set(TestCluster.key(i), TestCluster.value(i));
      }
    }
    assertThat(cluster.router.topology().nodes()).allMatch(n -> n.state() == io.ringcache.ring.NodeState.UP);

    NodeServer third = cluster.startNode();
    cluster.router.coordinator().join(TestCluster.name(third), null, 1);
    cluster.awaitIdle();

    assertThat(cluster.wrongValues(KEYS)).as("keys missing or wrong after the join").isEmpty();
    cluster.assertEachNodeHoldsExactlyItsKeys(KEYS);
    third.store().cleanUp();
    assertThat(third.store().size()).as("keys streamed to the joining node").isPositive();
    try (Jedis jedis = proxy()) {
      assertThat(jedis.get(TestCluster.key(7))).isEqualTo(TestCluster.value(7));
    }
  }

  @Test
  void plaintextClients_areRefused_onTheProxyAndOnTheNodes() throws Exception {
    assertThat(TestCertificates.plaintextPing(cluster.router.port())).doesNotContain("PONG");
    for (NodeServer node : cluster.nodes.values()) {
      assertThat(TestCertificates.plaintextPing(node.port())).doesNotContain("PONG");
    }
    try (Jedis jedis = proxy()) {
      assertThat(jedis.ping()).isEqualTo("PONG");
    }
  }

  @Test
  void clientThatDoesNotTrustTheCertificate_isNotConnected() throws Exception {
    TestCertificates stranger = TestCertificates.create(dir.resolve("stranger"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
      try (Jedis jedis = TestCluster.tlsJedis("127.0.0.1:" + cluster.router.port(), stranger.caCert())) {
        jedis.ping();
      }
    }).isInstanceOf(JedisConnectionException.class).hasStackTraceContaining("PKIX path validation failed");
  }
}
