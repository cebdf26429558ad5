package io.ringcache.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.ringcache.client.AsyncCacheCommands;
import io.ringcache.client.CacheClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;

/*
 * A closed-loop load test of Java clients against one node, all in one run so the figures share
 * the machine's noise.
 *
 *  - N callers (threads) run for a fixed time after a warm-up; each picks a random key among
 *    --keys and does a GET or a SET of a --value-size byte value.
 *  - Blocking clients (ringcache sync, Jedis from a JedisPool of N connections): one request per
 *    caller at a time; latency is the call's duration.
 *  - Asynchronous clients (ringcache async, Lettuce async on one shared connection): each caller
 *    keeps up to --depth requests in flight; latency runs from issue to the completion callback.
 *  - Ops/s counts completed operations of the measured window; percentiles are exact (every
 *    latency is kept, then sorted).
 *
 * Not a timed test and not JMH: the point is the clients side by side over a real socket.
 */

/** Ops/s and latency percentiles of GET and SET for ringcache, Lettuce and Jedis, same node, same run. */
public final class ClientBenchmark {

  private ClientBenchmark() {}

  private interface SyncOps extends AutoCloseable {
    void get(String key);

    void set(String key, String value);

    @Override
    void close();
  }

  private interface AsyncOps extends AutoCloseable {
    CompletableFuture<?> get(String key);

    CompletableFuture<?> set(String key, String value);

    @Override
    void close();
  }

  private record Result(String client, String op, long ops, double seconds, long[] latencies) {
    double opsPerSecond() {
      return ops / seconds;
    }

    double percentileMicros(double p) {
      if (latencies.length == 0) {
        return Double.NaN;
      }
      int index = (int) Math.min(latencies.length - 1, Math.ceil(p / 100.0 * latencies.length) - 1);
      return latencies[Math.max(0, index)] / 1000.0;
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = parse(args);
    String host = o.getOrDefault("host", "127.0.0.1");
    int port = Integer.parseInt(o.getOrDefault("port", "7001"));
    int callers = Integer.parseInt(o.getOrDefault("callers", "16"));
    int seconds = Integer.parseInt(o.getOrDefault("seconds", "10"));
    int warmup = Integer.parseInt(o.getOrDefault("warmup", "3"));
    int valueSize = Integer.parseInt(o.getOrDefault("value-size", "64"));
    int keys = Integer.parseInt(o.getOrDefault("keys", "10000"));
    int depth = Integer.parseInt(o.getOrDefault("depth", "8"));
    int rounds = Integer.parseInt(o.getOrDefault("rounds", "1"));
    List<String> clients =
        Arrays.asList(o.getOrDefault("clients", "ringcache-sync,jedis-pool,ringcache-async,lettuce-async").split(","));
    String address = host + ":" + port;

    String[] keyNames = new String[keys];
    for (int i = 0; i < keys; i++) {
      keyNames[i] = "bench:" + i;
    }
    String value = "v".repeat(valueSize);

    System.out.printf(
        Locale.ROOT,
        "node %s, %d callers, %d s measured after %d s warm-up, %d-byte values, %d keys, async depth %d per caller, %d round(s)%n",
        address, callers, seconds, warmup, valueSize, keys, depth, rounds);
    System.out.printf(Locale.ROOT, "java %s, %d cores%n", System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());

    try (CacheClient loader = CacheClient.builder().seeds(address).commandTimeout(Duration.ofSeconds(10)).build()) {
      Map<String, String> batch = new LinkedHashMap<>();
      for (String key : keyNames) {
        batch.put(key, value);
        if (batch.size() == 1000) {
          loader.putAll(batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        loader.putAll(batch);
      }
    }

    List<Result> results = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      for (String op : List.of("GET", "SET")) {
        for (String client : clients) {
          results.add(run(client, op, address, host, port, callers, depth, warmup, seconds, keyNames, value));
          Result r = results.get(results.size() - 1);
          System.out.printf(Locale.ROOT, "  %-16s %-4s %,12.0f ops/s  p50 %8.1f us  p99 %8.1f us  p99.9 %8.1f us%n",
              r.client, r.op, r.opsPerSecond(), r.percentileMicros(50), r.percentileMicros(99), r.percentileMicros(99.9));
        }
      }
    }
    System.out.println();
    System.out.println("| client | op | ops/s | p50 (us) | p99 (us) | p99.9 (us) |");
    System.out.println("|---|---|---:|---:|---:|---:|");
    for (Result r : results) {
      System.out.printf(Locale.ROOT, "| %s | %s | %,.0f | %.1f | %.1f | %.1f |%n", r.client, r.op, r.opsPerSecond(),
          r.percentileMicros(50), r.percentileMicros(99), r.percentileMicros(99.9));
    }
  }

  private static Result run(String client, String op, String address, String host, int port, int callers, int depth,
      int warmup, int seconds, String[] keys, String value) throws Exception {
    boolean get = op.equals("GET");
    switch (client) {
      case "ringcache-sync": {
        CacheClient cache = CacheClient.builder().seeds(address).build();
        try (SyncOps ops = new SyncOps() {
          public void get(String key) {
            cache.get(key);
          }

          public void set(String key, String v) {
            cache.put(key, v);
          }

          public void close() {
            cache.close();
          }
        }) {
          return runSync(client, op, ops, get, callers, warmup, seconds, keys, value);
        }
      }
      case "jedis-pool": {
        JedisPoolConfig config = new JedisPoolConfig();
        config.setMaxTotal(callers);
        config.setMaxIdle(callers);
        config.setMinIdle(callers);
        JedisPool pool = new JedisPool(config, host, port, 2000);
        try (SyncOps ops = new SyncOps() {
          public void get(String key) {
            try (Jedis jedis = pool.getResource()) {
              jedis.get(key);
            }
          }

          public void set(String key, String v) {
            try (Jedis jedis = pool.getResource()) {
              jedis.set(key, v);
            }
          }

          public void close() {
            pool.close();
          }
        }) {
          return runSync(client, op, ops, get, callers, warmup, seconds, keys, value);
        }
      }
      case "ringcache-async": {
        CacheClient cache = CacheClient.builder().seeds(address).build();
        AsyncCacheCommands<String, String> async = cache.async();
        try (AsyncOps ops = new AsyncOps() {
          public CompletableFuture<?> get(String key) {
            return async.get(key);
          }

          public CompletableFuture<?> set(String key, String v) {
            return async.put(key, v);
          }

          public void close() {
            cache.close();
          }
        }) {
          return runAsync(client, op, ops, get, callers, depth, warmup, seconds, keys, value);
        }
      }
      case "lettuce-async": {
        RedisClient redis = RedisClient.create(RedisURI.create(host, port));
        StatefulRedisConnection<String, String> connection = redis.connect();
        RedisAsyncCommands<String, String> async = connection.async();
        try (AsyncOps ops = new AsyncOps() {
          public CompletableFuture<?> get(String key) {
            return async.get(key).toCompletableFuture();
          }

          public CompletableFuture<?> set(String key, String v) {
            return async.set(key, v).toCompletableFuture();
          }

          public void close() {
            connection.close();
            redis.shutdown(0, 2, TimeUnit.SECONDS);
          }
        }) {
          return runAsync(client, op, ops, get, callers, depth, warmup, seconds, keys, value);
        }
      }
      default:
        throw new IllegalArgumentException("unknown client: " + client
            + " (expected: ringcache-sync, ringcache-async, lettuce-async, jedis-pool)");
    }
  }

  /** Per-caller latency log: every value kept, no boxing. */
  private static final class Latencies {
    long[] values = new long[1 << 16];
    int size;

    void add(long nanos) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = nanos;
    }
  }

  private static Result runSync(String client, String op, SyncOps ops, boolean get, int callers, int warmup,
      int seconds, String[] keys, String value) throws InterruptedException {
    Phase phase = new Phase();
    Latencies[] logs = new Latencies[callers];
    long[] counts = new long[callers];
    CountDownLatch done = new CountDownLatch(callers);
    for (int c = 0; c < callers; c++) {
      int caller = c;
      logs[c] = new Latencies();
      Thread t = new Thread(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Latencies log = logs[caller];
        long n = 0;
        while (phase.state != Phase.STOP) {
          String key = keys[random.nextInt(keys.length)];
          long start = System.nanoTime();
          if (get) {
            ops.get(key);
          } else {
            ops.set(key, value);
          }
          long took = System.nanoTime() - start;
          if (phase.state == Phase.MEASURE) {
            log.add(took);
            n++;
          }
        }
        counts[caller] = n;
        done.countDown();
      }, "bench-" + c);
      t.start();
    }
    double measured = phase.run(warmup, seconds);
    done.await();
    return result(client, op, counts, logs, measured);
  }

  private static Result runAsync(String client, String op, AsyncOps ops, boolean get, int callers, int depth,
      int warmup, int seconds, String[] keys, String value) throws InterruptedException {
    Phase phase = new Phase();
    Latencies[] logs = new Latencies[callers];
    long[] counts = new long[callers];
    CountDownLatch done = new CountDownLatch(callers);
    for (int c = 0; c < callers; c++) {
      int caller = c;
      logs[c] = new Latencies();
      Thread t = new Thread(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Latencies log = logs[caller];
        long[] starts = new long[depth];
        long[] ends = new long[depth];
        boolean[] measured = new boolean[depth];
        CompletableFuture<?>[] pending = new CompletableFuture<?>[depth];
        long n = 0;
        for (long i = 0; ; i++) {
          int slot = (int) (i % depth);
          if (pending[slot] != null) {
            pending[slot].join();
            if (measured[slot]) {
              log.add(ends[slot] - starts[slot]);
              n++;
            }
            pending[slot] = null;
          }
          if (phase.state == Phase.STOP) {
            boolean any = false;
            for (CompletableFuture<?> f : pending) {
              any |= f != null;
            }
            if (!any) {
              break;
            }
            continue;
          }
          String key = keys[random.nextInt(keys.length)];
          measured[slot] = phase.state == Phase.MEASURE;
          starts[slot] = System.nanoTime();
          CompletableFuture<?> f = get ? ops.get(key) : ops.set(key, value);
          pending[slot] = f.whenComplete((v, e) -> ends[slot] = System.nanoTime());
        }
        counts[caller] = n;
        done.countDown();
      }, "bench-" + c);
      t.start();
    }
    double measuredSeconds = phase.run(warmup, seconds);
    done.await();
    return result(client, op, counts, logs, measuredSeconds);
  }

  private static Result result(String client, String op, long[] counts, Latencies[] logs, double seconds) {
    long ops = 0;
    int total = 0;
    for (int i = 0; i < counts.length; i++) {
      ops += counts[i];
      total += logs[i].size;
    }
    long[] all = new long[total];
    int at = 0;
    for (Latencies log : logs) {
      System.arraycopy(log.values, 0, all, at, log.size);
      at += log.size;
    }
    Arrays.sort(all);
    return new Result(client, op, ops, seconds, all);
  }

  /** Warm-up, measure, stop; the callers read the state. */
  private static final class Phase {
    static final int WARMUP = 0;
    static final int MEASURE = 1;
    static final int STOP = 2;
    volatile int state = WARMUP;

    double run(int warmupSeconds, int seconds) throws InterruptedException {
      TimeUnit.SECONDS.sleep(warmupSeconds);
      long start = System.nanoTime();
      state = MEASURE;
      TimeUnit.SECONDS.sleep(seconds);
      state = STOP;
      return (System.nanoTime() - start) / 1e9;
    }
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got: " + arg);
      }
      int eq = arg.indexOf('=');
      if (eq > 0) {
        options.put(arg.substring(2, eq), arg.substring(eq + 1));
      } else if (i + 1 < args.length) {
        options.put(arg.substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("missing value for " + arg);
      }
    }
    return options;
  }
}
