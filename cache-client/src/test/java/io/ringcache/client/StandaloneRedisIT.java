package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against a plain redis-server: a seed without RING.TOPOLOGY is a standalone node. */
class StandaloneRedisIT {

  private static RedisProcess redis;
  private static CacheClient cache;

  @BeforeAll
  static void start() {
    assumeTrue(RedisProcess.available(), "redis-server is not installed");
    redis = RedisProcess.start();
    cache = CacheClient.builder().seeds(redis.address()).build();
  }

  @AfterAll
  static void stop() {
    if (cache != null) {
      cache.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void build_seedWithoutRingTopology_isStandaloneAtEpochZero() {
    assertThat(cache.topologyEpoch()).isZero();
    assertThat(((DefaultCacheClient) cache).addressOf("any")).isEqualTo(redis.address());
  }

  @Test
  void putThenGet_returnsTheValue_andGetOfMissingKeyIsNull() {
    cache.put("user:1", "alice");
    assertThat(cache.get("user:1")).isEqualTo("alice");
    assertThat(cache.get("user:missing")).isNull();
  }

  @Test
  void put_unicodeValue_roundTripsAsUtf8() {
    cache.put("greeting", "grüß dich ✓");
    assertThat(cache.get("greeting")).isEqualTo("grüß dich ✓");
    assertThat(cache.binary().get("greeting".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("grüß dich ✓".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void delete_existingKey_isTrueThenFalse() {
    cache.put("del:1", "x");
    assertThat(cache.delete("del:1")).isTrue();
    assertThat(cache.delete("del:1")).isFalse();
    assertThat(cache.get("del:1")).isNull();
  }

  @Test
  void putWithTtl_setsATtlWithinTheDuration() {
    cache.put("session:9", "x", Duration.ofMinutes(5));
    Duration ttl = cache.ttl("session:9").orElseThrow();
    assertThat(ttl).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void ttl_missingKeyAndPersistentKey_areEmpty() {
    cache.put("persistent", "x");
    assertThat(cache.ttl("persistent")).isEmpty();
    assertThat(cache.exists("persistent")).isTrue();
    assertThat(cache.ttl("ttl:missing")).isEmpty();
    assertThat(cache.exists("ttl:missing")).isFalse();
  }

  @Test
  void putWithShortTtl_keyExpires() {
    cache.put("short", "x", Duration.ofMillis(50));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (cache.exists("short") && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(cache.get("short")).isNull();
  }

  @Test
  void expire_existingKeyGetsATtl_missingKeyIsFalse() {
    cache.put("exp:1", "x");
    assertThat(cache.expire("exp:1", Duration.ofSeconds(30))).isTrue();
    assertThat(cache.ttl("exp:1").orElseThrow()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(30));
    assertThat(cache.expire("exp:missing", Duration.ofSeconds(30))).isFalse();
  }

  @Test
  void exists_reflectsPresence() {
    cache.put("ex:1", "x");
    assertThat(cache.exists("ex:1")).isTrue();
    assertThat(cache.exists("ex:missing")).isFalse();
  }

  @Test
  void incr_countsFromZero_andIncrByAddsDelta() {
    assertThat(cache.incr("counter")).isEqualTo(1);
    assertThat(cache.incr("counter")).isEqualTo(2);
    assertThat(cache.incrBy("counter", -5)).isEqualTo(-3);
  }

  @Test
  void incr_nonIntegerValue_throwsServerExceptionWithErrCode() {
    cache.put("not-a-number", "abc");
    assertThatThrownBy(() -> cache.incr("not-a-number"))
        .isInstanceOfSatisfying(CacheServerException.class, e -> assertThat(e.code()).isEqualTo("ERR"))
        .hasMessageContaining(redis.address());
  }

  @Test
  void putAllThenGetAll_returnsPresentKeysInOrder() {
    Map<String, String> entries = new LinkedHashMap<>();
    for (int i = 0; i < 50; i++) {
      entries.put("bulk:" + i, "v" + i);
    }
    cache.putAll(entries);
    List<String> keys = new ArrayList<>(entries.keySet());
    keys.add(10, "bulk:missing");
    Map<String, String> got = cache.getAll(keys);
    assertThat(got).containsExactlyEntriesOf(entries);
    assertThat(cache.getAll(List.of())).isEmpty();
  }

  @Test
  void async_operations_completeWithTheSameResults() {
    AsyncCacheCommands<String, String> async = cache.async();
    async.put("async:1", "v").join();
    assertThat(async.get("async:1").join()).isEqualTo("v");
    assertThat(async.exists("async:1").join()).isTrue();
    assertThat(async.incr("async:n").join()).isEqualTo(1L);
    assertThat(async.getAll(List.of("async:1", "async:none")).join()).containsExactly(Map.entry("async:1", "v"));
    assertThat(async.delete("async:1").join()).isTrue();
    assertThat(async.get("async:1").join()).isNull();
  }

  @Test
  void async_thousandConcurrentGets_allComplete() {
    cache.put("hot", "value");
    List<CompletableFuture<String>> futures = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      futures.add(cache.async().get("hot"));
    }
    for (CompletableFuture<String> f : futures) {
      assertThat(f.join()).isEqualTo("value");
    }
  }

  @Test
  void binary_keysAndValuesAreSentAsTheyAre() {
    byte[] key = {0, 1, 2, (byte) 0xFF};
    byte[] value = new byte[1000];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) i;
    }
    cache.binary().put(key, value);
    assertThat(cache.binary().get(key)).isEqualTo(value);
    Map<byte[], byte[]> all = cache.binaryAsync().getAll(List.of(key)).join();
    assertThat(all.get(key)).isEqualTo(value);
  }

  @Test
  void put_largeValue_roundTrips() {
    String big = "x".repeat(3 * 1024 * 1024);
    cache.put("big", big);
    assertThat(cache.get("big")).isEqualTo(big);
  }

  @Test
  void put_nonPositiveTtl_isRejectedBeforeSending() {
    assertThatThrownBy(() -> cache.put("k", "v", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
