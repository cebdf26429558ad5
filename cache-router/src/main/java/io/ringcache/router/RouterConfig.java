package io.ringcache.router;

import io.ringcache.node.NodeConfig;
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
    Duration streamTimeout,
    Path tlsKeystore,
    String tlsKeystorePassword,
    boolean nodeTls,
    Path tlsCaCert,
    long proxyMaxOutputBuffer,
    Duration proxyOutputStallTimeout) {

  /** Default of {@link Builder#proxyMaxOutputBuffer}: 64 MiB, as a node's max-output-buffer. */
  public static final long DEFAULT_PROXY_MAX_OUTPUT_BUFFER = NodeConfig.Limits.DEFAULT_MAX_OUTPUT_BUFFER;

  /** Default of {@link Builder#proxyOutputStallTimeout}: 60 s, as a node's output-stall-timeout. */
  public static final Duration DEFAULT_PROXY_OUTPUT_STALL_TIMEOUT =
      Duration.ofSeconds(NodeConfig.Limits.DEFAULT_OUTPUT_STALL_SECONDS);

  public RouterConfig {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(proxyOutputStallTimeout, "proxyOutputStallTimeout");
    initialNodes = List.copyOf(initialNodes);
    // an empty token or password (docker compose passes ${CACHE_ADMIN_TOKEN:-} as "") means none
    adminToken = adminToken == null || adminToken.isEmpty() ? null : adminToken;
    password = password == null || password.isEmpty() ? null : password;
    if (tlsCaCert != null && !nodeTls) {
      throw new IllegalArgumentException("tls-ca-cert is for dialling nodes with TLS: set node-tls too");
    }
    if (proxyMaxOutputBuffer <= 0) {
      throw new IllegalArgumentException("proxy-max-output-buffer must be positive: " + proxyMaxOutputBuffer);
    }
    if (proxyOutputStallTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "proxy-output-stall-timeout must not be negative (0 turns it off): " + proxyOutputStallTimeout);
    }
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
    private Duration streamTimeout = Duration.ofMinutes(30);
    private Path tlsKeystore;
    private String tlsKeystorePassword;
    private boolean nodeTls;
    private Path tlsCaCert;
    private long proxyMaxOutputBuffer = DEFAULT_PROXY_MAX_OUTPUT_BUFFER;
    private Duration proxyOutputStallTimeout = DEFAULT_PROXY_OUTPUT_STALL_TIMEOUT;

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

    /** Password of clients and of the nodes the router talks to. Default none. */
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

    /** Longest one handoff may stream before its event fails. Default 30 minutes. */
    public Builder streamTimeout(Duration timeout) {
      this.streamTimeout = timeout;
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

    public RouterConfig build() {
      return new RouterConfig(bind, port, adminPort, dataDir, initialNodes, adminToken, password, healthInterval,
          healthMisses, streamTimeout, tlsKeystore, tlsKeystorePassword, nodeTls, tlsCaCert, proxyMaxOutputBuffer,
          proxyOutputStallTimeout);
    }
  }
}
