package io.ringcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.testkit.core.Await;
import io.ringcache.testkit.core.RespTestClient;
import io.ringcache.testkit.core.TestCertificates;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.Topology;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** The testkit's cluster is real: real ports, the real router's admin API, real failures. */
class EmbeddedClusterIT {

  @Test
  void start_defaults_threeNodesAndARouterServeThroughTheProxyAndEachOwner() {
    try (EmbeddedCluster cluster = EmbeddedCluster.start()) {
      assertThat(cluster.nodeCount()).isEqualTo(3);
      Topology topology = cluster.topology();
      assertThat(topology.ring().nodeNames()).containsExactlyInAnyOrderElementsOf(cluster.nodeAddresses());
      assertThat(cluster.adminUrl()).isEqualTo("http://127.0.0.1:" + cluster.adminPort());
      assertThat(cluster.seeds()).startsWith(cluster.proxyAddress());

      try (Jedis jedis = new Jedis("127.0.0.1", cluster.proxyPort())) {
        assertThat(jedis.set("k", "v")).isEqualTo("OK");
      }
      String owner = RoutingTable.of(topology).serverOf("k".getBytes(StandardCharsets.UTF_8));
      assertThat(RespTestClient.callOnce(owner, "GET", "k")).isEqualTo("v");
      String other = cluster.nodeAddresses().stream().filter(a -> !a.equals(owner)).findFirst().orElseThrow();
      assertThat(RespTestClient.callOnce(other, "GET", "k")).startsWith("-MOVED " + topology.epoch() + " " + owner);
    }
  }

  @Test
  void addNodeSetWeightRemoveNode_throughTheAdminApiWithItsToken_keysStayReadable() {
    try (EmbeddedCluster cluster =
            EmbeddedCluster.builder().nodes(2).store("caffeine").adminToken("t0ken").start();
        RespTestClient proxy = cluster.connectToProxy()) {
      for (int i = 0; i < 200; i++) {
        proxy.send("SET", "key:" + i, "value-" + i);
      }
      proxy.flush();
      for (int i = 0; i < 200; i++) {
        assertThat(proxy.readReply()).isEqualTo("OK");
      }

      int added = cluster.addNode(2);
      assertThat(cluster.topology().node(cluster.nodeAddress(added)).orElseThrow().weight()).isEqualTo(2);
      assertThat(cluster.node(added).store().size()).isPositive();
      cluster.setWeight(added, 1);
      assertThat(cluster.topology().node(cluster.nodeAddress(added)).orElseThrow().weight()).isEqualTo(1);
      cluster.removeNode(0);
      assertThat(cluster.topology().node(cluster.nodeAddress(0))).isEmpty();

      for (int i = 0; i < 200; i++) {
        assertThat(proxy.call("GET", "key:" + i)).as("key:" + i).isEqualTo("value-" + i);
      }
    }
  }

  @Test
  void stopNode_theRouterEjectsIt_andRestartNode_isReadmitted() {
    try (EmbeddedCluster cluster = EmbeddedCluster.start()) {
      String victim = cluster.nodeAddress(1);
      cluster.stopNode(1);
      assertThat(cluster.isRunning(1)).isFalse();
      Await.until(() -> cluster.topology().node(victim).map(n -> n.state() == NodeState.EJECTED).orElse(true),
          "the stopped node ejected");
      cluster.awaitSettled();
      try (RespTestClient proxy = cluster.connectToProxy()) {
        assertThat(proxy.call("SET", "after", "ejection")).isEqualTo("OK");
      }

      cluster.restartNode(1);
      Await.until(() -> cluster.topology().ring().nodeNames().contains(victim), "the restarted node back in the ring");
      cluster.awaitSettled();
      assertThat(cluster.topology().node(victim).orElseThrow().state()).isEqualTo(NodeState.UP);
    }
  }

  @Test
  void weights_placeTheRingByWeight() {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().weights(1, 3).start()) {
      assertThat(cluster.nodeCount()).isEqualTo(2);
      assertThat(cluster.topology().ring().weightOf(cluster.nodeAddress(1))).isEqualTo(3);
    }
  }

  @Test
  void password_everyPortRequiresAuth() {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(1).password("s3cret").start()) {
      assertThat(RespTestClient.callOnce(cluster.proxyAddress(), "GET", "k")).startsWith("-NOAUTH");
      assertThat(RespTestClient.callOnce(cluster.nodeAddress(0), "GET", "k")).startsWith("-NOAUTH");
      try (RespTestClient proxy = cluster.connectToProxy()) {
        assertThat(proxy.call("SET", "k", "v")).isEqualTo("OK");
      }
    }
  }

  @Test
  void tls_proxyAndNodesSpeakTlsOnly() throws Exception {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(1).tls().start()) {
      assertThat(cluster.certificates()).isNotNull();
      try (RespTestClient proxy = cluster.connectToProxy(); RespTestClient node = cluster.connectToNode(0)) {
        assertThat(proxy.call("SET", "k", "over tls")).isEqualTo("OK");
        assertThat(node.call("GET", "k")).isEqualTo("over tls");
      }
      assertThat(TestCertificates.plaintextPing(cluster.proxyPort())).doesNotContain("PONG");
    }
  }

  @Test
  void withoutRouter_standaloneNodesTakePushedTopologies() {
    try (EmbeddedCluster nodes = EmbeddedCluster.builder().nodes(2).withoutRouter().start()) {
      assertThat(RespTestClient.callOnce(nodes.nodeAddress(0), "SET", "k", "v")).isEqualTo("+OK");
      assertThat(nodes.pushTopology(nodes.topologyOf(1, 0, 1))).containsOnly(":1");
      assertThatThrownBy(nodes::proxyAddress).isInstanceOf(IllegalStateException.class);
      nodes.stopNode(1);
      nodes.restartNode(1);
      assertThat(RespTestClient.callOnce(nodes.nodeAddress(1), "DBSIZE")).isEqualTo(":0");
    }
  }

  @Test
  void respTestClient_readsRawAndParsedReplies() {
    try (EmbeddedCluster nodes = EmbeddedCluster.builder().nodes(1).withoutRouter().start();
        RespTestClient conn = nodes.connectToNode(0)) {
      conn.send("SET", "a", "1").send("MGET", "a", "missing").send("INCR", "a").send("NOSUCH").flush();
      assertThat(new String(conn.readRawReply(), StandardCharsets.UTF_8)).isEqualTo("+OK\r\n");
      assertThat(conn.readReply()).isEqualTo(java.util.Arrays.asList("1", null));
      assertThat(conn.readReply()).isEqualTo(2L);
      Object error = conn.readReply();
      assertThat(error).isInstanceOf(RespTestClient.Error.class);
      assertThat(((RespTestClient.Error) error).prefix()).isEqualTo("ERR");
      assertThat(conn.callText("MGET", "a", "missing")).isEqualTo("[2, null]");
      conn.sendRaw("PING\r\n".getBytes(StandardCharsets.US_ASCII)).flush();
      assertThat(conn.readReply()).isEqualTo("PONG");
      assertThat(List.of(conn.callText("SET", "b", "x"))).containsExactly("+OK");
    }
  }
}
