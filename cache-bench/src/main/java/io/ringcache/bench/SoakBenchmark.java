package io.ringcache.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringcache.client.CacheClient;
import io.ringcache.client.CacheCommands;
import io.ringcache.node.NodeConfig;
import io.ringcache.node.NodeServer;
import io.ringcache.ring.NodeInfo;
import io.ringcache.router.Router;
import io.ringcache.router.RouterConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Soak: mixed load (90% GET, 10% SET of 64-byte values over KEYS keys) through the Java client at
 * about 80% of the peak measured first, for SECONDS, with a 4th node joining at one third and
 * leaving at two thirds. Every 30 s it prints ops/s, GET p50/p99/max, heap used after a GC and the
 * process RSS. Nodes, router and load run in this JVM on loopback.
 *
 * <pre>java -cp cache-bench/target/benchmarks.jar io.ringcache.bench.SoakBenchmark [seconds] [keys] [threads]</pre>
 */
public final class SoakBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 600;
    int keys = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    List<NodeServer> nodes = new ArrayList<>();
    List<NodeInfo> initial = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      NodeServer node = NodeServer.start(NodeConfig.builder().port(0).maxMemory(1L << 30).build());
      nodes.add(node);
      initial.add(NodeInfo.of(node.cluster().name(), 1));
    }
    Router router = Router.start(RouterConfig.builder().port(0).adminPort(0)
        .dataDir(Files.createTempDirectory("soak")).initialNodes(initial).build());
    String admin = "http://127.0.0.1:" + router.adminPort();
    try (CacheClient client = CacheClient.builder().seeds("127.0.0.1:" + router.port()).build()) {
      CacheCommands<byte[], byte[]> cache = client.binary();
      byte[] value = new byte[64];
      Arrays.fill(value, (byte) 'v');
      for (int i = 0; i < keys; i++) {
        cache.put(key(i), value);
      }
      double peak = run(cache, keys, threads, value, 10, 0, null);
      double rate = peak * 0.8;
      System.out.printf("peak %,.0f ops/s with %d threads; soaking at %,.0f ops/s for %d s%n", peak, threads, rate, seconds);
      NodeServer[] fourth = new NodeServer[1];
      Runnable[] events = {
        () -> {
          fourth[0] = NodeServer.start(NodeConfig.builder().port(0).maxMemory(1L << 30).build());
          nodes.add(fourth[0]);
          System.out.println(scaleEvent(admin, "POST", "/nodes", "{\"name\":\"" + fourth[0].cluster().name() + "\"}"));
        },
        () -> System.out.println(scaleEvent(admin, "DELETE", "/nodes/" + fourth[0].cluster().name(), null))
      };
      run(cache, keys, threads, value, seconds, rate, events);
    } finally {
      router.close();
      nodes.forEach(NodeServer::close);
    }
  }

  /** Runs the load for {@code seconds} (unpaced when rate is 0); returns the ops/s achieved. */
  private static double run(CacheCommands<byte[], byte[]> cache, int keys, int threads, byte[] value, int seconds,
      double rate, Runnable[] events) throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong ops = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    Window window = new Window();
    List<Thread> workers = new ArrayList<>();
    long intervalNanos = rate > 0 ? (long) (1e9 * threads / rate) : 0;
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        long next = System.nanoTime();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running.get()) {
          if (intervalNanos > 0) {
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
              LockSupport.parkNanos(wait);
            }
          }
          byte[] k = key(random.nextInt(keys));
          long t0 = System.nanoTime();
          try {
            if (random.nextInt(10) == 0) {
              cache.put(k, value);
            } else {
              cache.get(k);
              window.add((System.nanoTime() - t0) / 1000);
            }
            ops.incrementAndGet();
          } catch (RuntimeException e) {
            errors.incrementAndGet();
          }
        }
      });
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
    long start = System.nanoTime();
    long lastOps = 0;
    int nextEvent = 0;
    for (int s = 1; s <= seconds; s++) {
      Thread.sleep(Math.max(0, start + s * 1_000_000_000L - System.nanoTime()) / 1_000_000);
      if (events != null && nextEvent < events.length && s >= seconds * (nextEvent + 1) / (events.length + 1)) {
        Thread event = new Thread(events[nextEvent++]);
        event.start();
      }
      if (events != null && (s % 30 == 0 || s == seconds)) {
        long total = ops.get();
        System.gc();
        long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        System.out.printf("t=%4ds  %,9.0f ops/s  GET %s  errors %d  heap %,d MiB  rss %,d MiB%n", s,
            (total - lastOps) / 30.0, window.drain(), errors.get(), heap >> 20, rss() >> 10);
        lastOps = total;
      }
    }
    running.set(false);
    for (Thread w : workers) {
      w.join();
    }
    return ops.get() / ((System.nanoTime() - start) / 1e9);
  }

  private static String scaleEvent(String admin, String method, String path, String body) {
    try {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(admin + path));
      request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      JsonNode event = JSON.readTree(http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
      String id = event.path("id").asText();
      long start = System.nanoTime();
      while (event.path("status").asText().equals("RUNNING")) {
        Thread.sleep(20);
        event = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(admin + "/events/" + id)).build(),
            HttpResponse.BodyHandlers.ofString()).body());
      }
      return String.format("%s %s %s: %s, %,d keys moved in %.2f s", event.path("kind").asText(),
          event.path("node").asText(), event.path("status").asText(), event.path("message").asText(),
          event.path("keysMoved").asLong(), (System.nanoTime() - start) / 1e9);
    } catch (Exception e) {
      return "scale event failed: " + e;
    }
  }

  private static long rss() throws java.io.IOException {
    for (String line : Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static byte[] key(int i) {
    return ("soak:" + i).getBytes(StandardCharsets.UTF_8);
  }

  /** GET latencies (µs) since the last drain. */
  private static final class Window {
    private long[] values = new long[1 << 16];
    private int size;

    synchronized void add(long micros) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = micros;
    }

    synchronized String drain() {
      if (size == 0) {
        return "no samples";
      }
      long[] sorted = Arrays.copyOf(values, size);
      Arrays.sort(sorted);
      String s = String.format("p50 %4d us  p99 %6d us  max %7d us", sorted[size / 2], sorted[(int) (size * 0.99)], sorted[size - 1]);
      size = 0;
      return s;
    }
  }
}
