package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringcache.testkit.EmbeddedCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The everyday API (putIfAbsent, replace, putKeepingTtl, getAndSet, getAndDelete, persist,
 * deleteAll, existsAll, decr, Optional TTLs, client-side size checks, caller stacks), sync and
 * async, against three real ringcache nodes (multi-key calls span them) and, for the same
 * assertions, against a real redis-server 7.0: the client's results are Redis's.
 */
class EverydayApiIT {

  @Test
  void everydayApi_onAThreeNodeRingcacheCluster() {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).withoutRouter().start()) {
      cluster.pushTopology(cluster.topologyOf(1, 0, 1, 2));
      try (CacheClient cache = CacheClient.builder().seeds(cluster.nodeAddress(0)).build()) {
        List<String> keys = keysOnEveryNode(cache, cluster);
        exercise(cache, keys);
      }
    }
  }

  @Test
  void everydayApi_onRedis7_givesTheSameResults() {
    assumeTrue(RedisProcess.available(), "redis-server is not installed");
    try (RedisProcess redis = RedisProcess.start();
        CacheClient cache = CacheClient.builder().seeds(redis.address()).build()) {
      exercise(cache, List.of("many:0", "many:1", "many:2", "many:3", "many:4", "many:5"));
    }
  }

  @Test
  void valueOverTheLimit_isRefusedBeforeSending_andTheConnectionKeepsServing() {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(1).withoutRouter().start();
        CacheClient cache = CacheClient.builder().seeds(cluster.nodeAddress(0)).maxValueSize(1024).build()) {
      cache.put("small", "x");
      assertThatThrownBy(() -> cache.put("big", "x".repeat(1025)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("value of 1025 bytes (expected: <= 1024, the client's maxValueSize)");
      assertThatThrownBy(() -> cache.async().put("k".repeat(16 * 1024 + 1), "x"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("key of 16385 bytes (expected: <= 16384");
      assertThat(cache.get("small")).isEqualTo("x");
      assertThat(cache.get("big")).isNull();
    }
  }

  @Test
  void valueOfDefaultMaxPlusOne_isRefusedByTheClient_notAProtocolErrorThatDropsTheConnection() {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(1).withoutRouter().start();
        CacheClient cache = CacheClient.builder().seeds(cluster.nodeAddress(0)).build()) {
      byte[] big = new byte[ClientOptions.DEFAULT_MAX_VALUE_SIZE + 1];
      var pending = cache.binaryAsync().get("pending".getBytes());
      assertThatThrownBy(() -> cache.binary().put("big".getBytes(), big))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("value of 16777217 bytes (expected: <= 16777216");
      assertThat(pending.join()).isNull();
      cache.binary().put("max".getBytes(), new byte[ClientOptions.DEFAULT_MAX_VALUE_SIZE]); // the node takes the limit itself
      assertThat(cache.binary().get("max".getBytes())).hasSize(ClientOptions.DEFAULT_MAX_VALUE_SIZE);
    }
  }

  @Test
  void syncException_carriesTheCallersStack_andTheIoThreadsAsCause_freshPerCall() {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(1).withoutRouter().start();
        CacheClient cache = CacheClient.builder().seeds(cluster.nodeAddress(0)).build()) {
      cache.put("text", "not a number");
      CacheServerException first = catchServerError(() -> cache.incr("text"));
      CacheServerException second = catchServerError(() -> cache.incr("text"));
      assertThat(first).isNotSameAs(second);
      assertThat(first.code()).isEqualTo("ERR");
      assertThat(first.address()).isEqualTo(cluster.nodeAddress(0));
      assertThat(first).hasMessageContaining("value is not an integer");
      assertThat(first.getStackTrace())
          .anyMatch(frame -> frame.getMethodName().contains("syncException_carriesTheCallersStack"));
      assertThat(first.getCause()).isInstanceOf(CacheServerException.class).hasMessage(first.getMessage());
      assertThat(first.getCause().getStackTrace())
          .noneMatch(frame -> frame.getMethodName().contains("syncException_carriesTheCallersStack"));
    }
  }

  private static CacheServerException catchServerError(Runnable call) {
    try {
      call.run();
    } catch (CacheServerException e) {
      return e;
    }
    throw new AssertionError("no CacheServerException");
  }

  /** Six keys, at least one on each of the cluster's nodes. */
  private static List<String> keysOnEveryNode(CacheClient cache, EmbeddedCluster cluster) {
    List<String> keys = new ArrayList<>();
    java.util.Set<String> nodes = new java.util.HashSet<>();
    for (int i = 0; keys.size() < 6 || nodes.size() < cluster.nodeCount(); i++) {
      String key = "many:" + i;
      String node = ((DefaultCacheClient) cache).addressOf(key);
      if (keys.size() < 6 || !nodes.contains(node)) {
        keys.add(key);
        nodes.add(node);
      }
    }
    return keys;
  }

  private static void exercise(CacheClient cache, List<String> keys) {
    // putIfAbsent, replace
    assertThat(cache.putIfAbsent("a", "1")).isTrue();
    assertThat(cache.putIfAbsent("a", "2")).isFalse();
    assertThat(cache.get("a")).isEqualTo("1");
    assertThat(cache.replace("a", "3")).isTrue();
    assertThat(cache.replace("absent", "3")).isFalse();
    assertThat(cache.exists("absent")).isFalse();
    assertThat(cache.get("a")).isEqualTo("3");
    assertThat(cache.putIfAbsent("t", "1", Duration.ofMinutes(1))).isTrue();
    assertThat(cache.ttl("t")).get().matches(t -> t.compareTo(Duration.ZERO) > 0 && t.compareTo(Duration.ofMinutes(1)) <= 0);
    assertThat(cache.replace("t", "2", Duration.ofMinutes(2))).isTrue();
    assertThat(cache.ttl("t")).get().matches(t -> t.compareTo(Duration.ofMinutes(1)) > 0);

    // putKeepingTtl keeps the TTL; put clears it; persist removes it
    cache.putKeepingTtl("t", "kept");
    assertThat(cache.get("t")).isEqualTo("kept");
    assertThat(cache.ttl("t")).isPresent();
    assertThat(cache.persist("t")).isTrue();
    assertThat(cache.ttl("t")).isEmpty();
    assertThat(cache.persist("t")).isFalse();
    assertThat(cache.persist("absent")).isFalse();
    cache.put("t", "x", Duration.ofMinutes(1));
    cache.put("t", "y");
    assertThat(cache.ttl("t")).isEmpty();
    assertThat(cache.ttl("absent")).isEqualTo(Optional.empty());

    // getAndSet, getAndDelete
    assertThat(cache.getAndSet("g", "first")).isNull();
    assertThat(cache.getAndSet("g", "second")).isEqualTo("first");
    assertThat(cache.getAndDelete("g")).isEqualTo("second");
    assertThat(cache.getAndDelete("g")).isNull();
    assertThat(cache.exists("g")).isFalse();

    // decr
    assertThat(cache.decr("n")).isEqualTo(-1);
    assertThat(cache.decrBy("n", 9)).isEqualTo(-10);
    assertThat(cache.incrBy("n", 10)).isZero();

    // deleteAll / existsAll, across nodes
    for (String key : keys) {
      cache.put(key, "v");
    }
    List<String> withMissing = new ArrayList<>(keys);
    withMissing.add("many:missing");
    assertThat(cache.existsAll(withMissing)).isEqualTo(keys.size());
    assertThat(cache.existsAll(List.of(keys.get(0), keys.get(0)))).isEqualTo(2);
    assertThat(cache.existsAll(List.of())).isZero();
    assertThat(cache.deleteAll(withMissing)).isEqualTo(keys.size());
    assertThat(cache.existsAll(keys)).isZero();
    assertThat(cache.deleteAll(keys)).isZero();

    // the async view, same results
    AsyncCacheCommands<String, String> async = cache.async();
    assertThat(async.putIfAbsent("aa", "1").join()).isTrue();
    assertThat(async.putIfAbsent("aa", "1").join()).isFalse();
    assertThat(async.replace("aa", "2").join()).isTrue();
    assertThat(async.getAndSet("aa", "3").join()).isEqualTo("2");
    assertThat(async.ttl("aa").join()).isEmpty();
    assertThat(async.expire("aa", Duration.ofMinutes(1)).join()).isTrue();
    async.putKeepingTtl("aa", "4").join();
    assertThat(async.ttl("aa").join()).isPresent();
    assertThat(async.persist("aa").join()).isTrue();
    assertThat(async.getAndDelete("aa").join()).isEqualTo("4");
    assertThat(async.decr("an").join()).isEqualTo(-1);
    assertThat(async.decrBy("an", 2).join()).isEqualTo(-3);
    async.putAll(java.util.Map.of(keys.get(0), "x", keys.get(1), "y")).join();
    assertThat(async.existsAll(keys).join()).isEqualTo(2);
    assertThat(async.deleteAll(keys).join()).isEqualTo(2);
  }
}
