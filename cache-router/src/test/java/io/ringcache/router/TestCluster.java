package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.NodeServer;
import io.ringcache.node.Nodes;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.Topology;
import io.ringcache.testkit.core.Await;
import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RunningServer;
import io.ringcache.testkit.core.ServerLauncher;
import io.ringcache.testkit.core.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The router tests' cluster: the testkit's {@link LaunchedCluster} with this module's router and
 * cache-node's nodes plugged in (their command-line entries, {@link RouterMain#embed} and
 * {@link Nodes#LAUNCHER}, from cache-node's test-jar), plus what only these tests need: the in-process router and nodes by name
 * (to drive the coordinator and look at stores), waits on the coordinator, and topology-aware bulk
 * I/O for assertions ({@link #load}, {@link #wrongValues}, {@link #assertEachNodeHoldsExactlyItsKeys}).
 * It starts no server itself.
 */
final class TestCluster implements AutoCloseable {

  /** Starts this module's router from its command-line options. */
  static final ServerLauncher<Router> ROUTER = args -> {
    try {
      return RunningServer.of(RouterMain.embed(args.toArray(String[]::new)), Router::port, Router::adminPort, Router::close);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting a router", e);
    }
  };

  /** The running nodes by name; a test may put a node it started itself, which close() stops too. */
  final Map<String, NodeServer> nodes = new LinkedHashMap<>();
  final String password;
  final TestCertificates tls;
  private final LaunchedCluster<NodeServer, Router> launched;
  Router router;

  TestCluster(int nodeCount) {
    this(nodeCount, null);
  }

  /** A cluster whose nodes and router require {@code password} (null: none). */
  TestCluster(int nodeCount, String password) {
    this(nodeCount, password, false, null, null);
  }

  /**
   * A cluster whose nodes and router require {@code password} (null: none) and, with {@code tls},
   * speak TLS only (fresh certificates, {@link #tls}): the nodes' ports, node to node, router to node
   * and the proxy port.
   */
  TestCluster(int nodeCount, String password, boolean tls) {
    this(nodeCount, password, tls, null, null);
  }

  /** A cluster whose router also gets {@code routerArgs} (cache-router's command-line options, after the fixture's own). */
  TestCluster(int nodeCount, String password, String... routerArgs) {
    this(nodeCount, password, false, null, null, routerArgs);
  }

  /** A cluster whose admin API requires {@code adminToken}, its router also given {@code routerArgs}. */
  static TestCluster withAdminToken(int nodeCount, String password, String adminToken, String... routerArgs) {
    return new TestCluster(nodeCount, password, false, null, adminToken, routerArgs);
  }

  /**
   * A cluster whose nodes and router require {@code password} and share {@code clusterSecret}: the
   * router and the nodes' peer links authenticate as the cluster user, and RING.* commands need it.
   */
  static TestCluster withClusterSecret(int nodeCount, String password, String clusterSecret) {
    return new TestCluster(nodeCount, password, false, clusterSecret, null);
  }

  /** The testkit's cluster owns a temporary directory (the router's topology file, the certificates). */
  private TestCluster(int nodeCount, String password, boolean tls, String clusterSecret, String adminToken,
      String... routerArgs) {
    this.password = password;
    LaunchedCluster.Builder<NodeServer, Router, LaunchedCluster<NodeServer, Router>> options =
        LaunchedCluster.builder(Nodes.LAUNCHER, ROUTER)
            .nodes(nodeCount)
            .nodeThreads(1)
            .maxMemory(512L << 20)
            .store(System.getProperty("ringcache.test.store")) // packed, caffeine or offheap: run the ITs on each
            .password(password)
            .clusterSecret(clusterSecret)
            .adminToken(adminToken)
            .routerArgs(routerArgs);
    if (tls) {
      options.tls();
    }
    this.launched = options.start();
    this.tls = launched.certificates();
    this.router = launched.router();
    for (int i = 0; i < launched.nodeCount(); i++) {
      nodes.put(launched.nodeAddress(i), launched.node(i));
    }
    awaitEpochEverywhere();
  }

  static String name(NodeServer node) {
    return node.cluster().name();
  }

  /** Starts one more node, a cluster member not in the ring yet. */
  NodeServer startNode() {
    NodeServer node = launched.node(launched.startNode());
    nodes.put(name(node), node);
    return node;
  }

  /** Stops a node for good, as a crash would (its entries are gone). */
  void kill(String name) {
    nodes.remove(name);
    launched.stopNode(launched.nodeAddresses().indexOf(name));
  }

  /**
   * Restarts the router on its ports and data directory, as a supervisor would: it reloads the
   * persisted topology and resumes persisted handoffs.
   */
  void restartRouter() {
    launched.restartRouter();
    router = launched.router();
  }

  Topology topology() {
    return router.topology();
  }

  /** Waits until every running node of the topology holds the router's epoch, and every member of the ring a lease. */
  void awaitEpochEverywhere() {
    Await.until(() -> {
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
    Await.until(() -> router.topology().handoffs().isEmpty() && !router.coordinator().busy(), Duration.ofSeconds(60), "scale event to finish");
    awaitEpochEverywhere();
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
    launched.close();
    nodes.values().forEach(NodeServer::close); // those a test started itself; the others are closed already
  }
}
