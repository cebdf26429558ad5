package io.ringcache.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringcache.node.NodeConfig;
import io.ringcache.node.NodeServer;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import io.ringcache.router.Router;
import io.ringcache.router.RouterConfig;
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
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design note. Everything runs in the test's JVM: each node is a NodeServer, the router a Router,
 * each on an ephemeral port of 127.0.0.1, so a test needs no free-port guessing and no processes.
 * The nodes start as cluster members (--cluster, as every launcher of ours passes), are listed in
 * the router's first topology, and start() returns only once every node holds the router's epoch
 * and a lease: a test's first command is served, not answered -TRYAGAIN. Scale changes go through
 * the router's real admin HTTP API and wait for the scale event to end, so a test sees what an
 * operator running cachectl sees. The cluster owns a temporary directory (the router's topology
 * file, the test certificates) and deletes it on close().
 *
 * What in-process cannot do: a stopped node is closed, not kill -9'd (its port refuses connections
 * at once, as after a crash, and its data is gone); a SIGSTOP'd node cannot be imitated. cache-cli's
 * fault tests run the launchers in bin/ as processes for that.
 */

/**
 * A real ringcache cluster inside a test: a router and N cache nodes in this JVM, on ephemeral
 * loopback ports, as OkHttp's {@code MockWebServer} is a real HTTP server. Start it in a test (or a
 * JUnit 5 {@code @BeforeEach}/{@code @BeforeAll}), point your client at {@link #seeds()} or any Redis
 * client at {@link #proxyAddress()}, and {@link #close()} it afterwards.
 *
 * <pre>{@code
 * try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).start();
 *     CacheClient cache = CacheClient.builder().seeds(cluster.seeds()).build()) {
 *   cache.put("greeting", "hello");
 *   assertThat(cache.get("greeting")).isEqualTo("hello");
 * }
 * }</pre>
 *
 * <p>Options ({@link Builder}): the node count and weights, a password, TLS with fresh
 * {@link TestCertificates}, the store type, a hash tag, and an escape hatch for any other router
 * setting. {@link #addNode()}, {@link #removeNode(int)} and {@link #setWeight(int, int)} change the
 * cluster through the router's admin API and return when the scale event is over; {@link #stopNode(int)}
 * makes a node fail as a crashed one does.
 *
 * <p>{@link Builder#withoutRouter()} starts standalone nodes only (each owns every key until it is
 * given a topology): for tests of a client's own routing, which push topologies with
 * {@link #pushTopology(Topology)} in the router's place.
 *
 * <p>Not thread-safe: one test thread drives a cluster (the servers themselves serve any number of
 * client threads).
 */
public final class EmbeddedCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedCluster.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The node count of {@link #builder()}: 3. */
  public static final int DEFAULT_NODES = 3;
  /** Each node's memory limit: 64 MiB. */
  public static final long DEFAULT_MAX_MEMORY = 64L << 20;
  /** How long {@link Builder#start()} and each scale change may take before they fail: 30 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  /** The router's health-check interval: 300 ms, so that a failed node is noticed within seconds. */
  public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofMillis(300);
  /**
   * Misses before the router marks a node down: 5 (1.5 s), so that a node starved by a loaded test
   * machine is not ejected by mistake.
   */
  public static final int DEFAULT_HEALTH_MISSES = 5;

  private static final String LOOPBACK = "127.0.0.1";

  private final Builder options;
  private final Path directory;
  private final TestCertificates certificates;
  /** Index i is node i as started; null once stopped. */
  private final List<NodeServer> nodes = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Router router;

  private EmbeddedCluster(Builder options) throws IOException, InterruptedException {
    this.options = options;
    this.directory = Files.createTempDirectory("ringcache-embedded");
    this.certificates = options.tls ? TestCertificates.create(directory.resolve("tls")) : null;
  }

  /** A builder of {@link #DEFAULT_NODES} nodes and a router, no password, plaintext. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts a cluster with the defaults: see {@link #builder()}. */
  public static EmbeddedCluster start() {
    return builder().start();
  }

  private void startAll() throws InterruptedException {
    List<NodeInfo> initial = new ArrayList<>();
    for (int i = 0; i < options.nodes; i++) {
      int index = startNode(options.router);
      initial.add(NodeInfo.of(nodeAddress(index), options.weights == null ? 1 : options.weights[i]));
    }
    if (options.router) {
      RouterConfig.Builder config = RouterConfig.builder()
          .bind(LOOPBACK)
          .port(0)
          .adminPort(0)
          .dataDir(directory.resolve("router"))
          .initialNodes(initial)
          .password(options.password)
          .adminToken(options.adminToken)
          .hashTag(options.hashTag)
          .healthInterval(DEFAULT_HEALTH_INTERVAL)
          .healthMisses(DEFAULT_HEALTH_MISSES);
      if (certificates != null) {
        config.tls(certificates.keystore(), certificates.password()).nodeTls(true).tlsCaCert(certificates.caCert());
      }
      router = Router.start(options.routerOptions.apply(config).build());
      awaitSettled();
    }
    log.info("embedded cluster up: {}", this);
  }

  private int startNode(boolean member) {
    nodes.add(null);
    ports.add(0);
    int index = nodes.size() - 1;
    startNodeAt(index, 0, member);
    return index;
  }

  private void startNodeAt(int index, int port, boolean member) {
    NodeConfig.Builder config = NodeConfig.builder()
        .bind(LOOPBACK)
        .port(port)
        .threads(options.nodeThreads)
        .maxMemory(options.maxMemory)
        .requirepass(options.password)
        .cluster(member);
    if (options.store != null) {
      config.store(options.store);
    }
    if (certificates != null) {
      config.tls(certificates.keystore(), certificates.password()).tlsCaCert(certificates.caCert());
    }
    NodeServer node = NodeServer.start(config.build());
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

  /** The router's current topology (its epoch, nodes and states, handoffs under way). */
  public Topology topology() {
    return requireRouter().topology();
  }

  /** The in-process router, for tests that look inside it. */
  public Router router() {
    return requireRouter();
  }

  /** The in-process node {@code index}, for tests that look inside it; fails if it is stopped. */
  public NodeServer node(int index) {
    Objects.checkIndex(index, nodes.size());
    NodeServer node = nodes.get(index);
    if (node == null) {
      throw new IllegalStateException("node " + index + " (" + nodeAddress(index) + ") is stopped");
    }
    return node;
  }

  /** Whether node {@code index} is running. */
  public boolean isRunning(int index) {
    Objects.checkIndex(index, nodes.size());
    return nodes.get(index) != null;
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
    awaitEvent(admin("POST", "/nodes", body), "join of " + nodeAddress(index));
    return index;
  }

  /**
   * Takes node {@code index} out of the ring through the admin API ({@code DELETE /nodes/{name}})
   * and returns once its ranges were handed over; the node keeps running, out of the ring, until
   * {@link #stopNode(int)}.
   */
  public void removeNode(int index) {
    awaitEvent(admin("DELETE", "/nodes/" + nodeAddress(index), null), "leave of " + nodeAddress(index));
  }

  /** Changes node {@code index}'s weight through the admin API and returns once its ranges moved. */
  public void setWeight(int index, int weight) {
    awaitEvent(admin("PUT", "/nodes/" + nodeAddress(index) + "/weight", "{\"weight\": " + weight + "}"),
        "weight change of " + nodeAddress(index));
  }

  /**
   * Stops node {@code index} at once, as a crash does: its port refuses connections and its data is
   * gone. With a router, the router ejects it within seconds (await it with {@link Await} on
   * {@link #topology()}). Does nothing if it is already stopped.
   */
  public void stopNode(int index) {
    Objects.checkIndex(index, nodes.size());
    NodeServer node = nodes.set(index, null);
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
   * Waits until no handoff is under way and every running node of the ring holds the router's
   * epoch and a lease: what {@code start()} and each scale change wait for.
   */
  public void awaitSettled() {
    Router router = requireRouter();
    Await.until(() -> {
      Topology t = router.topology();
      if (!t.handoffs().isEmpty()) {
        return false;
      }
      for (NodeInfo n : t.nodes()) {
        NodeServer node = running(n.name());
        if (node != null && (node.cluster().epoch() != t.epoch() || (n.state().inRing() && !node.cluster().leaseValid()))) {
          return false;
        }
      }
      return true;
    }, options.timeout, "every node at the router's epoch with a lease, and no handoff under way");
  }

  private NodeServer running(String name) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) != null && nodeAddress(i).equals(name)) {
        return nodes.get(i);
      }
    }
    return null;
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

  private JsonNode admin(String method, String path, String body) {
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
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " at " + adminUrl() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method + " " + path, e);
    }
  }

  /** Waits until the scale event {@code started} is over; fails unless it is DONE. */
  private void awaitEvent(JsonNode started, String what) {
    String id = started.path("id").asText();
    JsonNode[] last = {started};
    Await.until(() -> {
      last[0] = admin("GET", "/events/" + id, null);
      return !"RUNNING".equals(last[0].path("status").asText());
    }, options.timeout, what + " (event " + id + ") to end");
    if (!"DONE".equals(last[0].path("status").asText())) {
      throw new IllegalStateException(what + " ended " + last[0].path("status").asText() + ": " + last[0].path("message").asText());
    }
    awaitSettled();
  }

  private Router requireRouter() {
    if (router == null) {
      throw new IllegalStateException("this cluster was built withoutRouter()");
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
    return "EmbeddedCluster{" + (router == null ? "no router" : "proxy " + proxyAddress() + ", admin " + adminUrl())
        + ", nodes " + nodeAddresses() + (certificates != null ? ", TLS" : "") + (options.password != null ? ", password" : "")
        + "}";
  }

  /** Options of an {@link EmbeddedCluster}; {@link #start()} starts it. */
  public static final class Builder {
    private int nodes = DEFAULT_NODES;
    private int[] weights;
    private String password;
    private String adminToken;
    private boolean tls;
    private NodeConfig.StoreType store;
    private String hashTag;
    private long maxMemory = DEFAULT_MAX_MEMORY;
    private int nodeThreads = 1;
    private boolean router = true;
    private Duration timeout = DEFAULT_TIMEOUT;
    private UnaryOperator<RouterConfig.Builder> routerOptions = UnaryOperator.identity();

    private Builder() {}

    /**
     * How many nodes start with the cluster, weight 1 each (replacing any {@link #weights}). Defaults
     * to 3. See {@link #DEFAULT_NODES}.
     */
    public Builder nodes(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("nodes: " + count + " (expected: >= 1)");
      }
      this.nodes = count;
      this.weights = null;
      return this;
    }

    /** The first nodes' weights on the ring, one per node (and sets the node count). Defaults to 1 each. */
    public Builder weights(int... weights) {
      for (int w : weights) {
        if (w < 1) {
          throw new IllegalArgumentException("weight: " + w + " (expected: >= 1)");
        }
      }
      nodes(weights.length);
      this.weights = weights.clone();
      return this;
    }

    /** The password the router's proxy port and every node require (AUTH). Defaults to none. */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /** The token the admin API requires. Defaults to none. */
    public Builder adminToken(String token) {
      this.adminToken = token;
      return this;
    }

    /**
     * TLS everywhere: the nodes' ports, node to node, router to node and the proxy port, with fresh
     * {@link TestCertificates} (see {@link EmbeddedCluster#certificates()}; a client trusts their
     * {@code caCert()}). Defaults to plaintext.
     */
    public Builder tls() {
      this.tls = true;
      return this;
    }

    /** The nodes' store. Defaults to the node's own default ({@code PACKED}). */
    public Builder store(NodeConfig.StoreType store) {
      this.store = store;
      return this;
    }

    /** The router's {@code --hash-tag}, e.g. {@code "{}"}. Defaults to none (nginx-identical placement). */
    public Builder hashTag(String spec) {
      this.hashTag = spec;
      return this;
    }

    /** Each node's memory limit in bytes. Defaults to 64 MiB. See {@link #DEFAULT_MAX_MEMORY}. */
    public Builder maxMemory(long bytes) {
      this.maxMemory = bytes;
      return this;
    }

    /** Each node's worker threads. Defaults to 1: a test cluster shares the machine with the test. */
    public Builder nodeThreads(int threads) {
      this.nodeThreads = threads;
      return this;
    }

    /** How long starting and each scale change may take before they fail. Defaults to 30 s. See {@link #DEFAULT_TIMEOUT}. */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Any other router setting, applied after the cluster's own (e.g. {@code b -> b.lease(Duration.ofSeconds(3))}).
     * Defaults to none.
     */
    public Builder routerOptions(UnaryOperator<RouterConfig.Builder> options) {
      this.routerOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * Standalone nodes only, no router: each node owns every key until a test gives it a topology
     * with {@link EmbeddedCluster#pushTopology(Topology)}. Defaults to a cluster with a router.
     */
    public Builder withoutRouter() {
      this.router = false;
      return this;
    }

    private Builder copy() {
      Builder copy = new Builder();
      copy.nodes = nodes;
      copy.weights = weights == null ? null : weights.clone();
      copy.password = password;
      copy.adminToken = adminToken;
      copy.tls = tls;
      copy.store = store;
      copy.hashTag = hashTag;
      copy.maxMemory = maxMemory;
      copy.nodeThreads = nodeThreads;
      copy.router = router;
      copy.timeout = timeout;
      copy.routerOptions = routerOptions;
      return copy;
    }

    /**
     * Starts the cluster and returns once every node serves; stops what started if anything fails.
     * The cluster keeps a copy of these options: changing the builder afterwards does not change it.
     */
    public EmbeddedCluster start() {
      if (!router && (hashTag != null || adminToken != null)) {
        throw new IllegalStateException("hashTag and adminToken are router settings: not withoutRouter()");
      }
      EmbeddedCluster cluster;
      try {
        cluster = new EmbeddedCluster(copy());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot prepare an embedded cluster: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while preparing an embedded cluster", e);
      }
      try {
        cluster.startAll();
        return cluster;
      } catch (RuntimeException | Error e) {
        cluster.close();
        throw e;
      } catch (InterruptedException e) {
        cluster.close();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting an embedded cluster", e);
      }
    }
  }
}
