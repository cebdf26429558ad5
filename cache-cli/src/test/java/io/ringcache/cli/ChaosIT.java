package io.ringcache.cli;

import static io.ringcache.cli.ProcessFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.client.CacheClient;
import io.ringcache.client.CacheException;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import io.ringcache.testkit.core.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/*
 * Faults at the process level, under load through the Java client: `kill -9` of a node, `kill -9`
 * of the router, SIGSTOP of a node. The cluster runs as `bin/cachectl cluster up` starts it (real
 * processes); the load is one writer per key with increasing values and readers that check every
 * read against the newest acknowledged write (a miss is allowed only for a node that died).
 */
class ChaosIT {

  private static final int KEYS = 600;

  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) Path dir;
  private int base;
  private final List<Long> extraPids = new java.util.ArrayList<>();

  /**
   * The lease the routers of a test grant: the default, except where the router is killed and
   * restarted, whose restart must fit in it on a loaded machine too (a JVM started beside a busy
   * build took 16 s to start once: longer than the default 15 s).
   */
  private String lease = "15s";

  @BeforeEach
  void up(org.junit.jupiter.api.TestInfo test) throws Exception {
    base = freePortBase();
    if (test.getTestMethod().orElseThrow().getName().startsWith("killNineTheRouter")) {
      lease = "60s";
    }
    Result up = cachectl(Map.of("CACHE_ROUTER_LEASE", lease), Duration.ofMinutes(5), "cluster", "up", "--nodes", "3",
        "--port-base", base, "--dir", dir);
    assertThat(up.exit()).as(up.out() + up.err()).isZero();
  }

  @AfterEach
  void down() throws Exception {
    extraPids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    cachectl(Duration.ofSeconds(60), "cluster", "down", "--dir", dir);
    for (long pid : pidsIn(dir)) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void killNineANode_ejectedWithinThreeSeconds_errorsOnlyForItsKeys_readmittedFlushed_noStaleRead() throws Exception {
    int victimPort = base + 2;
    String victim = "127.0.0.1:" + victimPort;
    RoutingTable before = RoutingTable.of(topology());
    try (Load load = new Load(client(), true)) {
      load.awaitWrites(KEYS * 3);
      long killedAt = System.nanoTime();
      ProcessHandle.of(pid("node-" + victimPort)).orElseThrow().destroyForcibly();
      awaitTrue(() -> state(victim) == NodeState.EJECTED, Duration.ofSeconds(3), victim + " ejected");
      assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(3));

      long afterEjection = load.writes.get();
      load.awaitWrites(afterEjection + KEYS);
      for (int k : load.failedKeys) {
        assertThat(before.serverOf(key(k))).as("a key that failed, k=%s", k).isEqualTo(victim);
      }

      // it comes back on the same address: flushed and re-admitted through a handoff
      extraPids.add(LocalProcesses.startDetached(ROOT, "cache-node",
          List.of("--bind", "127.0.0.1", "--port", Integer.toString(victimPort), "--name", victim), secretEnv(),
          dir, dir.resolve("logs/restarted-node.log")));
      awaitTrue(() -> state(victim) == NodeState.UP && topology().handoffs().isEmpty() && topology().ring().contains(victim),
          Duration.ofSeconds(60), victim + " re-admitted");
      load.awaitWrites(load.writes.get() + KEYS);
      assertThat(load.stopAndVerify()).isEmpty();
    }
  }

  @Test
  void killNineTheRouter_clientKeepsReadingAndWriting_andARestartResumes() throws Exception {
    try (Load load = new Load(client(), false)) {
      load.awaitWrites(KEYS * 2);
      ProcessHandle.of(pid("router")).orElseThrow().destroyForcibly();
      awaitTrue(() -> !listening(base + 70), Duration.ofSeconds(10), "the router gone");
      long during = load.writes.get();
      // the data path does not need the router: writes go on; restarted within a few seconds, well
      // inside the nodes' lease, as a supervisor would (waiting for a fixed number of writes
      // instead, one loaded CI run kept the router away past the lease)
      long gone = System.nanoTime();
      awaitTrue(() -> load.writes.get() >= during + KEYS * 3 || System.nanoTime() - gone > TimeUnit.SECONDS.toNanos(3),
          Duration.ofSeconds(10), "writes while the router is gone");
      assertThat(load.writes.get()).as("writes while the router is gone").isGreaterThan(during);
      assertThat(load.errors.get()).isZero();

      extraPids.add(LocalProcesses.startDetached(ROOT, "cache-router",
          List.of("--bind", "127.0.0.1", "--port", Integer.toString(base), "--admin-port", Integer.toString(base + 70),
              "--data-dir", dir.resolve("router").toString()),
          routerEnv(), dir, dir.resolve("logs/restarted-router.log")));
      awaitTrue(() -> listening(base + 70) && topology().ring().nodeNames().size() == 3
          && topology().nodes().stream().allMatch(n -> n.state() == NodeState.UP), Duration.ofSeconds(60),
          "the restarted router with the persisted topology");
      load.awaitWrites(load.writes.get() + KEYS);
      assertThat(load.stopAndVerify()).isEmpty();
      assertThat(load.errors.get()).isZero();
    }
  }

  @Test
  void stoppedNode_isTreatedAsDown_andTheProxyAnswersOtherKeysMeanwhile() throws Exception {
    int stalledPort = base + 3;
    String stalled = "127.0.0.1:" + stalledPort;
    long pid = pid("node-" + stalledPort);
    RoutingTable table = RoutingTable.of(topology());
    String otherKey = null;
    for (int i = 0; otherKey == null; i++) {
      if (!table.serverOf(key(i)).equals(stalled)) {
        otherKey = "chaos:" + i;
      }
    }
    String stalledKey = null;
    for (int i = 0; stalledKey == null; i++) {
      if (table.serverOf(key(i)).equals(stalled)) {
        stalledKey = "chaos:" + i;
      }
    }
    try (redis.clients.jedis.Jedis proxy = new redis.clients.jedis.Jedis("127.0.0.1", base, 2_000)) {
      proxy.set(otherKey, "before");
      signal("STOP", pid);
      try {
        // 12 clients write 8 MiB SETs for the stopped node through the proxy: what waits for a node that
        // does not read is bounded (they gathered in the router until its direct memory ran out), the
        // rest is refused at once, and the router serves on
        assertThat(floodOfLargeSets(stalledKey, 12, 4)).as("a client told the node is not reading")
            .anyMatch(reply -> reply.startsWith("-TRYAGAIN proxy: node " + stalled + " is not reading its requests"));
        assertThat(proxy.get(otherKey)).isEqualTo("before");
        // a stopped node still accepts connections: it is ejected only once its lease (15 s by
        // default) has certainly run out, so that it can no longer acknowledge a write
        awaitTrue(() -> state(stalled) == NodeState.EJECTED, Duration.ofSeconds(25), stalled + " ejected while stopped");
        long start = System.nanoTime();
        assertThat(proxy.get(otherKey)).isEqualTo("before");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
      } finally {
        signal("CONT", pid);
      }
      awaitTrue(() -> state(stalled) == NodeState.UP && topology().handoffs().isEmpty() && topology().ring().contains(stalled),
          Duration.ofSeconds(60), stalled + " re-admitted after SIGCONT");
      assertThat(proxy.get(otherKey)).isEqualTo("before");
    }
  }

  /**
   * {@code clients} connections each send {@code sets} SETs of 8 MiB to {@code key} through the proxy
   * without reading, then read for 2 s: what each got first (a reply line), or "" if nothing. A
   * connection still writing after 30 s is closed (a blocked write has no timeout of its own).
   */
  private List<String> floodOfLargeSets(String key, int clients, int sets) throws Exception {
    byte[] value = new byte[8 << 20];
    java.util.Arrays.fill(value, (byte) 'x');
    byte[] head = ("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + value.length + "\r\n")
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
    List<java.net.Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
    try {
      List<java.util.concurrent.Future<String>> firsts = new java.util.ArrayList<>();
      for (int c = 0; c < clients; c++) {
        java.net.Socket s = new java.net.Socket("127.0.0.1", base);
        sockets.add(s);
        firsts.add(pool.submit(() -> {
          s.setSoTimeout(2_000);
          try {
            for (int i = 0; i < sets; i++) {
              s.getOutputStream().write(head);
              s.getOutputStream().write(value);
              s.getOutputStream().write(new byte[] {'\r', '\n'});
            }
          } catch (java.io.IOException e) {
            // closed by the proxy (its clients' memory cap): what it answered before tells
          }
          StringBuilder line = new StringBuilder();
          try {
            int b;
            while ((b = s.getInputStream().read()) >= 0 && b != '\r') {
              line.append((char) b);
            }
          } catch (java.io.IOException e) {
            // nothing more within 2 s, or closed
          }
          return line.toString();
        }));
      }
      pool.shutdown();
      if (!pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
        for (java.net.Socket s : sockets) {
          s.close();
        }
      }
      List<String> replies = new java.util.ArrayList<>();
      for (java.util.concurrent.Future<String> f : firsts) {
        replies.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
      }
      return replies;
    } finally {
      pool.shutdownNow();
      for (java.net.Socket s : sockets) {
        s.close();
      }
    }
  }

  @Test
  void joinWhileASourceIsKilledNine_theRingEndsWhole_andNoKeyOfALiveNodeIsLostOrStale() throws Exception {
    int victimPort = base + 1;
    String victim = "127.0.0.1:" + victimPort;
    String joiner = "127.0.0.1:" + (base + 4);
    // enough data that the join streams for a while, so the kill lands before, during or after it
    try (CacheClient bulk = client()) {
      String value = "v".repeat(1024);
      for (int batch = 0; batch < 60; batch++) {
        Map<String, String> entries = new java.util.HashMap<>();
        for (int i = 0; i < 1_000; i++) {
          entries.put("bulk:" + batch + ":" + i, value);
        }
        bulk.putAll(entries);
      }
    }
    RoutingTable before = RoutingTable.of(topology());
    extraPids.add(LocalProcesses.startDetached(ROOT, "cache-node",
        List.of("--cluster", "--bind", "127.0.0.1", "--port", Integer.toString(base + 4), "--name", joiner), secretEnv(),
        dir, dir.resolve("logs/joining-node.log")));
    awaitTrue(() -> listening(base + 4), Duration.ofSeconds(60), "the joining node listening");

    // a write acknowledged by a node that stays up must survive: only the victim's keys may miss
    try (Load load = new Load(client(), k -> before.serverOf(key(k)).equals(victim))) {
      load.awaitWrites(KEYS * 2);
      Result add = cachectl(Map.of("CACHE_ADMIN_TOKEN_FILE", dir.resolve("admin-token").toString()),
          Duration.ofSeconds(30), "--router", "127.0.0.1:" + (base + 70), "add", joiner, "--no-wait");
      assertThat(add.exit()).as(add.out() + add.err()).isZero();
      awaitTrue(() -> !topology().handoffs().isEmpty() || topology().ring().contains(joiner), Duration.ofSeconds(10),
          "the join under way");
      ProcessHandle.of(pid("node-" + victimPort)).orElseThrow().destroyForcibly();

      awaitTrue(() -> {
        Topology t = topology();
        return t.handoffs().isEmpty() && state(victim) == NodeState.EJECTED && state(joiner) == NodeState.UP
            && t.ring().contains(joiner) && !t.ring().contains(victim);
      }, Duration.ofSeconds(60), "the join settled with " + victim + " ejected");
      // the client learns the settled ring from the router within its refresh period; a request it
      // sent on the old ring (to the killed node) may fail until then, none it sends on the new one
      long settledEpoch = topology().epoch();
      awaitTrue(() -> load.client.topologyEpoch() >= settledEpoch, Duration.ofSeconds(10),
          "the client on epoch " + settledEpoch);
      load.countErrorsFromNow();
      load.awaitWrites(load.writes.get() + KEYS * 2);
      assertThat(load.laterErrors).as("errors of requests sent on the settled ring").isEmpty();
      assertThat(load.stopAndVerify()).isEmpty();
    }
  }

  /**
   * The client's connections to a node go silent (a firewall failing over: packets dropped, no
   * reset) while the node answers new connections. The client's not-answering probes went out on
   * the connection they found open, into the silence, so every request for the node's keys failed
   * until the kernel gave up on that connection (15 minutes); now the kernel closes it within
   * seconds (DeadPeers: TCP_USER_TIMEOUT, keepalive) and the client dials again.
   */
  @Test
  void theClientsConnectionsToANodeBlackHoled_itsKeysAreServedAgainWithinSeconds() throws Exception {
    int nodePort = base + 1;
    String node = "127.0.0.1:" + nodePort;
    RoutingTable table = RoutingTable.of(topology());
    int k = 0;
    while (!table.serverOf(key(k)).equals(node)) {
      k++;
    }
    String key = keyString(k);
    try (CacheClient client = client()) {
      client.put(key, "before");
      try (Blackhole hole = new Blackhole()) {
        assertThat(hole.dropEstablished(ProcessHandle.current().pid(), nodePort)).as("the client's connections to %s", node)
            .isPositive();
        awaitTrue(() -> {
          try {
            client.put(key, "after");
            return "after".equals(client.get(key));
          } catch (CacheException e) {
            return false;
          }
        }, Duration.ofSeconds(20), key + " (at " + node + ") written and read again after the client's connections went silent");
      }
      assertThat(state(node)).as("%s, which answered new connections throughout", node).isEqualTo(NodeState.UP);
    }
  }

  /** What a node started by hand next to cluster up's needs: the cluster secret cluster up made. */
  private Map<String, String> secretEnv() {
    Map<String, String> env = new java.util.HashMap<>(ClassArchives.env(""));
    env.put("CACHE_CLUSTER_SECRET_FILE", dir.resolve("cluster-secret").toString());
    return env;
  }

  /** What a router started by hand in cluster up's place needs: the cluster secret and the admin token. */
  private Map<String, String> routerEnv() {
    Map<String, String> env = new java.util.HashMap<>(secretEnv());
    env.put("CACHE_ADMIN_TOKEN_FILE", dir.resolve("admin-token").toString());
    env.put("CACHE_ROUTER_LEASE", lease);
    return env;
  }

  // ---- load -------------------------------------------------------------------------------

  /** One writer per key (increasing values) and two readers checking each read against the newest acknowledged write. */
  private static final class Load implements AutoCloseable {
    final CacheClient client;
    final IntPredicate mayMiss;
    final AtomicLongArray acked = new AtomicLongArray(KEYS);
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong writes = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final Set<Integer> failedKeys = ConcurrentHashMap.newKeySet();
    final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    /** The first errors of requests sent after {@link #countErrorsFromNow()}. */
    final ConcurrentLinkedQueue<String> laterErrors = new ConcurrentLinkedQueue<>();
    private volatile long countFrom;
    private volatile boolean counting;
    final List<Thread> threads = new java.util.ArrayList<>();

    /** {@code missesAllowed}: whether any key may read as absent (its node died) or none may. */
    Load(CacheClient client, boolean missesAllowed) {
      this(client, k -> missesAllowed);
    }

    /** {@code mayMiss}: the keys that may read as absent, those whose node died. */
    Load(CacheClient client, IntPredicate mayMiss) {
      this.client = client;
      this.mayMiss = mayMiss;
      threads.add(new Thread(this::write, "chaos-writer"));
      threads.add(new Thread(this::read, "chaos-reader-1"));
      threads.add(new Thread(this::read, "chaos-reader-2"));
      threads.forEach(Thread::start);
    }

    void write() {
      for (long seq = 1; running.get(); seq++) {
        for (int k = 0; k < KEYS && running.get(); k++) {
          long sent = System.nanoTime();
          try {
            client.put(keyString(k), Long.toString(seq));
            acked.set(k, seq);
            writes.incrementAndGet();
          } catch (CacheException e) {
            failed(k, sent, "PUT", e);
          }
        }
      }
    }

    void read() {
      while (running.get()) {
        int k = ThreadLocalRandom.current().nextInt(KEYS);
        long floor = acked.get(k);
        long sent = System.nanoTime();
        try {
          check(k, floor, client.get(keyString(k)));
        } catch (CacheException e) {
          failed(k, sent, "GET", e);
        }
      }
    }

    private void failed(int k, long sent, String command, CacheException e) {
      errors.incrementAndGet();
      failedKeys.add(k);
      if (counting && sent - countFrom >= 0 && laterErrors.size() < 20) {
        laterErrors.add(command + " " + keyString(k) + ": " + e);
      }
    }

    /** From now on, {@link #laterErrors} keeps the errors of the requests sent from now on. */
    void countErrorsFromNow() {
      countFrom = System.nanoTime();
      counting = true;
    }

    void check(int k, long floor, String value) {
      if (floor == 0) {
        return;
      }
      if (value == null ? !mayMiss.test(k) : Long.parseLong(value) < floor) {
        violations.add("key " + k + ": read " + value + " after " + floor + " was acknowledged");
      }
    }

    void awaitWrites(long n) {
      awaitTrue(() -> writes.get() >= n, Duration.ofSeconds(60), n + " acknowledged writes");
    }

    List<String> stopAndVerify() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(30_000);
      }
      for (int k = 0; k < KEYS; k++) {
        String value = client.get(keyString(k));
        long last = acked.get(k);
        if (last > 0 && !(value == null ? mayMiss.test(k) : Long.parseLong(value) == last)) {
          violations.add("key " + k + ": holds " + value + " at the end, last acknowledged " + last);
        }
      }
      return List.copyOf(violations);
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(30_000);
      }
      client.close();
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  private CacheClient client() {
    return CacheClient.builder()
        .seeds("127.0.0.1:" + base)
        .commandTimeout(Duration.ofMillis(1500))
        .topologyRefreshPeriod(Duration.ofMillis(500))
        .build();
  }

  private Topology topology() {
    try {
      return TopologyJson.read(httpGet(base + 70, "/topology", adminToken(dir)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private NodeState state(String node) {
    return topology().node(node).map(n -> n.state()).orElse(null);
  }

  private long pid(String process) throws java.io.IOException {
    return Long.parseLong(Files.readString(dir.resolve(process + ".pid")).trim());
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
  }

  private static String keyString(int k) {
    return "chaos:" + k;
  }

  private static byte[] key(int k) {
    return keyString(k).getBytes(StandardCharsets.UTF_8);
  }

  /** Polls {@code condition} until it holds, failing at the deadline. */
  private static void awaitTrue(BooleanSupplier condition, Duration timeout, String what) {
    // every 20 ms: conditions ask the router's admin API or open connections; the router or a node may be restarting
    Await.untilIgnoringExceptions(condition, timeout, Duration.ofMillis(20), what);
  }
}
