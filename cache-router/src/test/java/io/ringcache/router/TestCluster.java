package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.NodeConfig;
import io.ringcache.node.NodeServer;
import io.ringcache.node.TestCertificates;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.Topology;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisDataException;

/** Real nodes and a real router on ephemeral loopback ports, plus topology-aware bulk I/O for assertions. */
final class TestCluster implements AutoCloseable {

  final Map<String, NodeServer> nodes = new LinkedHashMap<>();
  final Path dataDir;
  final String password;
  final TestCertificates tls;
  final String clusterSecret;
  private final UnaryOperator<RouterConfig.Builder> routerOptions;
  Router router;

  TestCluster(Path dataDir, int nodeCount) throws Exception {
    this(dataDir, nodeCount, null);
  }

  /** A cluster whose nodes and router require {@code password} (null: none). */
  TestCluster(Path dataDir, int nodeCount, String password) throws Exception {
    this(dataDir, nodeCount, password, null, UnaryOperator.identity());
  }

  /**
   * A cluster whose nodes and router require {@code password} (null: none) and, with {@code tls},
   * speak TLS only: the nodes' ports, node to node, router to node and the proxy port.
   */
  TestCluster(Path dataDir, int nodeCount, String password, TestCertificates tls) throws Exception {
    this(dataDir, nodeCount, password, tls, UnaryOperator.identity());
  }

  /** A cluster whose router's settings {@code routerOptions} adjusts (after the fixture's own). */
  TestCluster(Path dataDir, int nodeCount, String password, UnaryOperator<RouterConfig.Builder> routerOptions)
      throws Exception {
    this(dataDir, nodeCount, password, null, routerOptions);
  }

  /**
   * A cluster whose nodes and router require {@code password} and share {@code clusterSecret}: the
   * router and the nodes' peer links authenticate as the cluster user, and RING.* commands need it.
   */
  static TestCluster withClusterSecret(Path dataDir, int nodeCount, String password, String clusterSecret)
      throws Exception {
    return new TestCluster(dataDir, nodeCount, password, null, clusterSecret, b -> b.clusterSecret(clusterSecret));
  }

  private TestCluster(Path dataDir, int nodeCount, String password, TestCertificates tls,
      UnaryOperator<RouterConfig.Builder> routerOptions) throws Exception {
    this(dataDir, nodeCount, password, tls, null, routerOptions);
  }

  private TestCluster(Path dataDir, int nodeCount, String password, TestCertificates tls, String clusterSecret,
      UnaryOperator<RouterConfig.Builder> routerOptions) throws Exception {
    this.dataDir = dataDir;
    this.password = password;
    this.clusterSecret = clusterSecret;
    this.tls = tls;
    this.routerOptions = routerOptions;
    List<NodeInfo> initial = new ArrayList<>();
    for (int i = 0; i < nodeCount; i++) {
      NodeServer node = startNode();
      initial.add(NodeInfo.of(name(node), 1));
    }
    router = startRouter(initial);
    awaitEpochEverywhere();
  }

  static String name(NodeServer node) {
    return node.cluster().name();
  }

  NodeServer startNode() {
    NodeConfig.Builder config = NodeConfig.builder().port(0).threads(1).maxMemory(512L << 20).requirepass(password)
        .clusterSecret(clusterSecret).cluster(true);
    if (tls != null) {
      config.tls(tls.keystore(), tls.password()).tlsCaCert(tls.caCert());
    }
    String store = System.getProperty("ringcache.test.store", ""); // as cache-node's Nodes.config()
    if (!store.isBlank()) {
      config.store(NodeConfig.StoreType.parse(store));
    }
    NodeServer node = NodeServer.start(config.build());
    nodes.put(name(node), node);
    return node;
  }

  /** Stops a node for good, as a crash would (its entries are gone). */
  void kill(String name) {
    NodeServer node = nodes.remove(name);
    node.close();
  }

  Router startRouter(List<NodeInfo> initial) throws InterruptedException {
    RouterConfig.Builder config = RouterConfig.builder()
        .port(0)
        .adminPort(0)
        .dataDir(dataDir)
        .initialNodes(initial)
        .password(password)
        .healthInterval(Duration.ofMillis(300))
        .healthMisses(5); // 1.5 s: a node starved by a loaded machine is not ejected by mistake
    if (tls != null) {
      config.tls(tls.keystore(), tls.password()).nodeTls(true).tlsCaCert(tls.caCert());
    }
    return Router.start(routerOptions.apply(config).build());
  }

  Topology topology() {
    return router.topology();
  }

  /** Waits until every running node of the topology holds the router's epoch, and every member of the ring a lease. */
  void awaitEpochEverywhere() {
    await(() -> {
      Topology t = router.topology();
      for (NodeInfo n : t.nodes()) {
        NodeServer node = nodes.get(n.name());
        if (node != null && (node.cluster().epoch() != t.epoch() || (n.state().inRing() && !node.cluster().leaseValid()))) {
          return false;
        }
      }
      return true;
    }, Duration.ofSeconds(20), "every node at the router's epoch, with a lease");
  }

  /** Waits until the router has no handoff under way and no scale event running. */
  void awaitIdle() {
    await(() -> router.topology().handoffs().isEmpty() && !router.coordinator().busy(), Duration.ofSeconds(60), "scale event to finish");
    awaitEpochEverywhere();
  }

  static void await(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // re-check every 20 ms
    }
  }

  /** Writes key-i = value-i for i in [0, count), each straight to its owner, pipelined. */
  void load(int count) {
    RoutingTable table = RoutingTable.of(router.topology());
    Map<String, List<Integer>> byNode = new HashMap<>();
    for (int i = 0; i < count; i++) {
      byNode.computeIfAbsent(table.serverOf(key(i)), n -> new ArrayList<>()).add(i);
    }
    for (Map.Entry<String, List<Integer>> e : byNode.entrySet()) {
      try (Jedis jedis = connect(table.addressOf(e.getKey()))) {
        auth(jedis);
        Pipeline p = jedis.pipelined();
        int n = 0;
        for (int i : e.getValue()) {
          p.set(key(i), value(i));
          if (++n % 5_000 == 0) {
            p.sync(); // bounded pipelines: the node stops reading a client that does not read its replies
          }
        }
        p.sync();
      }
    }
  }

  /** Reads every key back from its owner; returns the keys whose value is missing or wrong. */
  List<Integer> wrongValues(int count) {
    RoutingTable table = RoutingTable.of(router.topology());
    Map<String, List<Integer>> byNode = new HashMap<>();
    for (int i = 0; i < count; i++) {
      byNode.computeIfAbsent(table.serverOf(key(i)), n -> new ArrayList<>()).add(i);
    }
    List<Integer> wrong = new ArrayList<>();
    for (Map.Entry<String, List<Integer>> e : byNode.entrySet()) {
      try (Jedis jedis = connect(table.addressOf(e.getKey()))) {
        auth(jedis);
        Pipeline p = jedis.pipelined();
        List<redis.clients.jedis.Response<byte[]>> replies = new ArrayList<>();
        for (int i : e.getValue()) {
          replies.add(p.get(key(i)));
          if (replies.size() % 2_000 == 0) {
            p.sync();
          }
        }
        p.sync();
        for (int k = 0; k < replies.size(); k++) {
          int i = e.getValue().get(k);
          try {
            if (!java.util.Arrays.equals(replies.get(k).get(), value(i))) {
              wrong.add(i);
            }
          } catch (JedisDataException ex) {
            wrong.add(i);
          }
        }
      }
    }
    return wrong;
  }

  /** Every node of the ring holds exactly the keys the ring gives it. */
  void assertEachNodeHoldsExactlyItsKeys(int count) {
    RoutingTable table = RoutingTable.of(router.topology());
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < count; i++) {
      expected.merge(table.serverOf(key(i)), 1L, Long::sum);
    }
    for (String name : table.ring().nodeNames()) {
      NodeServer node = nodes.get(name);
      node.store().cleanUp();
      assertThat(node.store().size()).as("keys held by %s", name).isEqualTo(expected.getOrDefault(name, 0L));
    }
  }

  private void auth(Jedis jedis) {
    if (password != null) {
      jedis.auth(password);
    }
  }

  static byte[] key(int i) {
    return ("key:" + i).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] value(int i) {
    return ("value-" + i + "-" + "x".repeat(40)).getBytes(StandardCharsets.UTF_8);
  }

  /** A Jedis connection to {@code address}, over TLS when the cluster speaks it. */
  Jedis connect(String address) {
    return tls == null ? jedis(address) : tlsJedis(address, tls.caCert());
  }

  /** A Jedis TLS connection to {@code address} that trusts the PEM certificate {@code caCert} only. */
  static Jedis tlsJedis(String address, Path caCert) {
    int colon = address.lastIndexOf(':');
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(caCert)) {
      java.security.KeyStore trusted = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
      trusted.load(null, null);
      trusted.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
      javax.net.ssl.TrustManagerFactory trust =
          javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return new Jedis(new redis.clients.jedis.HostAndPort(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
          redis.clients.jedis.DefaultJedisClientConfig.builder().ssl(true).sslSocketFactory(context.getSocketFactory())
              .socketTimeoutMillis(10_000).build());
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      throw new AssertionError("cannot trust " + caCert, e);
    }
  }

  static Jedis jedis(String address) {
    int colon = address.lastIndexOf(':');
    return new Jedis(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)), 10_000);
  }

  @Override
  public void close() {
    if (router != null) {
      router.close();
    }
    nodes.values().forEach(NodeServer::close);
  }
}
