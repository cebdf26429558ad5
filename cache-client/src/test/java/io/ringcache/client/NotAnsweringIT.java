package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.testkit.core.Await;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node that holds every reply (a real socket whose server stops reading until released, as a
 * paused process does) and then answers them all in order: timeouts mark it as not answering, its
 * requests then fail fast, and the first reply ends that.
 */
class NotAnsweringIT {

  private final CountDownLatch paused = new CountDownLatch(1);
  private FakeNode node;

  @BeforeEach
  void start() throws Exception {
    node =
        new FakeNode(
            args -> {
              String command = args.get(0);
              if (command.equals("RING.TOPOLOGY") && paused.getCount() == 1 && node.count("GET") == 0) {
                return "-ERR unknown command 'RING.TOPOLOGY'\r\n"; // answered at start-up only
              }
              try {
                paused.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              switch (command) {
                case "GET":
                  return FakeNode.bulk("v");
                case "PING":
                  return "+PONG\r\n";
                case "RING.TOPOLOGY":
                  return "-ERR unknown command 'RING.TOPOLOGY'\r\n";
                default:
                  return "+OK\r\n";
              }
            });
  }

  @AfterEach
  void stop() throws Exception {
    paused.countDown();
    node.close();
  }

  @Test
  void timeouts_markTheNodeNotAnswering_thenItsRequestsFailFast_untilItAnswersAgain() {
    try (CacheClient cache =
        CacheClient.builder()
            .seeds(node.address())
            .commandTimeout(Duration.ofMillis(200))
            .reconnectDelay(Duration.ofMillis(50))
            .build()) {
      CompletableFuture<String> first = cache.async().get("a");
      CompletableFuture<String> second = cache.async().get("b");
      assertThatThrownBy(first::join).hasCauseInstanceOf(CacheTimeoutException.class)
          .hasMessageContaining("no reply to GET from node " + node.address() + " within 200 ms");
      assertThatThrownBy(second::join).hasCauseInstanceOf(CacheTimeoutException.class);

      Await.until(() -> failsFast(cache), Duration.ofSeconds(5), "requests failing fast");
      long start = System.nanoTime();
      assertThatThrownBy(() -> cache.get("c"))
          .isInstanceOf(CacheConnectionException.class)
          .hasMessageContaining("node " + node.address() + " is not answering")
          .hasMessageContaining("until it answers again");
      assertThatThrownBy(() -> cache.async().put("c", "v").join())
          .hasCauseInstanceOf(CacheConnectionException.class)
          .hasMessageContaining("is not answering");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(150));

      paused.countDown(); // the node answers everything it holds, in order
      Await.until(() -> "v".equals(getOrNull(cache)), Duration.ofSeconds(10), "the node answering again");
    }
  }

  @Test
  void asyncBeyondMaxInFlight_atANodeSilentForHalfASecond_isToldItIsNotAnswering_notOverloaded() {
    try (CacheClient cache =
        CacheClient.builder()
            .seeds(node.address())
            .commandTimeout(Duration.ofSeconds(5))
            .maxInFlightPerNode(2)
            .build()) {
      long sent = System.nanoTime();
      CompletableFuture<String> first = cache.async().get("a");
      CompletableFuture<String> second = cache.async().get("b");
      Await.until(() -> System.nanoTime() - sent > TimeUnit.MILLISECONDS.toNanos(600), Duration.ofSeconds(5),
          "the node silent for longer than the 500 ms threshold");
      assertThatThrownBy(() -> cache.async().get("c").join())
          .hasCauseInstanceOf(CacheConnectionException.class)
          .hasMessageContaining("node " + node.address() + " is not answering: no reply for")
          .hasMessageContaining("2 requests waiting");
      assertThat(first).isNotDone();
      assertThat(second).isNotDone();
    }
  }

  private static boolean failsFast(CacheClient cache) {
    try {
      cache.async().get("probe").join();
      return false;
    } catch (java.util.concurrent.CompletionException e) {
      return e.getCause() instanceof CacheConnectionException && e.getCause().getMessage().contains("not answering");
    }
  }

  private static String getOrNull(CacheClient cache) {
    try {
      return cache.get("k");
    } catch (CacheException e) {
      return null;
    }
  }
}
