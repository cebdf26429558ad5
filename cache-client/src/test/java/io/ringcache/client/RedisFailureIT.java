package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Passwords, nodes that die and come back, seeds that are not there: against redis-server. */
class RedisFailureIT {

  @BeforeAll
  static void requireRedis() {
    assumeTrue(RedisProcess.available(), "redis-server is not installed");
  }

  @Test
  void build_withTheRightPassword_works() {
    try (RedisProcess redis = RedisProcess.start("s3cret");
        CacheClient cache = CacheClient.builder().seeds(redis.address()).password("s3cret").build()) {
      cache.put("k", "v");
      assertThat(cache.get("k")).isEqualTo("v");
    }
  }

  @Test
  void operation_withoutOrWithWrongPasswordOnProtectedNode_failsWithAuthenticationException() {
    // Redis rejects an unknown command before it checks authentication, so the client may start
    // (standalone); the first operation then fails. A ringcache node refuses RING.TOPOLOGY itself.
    try (RedisProcess redis = RedisProcess.start("s3cret")) {
      assertThatThrownBy(() -> getWith(CacheClient.builder().seeds(redis.address())))
          .isInstanceOf(CacheAuthenticationException.class)
          .hasMessageContaining("NOAUTH");
      assertThatThrownBy(() -> getWith(CacheClient.builder().seeds(redis.address()).password("wrong")))
          .isInstanceOf(CacheAuthenticationException.class);
    }
  }

  private static String getWith(CacheClient.Builder builder) {
    try (CacheClient cache = builder.build()) {
      return cache.get("k");
    }
  }

  @Test
  void build_noSeedListening_failsWithConnectionExceptionNamingTheSeed() {
    String nowhere = "127.0.0.1:" + RedisProcess.freePort();
    assertThatThrownBy(() -> CacheClient.builder().seeds(nowhere).connectTimeout(Duration.ofMillis(500)).build())
        .isInstanceOf(CacheConnectionException.class)
        .hasMessageContaining(nowhere);
  }

  @Test
  void nodeKilled_operationsFailFastWithConnectionException_thenRecoverWhenItReturns() {
    try (RedisProcess redis = RedisProcess.start();
        CacheClient cache =
            CacheClient.builder().seeds(redis.address()).reconnectDelay(Duration.ofMillis(50)).build()) {
      cache.put("k", "v");
      redis.kill();

      long start = System.nanoTime();
      assertThatThrownBy(() -> cache.get("k"))
          .isInstanceOf(CacheConnectionException.class)
          .hasMessageContaining(redis.address());
      assertThatThrownBy(() -> cache.get("k"))
          .isInstanceOf(CacheConnectionException.class)
          .hasMessageContaining("unreachable");
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(1));

      redis.startProcess();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      String value = null;
      while (System.nanoTime() < deadline) {
        try {
          cache.put("k", "again");
          value = cache.get("k");
          break;
        } catch (CacheConnectionException e) {
          Thread.onSpinWait();
        }
      }
      assertThat(value).isEqualTo("again");
    }
  }

  @Test
  void nodeThatNeverAnswers_operationFailsWithTimeout() throws Exception {
    try (FakeNode silent =
            new FakeNode(args -> args.get(0).equals("RING.TOPOLOGY") ? "-ERR unknown command 'RING.TOPOLOGY'\r\n" : null);
        CacheClient cache =
            CacheClient.builder().seeds(silent.address()).commandTimeout(Duration.ofMillis(200)).build()) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> cache.get("k")).isInstanceOf(CacheTimeoutException.class);
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(2));
      assertThatThrownBy(() -> cache.async().get("k").join()).hasCauseInstanceOf(CacheTimeoutException.class);
    }
  }

  @Test
  void async_beyondMaxInFlightPerNode_failsFastWithOverloadException() throws Exception {
    try (FakeNode silent =
            new FakeNode(args -> args.get(0).equals("RING.TOPOLOGY") ? "-ERR unknown command 'RING.TOPOLOGY'\r\n" : null);
        CacheClient cache =
            CacheClient.builder().seeds(silent.address()).maxInFlightPerNode(2).commandTimeout(Duration.ofSeconds(5)).build()) {
      var first = cache.async().get("a");
      var second = cache.async().get("b");
      assertThatThrownBy(() -> cache.async().get("c").join())
          .hasCauseInstanceOf(CacheOverloadException.class)
          .hasMessageContaining("max 2");
      assertThat(first).isNotDone();
      assertThat(second).isNotDone();
    }
  }

  @Test
  void blockingCallInsideAnAsyncCallback_isRefusedInsteadOfDeadlocking() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (FakeNode node =
            new FakeNode(args -> {
              if (args.get(0).equals("RING.TOPOLOGY")) {
                return "-ERR unknown command 'RING.TOPOLOGY'\r\n";
              }
              try {
                release.await(10, TimeUnit.SECONDS); // hold the reply until the callback is attached
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return FakeNode.bulk("v");
            });
        CacheClient cache = CacheClient.builder().seeds(node.address()).build()) {
      var nested = cache.async().get("k").thenApply(v -> cache.get("k"));
      release.countDown();
      assertThatThrownBy(nested::join)
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("I/O thread");
      assertThat(cache.async().get("k").thenCompose(v -> cache.async().get("k")).join()).isEqualTo("v");
    }
  }
}
