package io.ringcache.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringcache.client.CacheClient;
import io.ringcache.client.CacheCommands;
import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.TopologyJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * {@link HandoffBenchmark}'s join against a cluster of real processes, each node and the router in
 * its own JVM as {@code cachectl cluster up} starts them: what a user's cluster does, without the
 * one-JVM harness's shared collector and JIT compiler. Loads {@code keys} keys through the router's
 * proxy, reads random ones from {@code readers} threads through the Java client for 5 s unrecorded
 * (the GET path compiling in the client and the nodes), then for 5 s recorded ("before"), asks the
 * router to add the fourth node (already running, not yet in the ring), and prints the join's
 * keys/s, the GET latency before and during it, and the CPU the cluster's processes spent per key
 * moved (from /proc). The join lasts from the request to the event's {@code finishedAt} as the
 * router records it (same machine, same clock); the event is polled every 100 ms
 * ({@code -Dbench.pollMillis}), so that the polls, not part of a join, cost the router little.
 * bench/handoff-processes.sh starts the processes and runs this.
 *
 * <pre>java -cp benchmarks.jar io.ringcache.bench.ProcessHandoffBenchmark PROXY_PORT ADMIN_PORT TOKEN_FILE
 *     FOURTH_NODE SEEDS(host:port,...) PIDS(router,node,...,fourth node) [keys] [readers]</pre>
 *
 * <p>{@code -Dbench.warm=true} runs the same join and its leave once first, unreported.
 */
public final class ProcessHandoffBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    if (args.length < 6) {
      System.err.println("usage: ProcessHandoffBenchmark PROXY_PORT ADMIN_PORT TOKEN_FILE FOURTH_NODE SEEDS PIDS [keys] [readers]");
      System.exit(2);
    }
    int proxyPort = Integer.parseInt(args[0]);
    String admin = "http://127.0.0.1:" + Integer.parseInt(args[1]);
    String token = Files.readString(Path.of(args[2])).trim();
    String fourth = args[3];
    List<String> seeds = Arrays.asList(args[4].split(","));
    long[] pids = Arrays.stream(args[5].split(",")).mapToLong(Long::parseLong).toArray();
    int keys = args.length > 6 ? Integer.parseInt(args[6]) : 1_000_000;
    int readers = args.length > 7 ? Integer.parseInt(args[7]) : 2;

    long loadStart = System.nanoTime();
    load(proxyPort, keys);
    System.out.printf("loaded %,d keys through the proxy in %.1f s%n", keys, (System.nanoTime() - loadStart) / 1e9);

    AtomicBoolean recording = new AtomicBoolean(false);
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> threads = new ArrayList<>();
    List<Timed> timed = new ArrayList<>();
    HttpClient http = HttpClient.newHttpClient();
    // the JDK's HttpClient sets itself up on its first request (0.3-0.9 s): before the window
    send(http, HttpRequest.newBuilder(URI.create(admin + "/nodes")), token);
    HttpRequest.Builder join = HttpRequest.newBuilder(URI.create(admin + "/nodes"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + fourth + "\",\"address\":\"" + fourth + "\"}"));
    if (Boolean.getBoolean("bench.warm")) {
      // the processes' first join compiles its code paths in each of them, as a cluster's first scale
      // event after its processes started does; this measures a later one: the same join and its
      // leave once first, unreported, before the readers start
      System.out.printf("warm-up: %s; %s%n", event(http, admin, join, token).path("message").asText(),
          event(http, admin, HttpRequest.newBuilder(URI.create(admin + "/nodes/" + fourth)).DELETE(), token).path("message").asText());
    }
    try (CacheClient client = CacheClient.builder().seeds(seeds).ioThreads(1).build()) {
      // the readers' first seconds compile the GET path in the client and in each node (the load
      // compiled only SET's): 5 s of the same reads first, unrecorded, so "before" is a steady state
      for (int r = 0; r < readers; r++) {
        Timed t = new Timed();
        timed.add(t);
        Thread thread = new Thread(() -> readLoop(client, keys, running, recording, t), "reader-" + r);
        threads.add(thread);
        thread.start();
      }
      Thread.sleep(5_000);
      HandoffBenchmark.errors.set(0);
      Process perf = startSchedRecording();
      long recordingStart = System.nanoTime();
      recording.set(true);
      Thread.sleep(5_000);

      RoutingTable tableBefore = topology(http, admin, token);
      long[] cpuBefore = cpuTicks(pids);
      // the window is from the request to the router's end of the event (its finishedAt, on the same
      // clock), not to the poll that sees it: the poll's interval neither lengthens the event nor
      // adds the GETs after it to those "during", and a slow poll costs the router little CPU
      long wallMinusNanos = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
      long start = System.nanoTime();
      JsonNode event = event(http, admin, join, token);
      long[] cpuAfter = cpuTicks(pids);
      stopSchedRecording(perf);
      running.set(false);
      for (Thread t : threads) {
        t.join();
      }
      Instant finished = Instant.parse(event.path("finishedAt").asText());
      long end = finished.getEpochSecond() * 1_000_000_000L + finished.getNano() - wallMinusNanos;
      String id = event.path("id").asText();
      double seconds = (end - start) / 1e9;
      long moved = event.path("keysMoved").asLong();
      System.out.printf("event %s %s: moved %,d keys in %.3f s = %,.0f keys/s%n",
          id, event.path("status").asText(), moved, seconds, moved / seconds);
      // System.nanoTime is CLOCK_MONOTONIC on Linux: what `perf sched record -k CLOCK_MONOTONIC` stamps
      // its events with, so bench/sched-delay.py can cut a recording into the same two windows
      System.out.printf("windows (CLOCK_MONOTONIC ns): before %d %d, during %d %d%n", recordingStart, start, start, end);
      HandoffBenchmark.Samples allBefore = new HandoffBenchmark.Samples();
      HandoffBenchmark.Samples allDuring = new HandoffBenchmark.Samples();
      HandoffBenchmark.slow.clear();
      for (Timed t : timed) {
        t.split(start, end, allBefore, allDuring);
      }
      HandoffBenchmark.printSlowest(tableBefore, topology(http, admin, token), start);
      System.out.printf("GET latency before: %s%n", allBefore.summary());
      System.out.printf("GET latency during: %s%n", allDuring.summary());
      System.out.printf("GET errors (timeouts) from the \"before\" window on: %d; GETs over 2 ms during the event: %d%n",
          HandoffBenchmark.errors.get(), HandoffBenchmark.slow.size());
      StringBuilder cpu = new StringBuilder();
      long[] total = new long[3];
      for (int i = 0; i < pids.length; i++) {
        for (int k = 0; k < 3; k++) {
          total[k] += cpuAfter[3 * i + k] - cpuBefore[3 * i + k];
        }
        cpu.append(String.format(" %s %.2f s (JIT %.2f, GC %.2f),", i == 0 ? "router" : i == pids.length - 1 ? "joiner" : "node " + i,
            (cpuAfter[3 * i] - cpuBefore[3 * i]) / 100.0, (cpuAfter[3 * i + 1] - cpuBefore[3 * i + 1]) / 100.0,
            (cpuAfter[3 * i + 2] - cpuBefore[3 * i + 2]) / 100.0));
      }
      System.out.printf("CPU of the cluster's processes during the event (user + system):%s%n", cpu);
      System.out.printf("in all %.2f s (JIT %.2f s, GC %.2f s): %.2f us per key moved, %.2f us without the JIT compilers%n",
          total[0] / 100.0, total[1] / 100.0, total[2] / 100.0, total[0] * 1e4 / Math.max(1, moved),
          (total[0] - total[1]) * 1e4 / Math.max(1, moved));
    }
  }

  /**
   * GETs of random loaded keys through the Java client (which follows MOVED and retries TRYAGAIN),
   * each recorded with its start once {@code recording} is set.
   */
  private static void readLoop(CacheClient client, int keys, AtomicBoolean running, AtomicBoolean recording, Timed timed) {
    CacheCommands<byte[], byte[]> cache = client.binary();
    while (running.get()) {
      int index = ThreadLocalRandom.current().nextInt(keys);
      boolean record = recording.get();
      long t0 = System.nanoTime();
      try {
        cache.get(HandoffBenchmark.key(index));
      } catch (RuntimeException e) {
        HandoffBenchmark.errors.incrementAndGet(); // counted, and its latency kept: a timeout is a stall, not a gap
      }
      if (record) {
        timed.add(t0, (System.nanoTime() - t0) / 1000, index);
      }
    }
  }

  /** One reader's GETs: start (nanoTime), latency (us) and key index of each. */
  private static final class Timed {
    private final HandoffBenchmark.Samples starts = new HandoffBenchmark.Samples();
    private final HandoffBenchmark.Samples micros = new HandoffBenchmark.Samples();
    private final HandoffBenchmark.Samples keys = new HandoffBenchmark.Samples();

    void add(long start, long latency, int key) {
      starts.add(start);
      micros.add(latency);
      keys.add(key);
    }

    /** GETs started before {@code from} to {@code before}, those from it to {@code to} to {@code during}. */
    void split(long from, long to, HandoffBenchmark.Samples before, HandoffBenchmark.Samples during) {
      for (int i = 0; i < starts.size(); i++) {
        long t0 = starts.get(i);
        if (t0 < from) {
          before.add(micros.get(i));
        } else if (t0 <= to) {
          during.add(micros.get(i));
          if (micros.get(i) > 2_000) {
            HandoffBenchmark.slow.add(new long[] {t0, micros.get(i), keys.get(i)});
          }
        }
      }
    }
  }

  /**
   * With {@code -Dbench.sched=FILE}, starts {@code perf sched record} of the whole machine into FILE,
   * stamped with CLOCK_MONOTONIC (System.nanoTime's clock), for bench/sched-delay.py: how long each
   * thread waited for a core after it was woken, before and during the join. Null without it.
   */
  private static Process startSchedRecording() throws Exception {
    String file = System.getProperty("bench.sched");
    if (file == null) {
      return null;
    }
    Process perf = new ProcessBuilder("perf", "sched", "record", "-a", "-k", "CLOCK_MONOTONIC", "-o", file)
        .redirectErrorStream(true).redirectOutput(new java.io.File(file + ".log")).start();
    Thread.sleep(1_000); // perf sets up its buffers on every CPU before it records
    if (!perf.isAlive()) {
      throw new IllegalStateException("perf sched record exited: see " + file + ".log");
    }
    return perf;
  }

  private static void stopSchedRecording(Process perf) throws InterruptedException {
    if (perf != null) {
      perf.destroy(); // SIGTERM: perf writes what it recorded and exits
      perf.waitFor();
    }
  }

  /** Sends a scale request and polls its event until it ends; returns the event. */
  private static JsonNode event(HttpClient http, String admin, HttpRequest.Builder request, String token) throws Exception {
    JsonNode event = JSON.readTree(send(http, request, token));
    String id = event.path("id").asText();
    if (id.isEmpty()) {
      throw new IllegalStateException("the router refused the request: " + event);
    }
    while (event.path("status").asText().equals("RUNNING")) {
      Thread.sleep(Integer.getInteger("bench.pollMillis", 100));
      event = JSON.readTree(send(http, HttpRequest.newBuilder(URI.create(admin + "/events/" + id)), token));
    }
    return event;
  }

  private static RoutingTable topology(HttpClient http, String admin, String token) throws Exception {
    return RoutingTable.of(TopologyJson.read(send(http, HttpRequest.newBuilder(URI.create(admin + "/topology")), token)));
  }

  private static String send(HttpClient http, HttpRequest.Builder request, String token) throws Exception {
    return http.send(request.header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  /** Loads key:0 .. key:keys-1 with 64-byte values through the proxy, pipelined. */
  private static void load(int proxyPort, int keys) {
    byte[] value = new byte[64];
    Arrays.fill(value, (byte) 'v');
    try (Jedis jedis = new Jedis("127.0.0.1", proxyPort, 30_000)) {
      Pipeline p = jedis.pipelined();
      for (int i = 0; i < keys; i++) {
        p.set(HandoffBenchmark.key(i), value);
        if ((i + 1) % 10_000 == 0) {
          p.sync();
        }
      }
      p.sync();
    }
  }

  /**
   * Per process, CPU ticks (user + system, 1/100 s) from /proc: at [3i] the whole process's, at
   * [3i + 1] its JIT compiler threads' (C1, C2), at [3i + 2] its collector's (GC, G1 threads).
   */
  private static long[] cpuTicks(long[] pids) throws java.io.IOException {
    long[] ticks = new long[3 * pids.length];
    for (int i = 0; i < pids.length; i++) {
      ticks[3 * i] = ticks(Path.of("/proc/" + pids[i] + "/stat"));
      try (var tasks = Files.list(Path.of("/proc/" + pids[i] + "/task"))) {
        for (Path task : (Iterable<Path>) tasks::iterator) {
          try {
            String stat = Files.readString(task.resolve("stat"));
            String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            if (name.startsWith("C1 ") || name.startsWith("C2 ")) {
              ticks[3 * i + 1] += ticks(task.resolve("stat"));
            } else if (name.startsWith("GC ") || name.startsWith("G1 ")) {
              ticks[3 * i + 2] += ticks(task.resolve("stat"));
            }
          } catch (java.io.IOException | RuntimeException e) {
            // the thread ended
          }
        }
      }
    }
    return ticks;
  }

  private static long ticks(Path stat) throws java.io.IOException {
    String text = Files.readString(stat);
    String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }
}
