package io.ringcache.client;

import io.ringcache.resp.net.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A ringcache client: routes each key straight to the node that owns it, following the cluster's
 * topology. Create one per application with {@link #builder()} and share it between threads; close
 * it when the application stops.
 *
 * <pre>{@code
 * try (CacheClient cache = CacheClient.builder().seeds("127.0.0.1:7000").build()) {
 *   cache.put("user:1", "alice");
 *   String v = cache.get("user:1");
 *   CompletableFuture<String> f = cache.async().get("user:1");
 * }
 * }</pre>
 *
 * <p>The client itself offers the blocking operations on {@code String} keys and values, encoded
 * as UTF-8; {@link #async()} the same operations non-blocking, {@link #binary()} and {@link
 * #binaryAsync()} the same on {@code byte[]} keys and values, {@link #withCodec} and {@link
 * #asyncWithCodec} on any types a {@link Codec} encodes (JSON with {@link JsonCodec}). All views
 * share the connections.
 */
public interface CacheClient extends CacheCommands<String, String>, AutoCloseable {

  /** A builder with every option at its default. */
  static Builder builder() {
    return new Builder();
  }

  /** The non-blocking view with {@code String} keys and values. */
  AsyncCacheCommands<String, String> async();

  /** The blocking view with {@code byte[]} keys and values. */
  CacheCommands<byte[], byte[]> binary();

  /** The non-blocking view with {@code byte[]} keys and values. */
  AsyncCacheCommands<byte[], byte[]> binaryAsync();

  /**
   * The blocking view whose keys and values {@code codec} turns into bytes and back, sharing the
   * client's connections: {@code cache.withCodec(JsonCodec.of(User.class))}. Cheap: make one per
   * type and keep it.
   */
  <K, V> CacheCommands<K, V> withCodec(Codec<K, V> codec);

  /** The non-blocking view with {@code codec}, as {@link #withCodec}. */
  <K, V> AsyncCacheCommands<K, V> asyncWithCodec(Codec<K, V> codec);

  /** The epoch of the topology the client routes with; 0 for a standalone node. */
  long topologyEpoch();

  /**
   * Asks the seeds (and the known nodes) for the topology now and adopts it if its epoch is newer;
   * returns the epoch in use afterwards. Failures are logged, not thrown: the client keeps its
   * last topology.
   */
  long refreshTopology();

  /** The options the client was built with. */
  ClientOptions options();

  /**
   * Fails every pending operation (queued, in flight, or waiting to be retried) with {@link
   * CacheClosedException}, waking blocked callers, then closes every connection and stops the I/O
   * threads. Operations started afterwards fail the same way.
   */
  @Override
  void close();

  /** Builds a {@link CacheClient}; every setter documents its default. Not thread-safe. */
  final class Builder {

    List<String> seeds = List.of("127.0.0.1:7000");
    String password;
    Duration connectTimeout = Duration.ofSeconds(2);
    Duration commandTimeout = Duration.ofSeconds(2);
    Duration startupTimeout = ClientOptions.DEFAULT_STARTUP_TIMEOUT;
    int maxKeySize = ClientOptions.DEFAULT_MAX_KEY_SIZE;
    int maxValueSize = ClientOptions.DEFAULT_MAX_VALUE_SIZE;
    int maxRedirects = 5;
    int maxTryAgainRetries = 10;
    Duration topologyRefreshPeriod = ClientOptions.DEFAULT_TOPOLOGY_REFRESH_PERIOD;
    Duration reconnectDelay = Duration.ofMillis(200);
    int maxInFlightPerNode = 10_000;
    int ioThreads = Runtime.getRuntime().availableProcessors();
    boolean tls;
    Path tlsCaCert;
    ClientMetrics metrics = ClientMetrics.NONE;

    Builder() {}

    /**
     * Where to fetch the topology first, {@code host:port} each: any node of the cluster, or the
     * router's RESP port. They are tried in order until one answers, so list the router and a few
     * nodes and the client starts even while the router is down. Default {@code 127.0.0.1:7000} (the
     * router).
     */
    public Builder seeds(String... seeds) {
      return seeds(Arrays.asList(seeds));
    }

    /** As {@link #seeds(String...)}. */
    public Builder seeds(List<String> seeds) {
      List<String> copy = new ArrayList<>();
      for (String seed : seeds) {
        HostPort.parse(seed);
        copy.add(seed);
      }
      require(!copy.isEmpty(), "at least one seed is needed");
      this.seeds = copy;
      return this;
    }

    /** The password for {@code AUTH} on every connection. Default: none. */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /**
     * Speak TLS on every connection, to the seeds and to the nodes (for a cluster whose nodes run
     * with {@code --tls-keystore} and a router with {@code --tls-keystore}), trusting the JDK's
     * default authorities. A server's certificate must name the host the client dials (the
     * addresses in the topology and the seeds). Default false: plaintext.
     */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /**
     * Speak TLS as {@link #tls(boolean)}, trusting the PEM certificates in {@code caCert} (the
     * cluster's CA, or the servers' self-signed certificates) instead of the JDK's authorities.
     */
    public Builder tlsCaCert(Path caCert) {
      require(caCert != null, "the CA certificate file must not be null");
      this.tls = true;
      this.tlsCaCert = caCert;
      return this;
    }

    /** How long opening a connection may take. Default 2 seconds. */
    public Builder connectTimeout(Duration timeout) {
      require(timeout.toMillis() > 0, "connect timeout must be at least 1 ms: " + timeout);
      this.connectTimeout = timeout;
      return this;
    }

    /**
     * How long one operation may take, redirects and retries included; then it fails with {@link
     * CacheTimeoutException}. Default 2 seconds.
     */
    public Builder commandTimeout(Duration timeout) {
      require(timeout.toMillis() > 0, "command timeout must be at least 1 ms: " + timeout);
      this.commandTimeout = timeout;
      return this;
    }

    /**
     * How long {@link #build()} waits for each seed to connect, authenticate and answer {@code
     * RING.TOPOLOGY} before it tries the next seed. Independent of {@link #commandTimeout}: a cold
     * JVM's first connection may take far longer than a warm request. Defaults to 10 seconds. See
     * {@link ClientOptions#DEFAULT_STARTUP_TIMEOUT}.
     */
    public Builder startupTimeout(Duration timeout) {
      require(timeout.toMillis() > 0, "startup timeout must be at least 1 ms: " + timeout);
      this.startupTimeout = timeout;
      return this;
    }

    /**
     * The largest key, in bytes, the client sends: a longer one is refused with {@link
     * IllegalArgumentException} before anything is sent. Set it to the nodes' {@code
     * --max-key-size}. Defaults to 16 KiB. See {@link ClientOptions#DEFAULT_MAX_KEY_SIZE}.
     */
    public Builder maxKeySize(int bytes) {
      require(bytes > 0, "max key size must be positive: " + bytes);
      this.maxKeySize = bytes;
      return this;
    }

    /**
     * The largest value, in bytes, the client sends: a larger one is refused with {@link
     * IllegalArgumentException} before anything is sent (a node would refuse it, or drop the
     * connection with every request on it when it exceeds its bulk length). Set it to the nodes'
     * {@code --max-value-size}. Defaults to 16 MiB. See {@link ClientOptions#DEFAULT_MAX_VALUE_SIZE}.
     */
    public Builder maxValueSize(int bytes) {
      require(bytes > 0, "max value size must be positive: " + bytes);
      this.maxValueSize = bytes;
      return this;
    }

    /**
     * How many {@code -MOVED} redirects one operation follows; one more fails it with {@link
     * CacheRedirectException}. Default 5.
     */
    public Builder maxRedirects(int maxRedirects) {
      require(maxRedirects >= 0, "max redirects must not be negative: " + maxRedirects);
      this.maxRedirects = maxRedirects;
      return this;
    }

    /**
     * How many times one operation is retried after {@code -TRYAGAIN}, with a backoff that starts at
     * 2 ms and doubles up to 100 ms. Default 10 (about half a second in all).
     */
    public Builder maxTryAgainRetries(int retries) {
      require(retries >= 0, "max TRYAGAIN retries must not be negative: " + retries);
      this.maxTryAgainRetries = retries;
      return this;
    }

    /**
     * How often the client fetches the topology to see whether its epoch changed; {@link
     * Duration#ZERO} turns the periodic refresh off (redirects, lost connections and timeouts still
     * refresh). Defaults to 5 seconds. See {@link ClientOptions#DEFAULT_TOPOLOGY_REFRESH_PERIOD}.
     */
    public Builder topologyRefreshPeriod(Duration period) {
      require(!period.isNegative(), "refresh period must not be negative: " + period);
      this.topologyRefreshPeriod = period;
      return this;
    }

    /**
     * After a node could not be reached, how long operations for it fail fast before the client
     * tries to connect again. Default 200 ms.
     */
    public Builder reconnectDelay(Duration delay) {
      require(!delay.isNegative(), "reconnect delay must not be negative: " + delay);
      this.reconnectDelay = delay;
      return this;
    }

    /**
     * The most requests waiting for replies from one node. A blocking caller waits for room (within
     * the command timeout); a non-blocking one fails with {@link CacheOverloadException}. Default
     * 10000.
     */
    public Builder maxInFlightPerNode(int max) {
      require(max > 0, "max in flight must be positive: " + max);
      this.maxInFlightPerNode = max;
      return this;
    }

    /**
     * Where the client reports each operation, redirect, retry and topology refresh: {@code
     * MicrometerMetrics.of(registry)} for Micrometer meters, or an implementation of one's own.
     * Defaults to {@link ClientMetrics#NONE} (nothing recorded, nothing measured).
     */
    public Builder metrics(ClientMetrics metrics) {
      require(metrics != null, "metrics must not be null (ClientMetrics.NONE records nothing)");
      this.metrics = metrics;
      return this;
    }

    /** The number of I/O threads. Default: the number of available processors. */
    public Builder ioThreads(int threads) {
      require(threads > 0, "I/O threads must be positive: " + threads);
      this.ioThreads = threads;
      return this;
    }

    /** The options as set so far. */
    public ClientOptions options() {
      return new ClientOptions(this);
    }

    /**
     * Connects to the seeds, fetches the topology and returns the client.
     *
     * @throws CacheConnectionException if no seed answered
     */
    public CacheClient build() {
      return DefaultCacheClient.start(options());
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }

    @Override
    public String toString() {
      return options().toString();
    }
  }
}
