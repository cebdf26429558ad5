package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.ring.Handoff;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.HashRange;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** -MOVED, -TRYAGAIN and handoff routing, against scripted nodes whose every reply is known. */
class RedirectIT {

  private volatile String topologyJson;
  private FakeNode seed;
  private CacheClient cache;

  @AfterEach
  void stop() throws Exception {
    if (cache != null) {
      cache.close();
    }
    if (seed != null) {
      seed.close();
    }
  }

  /** A node that serves the current topology and answers everything else with {@code data}. */
  private FakeNode node(Function<List<String>, String> data) throws Exception {
    return new FakeNode(args -> args.get(0).equals("RING.TOPOLOGY") ? FakeNode.bulk(topologyJson) : data.apply(args));
  }

  private static String topology(long epoch, FakeNode... nodes) {
    return TopologyJson.write(
        Topology.of(epoch, java.util.Arrays.stream(nodes).map(n -> NodeInfo.of(n.address(), 1)).toList()));
  }

  private CacheClient client(FakeNode seedNode, CacheClient.Builder builder) {
    this.seed = seedNode;
    cache = builder.seeds(seedNode.address()).topologyRefreshPeriod(Duration.ZERO).build();
    return cache;
  }

  @Test
  void moved_isFollowedToTheNewOwner_andTheTopologyIsRefreshed() throws Exception {
    try (FakeNode target = node(args -> args.get(0).equals("GET") ? FakeNode.bulk("from-target") : "+OK\r\n")) {
      FakeNode old = node(args -> "-MOVED 2 " + target.address() + "\r\n");
      topologyJson = topology(1, old);
      client(old, CacheClient.builder());
      assertThat(cache.topologyEpoch()).isEqualTo(1);

      topologyJson = topology(2, target); // what the cluster says now
      assertThat(cache.get("k")).isEqualTo("from-target");

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (cache.topologyEpoch() < 2 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(cache.topologyEpoch()).isEqualTo(2);
      int movedBefore = old.count("GET");
      assertThat(cache.get("k2")).isEqualTo("from-target");
      assertThat(old.count("GET")).as("one hop to the new owner").isEqualTo(movedBefore);
    }
  }

  @Test
  void moved_toAddressOutsideTheTopology_isRefusedAndTheStrangerGetsNoAuth() throws Exception {
    try (FakeNode stranger = new FakeNode(args -> args.get(0).equals("GET") ? FakeNode.bulk("forged") : "+OK\r\n")) {
      FakeNode victim = node(args -> args.get(0).equals("AUTH") ? "+OK\r\n" : "-MOVED 99 " + stranger.address() + "\r\n");
      topologyJson = topology(1, victim);
      client(victim, CacheClient.builder().password("s3cret"));
      assertThatThrownBy(() -> cache.get("k"))
          .isInstanceOf(CacheRedirectException.class)
          .hasMessageContaining("which is not a member of the topology at epoch 1");
      assertThat(victim.count("RING.TOPOLOGY")).as("refreshed before refusing").isGreaterThanOrEqualTo(2);
      assertThat(stranger.count("AUTH")).isZero();
      assertThat(stranger.count("GET")).isZero();
      assertThat(stranger.count("RING.TOPOLOGY")).isZero();
    }
  }

  @Test
  void moved_endlessly_failsWithRedirectExceptionAfterMaxRedirects() throws Exception {
    AtomicInteger gets = new AtomicInteger();
    FakeNode[] self = new FakeNode[1];
    self[0] = node(args -> {
      gets.incrementAndGet();
      return "-MOVED 1 " + self[0].address() + "\r\n";
    });
    topologyJson = topology(1, self[0]);
    client(self[0], CacheClient.builder().maxRedirects(3));
    assertThatThrownBy(() -> cache.get("k"))
        .isInstanceOf(CacheRedirectException.class)
        .hasMessageContaining("redirected more than 3 times");
    assertThat(gets).hasValue(4);
  }

  @Test
  void tryAgain_afewTimes_isRetriedUntilItSucceeds() throws Exception {
    AtomicInteger gets = new AtomicInteger();
    FakeNode node = node(args -> gets.incrementAndGet() <= 3 ? "-TRYAGAIN handoff in progress\r\n" : FakeNode.bulk("v"));
    topologyJson = topology(1, node);
    client(node, CacheClient.builder());
    assertThat(cache.get("k")).isEqualTo("v");
    assertThat(gets).hasValue(4);
  }

  @Test
  void tryAgain_forever_failsWithRedirectExceptionAfterMaxRetries() throws Exception {
    AtomicInteger gets = new AtomicInteger();
    FakeNode node = node(args -> {
      gets.incrementAndGet();
      return "-TRYAGAIN\r\n";
    });
    topologyJson = topology(1, node);
    client(node, CacheClient.builder().maxTryAgainRetries(2));
    assertThatThrownBy(() -> cache.async().get("k").join())
        .hasCauseInstanceOf(CacheRedirectException.class)
        .hasMessageContaining("TRYAGAIN");
    assertThat(gets).hasValue(3);
  }

  @Test
  void getAll_batchAnsweredWithMoved_isSplitIntoRedirectedSingleGets() throws Exception {
    try (FakeNode target = node(args -> FakeNode.bulk("t-" + args.get(1)))) {
      FakeNode old = node(args -> "-MOVED 2 " + target.address() + "\r\n");
      topologyJson = topology(1, old);
      client(old, CacheClient.builder());
      topologyJson = topology(2, target); // the cluster moved on: the redirect's target is a member
      Map<String, String> all = cache.getAll(List.of("a", "b", "c"));
      assertThat(all).containsExactly(Map.entry("a", "t-a"), Map.entry("b", "t-b"), Map.entry("c", "t-c"));
      assertThat(old.count("MGET")).isEqualTo(1);
      assertThat(target.count("GET")).isEqualTo(3);
    }
  }

  @Test
  void handoff_preparedGoesToTheSource_sealedGoesToTheTarget() throws Exception {
    try (FakeNode to = node(args -> FakeNode.bulk("to"))) {
      FakeNode from = node(args -> FakeNode.bulk("from"));
      NodeInfo fromInfo = NodeInfo.of(from.address(), 1);
      NodeInfo toInfo = NodeInfo.of(to.address(), 1);
      Handoff prepared = new Handoff("h1", from.address(), to.address(), List.of(HashRange.all()), HandoffPhase.PREPARED);
      topologyJson = TopologyJson.write(new Topology(3, List.of(fromInfo, toInfo), List.of(prepared)));
      client(from, CacheClient.builder());
      for (int i = 0; i < 20; i++) {
        assertThat(cache.get("key:" + i)).isEqualTo("from");
      }

      topologyJson =
          TopologyJson.write(new Topology(4, List.of(fromInfo, toInfo), List.of(prepared.withPhase(HandoffPhase.SEALED))));
      assertThat(cache.refreshTopology()).isEqualTo(4);
      for (int i = 0; i < 20; i++) {
        assertThat(cache.get("key:" + i)).isEqualTo("to");
      }
    }
  }
}
