package io.ringcache.client;

import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import io.ringcache.testkit.core.Await;
import io.ringcache.testkit.core.RespTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Smart routing over several real servers: three redis-servers as the nodes, and a scripted
 * "router" that serves the topology naming them. Each server is checked directly with a standalone
 * client, so the test sees where every key landed.
 */
class RedisClusterIT {

  private final List<RedisProcess> nodes = new ArrayList<>();
  private final List<CacheClient> direct = new ArrayList<>();
  private volatile String topologyJson;
  private FakeNode router;
  private CacheClient cache;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(RedisProcess.available(), "redis-server is not installed");
    List<NodeInfo> infos = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RedisProcess node = RedisProcess.start();
      nodes.add(node);
      infos.add(NodeInfo.of(node.address(), 1));
      direct.add(CacheClient.builder().seeds(node.address()).build());
    }
    topologyJson = TopologyJson.write(Topology.of(1, infos));
    router = new FakeNode(args -> args.get(0).equals("RING.TOPOLOGY") ? FakeNode.bulk(topologyJson) : "-ERR router only\r\n");
    cache =
        CacheClient.builder()
            .seeds(router.address())
            .reconnectDelay(Duration.ofMillis(50))
            .topologyRefreshPeriod(Duration.ofMillis(100))
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    if (cache != null) {
      cache.close();
    }
    direct.forEach(CacheClient::close);
    if (router != null) {
      router.close();
    }
    nodes.forEach(RedisProcess::close);
  }

  private int ownerIndex(String key) {
    String address = ((DefaultCacheClient) cache).addressOf(key);
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).address().equals(address)) {
        return i;
      }
    }
    throw new AssertionError("no node at " + address);
  }

  /** The clients connected to {@code node}, this query's own connection included. */
  private static int connectedClients(RedisProcess node) {
    String info = RespTestClient.callOnce(node.address(), "INFO", "clients");
    for (String line : info.split("\r\n")) {
      if (line.startsWith("connected_clients:")) {
        return Integer.parseInt(line.substring("connected_clients:".length()));
      }
    }
    throw new AssertionError("no connected_clients in " + info);
  }

  private static void await(BooleanSupplier condition, String what) {
    Await.until(condition, Duration.ofSeconds(10), what);
  }

  @Test
  void build_fromTheRouter_adoptsItsEpoch() {
    assertThat(cache.topologyEpoch()).isEqualTo(1);
  }

  @Test
  void put_eachKeyLandsOnItsRingOwnerOnly() {
    int[] perNode = new int[3];
    for (int i = 0; i < 300; i++) {
      String key = "user:" + i;
      cache.put(key, "v" + i);
      int owner = ownerIndex(key);
      perNode[owner]++;
      for (int n = 0; n < 3; n++) {
        assertThat(direct.get(n).get(key)).as("%s on node %d", key, n).isEqualTo(n == owner ? "v" + i : null);
      }
      assertThat(cache.get(key)).isEqualTo("v" + i);
    }
    assertThat(java.util.Arrays.stream(perNode).min().orElseThrow()).isGreaterThan(30);
  }

  @Test
  void putAllAndGetAll_acrossNodes_fanOutAndKeepOrder() {
    Map<String, String> entries = new LinkedHashMap<>();
    for (int i = 0; i < 500; i++) {
      entries.put("bulk:" + i, "value-" + i);
    }
    cache.putAll(entries);
    for (int i = 0; i < 500; i += 37) {
      String key = "bulk:" + i;
      assertThat(direct.get(ownerIndex(key)).get(key)).isEqualTo("value-" + i);
    }
    List<String> keys = new ArrayList<>(entries.keySet());
    keys.add("bulk:none");
    assertThat(cache.getAll(keys)).containsExactlyEntriesOf(entries);
    assertThat(cache.async().getAll(keys).join()).containsExactlyEntriesOf(entries);
  }

  @Test
  void nodeKilled_onlyItsKeysFailWithItsAddress_andTheyRecoverWhenItReturns() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      keys.add("k" + i);
      cache.put("k" + i, "v" + i);
    }
    RedisProcess victim = nodes.get(1);
    victim.kill();

    for (String key : keys) {
      if (ownerIndex(key) == 1) {
        assertThatThrownBy(() -> cache.get(key))
            .isInstanceOfSatisfying(
                CacheConnectionException.class, e -> assertThat(e.address()).isEqualTo(victim.address()))
            .hasMessageContaining(victim.address());
      } else {
        assertThat(cache.get(key)).isEqualTo(key.replace('k', 'v'));
      }
    }

    assertThatThrownBy(() -> cache.getAll(keys))
        .isInstanceOf(CacheConnectionException.class)
        .hasMessageContaining(victim.address());

    victim.startProcess();
    String back = keys.stream().filter(k -> ownerIndex(k) == 1).findFirst().orElseThrow();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    boolean recovered = false;
    while (!recovered && System.nanoTime() < deadline) {
      try {
        cache.put(back, "again");
        recovered = "again".equals(cache.get(back));
      } catch (CacheConnectionException e) {
        Thread.onSpinWait();
      }
    }
    assertThat(recovered).isTrue();
  }

  @Test
  void routerDown_clientKeepsServingOnItsLastTopology() throws Exception {
    cache.put("before", "1");
    router.close();
    assertThat(cache.refreshTopology()).isEqualTo(1);
    cache.put("after", "2");
    assertThat(cache.get("before")).isEqualTo("1");
    assertThat(cache.get("after")).isEqualTo("2");
    assertThat(cache.topologyEpoch()).isEqualTo(1);
  }

  @Test
  void periodicRefresh_newerEpochAtTheRouter_isAdoptedRoutesChange_andTheLeftNodesConnectionCloses() {
    for (int i = 0; i < 30; i++) {
      cache.put("warm:" + i, "v"); // connections to all three nodes
    }
    DefaultCacheClient client = (DefaultCacheClient) cache;
    assertThat(client.endpointAddresses()).contains(nodes.get(2).address());
    int connectedBefore = connectedClients(nodes.get(2));
    // Epoch 2 drops node 2: its keys now belong to nodes 0 and 1.
    topologyJson =
        TopologyJson.write(
            Topology.of(2, List.of(NodeInfo.of(nodes.get(0).address(), 1), NodeInfo.of(nodes.get(1).address(), 1))));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (cache.topologyEpoch() < 2 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(cache.topologyEpoch()).isEqualTo(2);
    for (int i = 0; i < 100; i++) {
      assertThat(ownerIndex("key:" + i)).isLessThan(2);
    }
    assertThat(client.endpointAddresses()).doesNotContain(nodes.get(2).address());
    await(() -> connectedClients(nodes.get(2)) == connectedBefore - 1, "the client's connection to node 2 closed");
    for (int i = 0; i < 30; i++) {
      cache.put("warm:" + i, "again");
      assertThat(cache.get("warm:" + i)).isEqualTo("again");
    }
  }

  @Test
  void concurrentCallers_syncAndAsyncMixed_allSeeTheirOwnWrites() throws Exception {
    int threads = 8;
    List<Thread> workers = new ArrayList<>();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread worker = new Thread(() -> {
        try {
          for (int i = 0; i < 300; i++) {
            String key = "t" + id + ":" + i;
            if (i % 2 == 0) {
              cache.put(key, key);
              assertThat(cache.get(key)).isEqualTo(key);
            } else {
              cache.async().put(key, key).join();
              assertThat(cache.async().get(key).join()).isEqualTo(key);
            }
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertThat(errors).isEmpty();
  }
}
