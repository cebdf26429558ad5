package io.ringcache.router;

import io.ringcache.ring.RoutingTable;
import io.ringcache.testkit.core.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/*
 * A per-key history checker for load that runs through scale events and faults.
 *
 * Each key has exactly one writer, whose values are increasing sequence numbers, so the order of
 * writes per key is known. acked[k] is the newest sequence number acknowledged for k. A read that
 * starts after acked[k] = n must return a value >= n. A miss is a violation unless misses are
 * allowed (a test in which a node crashes: its keys are lost, which is a miss, never a stale value).
 * At the end every key must hold its last acknowledged value (or, with misses allowed, nothing).
 * Writer and reader errors (a node that is down and not yet ejected) are counted, not violations.
 */
final class HistoryChecker implements AutoCloseable {

  private final int keys;
  private final boolean missesAllowed;
  private final Supplier<? extends Client> clients;
  private final AtomicLongArray acked;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
  final AtomicLong reads = new AtomicLong();
  final AtomicLong writes = new AtomicLong();
  final AtomicLong errors = new AtomicLong();
  private final ExecutorService pool;
  private final List<Future<?>> workers = new ArrayList<>();

  /** What the checker reads and writes through: a ring-aware client, or a plain one in front of the proxy. */
  interface Client extends AutoCloseable {
    String get(byte[] key);

    void set(byte[] key, String value);

    @Override
    void close();
  }

  HistoryChecker(Supplier<RoutingTable> topology, int keys, int writers, int readers, boolean missesAllowed) {
    this(keys, writers, readers, missesAllowed, () -> new RoutingTestClient(topology));
  }

  /** Load through any client: one per worker, from {@code clients}. */
  HistoryChecker(int keys, int writers, int readers, boolean missesAllowed, Supplier<? extends Client> clients) {
    this.clients = clients;
    this.keys = keys;
    this.missesAllowed = missesAllowed;
    this.acked = new AtomicLongArray(keys);
    this.pool = Executors.newFixedThreadPool(writers + readers);
    for (int w = 0; w < writers; w++) {
      int writer = w;
      workers.add(pool.submit(() -> write(writer, writers)));
    }
    for (int r = 0; r < readers; r++) {
      workers.add(pool.submit(this::read));
    }
  }

  private Void write(int writer, int writers) {
    try (Client client = clients.get()) {
      long seq = 0;
      while (running.get()) {
        seq++;
        for (int k = writer; k < keys && running.get(); k += writers) {
          try {
            client.set(key(k), Long.toString(seq));
            acked.set(k, seq);
            writes.incrementAndGet();
          } catch (RuntimeException e) {
            errors.incrementAndGet(); // unacknowledged: the next write of k has a larger number anyway
          }
        }
      }
    }
    return null;
  }

  private Void read() {
    try (Client client = clients.get()) {
      while (running.get()) {
        int k = ThreadLocalRandom.current().nextInt(keys);
        long floor = acked.get(k);
        String value;
        try {
          value = client.get(key(k));
        } catch (RuntimeException e) {
          errors.incrementAndGet();
          continue;
        }
        reads.incrementAndGet();
        check(k, floor, value);
      }
    }
    return null;
  }

  private void check(int k, long floor, String value) {
    if (floor == 0) {
      return;
    }
    if (value == null) {
      if (!missesAllowed) {
        violations.add("key " + k + ": miss after " + floor + " was acknowledged");
      }
    } else if (Long.parseLong(value) < floor) {
      violations.add("key " + k + ": read " + value + " after " + floor + " was acknowledged");
    }
  }

  /** Waits until at least {@code n} writes were acknowledged. */
  void awaitWrites(long n) {
    Await.until(() -> writes.get() >= n, Duration.ofSeconds(30), n + " acknowledged writes");
  }

  /** Stops the load, then reads every key once more: it must hold its last acknowledged value. */
  List<String> stopAndVerify() throws Exception {
    running.set(false);
    for (Future<?> f : workers) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    try (Client client = clients.get()) {
      for (int k = 0; k < keys; k++) {
        String value = client.get(key(k));
        long last = acked.get(k);
        boolean ok = last == 0 || (value == null ? missesAllowed : Long.parseLong(value) == last);
        if (!ok) {
          violations.add("key " + k + ": holds " + value + " at the end, last acknowledged " + last);
        }
      }
    }
    return List.copyOf(violations);
  }

  static byte[] key(int k) {
    return ("hist:" + k).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    running.set(false);
    pool.shutdownNow();
  }
}
