package io.ringcache.router;

import io.ringcache.resp.RespLimits;
import io.ringcache.ring.NodeInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a router runs. Build with {@link #builder()}; every setter documents its default. An empty
 * admin token or password is the same as none.
 */
public record RouterConfig(
    String bind,
    int port,
    int adminPort,
    Path dataDir,
    List<NodeInfo> initialNodes,
    String adminToken,
    String password,
    Duration healthInterval,
    int healthMisses,
    Path tlsKeystore,
    String tlsKeystorePassword,
    boolean nodeTls,
    Path tlsCaCert,
    long proxyMaxOutputBuffer,
    Duration proxyOutputStallTimeout,
    String clusterSecret,
    List<String> nodeAllow,
    boolean metricsRequireToken,
    Duration lease,
    int proxyMaxClients,
    long proxyMaxClientsMemory,
    Duration authTimeout,
    String hashTag,
    int proxyThreads,
    int proxyTcpKeepaliveSeconds) {

  /**
   * Default of {@link Builder#lease}: 15 s (Redis Cluster's default node timeout). Long enough that
   * a supervised router restart (a JVM start and a health check) fits inside it several times over,
   * even on a loaded machine, so the data plane does not notice one; a node that stops answering
   * without refusing connections (paused, partitioned) is ejected only after it, so its keys wait
   * that long for a new owner.
   */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);

  /** Default of {@link Builder#proxyMaxOutputBuffer}: 64 MiB, as a node's max-output-buffer. */
  public static final long DEFAULT_PROXY_MAX_OUTPUT_BUFFER = RespLimits.DEFAULT_MAX_OUTPUT_BUFFER;

  /** Default of {@link Builder#proxyOutputStallTimeout}: 60 s, as a node's output-stall-timeout. */
  public static final Duration DEFAULT_PROXY_OUTPUT_STALL_TIMEOUT =
      Duration.ofSeconds(RespLimits.DEFAULT_OUTPUT_STALL_SECONDS);

  /** Default of {@link Builder#proxyMaxClients}: 10,000, as a node's max-clients. */
  public static final int DEFAULT_PROXY_MAX_CLIENTS = RespLimits.DEFAULT_MAX_CLIENTS;

  /** Default of {@link Builder#proxyMaxClientsMemory}: 0, a quarter of the JVM's max heap (at least 64 MiB). */
  public static final long DEFAULT_PROXY_MAX_CLIENTS_MEMORY = RespLimits.DEFAULT_MAX_CLIENTS_MEMORY;

  /**
   * Default of {@link Builder#proxyThreads}: 0, one per core. One loop per two cores (a node's
   * default) used less CPU per request but lost requests/s on an oversubscribed machine
   * (docs/benchmarks.md, "Proxy: CPU and system calls per request at -P 1").
   */
  public static final int DEFAULT_PROXY_THREADS = 0;

  /** Default of {@link Builder#authTimeout}: 10 s, as a node's auth-timeout. */
  public static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(RespLimits.DEFAULT_AUTH_TIMEOUT_SECONDS);

  public RouterConfig {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(proxyOutputStallTimeout, "proxyOutputStallTimeout");
    initialNodes = List.copyOf(initialNodes);
    nodeAllow = nodeAllow == null ? null : List.copyOf(nodeAllow);
    // an empty secret, token or password (docker compose passes ${CACHE_ADMIN_TOKEN:-} as "") means none
    clusterSecret = clusterSecret == null || clusterSecret.isEmpty() ? null : clusterSecret;
    adminToken = adminToken == null || adminToken.isEmpty() ? null : adminToken;
    password = password == null || password.isEmpty() ? null : password;
    if (tlsCaCert != null && !nodeTls) {
      throw new IllegalArgumentException("tls-ca-cert is for dialling nodes with TLS: set node-tls too");
    }
    if (proxyMaxOutputBuffer <= 0) {
      throw new IllegalArgumentException("proxy-max-output-buffer must be positive: " + proxyMaxOutputBuffer);
    }
    Objects.requireNonNull(lease, "lease");
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("lease must be positive: " + lease);
    }
    if (proxyOutputStallTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "proxy-output-stall-timeout must not be negative (0 turns it off): " + proxyOutputStallTimeout);
    }
    Objects.requireNonNull(authTimeout, "authTimeout");
    if (proxyMaxClients <= 0) {
      throw new IllegalArgumentException("proxy-max-clients must be positive: " + proxyMaxClients);
    }
    if (proxyMaxClientsMemory < 0) {
      throw new IllegalArgumentException(
          "proxy-max-clients-memory must not be negative (0 picks a quarter of the heap): " + proxyMaxClientsMemory);
    }
    if (authTimeout.isNegative()) {
      throw new IllegalArgumentException("auth-timeout must not be negative (0 turns it off): " + authTimeout);
    }
    hashTag = io.ringcache.ring.HashTag.of(hashTag).spec(); // validated; "" (an unset env) is none
    if (proxyThreads < 0) {
      throw new IllegalArgumentException("proxy-threads must not be negative (0 picks one per core): " + proxyThreads);
    }
    if (proxyTcpKeepaliveSeconds < 0) {
      throw new IllegalArgumentException("proxy-tcp-keepalive must not be negative (0 turns it off): "
          + proxyTcpKeepaliveSeconds);
    }
  }

  /** The proxy's event loops: {@link #proxyThreads}, or one per core when it is 0. */
  public int effectiveProxyThreads() {
    return proxyThreads > 0 ? proxyThreads : Runtime.getRuntime().availableProcessors();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link RouterConfig}. */
  public static final class Builder {
    private String bind = "127.0.0.1";
    private int port = 7000;
    private int adminPort = 7070;
    private Path dataDir = Path.of("data/router");
    private List<NodeInfo> initialNodes = List.of();
    private String adminToken;
    private String password;
    private Duration healthInterval = Duration.ofMillis(500);
    private int healthMisses = 3;
    private Path tlsKeystore;
    private String tlsKeystorePassword;
    private boolean nodeTls;
    private Path tlsCaCert;
    private long proxyMaxOutputBuffer = DEFAULT_PROXY_MAX_OUTPUT_BUFFER;
    private Duration proxyOutputStallTimeout = DEFAULT_PROXY_OUTPUT_STALL_TIMEOUT;
    private Duration lease = DEFAULT_LEASE;
    private String clusterSecret;
    private List<String> nodeAllow;
    private boolean metricsRequireToken;
    private int proxyMaxClients = DEFAULT_PROXY_MAX_CLIENTS;
    private long proxyMaxClientsMemory = DEFAULT_PROXY_MAX_CLIENTS_MEMORY;
    private Duration authTimeout = DEFAULT_AUTH_TIMEOUT;
    private String hashTag;
    private int proxyThreads = DEFAULT_PROXY_THREADS;
    private int proxyTcpKeepaliveSeconds = io.ringcache.resp.net.DeadPeers.DEFAULT_CLIENT_KEEPALIVE_SECONDS;

    /**
     * How long a node may serve keys after a health check renewed its lease. Defaults to 15 s.
     * See {@link #DEFAULT_LEASE}.
     */
    public Builder lease(Duration lease) {
      this.lease = lease;
      return this;
    }

    /** Address to listen on. Default {@code 127.0.0.1}. */
    public Builder bind(String bind) {
      this.bind = bind;
      return this;
    }

    /** RESP port; 0 picks a free one. Default 7000. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Admin HTTP port; 0 picks a free one. Default 7070. */
    public Builder adminPort(int adminPort) {
      this.adminPort = adminPort;
      return this;
    }

    /** Where the topology is persisted. Default {@code data/router}. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** Nodes of the first topology, used only when the data directory holds none. Default none. */
    public Builder initialNodes(List<NodeInfo> nodes) {
      this.initialNodes = nodes;
      return this;
    }

    /** Token the admin API requires ({@code Authorization: Bearer TOKEN}). Default none: no token. */
    public Builder adminToken(String token) {
      this.adminToken = token;
      return this;
    }

    /**
     * Password of clients and of the nodes the router talks to (the proxy's connections, and the
     * control connections when there is no cluster secret). Default none.
     */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /** Time between health checks, also each probe's timeout. Default 500 ms. */
    public Builder healthInterval(Duration interval) {
      this.healthInterval = interval;
      return this;
    }

    /** Consecutive missed health checks after which a node is DOWN and ejected. Default 3. */
    public Builder healthMisses(int misses) {
      this.healthMisses = misses;
      return this;
    }

    /**
     * A PKCS#12 keystore with the key and certificate the RESP port presents: with it, the port
     * speaks TLS only. Default none: plaintext.
     */
    public Builder tls(Path keystore, String keystorePassword) {
      this.tlsKeystore = keystore;
      this.tlsKeystorePassword = keystorePassword;
      return this;
    }

    /**
     * Dial nodes (health checks, topology pushes, handoff steps, proxied requests) with TLS, for a
     * cluster whose nodes speak it. Default false: plaintext.
     */
    public Builder nodeTls(boolean nodeTls) {
      this.nodeTls = nodeTls;
      return this;
    }

    /**
     * Bytes of replies the RESP proxy port may hold for one client; a client whose replies exceed
     * it is closed at once. Default 64 MiB.
     */
    public Builder proxyMaxOutputBuffer(long bytes) {
      this.proxyMaxOutputBuffer = bytes;
      return this;
    }

    /**
     * PEM certificates trusted when dialling nodes with TLS; a node's certificate must also name
     * the host it is dialled at. Default none: the JDK's authorities.
     */
    public Builder tlsCaCert(Path caCert) {
      this.tlsCaCert = caCert;
      return this;
    }

    /**
     * How long a proxy client's replies may stay above the write-buffer high watermark (1 MiB),
     * not read, before the client is closed; {@link Duration#ZERO} for never. Default 60 s.
     */
    public Builder proxyOutputStallTimeout(Duration timeout) {
      this.proxyOutputStallTimeout = timeout;
      return this;
    }

    /**
     * The cluster secret: the router's control connections authenticate to nodes as the cluster
     * user ({@code AUTH ringcache-cluster SECRET}) with it, as the nodes' RING.* commands require
     * when they have one. Default none: the router authenticates with the password, and nodes
     * accept its RING.* commands only over loopback.
     */
    public Builder clusterSecret(String clusterSecret) {
      this.clusterSecret = clusterSecret;
      return this;
    }

    /**
     * Hosts {@code POST /nodes} may admit: {@code loopback}, CIDR blocks, host globs, or {@code *}
     * for any (see {@link io.ringcache.router.control.NodeAllowList}). Default null: loopback plus the hosts of the nodes the
     * router starts with.
     */
    public Builder nodeAllow(List<String> entries) {
      this.nodeAllow = entries;
      return this;
    }

    /**
     * With an admin token set: whether {@code GET /metrics} requires it (401 without). Default
     * false: without the token it is served without the series that name nodes.
     */
    public Builder metricsRequireToken(boolean require) {
      this.metricsRequireToken = require;
      return this;
    }

    /**
     * Concurrent clients of the RESP proxy port; one more is answered
     * {@code -ERR max number of clients reached} and closed. Lowered at start when the open-files
     * limit leaves too few descriptors. Defaults to 10,000. See {@link #DEFAULT_PROXY_MAX_CLIENTS}.
     */
    public Builder proxyMaxClients(int clients) {
      this.proxyMaxClients = clients;
      return this;
    }

    /**
     * Bytes all proxy clients' query and output buffers may hold together; beyond it the largest
     * are closed first. Defaults to 0: a quarter of the JVM's max heap, at least 64 MiB. See
     * {@link #DEFAULT_PROXY_MAX_CLIENTS_MEMORY}.
     */
    public Builder proxyMaxClientsMemory(long bytes) {
      this.proxyMaxClientsMemory = bytes;
      return this;
    }

    /**
     * How long a proxy client may stay unauthenticated, when a password is set, before it is
     * closed; {@link Duration#ZERO} for never. Defaults to 10 s. See {@link #DEFAULT_AUTH_TIMEOUT}.
     */
    public Builder authTimeout(Duration timeout) {
      this.authTimeout = timeout;
      return this;
    }

    /**
     * Hash tags for a new cluster's placement: {@code "{}"} hashes only the part of a key between the
     * first {@code {} and the next {@code }} when it is not empty (twemproxy's {@code hash_tag},
     * Redis Cluster's tags), so that related keys share a node. Written into the topology, which
     * nodes, the proxy and clients follow; a router whose persisted topology says otherwise refuses
     * to start. Defaults to null: no tags, every key hashed whole, as nginx places it.
     */
    public Builder hashTag(String spec) {
      this.hashTag = spec;
      return this;
    }

    /**
     * Event loops of the RESP proxy port; each holds its own connection to every node, shared by
     * its clients. Fewer loops make bigger batches per node and fewer wake-ups (less CPU per
     * request); more keep serving while one loop's thread waits for a core. Defaults to 0: one
     * per core. See {@link #DEFAULT_PROXY_THREADS}.
     */
    public Builder proxyThreads(int threads) {
      this.proxyThreads = threads;
      return this;
    }

    /**
     * Seconds a proxy client's connection stays idle before the kernel probes whether its peer is
     * still there (then every third of it, closed after 3 unanswered), as Redis's {@code
     * tcp-keepalive}; default {@value io.ringcache.resp.net.DeadPeers#DEFAULT_CLIENT_KEEPALIVE_SECONDS}, 0 for off.
     */
    public Builder proxyTcpKeepalive(int seconds) {
      this.proxyTcpKeepaliveSeconds = seconds;
      return this;
    }

    public RouterConfig build() {
      return new RouterConfig(bind, port, adminPort, dataDir, initialNodes, adminToken, password, healthInterval,
          healthMisses, tlsKeystore, tlsKeystorePassword, nodeTls, tlsCaCert, proxyMaxOutputBuffer,
          proxyOutputStallTimeout, clusterSecret, nodeAllow, metricsRequireToken, lease, proxyMaxClients,
          proxyMaxClientsMemory, authTimeout, hashTag, proxyThreads, proxyTcpKeepaliveSeconds);
    }
  }
}
