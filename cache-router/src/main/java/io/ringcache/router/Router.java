package io.ringcache.router;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.handler.ssl.SslContext;
import io.ringcache.resp.net.HostPort;
import io.ringcache.resp.net.Tls;
import io.ringcache.resp.net.Transport;
import io.ringcache.ring.Topology;
import io.ringcache.router.admin.AdminServer;
import io.ringcache.router.control.ControlPlane;
import io.ringcache.router.control.Describe;
import io.ringcache.router.control.HealthChecker;
import io.ringcache.router.control.NodeAllowList;
import io.ringcache.router.control.ScaleCoordinator;
import io.ringcache.router.metrics.RouterMetrics;
import io.ringcache.router.proxy.ProxyServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A router: the cluster's control plane ({@link ControlPlane}: owns and persists the topology,
 * pushes it to nodes, checks their health, runs scale events), its admin HTTP API ({@link
 * AdminServer}) and its RESP proxy port ({@link ProxyServer}), started and stopped together. Start
 * one with {@link #start}; tests start it on ephemeral ports.
 */
public final class Router implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Router.class);

  private final RouterConfig config;
  private final ControlPlane control;
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
    this.control = ControlPlane.open(config.dataDir(), config.initialNodes(), config.hashTag(), config.password(),
        config.clusterSecret(), nodeSockets, config.healthInterval(), config.healthMisses(), config.lease());
    Topology initial = control.topology();
    // bounded: a flood of admin requests is answered 503 at once instead of queueing without end
    this.adminExecutor = new java.util.concurrent.ThreadPoolExecutor(AdminServer.THREADS, AdminServer.THREADS, 0,
        TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(AdminServer.QUEUE), r -> {
          Thread thread = new Thread(r, "ringcache-admin");
          thread.setDaemon(true);
          return thread;
        });
    this.boss = transport.newGroup(1);
    this.workers = transport.newGroup(2);
    this.nodeAllow = NodeAllowList.of(config.nodeAllow() != null ? config.nodeAllow() : NodeAllowList.defaultEntries(initial));
    this.metrics = new RouterMetrics(new RouterMetrics.Source() {
      @Override
      public Topology topology() {
        return control.topology();
      }

      @Override
      public List<RouterMetrics.Event> events() {
        return control.events().stream()
            .map(e -> new RouterMetrics.Event(e.id(), e.kind().name(), e.status().name(), e.keysMoved(), e.keysTotal()))
            .toList();
      }

      @Override
      public int healthMisses(String node) {
        HealthChecker.Health h = control.health(node);
        return h == null ? -1 : h.misses();
      }
    });
    this.admin = new AdminServer(control, metrics, config.adminToken(), adminExecutor, nodeAllow,
        config.metricsRequireToken());
    this.proxy = new ProxyServer(this::topology, config.password(), config.effectiveProxyThreads())
        .outputLimits(config.proxyMaxOutputBuffer(), config.proxyOutputStallTimeout())
        .clientLimits(config.proxyMaxClients(), config.proxyMaxClientsMemory(), config.authTimeout())
        .clientKeepalive(config.proxyTcpKeepaliveSeconds());
    if (proxyTls != null) {
      proxy.tls(proxyTls);
    }
    if (nodeTls != null) {
      proxy.nodeTls(nodeTls);
    }
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
    Topology t = control.topology();
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
    control.start();
    proxy.start(config.bind(), config.port());
    control.startHealthChecks();
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
    return control.topology();
  }

  /** The router's metrics ({@code GET /metrics} on the admin port). */
  RouterMetrics metrics() {
    return metrics;
  }

  ScaleCoordinator coordinator() {
    return control.coordinator();
  }

  /** Stops everything; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    proxy.close();
    control.close();
    admin.close();
    adminExecutor.shutdownNow();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
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
