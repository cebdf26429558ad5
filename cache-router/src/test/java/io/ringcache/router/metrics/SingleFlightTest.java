package io.ringcache.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SingleFlightTest {

  @Test
  void get_manyConcurrentCallers_shareRendersThatStartedAfterTheyCalled() throws Exception {
    AtomicInteger renders = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    SingleFlight<Integer> flight = new SingleFlight<>(() -> {
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      int n = renders.incrementAndGet();
      if (n == 1) {
        firstStarted.countDown();
        await(release);
      }
      running.decrementAndGet();
      return n;
    });
    ExecutorService pool = Executors.newFixedThreadPool(17);
    try {
      Future<Integer> first = pool.submit(flight::get);
      assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
      List<Future<Integer>> later = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        later.add(pool.submit(flight::get));
      }
      // the 16 callers came while render 1 ran: none may get it; they share render 2
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (flight.waiting() < 16 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(flight.waiting()).isEqualTo(16);
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      for (Future<Integer> f : later) {
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(2);
      }
      assertThat(renders.get()).isEqualTo(2);
      assertThat(maxRunning.get()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
