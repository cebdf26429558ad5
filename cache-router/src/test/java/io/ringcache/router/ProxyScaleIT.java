package io.ringcache.router;

import io.ringcache.node.NodeConfig;
import io.ringcache.node.NodeServer;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.RoutingTable;
import io.ringcache.router.control.ScaleEvent;
import io.ringcache.testkit.core.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import static org.assertj.core.api.Assertions.assertThat;

/** The proxy through scale events and faults: its clients never see a redirect, a stale read or a lost key. */
class ProxyScaleIT {

  @TempDir Path dir;

  @Test
  void joinAndLeaveUnderLoad_proxyClientsSeeNoErrorAndNoStaleRead() throws Exception {
    try (TestCluster cluster = new TestCluster(3)) {
      cluster.load(50_000); // enough entries that the handoffs take a while
      int port = cluster.router.port();
      try (HistoryChecker history = new HistoryChecker(3_000, 3, 3, false, () -> new ProxyTestClient(port))) {
        history.awaitWrites(3_000);
        NodeServer extra = cluster.startNode();
        long before = history.writes.get();
        ScaleEvent join = cluster.router.coordinator().join(TestCluster.name(extra), null, 1);
        cluster.awaitIdle();
        assertThat(join.status()).as(join.message()).isEqualTo(ScaleEvent.Status.DONE);
        assertThat(history.writes.get()).as("writes during the join").isGreaterThan(before);

        long beforeLeave = history.writes.get();
        String leaving = cluster.topology().ring().nodeNames().get(0);
        ScaleEvent leave = cluster.router.coordinator().leave(leaving);
        cluster.awaitIdle();
        assertThat(leave.status()).as(leave.message()).isEqualTo(ScaleEvent.Status.DONE);
        assertThat(history.writes.get()).as("writes during the leave").isGreaterThan(beforeLeave);
        history.awaitWrites(history.writes.get() + 1_000);

        assertThat(history.stopAndVerify()).isEmpty();
        assertThat(history.errors.get()).as("errors seen by the proxy's clients").isZero();
        assertThat(history.reads.get()).isGreaterThan(1_000);
      }
      assertThat(cluster.wrongValues(50_000)).isEmpty();
    }
  }

  @Test
  void scanThroughTheProxy_whileANodeJoins_returnsEveryKeyPresentThroughout() throws Exception {
    scanThroughAScaleEvent(true);
  }

  @Test
  void scanThroughTheProxy_whileANodeLeaves_returnsEveryKeyPresentThroughout() throws Exception {
    scanThroughAScaleEvent(false); // the leaving node is out of the ring while it still holds keys
  }

  private void scanThroughAScaleEvent(boolean join) throws Exception {
    int keys = 50_000;
    try (TestCluster cluster = new TestCluster(3)) {
      cluster.load(keys);
      NodeServer extra = join ? cluster.startNode() : null;
      String leaving = cluster.topology().ring().nodeNames().get(0);
      Set<String> seen = new java.util.HashSet<>();
      try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis("127.0.0.1", cluster.router.port(), 10_000)) {
        redis.clients.jedis.params.ScanParams params = new redis.clients.jedis.params.ScanParams().count(500);
        String cursor = "0";
        int steps = 0;
        do {
          if (steps == 2) { // the walk goes on through the event
            if (join) {
              cluster.router.coordinator().join(TestCluster.name(extra), null, 1);
            } else {
              cluster.router.coordinator().leave(leaving);
            }
          }
          redis.clients.jedis.resps.ScanResult<String> page = jedis.scan(cursor, params);
          seen.addAll(page.getResult());
          cursor = page.getCursor();
          steps++;
        } while (!cursor.equals("0") && steps < 100_000);
      }
      cluster.awaitIdle();
      List<String> missing = new java.util.ArrayList<>();
      for (int i = 0; i < keys; i++) {
        String key = new String(TestCluster.key(i), StandardCharsets.UTF_8);
        if (!seen.contains(key)) {
          missing.add(key);
        }
      }
      assertThat(missing).as("keys SCAN missed through a " + (join ? "join" : "leave")).isEmpty();
      if (join) {
        assertThat(cluster.topology().ring().nodeNames()).contains(TestCluster.name(extra));
      } else {
        assertThat(cluster.topology().ring().nodeNames()).doesNotContain(leaving);
      }
    }
  }

  @Test
  void nodeAheadOfTheRouter_answersMoved_andTheProxyFollowsIt() throws Exception {
    try (TestCluster cluster = new TestCluster(2)) {
      List<NodeInfo> nodes = cluster.topology().nodes();
      RoutingTable routerView = RoutingTable.of(cluster.topology());
      String key = null;
      for (int i = 0; key == null; i++) {
        if (routerView.serverOf(("moved:" + i).getBytes(StandardCharsets.UTF_8)).equals(nodes.get(0).name())) {
          key = "moved:" + i;
        }
      }
      // the nodes hold a newer topology than the router's in which the second node owns every key
      io.ringcache.ring.Topology ahead = io.ringcache.ring.Topology.of(cluster.topology().epoch() + 10,
          List.of(nodes.get(0).withState(NodeState.EJECTED), nodes.get(1)));
      for (NodeServer node : cluster.nodes.values()) {
        node.cluster().adopt(ahead);
      }
      try (Jedis proxy = new Jedis("127.0.0.1", cluster.router.port(), 5_000)) {
        assertThat(proxy.set(key, "v")).isEqualTo("OK");
        assertThat(proxy.get(key)).isEqualTo("v");
      }
      assertThat(cluster.router.proxyStats().movedFollowed.sum()).isGreaterThanOrEqualTo(2);
      assertThat(cluster.nodes.get(nodes.get(1).name()).store().size()).isEqualTo(1);
    }
  }

  @Test
  void pipelinedWritesToOneKey_duringJoinsAndLeaves_landInRequestOrder() throws Exception {
    try (TestCluster cluster = new TestCluster(3)) {
      cluster.load(50_000);
      int port = cluster.router.port();
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
      java.util.concurrent.atomic.AtomicLong pipelines = new java.util.concurrent.atomic.AtomicLong();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        String prefix = "order" + c + ":";
        Thread t = new Thread(() -> {
          try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
            for (int n = 1; !stop.get(); n++) {
              redis.clients.jedis.Pipeline p = jedis.pipelined();
              List<redis.clients.jedis.Response<String>> reads = new ArrayList<>();
              for (int k = 0; k < 50; k++) {
                for (int v = 1; v <= 5; v++) {
                  p.set(prefix + k, n + "." + v);
                }
                reads.add(p.get(prefix + k));
              }
              p.sync();
              pipelines.incrementAndGet();
              for (int k = 0; k < 50; k++) {
                if (!(n + ".5").equals(reads.get(k).get())) {
                  wrong.add(prefix + k + " read " + reads.get(k).get() + " in pipeline " + n);
                }
              }
            }
          } catch (RuntimeException e) {
            wrong.add("client failed: " + e);
          }
        }, "pipeliner-" + c);
        t.start();
        clients.add(t);
      }
      try {
        for (int round = 0; round < Integer.getInteger("order.rounds", 2); round++) {
          NodeServer extra = cluster.startNode();
          long before = pipelines.get();
          ScaleEvent join = cluster.router.coordinator().join(TestCluster.name(extra), null, 1);
          cluster.awaitIdle();
          assertThat(join.status()).as(join.message()).isEqualTo(ScaleEvent.Status.DONE);
          ScaleEvent leave = cluster.router.coordinator().leave(cluster.topology().ring().nodeNames().get(round % 3));
          cluster.awaitIdle();
          assertThat(leave.status()).as(leave.message()).isEqualTo(ScaleEvent.Status.DONE);
          assertThat(pipelines.get()).as("pipelines during round " + round).isGreaterThan(before);
        }
      } finally {
        stop.set(true);
        for (Thread t : clients) {
          t.join(30_000);
        }
      }
      assertThat(wrong).isEmpty();
    }
  }

  @Test
  void nodeKilled_errorsOnlyForItsKeys_untilItIsEjected() throws Exception {
    try (TestCluster cluster = new TestCluster(3)) {
      int port = cluster.router.port();
      RoutingTable before = RoutingTable.of(cluster.topology());
      String victim = before.ring().nodeNames().get(1);
      List<String> victimKeys = new ArrayList<>();
      List<String> otherKeys = new ArrayList<>();
      for (int i = 0; victimKeys.size() < 50 || otherKeys.size() < 50; i++) {
        String key = "kill:" + i;
        (before.serverOf(key.getBytes(StandardCharsets.UTF_8)).equals(victim) ? victimKeys : otherKeys).add(key);
      }
      try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
        for (String k : otherKeys.subList(0, 50)) {
          jedis.set(k, "v");
        }
        cluster.kill(victim);

        Set<String> failedVictimKeys = ConcurrentHashMap.newKeySet();
        Await.until(() -> {
          for (String k : otherKeys.subList(0, 50)) {
            assertThat(jedis.get(k)).as("a key of a live node").isEqualTo("v");
          }
          try {
            jedis.set(victimKeys.get(0), "w");
          } catch (JedisDataException e) {
            assertThat(e.getMessage()).contains("proxy: node " + victim + " unreachable");
            failedVictimKeys.add(victimKeys.get(0));
          }
          return cluster.topology().node(victim).orElseThrow().state() == NodeState.EJECTED;
        }, Duration.ofSeconds(10), victim + " to be ejected");
        assertThat(failedVictimKeys).as("a write to the dead node's key failed before ejection").isNotEmpty();

        for (String k : victimKeys) {
          Await.until(() -> {
            try {
              return "OK".equals(jedis.set(k, "after"));
            } catch (JedisDataException e) {
              return false;
            }
          }, Duration.ofSeconds(5), k + " writable after the ejection");
          assertThat(jedis.get(k)).isEqualTo("after");
        }
      }
    }
  }

  @Test
  void requirepass_clientsMustAuth_andTheProxyAuthenticatesToNodes() throws Exception {
    List<NodeServer> nodes = new ArrayList<>();
    List<NodeInfo> initial = new ArrayList<>();
    Router router = null;
    try {
      for (int i = 0; i < 2; i++) {
        NodeServer node = NodeServer.start(NodeConfig.builder().port(0).threads(1).requirepass("s3cret").build());
        nodes.add(node);
        initial.add(NodeInfo.of(TestCluster.name(node), 1));
      }
      router = Router.start(RouterConfig.builder().port(0).adminPort(0).dataDir(dir).initialNodes(initial)
          .password("s3cret").build());
      Router r = router;
      Await.until(() -> nodes.stream().allMatch(n -> n.cluster().epoch() == r.topology().epoch()),
          Duration.ofSeconds(10), "nodes to adopt the topology");
      try (Jedis jedis = new Jedis("127.0.0.1", router.port(), 10_000)) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> jedis.get("a")).hasMessageStartingWith("NOAUTH");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> jedis.auth("wrong")).hasMessageStartingWith("WRONGPASS");
        assertThat(jedis.auth("s3cret")).isEqualTo("OK");
        for (int i = 0; i < 50; i++) {
          assertThat(jedis.set("auth:" + i, "v" + i)).isEqualTo("OK");
        }
        assertThat(jedis.mget("auth:0", "auth:49")).containsExactly("v0", "v49");
        assertThat(jedis.dbSize()).isEqualTo(50);
      }
    } finally {
      if (router != null) {
        router.close();
      }
      nodes.forEach(NodeServer::close);
    }
  }
}
