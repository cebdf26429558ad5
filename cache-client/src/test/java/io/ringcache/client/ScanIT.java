package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import io.ringcache.router.Router;
import io.ringcache.router.RouterConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scan()} over real processes: three ringcache nodes (each key returned once, MATCH, the
 * byte and async views), a real {@code redis-server} (its own cursors), a node that is down (the
 * walk fails rather than skip it), and a real router running a join while the walk goes on, with a
 * client that learns of the join only from the nodes' epochs.
 */
class ScanIT {

  @TempDir Path dataDir;

  @Test
  void scan_onThreeNodes_returnsEveryKeyExactlyOnce_inEachView() {
    try (NodeCluster cluster = NodeCluster.start(3)) {
      cluster.push(cluster.topology(1, 0, 1, 2));
      try (CacheClient cache = CacheClient.builder().seeds(cluster.address(0)).build()) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (int i = 0; i < 2_000; i++) {
          entries.put((i % 10 == 0 ? "user:" : "item:") + i, "v" + i);
        }
        cache.putAll(entries);
        for (int i = 0; i < 3; i++) {
          assertThat(Long.parseLong(RespCall.call(cluster.address(i), "DBSIZE").substring(1))).as("node %d holds keys", i).isPositive();
        }

        long start = System.nanoTime();
        List<String> all = drain(cache.scan(ScanOptions.builder().count(37).build()));
        org.slf4j.LoggerFactory.getLogger(ScanIT.class).info("walked {} keys on 3 nodes, COUNT 37, in {} ms", all.size(),
            (System.nanoTime() - start) / 1_000_000);
        assertThat(all).hasSize(entries.size()).containsExactlyInAnyOrderElementsOf(entries.keySet());

        List<String> users = drain(cache.scan(ScanOptions.builder().match("user:*").build()));
        assertThat(users).hasSize(200).allMatch(k -> k.startsWith("user:"));

        List<String> binary = new ArrayList<>();
        cache.binary().scan().forEachRemaining(k -> binary.add(new String(k, StandardCharsets.UTF_8)));
        assertThat(binary).containsExactlyInAnyOrderElementsOf(entries.keySet());

        Set<String> async = ConcurrentHashMap.newKeySet();
        long handed = cache.async().scan(ScanOptions.builder().count(500).build(), async::add).join();
        assertThat(handed).isEqualTo(entries.size());
        assertThat(async).containsExactlyInAnyOrderElementsOf(entries.keySet());
      }
    }
  }

  /*
   * With hash tags a key's place on the circle (and so in the nodes' SCAN cursors) is its tag's
   * CRC32, not its own: a walk that filtered steps by the key's own CRC32 would drop tagged keys.
   */
  @Test
  void scan_onAClusterWithHashTags_returnsEveryTaggedKeyOnce() {
    try (NodeCluster cluster = NodeCluster.start(3)) {
      cluster.push(cluster.topology(1, 0, 1, 2).withHashTag("{}"));
      try (CacheClient cache = CacheClient.builder().seeds(cluster.address(0)).build()) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (int i = 0; i < 1_500; i++) {
          entries.put("{user" + (i % 40) + "}:field" + i, "v");
        }
        cache.putAll(entries);
        List<String> all = drain(cache.scan(ScanOptions.builder().count(20).build()));
        assertThat(all).hasSize(entries.size()).containsExactlyInAnyOrderElementsOf(entries.keySet());
      }
    }
  }

  @Test
  void scan_onAnEmptyCluster_endsAtOnce() {
    try (NodeCluster cluster = NodeCluster.start(2)) {
      cluster.push(cluster.topology(1, 0, 1));
      try (CacheClient cache = CacheClient.builder().seeds(cluster.address(0)).build()) {
        Iterator<String> keys = cache.scan();
        assertThat(keys.hasNext()).isFalse();
        assertThatThrownBy(keys::next).isInstanceOf(java.util.NoSuchElementException.class);
      }
    }
  }

  @Test
  void scan_onRedis7_followsRedissOwnCursor() {
    assumeTrue(RedisProcess.available(), "redis-server is not installed");
    try (RedisProcess redis = RedisProcess.start();
        CacheClient cache = CacheClient.builder().seeds(redis.address()).build()) {
      Set<String> written = new HashSet<>();
      for (int i = 0; i < 1_000; i++) {
        written.add("k" + i);
      }
      Map<String, String> entries = new HashMap<>();
      written.forEach(k -> entries.put(k, "v"));
      cache.putAll(entries);
      assertThat(new HashSet<>(drain(cache.scan(ScanOptions.builder().count(10).build())))).isEqualTo(written);
      assertThat(drain(cache.scan(ScanOptions.builder().match("k99*").build())))
          .containsExactlyInAnyOrder("k99", "k990", "k991", "k992", "k993", "k994", "k995", "k996", "k997", "k998", "k999");
    }
  }

  @Test
  void scan_withANodeDown_failsTheStep_ratherThanSkipItsKeys() {
    try (NodeCluster cluster = NodeCluster.start(3)) {
      cluster.push(cluster.topology(1, 0, 1, 2));
      try (CacheClient cache =
          CacheClient.builder().seeds(cluster.address(0)).topologyRefreshPeriod(Duration.ZERO).build()) {
        cache.put("a", "1");
        cluster.kill(2);
        Iterator<String> keys = cache.scan();
        assertThatThrownBy(keys::hasNext)
            .isInstanceOf(CacheConnectionException.class)
            .hasMessageContaining(cluster.address(2))
            .hasCauseInstanceOf(CacheConnectionException.class);
      }
    }
  }

  /*
   * The client's periodic refresh is off and it sends no keyed request, so it can learn of the join
   * only through the walk's epoch check. Half of the circle is walked before the join, the rest
   * after it finished and the source nodes dropped what they handed over: a walk that trusted its
   * old topology would miss the keys that moved to the new node in the second half.
   */
  @Test
  void scan_acrossAJoin_returnsEveryKeyPresentThroughout_andLearnsTheNewEpochFromTheNodes() throws Exception {
    try (NodeCluster nodes = NodeCluster.start(3);
        NodeCluster joining = NodeCluster.startMembers(1)) {
      List<NodeInfo> initial = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        initial.add(NodeInfo.of(nodes.address(i), 1));
      }
      try (Router router = Router.start(RouterConfig.builder().port(0).adminPort(0).dataDir(dataDir)
              .initialNodes(initial).healthInterval(Duration.ofMillis(300)).healthMisses(5).build())) {
        long epoch = router.topology().epoch();
        for (int i = 0; i < nodes.size(); i++) {
          String address = nodes.address(i);
          Await.until(() -> RespCall.epochOf(RespCall.call(address, "RING.TOPOLOGY")) >= epoch, Duration.ofSeconds(30),
              "node at the router's epoch");
        }
        try (CacheClient cache = CacheClient.builder().seeds(nodes.address(0)).topologyRefreshPeriod(Duration.ZERO).build()) {
          Map<String, String> entries = new LinkedHashMap<>();
          for (int i = 0; i < 5_000; i++) {
            entries.put("scan:" + i, "v");
          }
          cache.putAll(entries);

          Set<String> seen = new HashSet<>();
          Iterator<String> walk = cache.scan(ScanOptions.builder().count(50).build());
          while (seen.size() < entries.size() / 2 && walk.hasNext()) {
            seen.add(walk.next());
          }
          long before = cache.topologyEpoch();

          HttpResponse<String> joined = HttpClient.newHttpClient().send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.adminPort() + "/nodes"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"" + joining.address(0) + "\"}")).build(),
              HttpResponse.BodyHandlers.ofString());
          assertThat(joined.statusCode()).as(joined.body()).isEqualTo(202);
          Await.until(() -> {
            Topology t = router.topology();
            return t.epoch() > before && t.handoffs().isEmpty();
          }, Duration.ofSeconds(60), "the join finished");
          Await.until(() -> totalKeys(nodes, joining) == entries.size(), Duration.ofSeconds(30),
              "the sources dropped the keys they handed over");
          assertThat(cache.topologyEpoch()).as("the client has not refreshed by itself").isEqualTo(before);

          while (walk.hasNext()) {
            seen.add(walk.next());
          }
          assertThat(seen).containsExactlyInAnyOrderElementsOf(entries.keySet());
          assertThat(cache.topologyEpoch()).isEqualTo(router.topology().epoch());
        }
      }
    }
  }

  private static long totalKeys(NodeCluster nodes, NodeCluster joining) {
    long total = Long.parseLong(RespCall.call(joining.address(0), "DBSIZE").substring(1));
    for (int i = 0; i < nodes.size(); i++) {
      total += Long.parseLong(RespCall.call(nodes.address(i), "DBSIZE").substring(1));
    }
    return total;
  }

  private static <K> List<K> drain(Iterator<K> keys) {
    List<K> out = new ArrayList<>();
    keys.forEachRemaining(out::add);
    return out;
  }
}
