package io.ringcache.testkit.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design note. Everything runs in the test's JVM, on ephemeral ports of 127.0.0.1, so a test needs no
 * free-port guessing and no processes. The servers are started through the two ServerLaunchers the
 * builder was given, with their real command-line options (--port 0, --cluster=true, --requirepass,
 * --tls-keystore, --node NAME=WEIGHT, ...): the options a user writes are the options parsed here, and
 * this class links no server, so it sits below cache-node and cache-router and their own tests use it.
 *
 * The nodes start as cluster members, are listed in the router's first topology (--node), and start()
 * returns only once every node holds the router's epoch and a lease: a test's first command is served,
 * not answered -TRYAGAIN. That is read the way an operator reads it: the topology from the admin API
 * (GET /topology), each node's epoch and lease from INFO ring. Scale changes go through the admin API
 * too and wait for the scale event to end, so a test sees what an operator running cachectl sees. The
 * cluster owns a temporary directory (the router's topology file, the test certificates) and deletes it
 * on close().
 *
 * What in-process cannot do: a stopped node is closed, not kill -9'd (its port refuses connections at
 * once, as after a crash, and its data is gone); a SIGSTOP'd node cannot be imitated. cache-cli's
 * fault tests run the launchers in bin/ as processes for that.
 */

/**
 * A real ringcache cluster inside a test, its servers started by the {@link ServerLauncher}s it is
 * given: a router and N cache nodes on ephemeral loopback ports, or standalone nodes without a router.
 * Users start one with {@code cache-testkit}'s {@code EmbeddedCluster}, which is this class with the
 * real servers wired in; cache-node's and cache-router's own tests, which cannot depend on that
 * module, pass their servers here.
 *
 * <pre>{@code
 * try (LaunchedCluster<NodeServer, Void> nodes = LaunchedCluster.builder(NODE_LAUNCHER).nodes(2).start();
 *     RespTestClient conn = nodes.connectToNode(0)) {
 *   assertThat(conn.call("SET", "k", "v")).isEqualTo("OK");
 * }
 * }</pre>
 *
 * <p>Options ({@link Builder}): the node count and weights, a password, a cluster secret, TLS with
 * fresh {@link TestCertificates}, the store, a hash tag, and any other option of either server's
 * command line. {@link #addNode()}, {@link #removeNode(int)} and {@link #setWeight(int, int)} change the
 * cluster through the router's admin API and return when the scale event is over;
 * {@link #stopNode(int)} makes a node fail as a crashed one does.
 *
 * <p>Without a router ({@link Builder#withoutRouter()}, or {@link #builder(ServerLauncher)}) the nodes
 * are standalone (each owns every key until it is given a topology): for tests of a node alone or of a
 * client's own routing, which push topologies with {@link #pushTopology(Topology)} in the router's place.
 *
 * <p>Not thread-safe: one test thread drives a cluster (the servers themselves serve any number of
 * client threads).
 *
 * @param <N> the in-process node type ({@link #node(int)})
 * @param <R> the in-process router type ({@link #router()})
 */
public class LaunchedCluster<N, R> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LaunchedCluster.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The node count of a new {@link Builder}: 3. */
  public static final int DEFAULT_NODES = 3;
  /** Each node's memory limit: 64 MiB. */
  public static final long DEFAULT_MAX_MEMORY = 64L << 20;
  /** Each node's worker threads: 1, as a test cluster shares the machine with the test. */
  public static final int DEFAULT_NODE_THREADS = 1;
  /** How long {@link Builder#start()} and each scale change may take before they fail: 30 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  /** The router's health-check interval: 300 ms, so that a failed node is noticed within seconds. */
  public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofMillis(300);
  /**
   * Misses before the router marks a node down: 5 (1.5 s), so that a node starved by a loaded test
   * machine is not ejected by mistake.
   */
  public static final int DEFAULT_HEALTH_MISSES = 5;

  /** How often {@link #awaitSettled()} asks the admin API and the nodes: each check is a request to each. */
  private static final Duration SETTLED_POLL_INTERVAL = Duration.ofMillis(20);
  private static final String LOOPBACK = "127.0.0.1";

  private final Builder<N, R, ?> options;
  private final Path directory;
  private TestCertificates certificates;
  /** Index i is node i as started; null once stopped. */
  private final List<RunningServer<N>> nodes = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private RunningServer<R> router;
  /** The first topology's nodes, {@code NAME=WEIGHT}: the router's {@code --node} options. */
  private List<String> initialNodes = List.of();

  /** A cluster of {@code options} (a copy the cluster keeps), not started: {@link Builder#start()} starts it. */
  protected LaunchedCluster(Builder<N, R, ?> options) {
    this.options = options;
    try {
      this.directory = Files.createTempDirectory("ringcache-cluster");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for a test cluster: " + e.getMessage(), e);
    }
  }

  /**
   * A builder of {@link #DEFAULT_NODES} nodes started by {@code nodes} and a router started by
   * {@code router}, no password, plaintext.
   */
  public static <N, R> Builder<N, R, LaunchedCluster<N, R>> builder(ServerLauncher<N> nodes, ServerLauncher<R> router) {
    return new Builder<>(nodes, Objects.requireNonNull(router, "router"), LaunchedCluster::new);
  }

  /** A builder of {@link #DEFAULT_NODES} standalone nodes started by {@code nodes}, without a router. */
  public static <N> Builder<N, Void, LaunchedCluster<N, Void>> builder(ServerLauncher<N> nodes) {
    return new Builder<N, Void, LaunchedCluster<N, Void>>(nodes, null, LaunchedCluster::new).withoutRouter();
  }

  private void startAll() throws IOException, InterruptedException {
    if (options.tls) {
      certificates = TestCertificates.create(directory.resolve("tls"));
    }
    List<String> initial = new ArrayList<>();
    for (int i = 0; i < options.nodes; i++) {
      int index = startNode(options.router);
      initial.add(nodeAddress(index) + "=" + (options.weights == null ? 1 : options.weights[i]));
    }
    if (options.router) {
      initialNodes = initial;
      router = options.routerLauncher.start(routerArgs(0, 0));
      awaitSettled();
    }
    log.info("test cluster up: {}", this);
  }

  private List<String> routerArgs(int port, int adminPort) {
    List<String> args = new ArrayList<>(List.of("--bind", LOOPBACK, "--port", Integer.toString(port),
        "--admin-port", Integer.toString(adminPort), "--data-dir", directory.resolve("router").toString(),
        "--health-interval-ms", Long.toString(DEFAULT_HEALTH_INTERVAL.toMillis()),
        "--health-misses", Integer.toString(DEFAULT_HEALTH_MISSES)));
    for (String node : initialNodes) {
      args.add("--node");
      args.add(node);
    }
    option(args, "--requirepass", options.password);
    option(args, "--admin-token", options.adminToken);
    option(args, "--cluster-secret", options.clusterSecret);
    option(args, "--hash-tag", options.hashTag);
    if (certificates != null) {
      args.addAll(List.of("--tls-keystore", certificates.keystore().toString(), "--tls-keystore-password",
          certificates.password(), "--node-tls", "--tls-ca-cert", certificates.caCert().toString()));
    }
    args.addAll(options.routerArgs);
    return args;
  }

  private List<String> nodeArgs(int port, boolean member) {
    List<String> args = new ArrayList<>(List.of("--bind", LOOPBACK, "--port", Integer.toString(port),
        "--threads", Integer.toString(options.nodeThreads), "--max-memory", Long.toString(options.maxMemory),
        "--cluster=" + member));
    option(args, "--requirepass", options.password);
    option(args, "--cluster-secret", options.clusterSecret);
    option(args, "--store", options.store);
    if (certificates != null) {
      args.addAll(List.of("--tls-keystore", certificates.keystore().toString(), "--tls-keystore-password",
          certificates.password(), "--tls-ca-cert", certificates.caCert().toString()));
    }
    args.addAll(options.nodeArgs);
    return args;
  }

  private static void option(List<String> args, String name, String value) {
    if (value != null) {
      args.add(name);
      args.add(value);
    }
  }

  private int startNode(boolean member) {
    nodes.add(null);
    ports.add(0);
    int index = nodes.size() - 1;
    startNodeAt(index, 0, member);
    return index;
  }

  private void startNodeAt(int index, int port, boolean member) {
    RunningServer<N> node = options.nodeLauncher.start(nodeArgs(port, member));
    nodes.set(index, node);
    ports.set(index, node.port());
  }

  // --- addresses --------------------------------------------------------------------------------

  /** How many nodes this cluster started, stopped ones included (indexes run from 0). */
  public int nodeCount() {
    return nodes.size();
  }

  /** Node {@code index}'s address, which is also its name on the ring: {@code 127.0.0.1:<port>}. */
  public String nodeAddress(int index) {
    Objects.checkIndex(index, nodes.size());
    return LOOPBACK + ":" + ports.get(index);
  }

  /** The addresses of every node started, stopped ones included, by index. */
  public List<String> nodeAddresses() {
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      addresses.add(nodeAddress(i));
    }
    return Collections.unmodifiableList(addresses);
  }

  /** Node {@code index}'s port. */
  public int nodePort(int index) {
    Objects.checkIndex(index, nodes.size());
    return ports.get(index);
  }

  /**
   * Seeds for {@code CacheClient.Builder.seeds}: the router's proxy address first, then every
   * running node (the client reads the topology from any of them).
   */
  public String[] seeds() {
    List<String> seeds = new ArrayList<>();
    if (router != null) {
      seeds.add(proxyAddress());
    }
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) != null) {
        seeds.add(nodeAddress(i));
      }
    }
    return seeds.toArray(String[]::new);
  }

  /** The router's RESP proxy port, for clients that are not ring-aware (redis-cli, Jedis, Lettuce). */
  public int proxyPort() {
    return requireRouter().port();
  }

  /** {@code 127.0.0.1:<proxy port>}. */
  public String proxyAddress() {
    return LOOPBACK + ":" + proxyPort();
  }

  /** The router's admin HTTP port. */
  public int adminPort() {
    return requireRouter().adminPort();
  }

  /** The admin API's base URL, {@code http://127.0.0.1:<admin port>} (what {@code cachectl --router} takes). */
  public String adminUrl() {
    return "http://" + LOOPBACK + ":" + adminPort();
  }

  /** The password the cluster requires, or null. */
  public String password() {
    return options.password;
  }

  /** The certificates the cluster serves TLS with, or null when it speaks plaintext. */
  public TestCertificates certificates() {
    return certificates;
  }

  /** The router's current topology (its epoch, nodes and states, handoffs under way), from {@code GET /topology}. */
  public Topology topology() {
    return TopologyJson.read(admin("GET", "/topology", null));
  }

  /** The in-process router, for tests that look inside it. */
  public R router() {
    return requireRouter().server();
  }

  /** The in-process node {@code index}, for tests that look inside it; fails if it is stopped. */
  public N node(int index) {
    Objects.checkIndex(index, nodes.size());
    RunningServer<N> node = nodes.get(index);
    if (node == null) {
      throw new IllegalStateException("node " + index + " (" + nodeAddress(index) + ") is stopped");
    }
    return node.server();
  }

  /** Whether node {@code index} is running. */
  public boolean isRunning(int index) {
    Objects.checkIndex(index, nodes.size());
    return nodes.get(index) != null;
  }

  /**
   * One section of node {@code index}'s {@code INFO} as name → value ({@code "ring"}: {@code ring_epoch},
   * {@code ring_lease_valid}, ...).
   */
  public Map<String, String> info(int index, String section) {
    Object reply;
    try (RespTestClient node = connectToNode(index)) {
      reply = node.call("INFO", section);
    }
    if (!(reply instanceof String text)) {
      throw new IllegalStateException("INFO " + section + " at " + nodeAddress(index) + " answered " + reply);
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : text.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        fields.put(line.substring(0, colon), line.substring(colon + 1));
      }
    }
    return fields;
  }

  // --- connections ------------------------------------------------------------------------------

  /** A raw RESP connection to the proxy port, over TLS when the cluster speaks it, authenticated when it has a password. */
  public RespTestClient connectToProxy() {
    return authenticated(RespTestClient.connect(proxyAddress(), certificates, RespTestClient.DEFAULT_READ_TIMEOUT));
  }

  /** A raw RESP connection to node {@code index}, as {@link #connectToProxy()}. */
  public RespTestClient connectToNode(int index) {
    return authenticated(RespTestClient.connect(nodeAddress(index), certificates, RespTestClient.DEFAULT_READ_TIMEOUT));
  }

  private RespTestClient authenticated(RespTestClient connection) {
    if (options.password != null) {
      Object reply = connection.call("AUTH", options.password);
      if (!"OK".equals(reply)) {
        connection.close();
        throw new IllegalStateException("AUTH at " + connection.address() + " answered " + reply);
      }
    }
    return connection;
  }

  // --- scale changes ----------------------------------------------------------------------------

  /**
   * Starts one more node, as a cluster member that is not in the ring yet (what
   * {@code cache-node --cluster} is before {@code cachectl add}); returns its index. {@link #addNode()}
   * also joins it.
   */
  public int startNode() {
    requireRouter();
    return startNode(true);
  }

  /** Starts a node and joins it with weight 1 through the admin API ({@code POST /nodes}); returns its index once the join is over. */
  public int addNode() {
    return addNode(1);
  }

  /** As {@link #addNode()}, with {@code weight}. */
  public int addNode(int weight) {
    int index = startNode();
    String body = "{\"name\": \"" + nodeAddress(index) + "\", \"weight\": " + weight + "}";
    awaitEvent(adminJson("POST", "/nodes", body), "join of " + nodeAddress(index));
    return index;
  }

  /**
   * Takes node {@code index} out of the ring through the admin API ({@code DELETE /nodes/{name}})
   * and returns once its ranges were handed over; the node keeps running, out of the ring, until
   * {@link #stopNode(int)}.
   */
  public void removeNode(int index) {
    awaitEvent(adminJson("DELETE", "/nodes/" + nodeAddress(index), null), "leave of " + nodeAddress(index));
  }

  /** Changes node {@code index}'s weight through the admin API and returns once its ranges moved. */
  public void setWeight(int index, int weight) {
    awaitEvent(adminJson("PUT", "/nodes/" + nodeAddress(index) + "/weight", "{\"weight\": " + weight + "}"),
        "weight change of " + nodeAddress(index));
  }

  /**
   * Stops node {@code index} at once, as a crash does: its port refuses connections and its data is
   * gone. With a router, the router ejects it within seconds (await it with {@link Await} on
   * {@link #topology()}). Does nothing if it is already stopped.
   */
  public void stopNode(int index) {
    Objects.checkIndex(index, nodes.size());
    RunningServer<N> node = nodes.set(index, null);
    if (node != null) {
      node.close();
    }
  }

  /**
   * Starts node {@code index} again on its old port: a new process to the cluster (a new
   * incarnation), empty. With a router it is a member the router re-admits through a flushed join;
   * without one it is standalone until {@link #pushTopology(Topology)}.
   */
  public void restartNode(int index) {
    Objects.checkIndex(index, nodes.size());
    if (nodes.get(index) != null) {
      throw new IllegalStateException("node " + index + " (" + nodeAddress(index) + ") is running; stop it first");
    }
    startNodeAt(index, ports.get(index), options.router);
  }

  /**
   * Stops the router and starts it again with the same options, data directory and ports, as a
   * supervisor restarts a router process: it reloads the topology it persisted and resumes every
   * persisted handoff, while the nodes keep serving on their leases. Returns once it listens; await
   * what should follow ({@link #awaitSettled()}).
   */
  public void restartRouter() {
    RunningServer<R> old = requireRouter();
    int port = old.port();
    int adminPort = old.adminPort();
    old.close();
    router = null;
    router = options.routerLauncher.start(routerArgs(port, adminPort));
  }

  /**
   * Waits until no handoff is under way and every running node of the ring holds the router's
   * epoch and a lease (its {@code INFO ring}): what {@code start()} and each scale change wait for.
   */
  public void awaitSettled() {
    requireRouter();
    Await.until(this::settled, options.timeout, SETTLED_POLL_INTERVAL,
        "every node at the router's epoch with a lease, and no handoff under way");
  }

  private boolean settled() {
    Topology t = topology();
    if (!t.handoffs().isEmpty()) {
      return false;
    }
    for (NodeInfo n : t.nodes()) {
      int index = runningIndex(n.name());
      if (index >= 0) {
        Map<String, String> ring = info(index, "ring");
        if (!Long.toString(t.epoch()).equals(ring.get("ring_epoch"))
            || (n.state().inRing() && !"1".equals(ring.get("ring_lease_valid")))) {
          return false;
        }
      }
    }
    return true;
  }

  private int runningIndex(String name) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) != null && nodeAddress(i).equals(name)) {
        return i;
      }
    }
    return -1;
  }

  // --- without a router ---------------------------------------------------------------------------

  /**
   * A topology of the given nodes (by index), weight 1 each, named by their addresses: for
   * {@link #pushTopology(Topology)}.
   */
  public Topology topologyOf(long epoch, int... indexes) {
    List<NodeInfo> members = new ArrayList<>();
    for (int i : indexes) {
      members.add(NodeInfo.of(nodeAddress(i), 1));
    }
    return Topology.of(epoch, members);
  }

  /**
   * Gives {@code topology} to every running node ({@code RING.SETTOPOLOGY}), in the router's place:
   * only for a cluster built {@link Builder#withoutRouter() without a router}. Returns each node's
   * reply in text form ({@code ":1"}: adopted; an older epoch is refused).
   */
  public List<String> pushTopology(Topology topology) {
    if (router != null) {
      throw new IllegalStateException("the router owns this cluster's topology: change it with addNode, removeNode, setWeight");
    }
    String json = TopologyJson.write(topology);
    List<String> replies = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) != null) {
        try (RespTestClient node = connectToNode(i)) {
          replies.add(node.callText("RING.SETTOPOLOGY", json));
        }
      }
    }
    return replies;
  }

  // --- admin API ----------------------------------------------------------------------------------

  private String admin(String method, String path, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(adminUrl() + path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (options.adminToken != null) {
      request.header("Authorization", "Bearer " + options.adminToken);
    }
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " at " + adminUrl() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method + " " + path, e);
    }
  }

  private JsonNode adminJson(String method, String path, String body) {
    try {
      return JSON.readTree(admin(method, path, body));
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " answered no JSON: " + e.getMessage(), e);
    }
  }

  /** Waits until the scale event {@code started} is over; fails unless it is DONE. */
  private void awaitEvent(JsonNode started, String what) {
    String id = started.path("id").asText();
    JsonNode[] last = {started};
    Await.until(() -> {
      last[0] = adminJson("GET", "/events/" + id, null);
      return !"RUNNING".equals(last[0].path("status").asText());
    }, options.timeout, what + " (event " + id + ") to end");
    if (!"DONE".equals(last[0].path("status").asText())) {
      throw new IllegalStateException(what + " ended " + last[0].path("status").asText() + ": " + last[0].path("message").asText());
    }
    awaitSettled();
  }

  private RunningServer<R> requireRouter() {
    if (router == null) {
      throw new IllegalStateException("this cluster was built without a router");
    }
    return router;
  }

  /** Stops the router and every node and deletes the cluster's directory. */
  @Override
  public void close() {
    if (router != null) {
      router.close();
    }
    for (int i = 0; i < nodes.size(); i++) {
      stopNode(i);
    }
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", directory, e.toString());
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{" + (router == null ? "no router" : "proxy " + proxyAddress() + ", admin " + adminUrl())
        + ", nodes " + nodeAddresses() + (certificates != null ? ", TLS" : "") + (options.password != null ? ", password" : "")
        + "}";
  }

  /**
   * Options of a cluster; {@link #start()} starts it.
   *
   * @param <N> the in-process node type
   * @param <R> the in-process router type
   * @param <C> the cluster type {@link #start()} returns
   */
  public static class Builder<N, R, C extends LaunchedCluster<N, R>> {
    private final ServerLauncher<N> nodeLauncher;
    private final ServerLauncher<R> routerLauncher;
    private final Function<? super Builder<N, R, C>, ? extends C> factory;
    private int nodes = DEFAULT_NODES;
    private int[] weights;
    private String password;
    private String adminToken;
    private String clusterSecret;
    private boolean tls;
    private String store;
    private String hashTag;
    private long maxMemory = DEFAULT_MAX_MEMORY;
    private int nodeThreads = DEFAULT_NODE_THREADS;
    private boolean router = true;
    private Duration timeout = DEFAULT_TIMEOUT;
    private final List<String> nodeArgs = new ArrayList<>();
    private final List<String> routerArgs = new ArrayList<>();

    /**
     * A builder whose {@link #start()} makes its cluster with {@code factory} (a subclass's
     * constructor, which passes the builder on to {@link LaunchedCluster#LaunchedCluster(Builder)}).
     *
     * @param routerLauncher null only for a cluster {@link #withoutRouter()}
     */
    public Builder(ServerLauncher<N> nodeLauncher, ServerLauncher<R> routerLauncher,
        Function<? super Builder<N, R, C>, ? extends C> factory) {
      this.nodeLauncher = Objects.requireNonNull(nodeLauncher, "nodeLauncher");
      this.routerLauncher = routerLauncher;
      this.factory = Objects.requireNonNull(factory, "factory");
    }

    /**
     * How many nodes start with the cluster, weight 1 each (replacing any {@link #weights}). Defaults
     * to 3. See {@link #DEFAULT_NODES}.
     */
    public Builder<N, R, C> nodes(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("nodes: " + count + " (expected: >= 1)");
      }
      this.nodes = count;
      this.weights = null;
      return this;
    }

    /** The first nodes' weights on the ring, one per node (and sets the node count). Defaults to 1 each. */
    public Builder<N, R, C> weights(int... weights) {
      for (int w : weights) {
        if (w < 1) {
          throw new IllegalArgumentException("weight: " + w + " (expected: >= 1)");
        }
      }
      nodes(weights.length);
      this.weights = weights.clone();
      return this;
    }

    /** The password the router's proxy port and every node require ({@code --requirepass}). Defaults to none. */
    public Builder<N, R, C> password(String password) {
      this.password = password;
      return this;
    }

    /** The token the admin API requires ({@code --admin-token}). Defaults to none. */
    public Builder<N, R, C> adminToken(String token) {
      this.adminToken = token;
      return this;
    }

    /**
     * The secret the router and the nodes' peer links authenticate with as the cluster user
     * ({@code --cluster-secret} on every server); RING.* commands then need it. Defaults to none.
     */
    public Builder<N, R, C> clusterSecret(String secret) {
      this.clusterSecret = secret;
      return this;
    }

    /**
     * TLS everywhere: the nodes' ports, node to node, router to node and the proxy port, with fresh
     * {@link TestCertificates} (see {@link LaunchedCluster#certificates()}; a client trusts their
     * {@code caCert()}). Defaults to plaintext.
     */
    public Builder<N, R, C> tls() {
      this.tls = true;
      return this;
    }

    /**
     * The nodes' store, as {@code --store} takes it: {@code packed}, {@code caffeine} or
     * {@code offheap}; null or blank for the node's own default. Defaults to the node's default
     * ({@code packed}).
     */
    public Builder<N, R, C> store(String store) {
      this.store = store == null || store.isBlank() ? null : store;
      return this;
    }

    /** The router's {@code --hash-tag}, e.g. {@code "{}"}. Defaults to none (nginx-identical placement). */
    public Builder<N, R, C> hashTag(String spec) {
      this.hashTag = spec;
      return this;
    }

    /** Each node's memory limit in bytes ({@code --max-memory}). Defaults to 64 MiB. See {@link #DEFAULT_MAX_MEMORY}. */
    public Builder<N, R, C> maxMemory(long bytes) {
      this.maxMemory = bytes;
      return this;
    }

    /** Each node's worker threads ({@code --threads}). Defaults to 1. See {@link #DEFAULT_NODE_THREADS}. */
    public Builder<N, R, C> nodeThreads(int threads) {
      this.nodeThreads = threads;
      return this;
    }

    /** How long starting and each scale change may take before they fail. Defaults to 30 s. See {@link #DEFAULT_TIMEOUT}. */
    public Builder<N, R, C> timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * More options for every node, as {@code cache-node} takes them on its command line, after the
     * cluster's own (e.g. {@code "--max-key-size", "1k"}). Defaults to none.
     */
    public Builder<N, R, C> nodeArgs(String... args) {
      this.nodeArgs.addAll(List.of(args));
      return this;
    }

    /**
     * More options for the router, as {@code cache-router} takes them on its command line, after the
     * cluster's own (e.g. {@code "--lease", "3s"}). Defaults to none. An admin token goes through
     * {@link #adminToken(String)} instead: the cluster calls the admin API itself.
     */
    public Builder<N, R, C> routerArgs(String... args) {
      this.routerArgs.addAll(List.of(args));
      return this;
    }

    /**
     * Standalone nodes only, no router: each node owns every key until a test gives it a topology
     * with {@link LaunchedCluster#pushTopology(Topology)}. Defaults to a cluster with a router.
     */
    public Builder<N, R, C> withoutRouter() {
      this.router = false;
      return this;
    }

    private Builder<N, R, C> copy() {
      Builder<N, R, C> copy = new Builder<>(nodeLauncher, routerLauncher, factory);
      copy.nodes = nodes;
      copy.weights = weights == null ? null : weights.clone();
      copy.password = password;
      copy.adminToken = adminToken;
      copy.clusterSecret = clusterSecret;
      copy.tls = tls;
      copy.store = store;
      copy.hashTag = hashTag;
      copy.maxMemory = maxMemory;
      copy.nodeThreads = nodeThreads;
      copy.router = router;
      copy.timeout = timeout;
      copy.nodeArgs.addAll(nodeArgs);
      copy.routerArgs.addAll(routerArgs);
      return copy;
    }

    /**
     * Starts the cluster and returns once every node serves; stops what started if anything fails.
     * The cluster keeps a copy of these options: changing the builder afterwards does not change it.
     */
    public C start() {
      if (!router && (hashTag != null || adminToken != null || !routerArgs.isEmpty())) {
        throw new IllegalStateException("hashTag, adminToken and routerArgs are router settings: not withoutRouter()");
      }
      if (router && routerLauncher == null) {
        throw new IllegalStateException("no router launcher: build with one, or withoutRouter()");
      }
      C cluster = factory.apply(copy());
      LaunchedCluster<N, R> starting = cluster; // startAll is private: not through the type variable
      try {
        starting.startAll();
        return cluster;
      } catch (RuntimeException | Error e) {
        cluster.close();
        throw e;
      } catch (IOException e) {
        cluster.close();
        throw new UncheckedIOException("cannot prepare a test cluster: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        cluster.close();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting a test cluster", e);
      }
    }
  }
}
