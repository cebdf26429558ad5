package io.ringcache.cli;

import static io.ringcache.cli.ProcessFixtures.ROOT;
import static io.ringcache.cli.ProcessFixtures.listening;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringcache.testkit.core.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;
import redis.clients.jedis.Jedis;

/*
 * A cluster of real processes for fault tests: a router and nodes started through the launchers in
 * bin/ (as a supervisor or `cachectl cluster up` starts them), each node a cluster member
 * (--cluster), the router with a short lease. The topology is read as raw JSON (GET /topology on
 * the admin port), not through the ring classes, so that these tests hold whatever fields the
 * topology gains.
 *
 * -Dfaultits.preFencing=true starts the processes without the options that issue 13 adds (--cluster
 * on nodes, --lease on the router), to run these tests against code from before it and see them fail
 * for the reason the issue describes.
 *
 * close() resumes (SIGCONT) and then kills every process it started, even after a failure.
 */

/** A router and nodes as real processes on loopback ports, with signals and admin calls. */
final class FaultCluster implements AutoCloseable {

  static final boolean PRE_FENCING = Boolean.getBoolean("faultits.preFencing");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final Path dir;
  final int base;
  final int adminPort;
  private final Map<String, Long> pids = new LinkedHashMap<>();
  private final List<Long> all = new ArrayList<>();
  private final List<String> routerArgs = new ArrayList<>();
  private final Map<String, Path> logs = new LinkedHashMap<>();
  /** The loopback address each node started by {@link #launchNodeAt} listens on (others: 127.0.0.1). */
  private final Map<String, String> bound = new LinkedHashMap<>();
  /** The environment of every process started from now on; null: the class archives' ({@link ClassArchives}). */
  private Map<String, String> env;
  private Process signaller;
  private java.io.PrintWriter signalIn;
  private java.io.BufferedReader signalOut;

  FaultCluster(Path dir) throws IOException {
    this.dir = dir;
    this.base = portBase();
    this.adminPort = base + 70;
    Files.createDirectories(dir.resolve("logs"));
  }

  /** A base B with B..B+4 and B+70 free (ProcessFixtures#freePortBase: below the ephemeral ports). */
  private static int portBase() {
    return ProcessFixtures.freePortBase();
  }

  /** The name (and address) of node {@code i}, 1 to 4. */
  String node(int i) {
    return "127.0.0.1:" + (base + i);
  }

  int port(String node) {
    return Integer.parseInt(node.substring(node.lastIndexOf(':') + 1));
  }

  /** Starts node {@code i} as a cluster member with {@code extra} options, and waits until it listens. */
  String startNode(int i, String... extra) {
    String name = launchNode(i, extra);
    awaitAnswering(i);
    return name;
  }

  /** Starts nodes {@code ids} (same options) without waiting for them: {@link #startRouter} waits for them. */
  List<String> launchNodes(List<Integer> ids, String... extra) {
    List<String> names = new ArrayList<>();
    for (int i : ids) {
      names.add(launchNode(i, extra));
    }
    return names;
  }

  /** Waits until node {@code i} answers PING. */
  void awaitAnswering(int i) {
    await(() -> LocalProcesses.answersPing(base + i, null) || exited(node(i)), Duration.ofSeconds(60), node(i) + " answering PING");
    requireRunning(node(i));
  }

  /** Starts nodes {@code ids} (same options), in parallel, and waits until they all listen. */
  List<String> startNodes(List<Integer> ids, String... extra) {
    List<String> names = new ArrayList<>();
    for (int i : ids) {
      names.add(launchNode(i, extra));
    }
    await(() -> ids.stream().allMatch(i -> LocalProcesses.answersPing(base + i, null) || exited(node(i))), Duration.ofSeconds(60),
        names + " answering PING");
    names.forEach(this::requireRunning);
    return names;
  }

  /**
   * JVM options for every node and router started from now on (CACHE_NODE_JAVA_OPTS and
   * CACHE_ROUTER_JAVA_OPTS, after the class archives' options), e.g. a hosts file of their own:
   * -Djdk.net.hosts.file=FILE.
   */
  void javaOptions(String options) {
    env = ClassArchives.env(options);
  }

  /** Exactly {@code env} added to the environment of every process started from now on (no class archives). */
  void environment(Map<String, String> env) {
    this.env = env;
  }

  private Map<String, String> env() {
    return env != null ? env : ClassArchives.env("");
  }

  /**
   * Starts node {@code i} listening on {@code bindAddress} (127.0.0.2, say) and known by {@code
   * host}, its name and advertised address {@code host:port}, which the processes resolve with the
   * hosts file {@link #javaOptions} gives them; does not wait for it.
   */
  String launchNodeAt(String bindAddress, int i, String host) {
    String name = host + ":" + (base + i);
    List<String> args = List.of("--cluster", "--bind", bindAddress, "--port", Integer.toString(base + i), "--name", name,
        "--advertise", name);
    Path log = dir.resolve("logs/node-" + (base + i) + "-" + all.size() + ".log");
    long pid = LocalProcesses.startDetached(ROOT, "cache-node", args, env(), dir, log);
    pids.put(name, pid);
    logs.put(name, log);
    bound.put(name, bindAddress);
    all.add(pid);
    return name;
  }

  /** Starts node {@code i} (see {@link #startNode}) without waiting for it. */
  String launchNode(int i, String... extra) {
    String name = node(i);
    List<String> args = new ArrayList<>(List.of("--bind", "127.0.0.1", "--port", Integer.toString(base + i), "--name", name));
    if (!PRE_FENCING) {
      args.add("--cluster");
    }
    args.addAll(List.of(extra));
    Path log = dir.resolve("logs/node-" + (base + i) + "-" + all.size() + ".log");
    long pid = LocalProcesses.startDetached(ROOT, "cache-node", args, env(), dir, log);
    pids.put(name, pid);
    logs.put(name, log);
    all.add(pid);
    return name;
  }

  /**
   * Starts the router with {@code nodes} (started, or launched) as its first topology, a lease of {@code lease} (e.g.
   * "2s") and {@code extra} options, and waits until every node is UP in its topology.
   */
  void startRouter(String lease, List<String> nodes, String... extra) {
    routerArgs.clear();
    routerArgs.addAll(List.of("--bind", "127.0.0.1", "--port", Integer.toString(base), "--admin-port",
        Integer.toString(adminPort), "--data-dir", dir.resolve("router").toString()));
    if (!PRE_FENCING) {
      routerArgs.addAll(List.of("--lease", lease));
    }
    routerArgs.addAll(List.of(extra));
    for (String n : nodes) {
      routerArgs.addAll(List.of("--node", n));
    }
    long pid = LocalProcesses.startDetached(ROOT, "cache-router", routerArgs, env(), dir, dir.resolve("logs/router.log"));
    pids.put("router", pid);
    logs.put("router", dir.resolve("logs/router.log"));
    all.add(pid);
    await(() -> (listening(adminPort) && listening(base)) || exited("router"), Duration.ofSeconds(60), "the router listening");
    requireRunning("router");
    await(() -> nodes.stream().anyMatch(this::exited) || nodes.stream().allMatch(n -> "UP".equals(state(n))) && handoffs().isEmpty(),
        Duration.ofSeconds(60), "every node UP in the first topology");
    nodes.forEach(this::requireRunning);
    await(() -> nodes.stream().allMatch(this::serves), Duration.ofSeconds(30), "every node serving");
  }

  /**
   * Starts the router again as a supervisor would after it died (kill -9): same options, same data
   * directory, so it reloads the persisted topology; waits until it listens, not for its handoffs.
   */
  void restartRouter() {
    long pid = LocalProcesses.startDetached(ROOT, "cache-router", routerArgs, env(), dir, dir.resolve("logs/router-" + all.size() + ".log"));
    pids.put("router", pid);
    logs.put("router", dir.resolve("logs/router-" + all.size() + ".log"));
    all.add(pid);
    await(() -> (listening(adminPort) && listening(base)) || exited("router"), Duration.ofSeconds(60), "the restarted router listening");
    requireRunning("router");
  }

  /**
   * Starts the router again as {@link #restartRouter} does, but on the data directory {@code
   * dataDir} (new and empty, say: the router's disk was lost or replaced).
   */
  void restartRouterOn(Path dataDir) {
    int i = routerArgs.indexOf("--data-dir");
    routerArgs.set(i + 1, dataDir.toString());
    restartRouter();
  }

  /** The topology the router persisted (its data directory's topology.json), as a restarted router reads it. */
  JsonNode persistedTopology() {
    try {
      return JSON.readTree(dir.resolve("router/topology.json").toFile());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Whether the node answers a keyed command (a miss is fine) rather than an error saying it does not serve yet. */
  boolean serves(String node) {
    try (Jedis j = jedis(node)) {
      String key = keyOwnedBy(node, "probe");
      j.get(key);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** A key (prefix + number) that the current ring places on {@code node}. */
  String keyOwnedBy(String node, String prefix) {
    var ring = ring(topology());
    for (int i = 0; i < 100_000; i++) {
      String key = prefix + ":" + i;
      if (node.equals(ring.apply(key))) {
        return key;
      }
    }
    throw new IllegalStateException("no key of " + node + " (not in the ring yet?)");
  }

  private boolean exited(String process) {
    return !ProcessFixtures.alive(pid(process));
  }

  /** Fails, with the end of its log, if {@code process} exited (e.g. it refused its options). */
  private void requireRunning(String process) {
    if (exited(process)) {
      String tail;
      try {
        List<String> lines = Files.readAllLines(logs.get(process));
        tail = lines.size() <= 12 ? String.join("\n", lines)
            : String.join("\n", lines.subList(0, 4)) + "\n...\n" + String.join("\n", lines.subList(lines.size() - 6, lines.size()));
      } catch (IOException e) {
        tail = e.toString();
      }
      throw new AssertionError(process + " exited at start:\n" + tail);
    }
  }

  /** What {@code process} ("router", or a node's name) has logged so far, in its latest run. */
  String log(String process) {
    try {
      return Files.readString(logs.get(process));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  long pid(String process) {
    Long pid = pids.get(process);
    if (pid == null) {
      throw new AssertionError("no process " + process);
    }
    return pid;
  }

  /**
   * SIGSTOP, and waits until every thread of the process is stopped: the signal stops each thread
   * on its own way back to user space, so a request sent the moment kill returned could still be
   * served by a thread not stopped yet (FaultScenariosIT #8 saw two of its "queued" writes run).
   */
  void stop(String process) {
    long pid = pid(process);
    signal("STOP", pid);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!allThreadsStopped(pid)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(process + " (pid " + pid + ") not stopped 10 s after SIGSTOP");
      }
      Thread.onSpinWait();
    }
  }

  /** Whether every thread of {@code pid} is stopped ({@code T} in /proc/PID/task/TID/stat). */
  private static boolean allThreadsStopped(long pid) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (java.util.stream.Stream<Path> threads = Files.list(tasks)) {
      for (Path t : (Iterable<Path>) threads::iterator) {
        String stat;
        try {
          stat = Files.readString(t.resolve("stat"));
        } catch (IOException gone) {
          continue; // the thread ended meanwhile
        }
        // pid (comm) state ...: the state follows the last ')' (comm may hold spaces and parentheses)
        char state = stat.charAt(stat.lastIndexOf(')') + 2);
        if (state != 'T' && state != 't') {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      throw new AssertionError("cannot read " + tasks + ": " + e, e);
    }
  }

  void cont(String process) {
    signal("CONT", pid(process));
  }

  /** kill -9, and waits until it is gone. */
  void kill9(String process) throws InterruptedException {
    long pid = pid(process);
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    if (!ProcessFixtures.awaitDead(pid, Duration.ofSeconds(10))) {
      throw new AssertionError(process + " (pid " + pid + ") still alive after kill -9");
    }
  }

  /**
   * Sends a signal through a shell started once (its builtin kill), so that a pause lands within a
   * millisecond or so of the decision rather than after a process start on a loaded machine.
   */
  synchronized void signal(String signal, long pid) {
    try {
      if (signaller == null || !signaller.isAlive()) {
        signaller = new ProcessBuilder("bash", "-c", "while read s p; do kill -$s $p && echo ok || echo failed; done")
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        signalIn = new java.io.PrintWriter(signaller.getOutputStream(), true, StandardCharsets.US_ASCII);
        signalOut = new java.io.BufferedReader(new java.io.InputStreamReader(signaller.getInputStream(), StandardCharsets.US_ASCII));
      }
      signalIn.println(signal + " " + pid);
      String result = signalOut.readLine();
      if (!"ok".equals(result)) {
        throw new AssertionError("kill -" + signal + " " + pid + ": " + result);
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  // ---- admin API ----------------------------------------------------------------------------

  JsonNode topology() {
    return get("/topology");
  }

  JsonNode handoffs() {
    return topology().path("handoffs");
  }

  /** The state of {@code node} in the topology, or null if it is not listed. */
  String state(String node) {
    for (JsonNode n : topology().path("nodes")) {
      if (n.path("name").asText().equals(node)) {
        return n.path("state").asText();
      }
    }
    return null;
  }

  /** The phase of the handoffs under way ("" when there is none). */
  String phase() {
    JsonNode h = handoffs();
    return h.isEmpty() ? "" : h.get(0).path("phase").asText();
  }

  JsonNode event(String id) {
    return get("/events/" + id);
  }

  String eventStatus(String id) {
    return event(id).path("status").asText();
  }

  /**
   * Asks for a join; returns the event id. Asked again, for up to 20 s, while the router finds that
   * the node does not answer yet (a JVM just started, on a loaded machine) or another event (an
   * ejection, a re-admission the router started itself) is under way.
   */
  String join(String node) {
    String body = "{\"name\":\"" + node + "\"}";
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    HttpResponse<String> r;
    while (((r = send("POST", "/nodes", body)).statusCode() == 400 && r.body().contains("does not answer")
        || r.statusCode() == 409 && r.body().contains("under way")) && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
    }
    if (r.statusCode() / 100 != 2) {
      throw new AssertionError("POST /nodes " + body + ": " + r.statusCode() + " " + r.body());
    }
    try {
      return JSON.readTree(r.body()).path("id").asText();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  String leave(String node) {
    return request("DELETE", "/nodes/" + node, null).path("id").asText();
  }

  String reweight(String node, int weight) {
    return request("PUT", "/nodes/" + node + "/weight", "{\"weight\":" + weight + "}").path("id").asText();
  }

  /** Waits until event {@code id} ends; returns it. */
  JsonNode awaitEvent(String id, Duration timeout) {
    await(() -> !"RUNNING".equals(eventStatus(id)), timeout, "event " + id + " to end");
    return event(id);
  }

  JsonNode get(String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
      }
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An admin request that must be accepted (2xx); its JSON reply. */
  JsonNode request(String method, String path, String body) {
    HttpResponse<String> r = send(method, path, body);
    if (r.statusCode() / 100 != 2) {
      throw new AssertionError(method + " " + path + " " + (body == null ? "" : body) + ": " + r.statusCode() + " " + r.body());
    }
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  HttpResponse<String> send(String method, String path, String body) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
          .timeout(Duration.ofSeconds(15))
          .header("Content-Type", "application/json")
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
          .build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  // ---- placement (from the topology's JSON) ----------------------------------------------

  static long hash(String key) {
    CRC32 crc = new CRC32();
    crc.update(key.getBytes(StandardCharsets.UTF_8));
    return crc.getValue();
  }

  static boolean inRange(JsonNode range, long h) {
    long start = range.path("start").asLong();
    long end = range.path("end").asLong();
    if (start < end) {
      return h > start && h <= end;
    }
    if (start > end) {
      return h > start || h <= end;
    }
    return true;
  }

  /** The handoff of {@code t} that moves {@code key}, or null. */
  static JsonNode handoffOf(JsonNode t, String key) {
    long h = hash(key);
    for (JsonNode handoff : t.path("handoffs")) {
      for (JsonNode range : handoff.path("ranges")) {
        if (inRange(range, h)) {
          return handoff;
        }
      }
    }
    return null;
  }

  /** Whether the handoffs of {@code t} move {@code key} from {@code from} to {@code to} (null: any). */
  static boolean moves(JsonNode t, String key, String from, String to) {
    JsonNode h = handoffOf(t, key);
    return h != null && (from == null || h.path("from").asText().equals(from))
        && (to == null || h.path("to").asText().equals(to));
  }

  /**
   * The owner of {@code key} on the ring of the nodes of {@code t} that are UP or DOWN, by the
   * placement rule of ARCHITECTURE.md (nginx's consistent hash), computed here from the names and
   * weights: for tests that pick keys by owner, independent of the ring classes.
   */
  static String ownerOf(JsonNode t, String key) {
    return ring(t).apply(key);
  }

  /** As {@link #ownerOf}, the ring built once: key to owner. */
  static java.util.function.Function<String, String> ring(JsonNode t) {
    List<long[]> points = new ArrayList<>(); // {point, node index}
    List<String> names = new ArrayList<>();
    for (JsonNode n : t.path("nodes")) {
      String state = n.path("state").asText();
      if (!state.equals("UP") && !state.equals("DOWN")) {
        continue;
      }
      String name = n.path("name").asText();
      int idx = names.size();
      names.add(name);
      for (long p : points(name, n.path("weight").asInt(1))) {
        points.add(new long[] {p, idx});
      }
    }
    points.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    long[] sorted = points.stream().mapToLong(p -> p[0]).toArray();
    int[] owner = points.stream().mapToInt(p -> (int) p[1]).toArray();
    return key -> {
      if (sorted.length == 0) {
        return null;
      }
      int i = java.util.Arrays.binarySearch(sorted, hash(key));
      if (i < 0) {
        i = -i - 1;
      } else {
        while (i > 0 && sorted[i - 1] == sorted[i]) {
          i--; // equal points: the first in node order
        }
      }
      return names.get(owner[i == sorted.length ? 0 : i]);
    };
  }

  private static long[] points(String name, int weight) {
    int colon = name.lastIndexOf(':');
    String host = name;
    String port = "";
    if (colon >= 0 && colon + 1 < name.length() && name.substring(colon + 1).chars().allMatch(Character::isDigit)) {
      host = name.substring(0, colon);
      port = name.substring(colon + 1);
    }
    long[] out = new long[160 * weight];
    long prev = 0;
    for (int j = 0; j < out.length; j++) {
      CRC32 crc = new CRC32();
      crc.update(host.getBytes(StandardCharsets.UTF_8));
      crc.update(0);
      crc.update(port.getBytes(StandardCharsets.UTF_8));
      crc.update(new byte[] {(byte) prev, (byte) (prev >>> 8), (byte) (prev >>> 16), (byte) (prev >>> 24)});
      prev = crc.getValue();
      out[j] = prev;
    }
    return out;
  }

  // ---- clients ------------------------------------------------------------------------------

  Jedis jedis(String node) {
    return new Jedis(bound.getOrDefault(node, "127.0.0.1"), port(node), 10_000);
  }

  // ---- waiting ------------------------------------------------------------------------------

  /** Polls {@code condition} until it holds, failing at the deadline. */
  static void await(BooleanSupplier condition, Duration timeout, String what) {
    // every 20 ms: conditions ask the router's admin API or open connections; the router or a node may be restarting
    Await.untilIgnoringExceptions(condition, timeout, Duration.ofMillis(20), what);
  }

  /** Holds for {@code millis}: the length of a pause, not a wait for a condition. */
  static void hold(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    if (signaller != null) {
      signaller.destroyForcibly();
    }
    for (long pid : all) {
      if (ProcessHandle.of(pid).isPresent()) {
        try {
          new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
        } catch (IOException | InterruptedException e) {
          // killed below anyway
        }
      }
    }
    for (long pid : all) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    for (long pid : all) {
      try {
        ProcessFixtures.awaitDead(pid, Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
