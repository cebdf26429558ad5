package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.ring.Crc32;
import io.ringcache.ring.Topology;
import io.ringcache.testkit.EmbeddedCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's transactions over three real nodes: typed results, errors, one node only, atomicity. */
class TransactionIT {

  private EmbeddedCluster nodes;
  private CacheClient cache;
  private Topology topology;
  /** Keys on one node, and one elsewhere. */
  private final List<String> together = new ArrayList<>();
  private String elsewhere;

  @BeforeEach
  void start() {
    nodes = EmbeddedCluster.builder().nodes(3).withoutRouter().start();
    topology = nodes.topologyOf(1, 0, 1, 2);
    assertThat(nodes.pushTopology(topology)).containsOnly(":1");
    cache = CacheClient.builder().seeds(nodes.nodeAddress(0)).topologyRefreshPeriod(Duration.ZERO).build();
    String first = owner("t0");
    for (int i = 0; together.size() < 3 || elsewhere == null; i++) {
      String key = "t" + i;
      if (owner(key).equals(first)) {
        if (together.size() < 3) {
          together.add(key);
        }
      } else if (elsewhere == null) {
        elsewhere = key;
      }
    }
  }

  @AfterEach
  void stop() {
    if (cache != null) {
      cache.close();
    }
    if (nodes != null) {
      nodes.close();
    }
  }

  private String owner(String key) {
    return topology.ring().ownerOfHash(Crc32.hash(key.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void transaction_keysOnOneNode_returnsEachResultInOrder() {
    String a = together.get(0);
    String b = together.get(1);
    cache.put(b, "old");
    TransactionResult r = cache.transaction(tx -> tx.incr(a).incrBy(a, 10).put(b, "new", Duration.ofMinutes(5))
        .get(b).delete(b).delete(b).expire(a, Duration.ofMinutes(1)));
    assertThat(r.size()).isEqualTo(7);
    assertThat(r.<Long>get(0)).isEqualTo(1L);
    assertThat(r.<Long>get(1)).isEqualTo(11L);
    assertThat(r.<Object>get(2)).isNull();
    assertThat(r.<String>get(3)).isEqualTo("new");
    assertThat(r.<Boolean>get(4)).isTrue();
    assertThat(r.<Boolean>get(5)).isFalse();
    assertThat(r.<Boolean>get(6)).isTrue();
    assertThat(cache.get(a)).isEqualTo("11");
    assertThat(cache.ttl(a)).isPresent();
  }

  @Test
  void transaction_commandFailingWhenRun_failsAloneAndTheOthersRun() {
    String a = together.get(0);
    String b = together.get(1);
    cache.put(a, "not a number");
    TransactionResult r = cache.transaction(tx -> tx.incr(a).put(b, "v"));
    assertThat(r.failed(0)).isTrue();
    assertThatThrownBy(() -> r.get(0)).isInstanceOf(CacheServerException.class)
        .hasMessageContaining("ERR value is not an integer or out of range");
    assertThat(r.failed(1)).isFalse();
    assertThat(cache.get(b)).isEqualTo("v");
  }

  @Test
  void transaction_keysOnDifferentNodes_isRefusedAndNothingRuns() {
    String a = together.get(0);
    assertThatThrownBy(() -> cache.transaction(tx -> tx.put(a, "1").put(elsewhere, "2")))
        .isInstanceOfSatisfying(CacheServerException.class, e -> assertThat(e.code()).isEqualTo("CROSSNODE"));
    assertThat(cache.existsAll(List.of(a, elsewhere))).isZero();
  }

  @Test
  void asyncTransaction_completesWithTheResults() throws Exception {
    String a = together.get(0);
    TransactionResult r = cache.async().transaction(tx -> tx.put(a, "5").incrBy(a, 2)).get(10, TimeUnit.SECONDS);
    assertThat(r.<Long>get(1)).isEqualTo(7L);
    assertThat(cache.async().transaction(tx -> {}).get(10, TimeUnit.SECONDS).size()).isZero();
  }

  @Test
  void transaction_concurrentReaders_neverSeeHalfOfIt() throws Exception {
    String a = together.get(0);
    String b = together.get(1);
    cache.putAll(Map.of(a, "0", b, "0"));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicBoolean done = new AtomicBoolean();
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        writers.add(pool.submit(() -> {
          for (int i = 0; i < 1_000; i++) {
            cache.transaction(tx -> tx.incr(a).incr(b));
          }
          return null;
        }));
      }
      Future<Integer> reader = pool.submit(() -> {
        int reads = 0;
        while (!done.get() || reads == 0) {
          Map<String, String> pair = cache.getAll(List.of(a, b)); // one MGET: both keys live on one node
          assertThat(pair.get(a)).isEqualTo(pair.get(b));
          reads++;
        }
        return reads;
      });
      for (Future<?> f : writers) {
        f.get(60, TimeUnit.SECONDS);
      }
      done.set(true);
      assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
    } finally {
      done.set(true);
      pool.shutdownNow();
    }
    assertThat(cache.get(a)).isEqualTo("2000");
    assertThat(cache.get(b)).isEqualTo("2000");
  }
}
