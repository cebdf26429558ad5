package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.testkit.core.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * close() with requests pending at a node that accepts connections and never answers (a real
 * socket): every queued, in-flight and retried request fails with CacheClosedException before
 * close() returns, and blocked callers wake, long before the command timeout.
 */
class CloseIT {

  private static final String STANDALONE = "-ERR unknown command 'RING.TOPOLOGY'\r\n";

  private final java.util.Set<String> received = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Answers RING.TOPOLOGY (standalone), -TRYAGAIN for keys "retry:*", and nothing else ever;
   * remembers each command and key it received.
   */
  private FakeNode silentNode() throws Exception {
    return new FakeNode(
        args -> {
          if (args.get(0).equals("RING.TOPOLOGY")) {
            return STANDALONE;
          }
          received.add(args.get(0) + " " + args.get(1));
          if (args.get(1).startsWith("retry:")) {
            return "-TRYAGAIN the key's range is moving\r\n";
          }
          return null;
        });
  }

  @Test
  void close_withThousandAsyncRequestsAtANodeThatNeverAnswers_failsEveryFutureAndWakesSyncCallers() throws Exception {
    try (FakeNode silent = silentNode()) {
      CacheClient cache =
          CacheClient.builder()
              .seeds(silent.address())
              .commandTimeout(Duration.ofSeconds(30))
              .maxTryAgainRetries(1_000_000)
              .build();
      List<CompletableFuture<?>> futures = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        futures.add(cache.async().get("k" + i));
        futures.add(cache.async().put("k" + i, "v" + i));
      }
      List<CompletableFuture<?>> retried = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        retried.add(cache.async().get("retry:" + i)); // always between a -TRYAGAIN and its next attempt
      }
      List<AtomicReference<Throwable>> syncErrors = new ArrayList<>();
      List<Thread> syncCallers = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        AtomicReference<Throwable> error = new AtomicReference<>();
        syncErrors.add(error);
        int n = i;
        Thread t = new Thread(() -> {
          try {
            cache.get("sync" + n);
          } catch (Throwable e) {
            error.set(e);
          }
        }, "blocked-caller-" + i);
        syncCallers.add(t);
        t.start();
      }
      Await.until(() -> received.size() == 500 + 500 + 20 + 2, Duration.ofSeconds(20), "every request at the node");
      assertThat(futures).noneMatch(CompletableFuture::isDone);

      long start = System.nanoTime();
      cache.close();
      long closeNanos = System.nanoTime() - start;
      for (Thread t : syncCallers) {
        t.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(t.isAlive()).as(t.getName() + " woken by close()").isFalse();
      }
      long woken = System.nanoTime() - start;

      futures.addAll(retried);
      assertThat(futures).allMatch(CompletableFuture::isDone);
      for (CompletableFuture<?> f : futures) {
        assertThat(f).isCompletedExceptionally();
        assertThat(ClusterExecutor.unwrap(catchFailure(f))).isInstanceOf(CacheClosedException.class)
            .hasMessageContaining("closed");
      }
      for (AtomicReference<Throwable> error : syncErrors) {
        assertThat(error.get()).isInstanceOf(CacheClosedException.class);
      }
      assertThat(Duration.ofNanos(closeNanos)).isLessThan(Duration.ofSeconds(3));
      System.out.printf("close() with %d requests pending: returned in %.1f ms, sync callers woken after %.1f ms%n",
          futures.size() + syncCallers.size(), closeNanos / 1e6, woken / 1e6);

      CompletableFuture<String> after = cache.async().get("k");
      assertThat(ClusterExecutor.unwrap(catchFailure(after))).isInstanceOf(CacheClosedException.class);
    }
  }

  @Test
  void close_wakesASyncCallerWaitingForAnInFlightPermit() throws Exception {
    try (FakeNode silent = silentNode()) {
      CacheClient cache =
          CacheClient.builder()
              .seeds(silent.address())
              .commandTimeout(Duration.ofSeconds(30))
              .maxInFlightPerNode(1)
              .build();
      CompletableFuture<String> holder = cache.async().get("a");
      Await.until(() -> silent.count("GET") == 1, Duration.ofSeconds(10), "the first GET at the node");
      AtomicReference<Throwable> error = new AtomicReference<>();
      CountDownLatch started = new CountDownLatch(1);
      Thread waiter = new Thread(() -> {
        started.countDown();
        try {
          cache.put("b", "v"); // no permit: waits for room
        } catch (Throwable e) {
          error.set(e);
        }
      }, "permit-waiter");
      waiter.start();
      started.await();
      Await.until(() -> waiter.getState() == Thread.State.TIMED_WAITING, Duration.ofSeconds(10), "the caller waiting");

      long start = System.nanoTime();
      cache.close();
      waiter.join(5_000);
      assertThat(waiter.isAlive()).isFalse();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      assertThat(error.get()).isInstanceOf(CacheClosedException.class);
      assertThat(silent.count("SET")).isZero();
      assertThat(ClusterExecutor.unwrap(catchFailure(holder))).isInstanceOf(CacheClosedException.class);
    }
  }

  private static Throwable catchFailure(CompletableFuture<?> f) {
    try {
      f.get(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("not failed in time: " + f, e);
    }
    throw new AssertionError("completed normally: " + f);
  }
}
