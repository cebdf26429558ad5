package io.ringcache.client;

import io.ringcache.ring.Crc32;
import io.ringcache.ring.Topology;
import io.ringcache.testkit.core.Await;
import io.ringcache.testkit.EmbeddedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.nio.charset.StandardCharsets;
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

/**
 * Smart routing over real cache nodes: three nodes in this JVM, given a topology with {@code
 * RING.SETTOPOLOGY} (the router's job, done here by the test), and the client bootstrapped from one
 * of them.
 */
class CacheNodeClusterIT {

  private EmbeddedCluster nodes;
  private CacheClient cache;

  @BeforeEach
  void start() {
    nodes = EmbeddedCluster.builder().nodes(3).withoutRouter().start();
    assertThat(nodes.pushTopology(nodes.topologyOf(1, 0, 1, 2))).containsOnly(":1");
    cache =
        CacheClient.builder()
            .seeds(nodes.nodeAddress(0))
            .reconnectDelay(Duration.ofMillis(50))
            .topologyRefreshPeriod(Duration.ZERO)
            .build();
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

  private String owner(Topology topology, String key) {
    String name = topology.ring().ownerOfHash(Crc32.hash(key.getBytes(StandardCharsets.UTF_8)));
    return topology.node(name).orElseThrow().address();
  }

  private int ownerIndex(Topology topology, String key) {
    String address = owner(topology, key);
    for (int i = 0; i < nodes.nodeCount(); i++) {
      if (nodes.nodeAddress(i).equals(address)) {
        return i;
      }
    }
    throw new AssertionError(address);
  }

  private static void await(BooleanSupplier condition, String what) {
    Await.until(condition, Duration.ofSeconds(10), what);
  }

  @Test
  void build_fromAnyNode_adoptsTheClusterTopology() {
    assertThat(cache.topologyEpoch()).isEqualTo(1);
  }

  @Test
  void put_goesStraightToTheOwner_whichServesIt_othersRedirect() {
    Topology topology = nodes.topologyOf(1, 0, 1, 2);
    for (int i = 0; i < 150; i++) {
      String key = "user:" + i;
      cache.put(key, "v" + i);
      String owner = owner(topology, key);
      for (int n = 0; n < nodes.nodeCount(); n++) {
        String reply = RespTestClient.callOnce(nodes.nodeAddress(n), "GET", key);
        if (nodes.nodeAddress(n).equals(owner)) {
          assertThat(reply).isEqualTo("v" + i);
        } else {
          assertThat(reply).isEqualTo("-MOVED 1 " + owner);
        }
      }
      assertThat(cache.get(key)).isEqualTo("v" + i);
    }
  }

  @Test
  void putAllAndGetAll_acrossNodes_returnEverything() {
    Map<String, String> entries = new LinkedHashMap<>();
    for (int i = 0; i < 400; i++) {
      entries.put("bulk:" + i, "value-" + i);
    }
    cache.putAll(entries);
    List<String> keys = new ArrayList<>(entries.keySet());
    keys.add(0, "bulk:none");
    assertThat(cache.getAll(keys)).containsExactlyEntriesOf(entries);
    assertThat(cache.async().getAll(keys).join()).containsExactlyEntriesOf(entries);
  }

  @Test
  void moved_afterTheClusterMovesOn_isFollowedAndTheNewEpochAdopted() {
    Topology before = nodes.topologyOf(1, 0, 1, 2);
    Topology after = nodes.topologyOf(2, 0, 1); // node 2 leaves: only its keys move
    String moving = null;
    for (int i = 0; moving == null; i++) {
      if (ownerIndex(before, "k" + i) == 2) {
        moving = "k" + i;
      }
    }
    assertThat(nodes.pushTopology(after)).containsOnly(":2");

    cache.put(moving, "after"); // sent to node 2, redirected to the new owner
    assertThat(cache.get(moving)).isEqualTo("after");
    assertThat(RespTestClient.callOnce(owner(after, moving), "GET", moving)).isEqualTo("after");
    await(() -> cache.topologyEpoch() == 2, "epoch 2 adopted after -MOVED");
  }

  @Test
  void nodeKilled_onlyItsKeysFail_thenRecoverAfterRestart() {
    Topology topology = nodes.topologyOf(1, 0, 1, 2);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      keys.add("k" + i);
      cache.put("k" + i, "v" + i);
    }
    nodes.stopNode(1);
    for (String key : keys) {
      if (ownerIndex(topology, key) == 1) {
        assertThatThrownBy(() -> cache.get(key))
            .isInstanceOf(CacheConnectionException.class)
            .hasMessageContaining(nodes.nodeAddress(1));
      } else {
        assertThat(cache.get(key)).isEqualTo(key.replace('k', 'v'));
      }
    }

    nodes.restartNode(1);
    nodes.pushTopology(topology); // a restarted node is standalone until it is given the topology again
    String back = keys.stream().filter(k -> ownerIndex(topology, k) == 1).findFirst().orElseThrow();
    await(
        () -> {
          try {
            cache.put(back, "again");
            return "again".equals(cache.get(back));
          } catch (CacheConnectionException e) {
            return false;
          }
        },
        "node 1 serves again");
  }

  @Test
  void seedDown_clientKeepsServingAndRefreshesFromTheOtherNodes() {
    Topology topology = nodes.topologyOf(1, 0, 1, 2);
    nodes.stopNode(0);
    assertThat(cache.refreshTopology()).isEqualTo(1);
    for (int i = 0; i < 50; i++) {
      String key = "s" + i;
      if (ownerIndex(topology, key) != 0) {
        cache.put(key, "v");
        assertThat(cache.get(key)).isEqualTo("v");
      }
    }
    assertThat(nodes.pushTopology(nodes.topologyOf(2, 1, 2))).containsOnly(":2");
    assertThat(cache.refreshTopology()).isEqualTo(2);
  }

  @Test
  void build_firstSeedStandaloneAfterRestart_takesTheClusterTopologyFromTheNextSeed() {
    nodes.stopNode(0);
    nodes.restartNode(0); // up again, empty and standalone: epoch 0, itself alone
    try (CacheClient other = CacheClient.builder().seeds(nodes.nodeAddress(0), nodes.nodeAddress(1)).build()) {
      assertThat(other.topologyEpoch()).isEqualTo(1);
    }
  }

  @Test
  void topologyChangeUnderConcurrentLoad_noOperationFails_andTheClientEndsOnTheNewEpoch() throws Exception {
    try (EmbeddedCluster joining = EmbeddedCluster.builder().nodes(1).withoutRouter().start()) {
      // Epoch 2 adds a fourth node; pushed while eight callers read and write.
      List<io.ringcache.ring.NodeInfo> members = new ArrayList<>(nodes.topologyOf(1, 0, 1, 2).nodes());
      members.add(io.ringcache.ring.NodeInfo.of(joining.nodeAddress(0), 1));
      Topology next = Topology.of(2, members);
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicLong ops = new java.util.concurrent.atomic.AtomicLong();
      List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Thread> callers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int id = t;
        Thread caller = new Thread(() -> {
          for (int i = 0; !stop.get(); i++) {
            String key = "load:" + id + ":" + (i % 200);
            try {
              cache.put(key, "v" + i);
              String read = cache.get(key);
              // Without handoffs (not on this branch) a moved key may read as a miss, never as another value.
              if (read != null && !read.equals("v" + i)) {
                errors.add(new AssertionError(key + " read " + read + " after writing v" + i));
              }
              ops.incrementAndGet();
            } catch (Throwable e) {
              errors.add(e);
            }
          }
        });
        callers.add(caller);
        caller.start();
      }
      await(() -> ops.get() > 2_000, "load running");
      assertThat(joining.pushTopology(next)).containsOnly(":2");
      assertThat(nodes.pushTopology(next)).containsOnly(":2");
      long target = ops.get() + 4_000;
      await(() -> ops.get() > target, "load continuing on epoch 2");
      stop.set(true);
      for (Thread caller : callers) {
        caller.join(TimeUnit.SECONDS.toMillis(10));
      }
      assertThat(errors).isEmpty();
      await(() -> cache.topologyEpoch() == 2, "epoch 2 adopted");
      assertThat(RespTestClient.callOnce(joining.nodeAddress(0), "DBSIZE")).isNotEqualTo(":0");
    }
  }
}
