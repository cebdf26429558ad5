package io.ringcache.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The client's settings, immutable. Built with {@link CacheClient#builder()}; every setter there
 * documents its default.
 */
public final class ClientOptions {

  /** How long {@code build()} may spend on each seed: connect, {@code AUTH}, {@code RING.TOPOLOGY}. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(10);

  /** The largest key the client sends: the nodes' default {@code --max-key-size} (16 KiB). */
  public static final int DEFAULT_MAX_KEY_SIZE = 16 * 1024;

  /** The largest value the client sends: the nodes' default {@code --max-value-size} (16 MiB). */
  public static final int DEFAULT_MAX_VALUE_SIZE = 16 * 1024 * 1024;

  /** How often the topology is fetched when nothing else prompts it. */
  public static final Duration DEFAULT_TOPOLOGY_REFRESH_PERIOD = Duration.ofSeconds(5);

  private final List<String> seeds;
  private final String password;
  private final Duration connectTimeout;
  private final Duration commandTimeout;
  private final Duration startupTimeout;
  private final int maxKeySize;
  private final int maxValueSize;
  private final int maxRedirects;
  private final int maxTryAgainRetries;
  private final Duration topologyRefreshPeriod;
  private final Duration reconnectDelay;
  private final int maxInFlightPerNode;
  private final int ioThreads;
  private final boolean tls;
  private final Path tlsCaCert;
  private final ClientMetrics metrics;

  ClientOptions(CacheClient.Builder b) {
    this.seeds = List.copyOf(b.seeds);
    this.password = b.password;
    this.connectTimeout = b.connectTimeout;
    this.commandTimeout = b.commandTimeout;
    this.startupTimeout = b.startupTimeout;
    this.maxKeySize = b.maxKeySize;
    this.maxValueSize = b.maxValueSize;
    this.maxRedirects = b.maxRedirects;
    this.maxTryAgainRetries = b.maxTryAgainRetries;
    this.topologyRefreshPeriod = b.topologyRefreshPeriod;
    this.reconnectDelay = b.reconnectDelay;
    this.maxInFlightPerNode = b.maxInFlightPerNode;
    this.ioThreads = b.ioThreads;
    this.tls = b.tls;
    this.tlsCaCert = b.tlsCaCert;
    this.metrics = b.metrics;
  }

  /** Where the client first asks for the topology: nodes or the router's RESP port, {@code host:port}. */
  public List<String> seeds() {
    return seeds;
  }

  /** The password sent with {@code AUTH} on every connection; {@code null} for none. */
  public String password() {
    return password;
  }

  /** Whether every connection (seeds and nodes) speaks TLS. */
  public boolean tls() {
    return tls;
  }

  /** The PEM certificates trusted for TLS; {@code null} for the JDK's default authorities. */
  public Path tlsCaCert() {
    return tlsCaCert;
  }

  /** How long opening a connection to a node may take. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** How long an operation may take, its redirects and retries included. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /**
   * How long {@code build()} waits for each seed (connect, {@code AUTH} and {@code RING.TOPOLOGY}),
   * independently of the command timeout.
   */
  public Duration startupTimeout() {
    return startupTimeout;
  }

  /** The largest key, in bytes, the client sends; larger ones are refused before sending. */
  public int maxKeySize() {
    return maxKeySize;
  }

  /** The largest value, in bytes, the client sends; larger ones are refused before sending. */
  public int maxValueSize() {
    return maxValueSize;
  }

  /** How many {@code -MOVED} redirects one operation follows before it fails. */
  public int maxRedirects() {
    return maxRedirects;
  }

  /** How many times one operation is retried after {@code -TRYAGAIN} before it fails. */
  public int maxTryAgainRetries() {
    return maxTryAgainRetries;
  }

  /** How often the client asks for the topology to see whether its epoch changed; zero: never. */
  public Duration topologyRefreshPeriod() {
    return topologyRefreshPeriod;
  }

  /** How long operations for a node that could not be reached fail fast before the client tries again. */
  public Duration reconnectDelay() {
    return reconnectDelay;
  }

  /** The most requests that may wait for replies from one node. */
  public int maxInFlightPerNode() {
    return maxInFlightPerNode;
  }

  /** Where operations, redirects, retries and refreshes are reported; {@link ClientMetrics#NONE} by default. */
  public ClientMetrics metrics() {
    return metrics;
  }

  /** The number of Netty event loop threads. */
  public int ioThreads() {
    return ioThreads;
  }

  @Override
  public String toString() {
    return "ClientOptions{seeds="
        + seeds
        + ", password="
        + (password == null ? "none" : "***")
        + ", connectTimeout="
        + connectTimeout
        + ", commandTimeout="
        + commandTimeout
        + ", startupTimeout="
        + startupTimeout
        + ", maxKeySize="
        + maxKeySize
        + ", maxValueSize="
        + maxValueSize
        + ", maxRedirects="
        + maxRedirects
        + ", maxTryAgainRetries="
        + maxTryAgainRetries
        + ", topologyRefreshPeriod="
        + topologyRefreshPeriod
        + ", reconnectDelay="
        + reconnectDelay
        + ", maxInFlightPerNode="
        + maxInFlightPerNode
        + ", ioThreads="
        + ioThreads
        + ", tls="
        + (!tls ? "off" : tlsCaCert == null ? "on" : "on (trusting " + tlsCaCert + ")")
        + (metrics == ClientMetrics.NONE ? "" : ", metrics=" + metrics)
        + "}";
  }
}
