package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringcache.ring.Topology;
import io.ringcache.testkit.core.Await;
import io.ringcache.testkit.EmbeddedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

/**
 * {@code scan()} over real processes: three ringcache nodes (each key returned once, MATCH, the
 * byte and async views), a real {@code redis-server} (its own cursors), a node that is down (the
 * walk fails rather than skip it), and a real router running a join while the walk goes on, with a
 * client that learns of the join only from the nodes' epochs.
 */
class ScanIT {

  @Test
  void scan_onThreeNodes_returnsEveryKeyExactlyOnce_inEachView() {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).withoutRouter().start()) {
      cluster.pushTopology(cluster.topologyOf(1, 0, 1, 2));
      try (CacheClient cache = CacheClient.builder().seeds(cluster.nodeAddress(0)).build()) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (int i = 0; i < 2_000; i++) {
          entries.put((i % 10 == 0 ? "user:" : "item:") + i, "v" + i);
        }
        cache.putAll(entries);
        for (int i = 0; i < 3; i++) {
          assertThat(Long.parseLong(RespTestClient.callOnce(cluster.nodeAddress(i), "DBSIZE").substring(1))).as("node %d holds keys", i).isPositive();
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
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).withoutRouter().start()) {
      cluster.pushTopology(cluster.topologyOf(1, 0, 1, 2).withHashTag("{}"));
      try (CacheClient cache = CacheClient.builder().seeds(cluster.nodeAddress(0)).build()) {
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
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(2).withoutRouter().start()) {
      cluster.pushTopology(cluster.topologyOf(1, 0, 1));
      try (CacheClient cache = CacheClient.builder().seeds(cluster.nodeAddress(0)).build()) {
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
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).withoutRouter().start()) {
      cluster.pushTopology(cluster.topologyOf(1, 0, 1, 2));
      try (CacheClient cache =
          CacheClient.builder().seeds(cluster.nodeAddress(0)).topologyRefreshPeriod(Duration.ZERO).build()) {
        cache.put("a", "1");
        cluster.stopNode(2);
        Iterator<String> keys = cache.scan();
        assertThatThrownBy(keys::hasNext)
            .isInstanceOf(CacheConnectionException.class)
            .hasMessageContaining(cluster.nodeAddress(2))
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
    try (EmbeddedCluster nodes = EmbeddedCluster.builder().nodes(3).start()) {
      int joining = nodes.startNode(); // a member the router has not admitted yet
      try (CacheClient cache = CacheClient.builder().seeds(nodes.nodeAddress(0)).topologyRefreshPeriod(Duration.ZERO).build()) {
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
            HttpRequest.newBuilder(URI.create(nodes.adminUrl() + "/nodes"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"" + nodes.nodeAddress(joining) + "\"}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(joined.statusCode()).as(joined.body()).isEqualTo(202);
        Await.until(() -> {
          Topology t = nodes.topology();
          return t.epoch() > before && t.handoffs().isEmpty();
        }, Duration.ofSeconds(60), "the join finished");
        Await.until(() -> totalKeys(nodes) == entries.size(), Duration.ofSeconds(30),
            "the sources dropped the keys they handed over");
        assertThat(cache.topologyEpoch()).as("the client has not refreshed by itself").isEqualTo(before);

        while (walk.hasNext()) {
          seen.add(walk.next());
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(entries.keySet());
        assertThat(cache.topologyEpoch()).isEqualTo(nodes.topology().epoch());
      }
    }
  }

  /** The keys on every node, the joining one included. */
  private static long totalKeys(EmbeddedCluster nodes) {
    long total = 0;
    for (int i = 0; i < nodes.nodeCount(); i++) {
      total += Long.parseLong(RespTestClient.callOnce(nodes.nodeAddress(i), "DBSIZE").substring(1));
    }
    return total;
  }

  private static <K> List<K> drain(Iterator<K> keys) {
    List<K> out = new ArrayList<>();
    keys.forEachRemaining(out::add);
    return out;
  }
}
