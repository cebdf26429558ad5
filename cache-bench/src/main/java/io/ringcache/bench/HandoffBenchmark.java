package io.ringcache.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringcache.client.CacheClient;
import io.ringcache.client.CacheCommands;
import io.ringcache.node.NodeConfig;
import io.ringcache.node.NodeServer;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.RoutingTable;
import io.ringcache.router.Router;
import io.ringcache.router.RouterConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * Handoff speed: a 4th node joins 3 nodes holding N keys of 64-byte values; prints keys moved per
 * second, MB/s, and the p50/p99 of a concurrent GET load (through the Java client, one call at a
 * time per reader thread) before and during the handoff. Nodes and router run in this JVM.
 *
 * <pre>java -cp cache-bench/target/benchmarks.jar io.ringcache.bench.HandoffBenchmark [keys] [readers] [packed|offheap|caffeine] [warm]</pre>
 *
 * <p>{@code -Dbench.handoffRate=N} gives the three sources {@code --handoff-rate N} (entries per
 * second per stream; default 0, no limit). {@code -Dbench.maxMemoryMiB=N} sets the four nodes'
 * {@code --max-memory} (default 2048; a node's own default is 256).
 */
public final class HandoffBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int readers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    NodeConfig.StoreType store = NodeConfig.StoreType.parse(args.length > 2 ? args[2] : "packed");
    System.out.printf("store: %s%n", store.name().toLowerCase(java.util.Locale.ROOT));
    System.out.printf("max-memory: %d MiB per node%n", maxMemory() >> 20);
    if (Long.getLong("bench.handoffRate", 0) > 0) {
      System.out.printf("handoff-rate: %,d entries/s per stream%n", Long.getLong("bench.handoffRate", 0));
    }
    int warmUps = args.length > 3 && args[3].matches("warm[0-9]*")
        ? (args[3].length() == 4 ? 1 : Integer.parseInt(args[3].substring(4))) : 0;
    if (warmUps > 0) {
      // every node of this harness shares one JVM: its first join compiles the handoff's code paths
      // (walk, stream, import, adoption) for all four nodes and the router at once, on the cores the
      // readers need (1-1.7 s of JIT CPU during a 1-4 s event, docs/benchmarks.md). A node in its own
      // JVM compiles only its own share. "warm" runs the same join once first, unreported; "warmN"
      // N times (code run once per batch or per step reaches C2 only over several joins).
      System.out.printf("warm-up: the same join %d time(s) first in this JVM, not reported%n", warmUps);
      java.io.PrintStream out = System.out;
      System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
      try {
        for (int i = 0; i < warmUps; i++) {
          join(keys, readers, store);
        }
      } finally {
        System.setOut(out);
      }
      threadSamples.clear();
      slow.clear();
      errors.set(0);
    }
    join(keys, readers, store);
  }

  /** Each node's {@code --max-memory}: {@code -Dbench.maxMemoryMiB}, 2048 MiB if not set. */
  private static long maxMemory() {
    return Long.getLong("bench.maxMemoryMiB", 2048) << 20;
  }

  /** Three nodes load {@code keys} keys, readers start, a fourth node joins; prints the figures. */
  private static void join(int keys, int readers, NodeConfig.StoreType store) throws Exception {
    Path dir = Files.createTempDirectory("handoff-bench");
    List<NodeServer> nodes = new ArrayList<>();
    List<NodeInfo> initial = new ArrayList<>();
    long handoffRate = Long.getLong("bench.handoffRate", 0);
    for (int i = 0; i < 3; i++) {
      NodeServer node = NodeServer.start(NodeConfig.builder().port(0).maxMemory(maxMemory()).store(store).cluster(true)
          .handoffRate(handoffRate).build());
      nodes.add(node);
      initial.add(NodeInfo.of(node.cluster().name(), 1));
    }
    Router router = Router.start(RouterConfig.builder().port(0).adminPort(0).dataDir(dir).initialNodes(initial).build());
    try {
      while (nodes.stream().anyMatch(n -> n.cluster().epoch() < router.topology().epoch())) {
        Thread.sleep(10);
      }
      long loadStart = System.nanoTime();
      load(router, keys);
      System.out.printf("loaded %,d keys in %.1f s%n", keys, (System.nanoTime() - loadStart) / 1e9);
      // The loaded entries were all allocated seconds ago, in this one JVM: left in the young
      // generation, the first collection during the join would copy all of them (a 1-3 s pause on
      // this machine), a debt of the loading, not of the handoff. A node that has served its data
      // for a while holds it tenured; collect once so that both measured windows start from that.
      System.gc();

      AtomicBoolean during = new AtomicBoolean(false);
      AtomicBoolean running = new AtomicBoolean(true);
      List<Thread> threads = new ArrayList<>();
      CacheClient client = CacheClient.builder()
          .seeds(nodes.stream().map(n -> n.cluster().advertisedAddress()).toList())
          .ioThreads(1)
          .build();
      for (int r = 0; r < readers; r++) {
        Samples b = new Samples();
        Samples d = new Samples();
        Thread t = new Thread(() -> readLoop(client, keys, running, during, b, d), "reader-" + r);
        threads.add(t);
        threadSamples.put(t, new Samples[] {b, d});
        t.start();
      }
      Thread.sleep(5_000);

      NodeServer fourth =
          NodeServer.start(NodeConfig.builder().port(0).maxMemory(maxMemory()).store(store).cluster(true).build());
      nodes.add(fourth);
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + router.adminPort();
      // the JDK's HttpClient takes 0.3-0.9 s to set itself up on its first request (its selector
      // thread, class loading): a read before the window keeps that out of the join's time, as a
      // cachectl already running would
      http.send(HttpRequest.newBuilder(URI.create(base + "/nodes")).build(), HttpResponse.BodyHandlers.ofString());
      RoutingTable tableBefore = RoutingTable.of(router.topology());
      during.set(true);
      long[] costBefore = cost();
      Map<String, Long> threadsBefore = cpuByThreadGroup();
      Map<String, Long> osBefore = cpuByOsThread();
      long start = System.nanoTime();
      eventStart = start;
      System.out.printf("join requested at %s (JVM uptime %d ms)%n", java.time.Instant.now(),
          java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
      JsonNode event = JSON.readTree(http.send(
          HttpRequest.newBuilder(URI.create(base + "/nodes"))
              .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + fourth.cluster().name() + "\"}")).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      String id = event.path("id").asText();
      while (event.path("status").asText().equals("RUNNING")) {
        Thread.sleep(5);
        event = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/events/" + id)).build(),
            HttpResponse.BodyHandlers.ofString()).body());
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long[] costAfter = cost();
      Map<String, Long> threadsAfter = cpuByThreadGroup();
      Map<String, Long> osAfter = cpuByOsThread();
      during.set(false);
      running.set(false);
      for (Thread t : threads) {
        t.join();
      }
      client.close();
      long moved = event.path("keysMoved").asLong();
      long bytesPerEntry = ("key:" + (keys - 1)).length() + 64;
      System.out.printf("event %s %s: moved %,d keys in %.3f s = %,.0f keys/s, %.1f MB/s (key+value bytes)%n",
          id, event.path("status").asText(), moved, seconds, moved / seconds, moved * bytesPerEntry / seconds / 1e6);
      Samples allBefore = new Samples();
      Samples allDuring = new Samples();
      for (Samples[] s : threadSamples.values()) {
        allBefore.addAll(s[0]);
        allDuring.addAll(s[1]);
      }
      System.out.printf("GET latency before: %s%n", allBefore.summary());
      System.out.printf("GET latency during: %s%n", allDuring.summary());
      System.out.printf("GET errors (timeouts): %d%n", errors.get());
      StringBuilder vm = new StringBuilder();
      for (Map.Entry<String, Long> g : new java.util.TreeMap<>(osAfter).entrySet()) {
        long ticks = g.getValue() - osBefore.getOrDefault(g.getKey(), 0L);
        if (ticks > 0) {
          vm.append(String.format(" %s %.2f s,", g.getKey(), ticks / 100.0));
        }
      }
      System.out.printf("CPU of the JVM's own threads during the event (/proc, 10 ms ticks):%s%n", vm);
      printSlowest(tableBefore, RoutingTable.of(router.topology()), eventStart);
      // load-independent figures of the event (the machine is shared): CPU of this whole JVM,
      // bytes allocated by its threads, collector pauses
      System.out.printf("during the event: process CPU %.3f s, allocated %,d MB, GC %d collections %d ms%n",
          (costAfter[0] - costBefore[0]) / 1e9, (costAfter[1] - costBefore[1]) >> 20,
          costAfter[2] - costBefore[2], costAfter[3] - costBefore[3]);
      StringBuilder groups = new StringBuilder();
      for (Map.Entry<String, Long> g : new java.util.TreeMap<>(threadsAfter).entrySet()) {
        long ns = g.getValue() - threadsBefore.getOrDefault(g.getKey(), 0L);
        if (ns >= 10_000_000) {
          groups.append(String.format(" %s %.3f s,", g.getKey(), ns / 1e9));
        }
      }
      System.out.printf("CPU by thread during the event:%s per key moved %.2f us (ringcache-cluster + netty-event-loops)%n",
          groups, (threadsAfter.getOrDefault("ringcache-cluster", 0L) - threadsBefore.getOrDefault("ringcache-cluster", 0L)
              + threadsAfter.getOrDefault("netty-event-loops", 0L) - threadsBefore.getOrDefault("netty-event-loops", 0L))
              / 1e3 / Math.max(1, moved));
    } finally {
      router.close();
      nodes.forEach(NodeServer::close);
    }
  }

  /** CPU ns of live threads, by group: thread names with their digits dropped. */
  private static Map<String, Long> cpuByThreadGroup() {
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    Map<String, Long> groups = new HashMap<>();
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long ns = threads.getThreadCpuTime(info.getThreadId());
      String name = info.getThreadName().startsWith("multiThreadIoEventLoopGroup") ? "netty-event-loops"
          : info.getThreadName().replaceAll("[0-9]+", "#");
      if (ns > 0) {
        groups.merge(name, ns, Long::sum);
      }
    }
    return groups;
  }

  /**
   * CPU ticks (user + system, 1/100 s) of the JVM's own threads (JIT compilers, collector, VM
   * thread), which the ThreadMXBean does not list, from /proc/self/task; empty off Linux.
   */
  private static Map<String, Long> cpuByOsThread() {
    Map<String, Long> groups = new HashMap<>();
    java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
    if (tasks == null) {
      return groups;
    }
    for (java.io.File task : tasks) {
      try {
        String stat = Files.readString(task.toPath().resolve("stat"));
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (!(name.startsWith("C1 ") || name.startsWith("C2 ") || name.startsWith("GC ") || name.startsWith("VM ")
            || name.startsWith("G1 "))) {
          continue;
        }
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
        groups.merge(name.replaceAll("[0-9]+", "#").trim(), ticks, Long::sum);
      } catch (java.io.IOException | RuntimeException e) {
        // the thread ended
      }
    }
    return groups;
  }

  /** [process CPU ns, bytes allocated by live threads, GC count, GC ms]. */
  private static long[] cost() {
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long allocated = 0;
    for (long a : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      allocated += Math.max(0, a);
    }
    long count = 0;
    long millis = 0;
    for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      count += gc.getCollectionCount();
      millis += gc.getCollectionTime();
    }
    return new long[] {os.getProcessCpuTime(), allocated, count, millis};
  }

  private static volatile long eventStart;
  /** GETs during the event slower than 2 ms: {start ns, duration us, key}. */
  static final java.util.concurrent.ConcurrentLinkedQueue<long[]> slow = new java.util.concurrent.ConcurrentLinkedQueue<>();

  /**
   * The slowest GETs of the event, when they started (ms after the join request, and by the wall
   * clock, to match the nodes' logs) and whether their key moved.
   */
  static void printSlowest(RoutingTable before, RoutingTable after, long eventStart) {
    long wallMinusNanos = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
    List<long[]> all = new ArrayList<>(slow);
    all.sort((a, b) -> Long.compare(b[1], a[1]));
    StringBuilder s = new StringBuilder();
    int moving = 0;
    for (long[] g : all) {
      byte[] key = key((int) g[2]);
      if (!before.serverOf(key).equals(after.serverOf(key))) {
        moving++;
      }
    }
    System.out.printf("GETs over 2 ms during the event: %d, %d of them of keys that moved%n", all.size(), moving);
    for (long[] g : all.subList(0, Math.min(25, all.size()))) {
      byte[] key = key((int) g[2]);
      String from = before.serverOf(key);
      String to = after.serverOf(key);
      s.append(String.format("  %8.1f ms at +%7.1f ms (%s), %s%n", g[1] / 1e3, (g[0] - eventStart) / 1e6,
          java.time.LocalTime.ofNanoOfDay(Math.floorMod(g[0] + wallMinusNanos, 86_400_000_000_000L)),
          from.equals(to) ? "stays on " + from : "moved " + from + " -> " + to));
    }
    System.out.print(s);
  }

  static final java.util.concurrent.atomic.AtomicLong errors = new java.util.concurrent.atomic.AtomicLong();
  private static final Map<Thread, Samples[]> threadSamples = new java.util.concurrent.ConcurrentHashMap<>();

  /** GETs of random loaded keys through the Java client (which follows MOVED and retries TRYAGAIN). */
  private static void readLoop(CacheClient client, int keys, AtomicBoolean running, AtomicBoolean during, Samples before, Samples inside) {
    CacheCommands<byte[], byte[]> cache = client.binary();
    while (running.get()) {
      int index = ThreadLocalRandom.current().nextInt(keys);
      byte[] key = key(index);
      boolean measuringDuring = during.get();
      long t0 = System.nanoTime();
      try {
        cache.get(key);
      } catch (RuntimeException e) {
        errors.incrementAndGet(); // counted, and its latency kept: a timeout is a stall, not a gap
      }
      long micros = (System.nanoTime() - t0) / 1000;
      (measuringDuring ? inside : before).add(micros);
      if (measuringDuring && micros > 2_000) {
        slow.add(new long[] {t0, micros, index});
      }
    }
  }

  private static void load(Router router, int keys) {
    RoutingTable table = RoutingTable.of(router.topology());
    Map<String, List<Integer>> byNode = new HashMap<>();
    for (int i = 0; i < keys; i++) {
      byNode.computeIfAbsent(table.serverOf(key(i)), n -> new ArrayList<>()).add(i);
    }
    byte[] value = new byte[64];
    Arrays.fill(value, (byte) 'v');
    byNode.entrySet().parallelStream().forEach(e -> {
      try (Jedis jedis = jedis(table.addressOf(e.getKey()))) {
        Pipeline p = jedis.pipelined();
        int n = 0;
        for (int i : e.getValue()) {
          p.set(key(i), value);
          if (++n % 10_000 == 0) {
            p.sync();
          }
        }
        p.sync();
      }
    });
  }

  static byte[] key(int i) {
    return ("key:" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static Jedis jedis(String address) {
    int colon = address.lastIndexOf(':');
    return new Jedis(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)), 10_000);
  }

  /** Latency samples in microseconds. */
  static final class Samples {
    private long[] values = new long[1 << 16];
    private int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    void addAll(Samples other) {
      for (int i = 0; i < other.size; i++) {
        add(other.values[i]);
      }
    }

    int size() {
      return size;
    }

    long get(int i) {
      return values[i];
    }

    String summary() {
      long[] sorted = Arrays.copyOf(values, size);
      Arrays.sort(sorted);
      if (size == 0) {
        return "no samples";
      }
      return String.format("%,d GETs, p50 %d us, p99 %d us, max %d us",
          size, sorted[size / 2], sorted[(int) (size * 0.99)], sorted[size - 1]);
    }
  }
}
