package io.ringcache.router;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.handler.ssl.SslContext;
import io.ringcache.resp.net.HostPort;
import io.ringcache.resp.net.Tls;
import io.ringcache.resp.net.Transport;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import io.ringcache.router.metrics.RouterMetrics;
import io.ringcache.router.proxy.ProxyServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's control plane: owns and persists the topology, pushes it to nodes, checks their
 * health, runs scale events, and serves the admin HTTP API. Start one with {@link #start}; tests
 * start it on ephemeral ports.
 */
public final class Router implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Router.class);

  private final RouterConfig config;
  private final TopologyStore store;
  private final NodePool pool;
  private final NodePool probePool;
  /** Heartbeats only: one caller per node, so each node's heartbeats share one connection (lease anchors stay fresh). */
  private final NodePool heartbeatPool;
  private final ScaleCoordinator coordinator;
  private final HealthChecker health;
  private final ExecutorService adminExecutor;
  private final Transport transport = Transport.current();
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final AdminServer admin;
  private final ProxyServer proxy;
  private final RouterMetrics metrics;
  private final NodeAllowList nodeAllow;
  private InetSocketAddress adminAddress;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private Router(RouterConfig config) {
    this.config = config;
    // TLS material first: a bad keystore or certificate file fails the start before anything is opened
    SslContext proxyTls = config.tlsKeystore() == null ? null : Tls.server(config.tlsKeystore(), config.tlsKeystorePassword());
    SslContext nodeTls = config.nodeTls() ? Tls.client(config.tlsCaCert()) : null;
    SSLSocketFactory nodeSockets = config.nodeTls() ? Tls.socketFactory(config.tlsCaCert()) : null;
    Topology initial = TopologyStore.load(config.dataDir())
        .orElseGet(() -> Topology.of(1, config.initialNodes()).withHashTag(config.hashTag()));
    if (!java.util.Objects.equals(initial.hashTag(), config.hashTag())) {
      // the stored keys were placed by the persisted setting: another would move them silently
      throw new IllegalStateException("hash-tag " + (config.hashTag() == null ? "(none)" : config.hashTag())
          + " differs from the persisted topology's " + (initial.hashTag() == null ? "(none)" : initial.hashTag())
          + " in " + config.dataDir() + ": a cluster's placement cannot change; start with --hash-tag "
          + (initial.hashTag() == null ? "unset" : initial.hashTag()) + ", or with an empty data directory for a new cluster");
    }
    this.store = TopologyStore.open(config.dataDir(), initial);
    this.pool = new NodePool(config.password(), config.clusterSecret(), Duration.ofSeconds(2), nodeSockets);
    this.probePool = new NodePool(config.password(), config.clusterSecret(), config.healthInterval(), nodeSockets);
    this.coordinator = new ScaleCoordinator(store, pool);
    this.heartbeatPool = new NodePool(config.password(), config.clusterSecret(), config.healthInterval(), nodeSockets);
    this.health = new HealthChecker(store, heartbeatPool, coordinator, config.healthInterval(), config.healthMisses(),
        config.lease());
    // bounded: a flood of admin requests is answered 503 at once instead of queueing without end
    this.adminExecutor = new java.util.concurrent.ThreadPoolExecutor(AdminServer.THREADS, AdminServer.THREADS, 0,
        TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(AdminServer.QUEUE), r -> {
          Thread thread = new Thread(r, "ringcache-admin");
          thread.setDaemon(true);
          return thread;
        });
    this.boss = transport.newGroup(1);
    this.workers = transport.newGroup(2);
    this.nodeAllow = NodeAllowList.of(config.nodeAllow() != null ? config.nodeAllow() : defaultNodeAllow(initial));
    this.admin = new AdminServer(this, config.adminToken(), adminExecutor, nodeAllow, config.metricsRequireToken());
    this.proxy = new ProxyServer(this::topology, config.password(), Runtime.getRuntime().availableProcessors())
        .outputLimits(config.proxyMaxOutputBuffer(), config.proxyOutputStallTimeout())
        .clientLimits(config.proxyMaxClients(), config.proxyMaxClientsMemory(), config.authTimeout());
    if (proxyTls != null) {
      proxy.tls(proxyTls);
    }
    if (nodeTls != null) {
      proxy.nodeTls(nodeTls);
    }
    this.metrics = new RouterMetrics(new RouterMetrics.Source() {
      @Override
      public Topology topology() {
        return store.current();
      }

      @Override
      public List<RouterMetrics.Event> events() {
        return coordinator.history().stream()
            .map(e -> new RouterMetrics.Event(e.id, e.kind.name(), e.status.name(), e.keysMoved(), e.keysTotal()))
            .toList();
      }

      @Override
      public int healthMisses(String node) {
        HealthChecker.Health h = health.healthOf(node);
        return h == null ? -1 : h.misses();
      }
    });
  }

  /** The default of --node-allow: loopback and the hosts of the nodes the router starts with. */
  static List<String> defaultNodeAllow(Topology initial) {
    List<String> entries = new ArrayList<>();
    entries.add(NodeAllowList.LOOPBACK);
    for (NodeInfo n : initial.nodes()) {
      try {
        String host = HostPort.parse(n.address()).host();
        if (!entries.contains(host)) {
          entries.add(host);
        }
      } catch (IllegalArgumentException e) {
        // a persisted address that does not parse admits nothing
      }
    }
    return entries;
  }

  /** Starts a router: loads or creates the topology, pushes it, resumes handoffs, serves. */
  public static Router start(RouterConfig config) throws InterruptedException {
    Router router = new Router(config);
    try {
      router.run();
      return router;
    } catch (RuntimeException | InterruptedException e) {
      router.close();
      throw e;
    }
  }

  private void run() throws InterruptedException {
    Topology t = store.current();
    log.info("router starting at epoch {} with {} (data in {}), nodes dialled {}", t.epoch(), Describe.topology(t),
        config.dataDir(), !config.nodeTls() ? "in plaintext"
            : "with TLS, trusting " + (config.tlsCaCert() == null ? "the JDK's authorities" : config.tlsCaCert()));
    Class<? extends ServerChannel> type = transport.serverChannel();
    String exposed = exposureWarning(config);
    if (exposed != null) {
      log.warn(exposed);
    }
    adminAddress = admin.start(boss, workers, type, config.bind(), config.adminPort());
    log.info("admin API on http://{}:{}{}; POST /nodes admits hosts matching {}", config.bind(), adminAddress.getPort(),
        config.adminToken() == null ? " (no token: set --admin-token-file to require one)" : " (token required)", nodeAllow);
    if (config.clusterSecret() == null && t.nodes().stream().anyMatch(n -> !isLoopbackAddress(n.address()))) {
      log.warn("no cluster secret (--cluster-secret-file): nodes off this machine refuse the router's RING.* commands;"
          + " give the router and every node the same CACHE_CLUSTER_SECRET(_FILE)");
    }
    if (!t.handoffs().isEmpty()) {
      log.info("resuming {} handoff(s) from the persisted topology", t.handoffs().size());
      coordinator.resume();
    } else {
      coordinator.pushAll(admitListedNodes());
    }
    proxy.start(config.bind(), config.port());
    health.start();
  }

  /**
   * Records the incarnation of every listed node that answers and was never seen (a first start),
   * in one topology change, so that the first push already names each process; a node that does
   * not answer yet is admitted by the health checker when it does.
   */
  private Topology admitListedNodes() {
    Map<String, Long> seen = new LinkedHashMap<>();
    for (NodeInfo n : store.current().nodes()) {
      if (n.incarnation() == 0) {
        try {
          seen.put(n.name(), heartbeatPool.heartbeat(n.address(), 0, 0).incarnation());
        } catch (IOException | RuntimeException e) {
          log.debug("node {} does not answer yet: {}", n.name(), e.getMessage());
        }
      }
    }
    if (seen.isEmpty()) {
      return store.current();
    }
    Topology t = store.update(cur -> cur.next(cur.nodes().stream()
        .map(n -> n.incarnation() == 0 && seen.containsKey(n.name()) ? n.withIncarnation(seen.get(n.name())) : n)
        .toList(), cur.handoffs()));
    log.info("admitted {} at epoch {}", seen.keySet(), t.epoch());
    return t;
  }

  /** The admin HTTP port. */
  /**
   * The warning a router bound beyond loopback logs when its RESP port has no password or its admin
   * API no token, or null when it is on loopback or has both.
   */
  static String exposureWarning(RouterConfig config) {
    if (HostPort.isLoopback(config.bind()) || (config.password() != null && config.adminToken() != null)) {
      return null;
    }
    List<String> missing = new ArrayList<>();
    if (config.password() == null) {
      missing.add("a password (--requirepass): anyone who can reach it can use the cluster");
    }
    if (config.adminToken() == null) {
      missing.add("an admin token (--admin-token): anyone who can reach the admin API can change the cluster");
    }
    return "listening on " + config.bind() + " (not loopback) without " + String.join(", and without ", missing);
  }

  public int adminPort() {
    return adminAddress.getPort();
  }

  /** The RESP proxy port. */
  public int port() {
    return proxy.port();
  }

  /** Clients connected to the RESP proxy port now. */
  public int proxyConnectedClients() {
    return proxy.connectedClients();
  }

  /** The RESP proxy's counters. */
  public io.ringcache.router.proxy.ProxyStats proxyStats() {
    return proxy.stats();
  }

  /** The current topology. */
  public Topology topology() {
    return store.current();
  }

  /** The router's metrics ({@code GET /metrics} on the admin port). */
  RouterMetrics metrics() {
    return metrics;
  }

  ScaleCoordinator coordinator() {
    return coordinator;
  }

  Map<String, Object> health() {
    Topology t = store.current();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("status", "UP");
    json.put("epoch", t.epoch());
    json.put("nodes", t.nodes().size());
    json.put("nodesInRing", t.ring().nodeNames().size());
    json.put("handoffs", t.handoffs().size());
    return json;
  }

  Map<String, Object> handoffs() {
    Topology t = store.current();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("epoch", t.epoch());
    List<ScaleEvent> events = coordinator.history();
    ScaleEvent latest = events.isEmpty() ? null : events.get(0);
    List<Map<String, Object>> handoffs = new ArrayList<>();
    for (var h : t.handoffs()) {
      Map<String, Object> hj = new LinkedHashMap<>();
      hj.put("id", h.id());
      hj.put("from", h.from());
      hj.put("to", h.to());
      hj.put("phase", h.phase());
      hj.put("ranges", h.ranges().size());
      ScaleEvent.Progress p = latest == null ? null : latest.progress.get(h.id());
      hj.put("keysMoved", p == null ? 0 : p.moved());
      hj.put("keysTotal", p == null ? 0 : p.total());
      handoffs.add(hj);
    }
    json.put("handoffs", handoffs);
    json.put("events", events.stream().map(ScaleEvent::toJson).toList());
    return json;
  }

  Map<String, Object> event(String id) {
    ScaleEvent event = coordinator.event(id);
    if (event == null) {
      throw ApiException.notFound("no such event: " + id);
    }
    return event.toJson();
  }

  List<Map<String, Object>> nodes() {
    Topology t = store.current();
    HashRing ring = t.ring();
    return t.nodes().stream().map(n -> nodeDetails(n, ring)).toList();
  }

  Map<String, Object> node(String name) {
    Topology t = store.current();
    NodeInfo node = t.node(name).orElseThrow(() -> ApiException.notFound("no such node: " + name));
    return nodeDetails(node, t.ring());
  }

  private Map<String, Object> nodeDetails(NodeInfo n, HashRing ring) {
    Map<String, Object> json = AdminServer.nodeJson(n, ring);
    Long keys = null;
    Long memory = null;
    try {
      keys = (Long) probePool.call(n.address(), "DBSIZE");
      String info = NodeClient.text(probePool.call(n.address(), "INFO", "memory"));
      for (String line : info.split("\r?\n")) {
        if (line.startsWith("used_memory:")) {
          memory = Long.parseLong(line.substring("used_memory:".length()).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      json.put("error", e.getMessage());
    }
    json.put("keys", keys);
    json.put("memoryBytes", memory);
    HealthChecker.Health h = health.healthOf(n.name());
    json.put("healthMisses", h == null ? null : h.misses());
    json.put("lastSeen", h == null || h.lastSeen() == null ? null : h.lastSeen().toString());
    // what the node reported at its last answer: ms of lease left (-1: it never held one, and a
    // --cluster member serves nothing until it does)
    json.put("leaseMillis", h == null ? null : h.leaseLeftMillis());
    return json;
  }

  /** Stops everything; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    proxy.close();
    health.close();
    coordinator.close();
    admin.close();
    adminExecutor.shutdownNow();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    pool.close();
    probePool.close();
    heartbeatPool.close();
    metrics.close();
    log.info("router stopped");
  }

  private static boolean isLoopbackAddress(String address) {
    try {
      return HostPort.isLoopback(HostPort.parse(address).host());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
