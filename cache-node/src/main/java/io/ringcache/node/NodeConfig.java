package io.ringcache.node;

import io.ringcache.resp.RespLimits;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A cache node's settings. Build with {@link #builder()}; each setter documents its default.
 *
 * @param bind the address to listen on
 * @param port the port to listen on; 0 picks a free one
 * @param name the node's ring identity
 * @param advertise the address other parties reach the node at, {@code host:port}
 * @param maxMemory the store's bound in bytes
 * @param store which store implementation holds the entries
 * @param threads worker event loops
 * @param requirepass the password, or null for none
 * @param limits per-request and per-connection limits
 * @param tlsKeystore PKCS#12 keystore of the port's key and certificate; with it the port speaks TLS
 *     only and the node dials its peers with TLS; null for plaintext
 * @param tlsKeystorePassword the keystore's password
 * @param tlsCaCert PEM certificates the node trusts when it dials a peer with TLS; null for the
 *     JDK's default authorities
 * @param clusterSecret the cluster credential: the router and peer nodes authenticate as {@link
 *     ClusterAuth#CLUSTER_USER} with it, and only such connections may run the cluster-internal
 *     {@code RING.*} commands; null for none (then only loopback peers may run them)
 * @param cluster whether the node is a cluster member: it serves nothing until a router admitted it
 *     (a topology naming its incarnation, and a lease), and never falls back to standalone
 * @param handoffRate entries per second each handoff stream from this node sends at most (in batches
 *     of up to 32 KiB); 0 for no limit
 * @param clusterReserve connections beyond {@code max-clients} that may wait for a first command
 *     showing they are the router's or a peer's ({@link ClusterReserve}); 0 for none
 * @param tcpKeepaliveSeconds idle seconds before a client connection's first keepalive probe
 *     (Redis's tcp-keepalive); 0 for none
 */
public record NodeConfig(
    String bind,
    int port,
    String name,
    String advertise,
    long maxMemory,
    StoreType store,
    int threads,
    String requirepass,
    Limits limits,
    Path tlsKeystore,
    String tlsKeystorePassword,
    Path tlsCaCert,
    String clusterSecret,
    boolean cluster,
    long handoffRate,
    int clusterReserve,
    int tcpKeepaliveSeconds) {

  /** Connections beyond max-clients that may wait to show they are the cluster's, by default. */
  public static final int DEFAULT_CLUSTER_RESERVE = 32;

  public NodeConfig {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(store, "store");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
    }
    if (maxMemory <= 0) {
      throw new IllegalArgumentException("max-memory must be positive: " + maxMemory);
    }
    if (threads <= 0) {
      throw new IllegalArgumentException("threads must be positive: " + threads);
    }
    if (requirepass != null && requirepass.isEmpty()) {
      requirepass = null;
    }
    if (clusterSecret != null && clusterSecret.isEmpty()) {
      clusterSecret = null;
    }
    if (handoffRate < 0) {
      throw new IllegalArgumentException("handoff-rate must not be negative (0 means no limit): " + handoffRate);
    }
    if (clusterReserve < 0) {
      throw new IllegalArgumentException("cluster-reserve must not be negative (0 turns it off): " + clusterReserve);
    }
    if (tcpKeepaliveSeconds < 0) {
      throw new IllegalArgumentException("tcp-keepalive must not be negative (0 turns it off): " + tcpKeepaliveSeconds);
    }
    if (tlsCaCert != null && tlsKeystore == null) {
      throw new IllegalArgumentException(
          "tls-ca-cert needs tls-keystore: a node dials its peers with TLS only when its own port speaks TLS");
    }
  }

  /** Whether the port speaks TLS (and peers are dialled with it). */
  public boolean tls() {
    return tlsKeystore != null;
  }

  /** The name, defaulting to {@code bind:port} with the port actually bound. */
  String nameOr(int boundPort) {
    return name != null && !name.isBlank() ? name : bind + ":" + boundPort;
  }

  /** The advertised address, defaulting to {@code bind:port} with the port actually bound. */
  String advertiseOr(int boundPort) {
    return advertise != null && !advertise.isBlank() ? advertise : bind + ":" + boundPort;
  }

  /**
   * Worker event loops by default: half the cores, at least one. The rest is left to the kernel's
   * network stack and the collector; on 2 cores, one worker served 1.0-1.06x redis-server's
   * requests/s where two served 0.80-0.82x (docs/benchmarks.md).
   */
  public static int defaultThreads() {
    return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The store implementations a node can run on. */
  public enum StoreType {
    /** Packed entries in lock-striped open-addressing tables, CLOCK eviction ({@code Stores.packed}). */
    PACKED,
    /** A Caffeine cache, W-TinyLFU eviction ({@code Stores.caffeine}). */
    CAFFEINE,
    /** Entries in slab pages of direct memory, CLOCK eviction ({@code Stores.offHeap}). */
    OFFHEAP;

    /** The type named {@code name}, in any case. */
    public static StoreType parse(String name) {
      for (StoreType t : values()) {
        if (t.name().equalsIgnoreCase(name.trim())) {
          return t;
        }
      }
      throw new IllegalArgumentException("store: " + name + " (expected: packed, caffeine or offheap)");
    }
  }

  /**
   * Limits on what one client may send or make the node hold.
   *
   * @param maxKeySize bytes of one key
   * @param maxValueSize bytes of one value
   * @param maxMultibulkLength arguments of one request
   * @param maxBulkLength bytes of one argument
   * @param maxInlineLength bytes of one inline request line
   * @param maxQueryBuffer bytes of one request, and of unparsed input held for a connection
   * @param maxOutputBuffer bytes of replies queued for a connection before it is closed
   * @param maxClients concurrent connections
   * @param idleTimeoutSeconds seconds without traffic before a connection is closed; 0 for never
   * @param outputStallSeconds seconds a connection's replies may stay above the write-buffer high
   *     watermark, not read by its client, before it is closed; 0 for never (see {@link io.ringcache.resp.net.OutputGuard})
   * @param maxClientsMemory bytes that all connections' query and output buffers may take together;
   *     beyond it the largest are closed first (Redis's maxmemory-clients); 0 for the default, a
   *     quarter of the JVM's maximum heap (see {@link #clientsMemoryCap()} and {@link io.ringcache.resp.net.ClientMemory})
   * @param authTimeoutSeconds seconds a connection may stay unauthenticated, when a password is
   *     set, before it is closed; 0 for never
   */
  public record Limits(
      int maxKeySize,
      int maxValueSize,
      int maxMultibulkLength,
      int maxBulkLength,
      int maxInlineLength,
      long maxQueryBuffer,
      long maxOutputBuffer,
      int maxClients,
      int idleTimeoutSeconds,
      int outputStallSeconds,
      long maxClientsMemory,
      int authTimeoutSeconds) {

    public static final int DEFAULT_MAX_KEY_SIZE = 16 * 1024;
    public static final int DEFAULT_MAX_VALUE_SIZE = 16 * 1024 * 1024;
    public static final int DEFAULT_MAX_MULTIBULK_LENGTH = RespLimits.DEFAULT_MAX_MULTIBULK_LENGTH;
    public static final int DEFAULT_MAX_BULK_LENGTH = RespLimits.DEFAULT_MAX_BULK_LENGTH;
    public static final int DEFAULT_MAX_INLINE_LENGTH = RespLimits.DEFAULT_MAX_INLINE_LENGTH;
    public static final long DEFAULT_MAX_QUERY_BUFFER = RespLimits.DEFAULT_MAX_QUERY_BUFFER;
    public static final long DEFAULT_MAX_OUTPUT_BUFFER = RespLimits.DEFAULT_MAX_OUTPUT_BUFFER;
    public static final int DEFAULT_MAX_CLIENTS = RespLimits.DEFAULT_MAX_CLIENTS;
    public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 0;
    public static final int DEFAULT_OUTPUT_STALL_SECONDS = RespLimits.DEFAULT_OUTPUT_STALL_SECONDS;
    /** 0: a quarter of the JVM's maximum heap, at least {@link #MIN_DEFAULT_CLIENTS_MEMORY}. */
    public static final long DEFAULT_MAX_CLIENTS_MEMORY = RespLimits.DEFAULT_MAX_CLIENTS_MEMORY;
    /** The least {@link #clientsMemoryCap()} picks by default: 64 MiB. */
    public static final long MIN_DEFAULT_CLIENTS_MEMORY = RespLimits.MIN_DEFAULT_CLIENTS_MEMORY;
    public static final int DEFAULT_AUTH_TIMEOUT_SECONDS = RespLimits.DEFAULT_AUTH_TIMEOUT_SECONDS;

    /** Arguments of one request before AUTH, when a password is set (as Redis). */
    public static final int UNAUTHENTICATED_MAX_MULTIBULK_LENGTH = RespLimits.UNAUTHENTICATED_MAX_MULTIBULK_LENGTH;

    /** Bytes of one argument before AUTH, when a password is set (as Redis). */
    public static final int UNAUTHENTICATED_MAX_BULK_LENGTH = RespLimits.UNAUTHENTICATED_MAX_BULK_LENGTH;

    public Limits {
      positive("max-key-size", maxKeySize);
      positive("max-value-size", maxValueSize);
      positive("max-multibulk-length", maxMultibulkLength);
      positive("max-bulk-length", maxBulkLength);
      positive("max-inline-length", maxInlineLength);
      positive("max-query-buffer", maxQueryBuffer);
      positive("max-output-buffer", maxOutputBuffer);
      positive("max-clients", maxClients);
      if (idleTimeoutSeconds < 0) {
        throw new IllegalArgumentException("idle-timeout must not be negative: " + idleTimeoutSeconds);
      }
      if (outputStallSeconds < 0) {
        throw new IllegalArgumentException(
            "output-stall-timeout must not be negative (0 turns it off): " + outputStallSeconds);
      }
      if (maxClientsMemory < 0) {
        throw new IllegalArgumentException(
            "max-clients-memory must not be negative (0 picks a quarter of the heap): " + maxClientsMemory);
      }
      if (authTimeoutSeconds < 0) {
        throw new IllegalArgumentException("auth-timeout must not be negative (0 turns it off): " + authTimeoutSeconds);
      }
    }

    /** The limits before max-clients-memory and auth-timeout existed, with those two at their defaults. */
    public Limits(int maxKeySize, int maxValueSize, int maxMultibulkLength, int maxBulkLength, int maxInlineLength,
        long maxQueryBuffer, long maxOutputBuffer, int maxClients, int idleTimeoutSeconds, int outputStallSeconds) {
      this(maxKeySize, maxValueSize, maxMultibulkLength, maxBulkLength, maxInlineLength, maxQueryBuffer,
          maxOutputBuffer, maxClients, idleTimeoutSeconds, outputStallSeconds, DEFAULT_MAX_CLIENTS_MEMORY,
          DEFAULT_AUTH_TIMEOUT_SECONDS);
    }

    /** These limits with max-clients-memory set to {@code bytes} (0: the default). */
    public Limits withMaxClientsMemory(long bytes) {
      return new Limits(maxKeySize, maxValueSize, maxMultibulkLength, maxBulkLength, maxInlineLength, maxQueryBuffer,
          maxOutputBuffer, maxClients, idleTimeoutSeconds, outputStallSeconds, bytes, authTimeoutSeconds);
    }

    /** These limits with auth-timeout set to {@code seconds} (0: never). */
    public Limits withAuthTimeout(int seconds) {
      return new Limits(maxKeySize, maxValueSize, maxMultibulkLength, maxBulkLength, maxInlineLength, maxQueryBuffer,
          maxOutputBuffer, maxClients, idleTimeoutSeconds, outputStallSeconds, maxClientsMemory, seconds);
    }

    /** These limits with max-clients set to {@code clients}. */
    public Limits withMaxClients(int clients) {
      return new Limits(maxKeySize, maxValueSize, maxMultibulkLength, maxBulkLength, maxInlineLength, maxQueryBuffer,
          maxOutputBuffer, clients, idleTimeoutSeconds, outputStallSeconds, maxClientsMemory, authTimeoutSeconds);
    }

    /**
     * The bytes all clients' buffers may take together: max-clients-memory, or when that is 0 a
     * quarter of the JVM's maximum heap (Netty's direct memory is bounded by the heap size by
     * default), at least {@link #MIN_DEFAULT_CLIENTS_MEMORY}.
     */
    public long clientsMemoryCap() {
      return RespLimits.clientsMemoryCap(maxClientsMemory);
    }

    /** The protocol bounds of these limits, as the RESP decoders take them (reply bounds at their defaults). */
    public RespLimits resp() {
      return new RespLimits(maxMultibulkLength, maxBulkLength, maxInlineLength, maxQueryBuffer);
    }

    private static void positive(String what, long value) {
      if (value <= 0) {
        throw new IllegalArgumentException(what + " must be positive: " + value);
      }
    }

    public static Limits defaults() {
      return new Limits(
          DEFAULT_MAX_KEY_SIZE,
          DEFAULT_MAX_VALUE_SIZE,
          DEFAULT_MAX_MULTIBULK_LENGTH,
          DEFAULT_MAX_BULK_LENGTH,
          DEFAULT_MAX_INLINE_LENGTH,
          DEFAULT_MAX_QUERY_BUFFER,
          DEFAULT_MAX_OUTPUT_BUFFER,
          DEFAULT_MAX_CLIENTS,
          DEFAULT_IDLE_TIMEOUT_SECONDS,
          DEFAULT_OUTPUT_STALL_SECONDS,
          DEFAULT_MAX_CLIENTS_MEMORY,
          DEFAULT_AUTH_TIMEOUT_SECONDS);
    }
  }

  /** Builds a {@link NodeConfig}. */
  public static final class Builder {
    private int tcpKeepaliveSeconds = io.ringcache.resp.net.DeadPeers.DEFAULT_CLIENT_KEEPALIVE_SECONDS;
    private String bind = "127.0.0.1";
    private int port = 7001;
    private String name;
    private String advertise;
    private long maxMemory = 256L * 1024 * 1024;
    private StoreType store = StoreType.PACKED;
    private int threads = defaultThreads();
    private String requirepass;
    private Limits limits = Limits.defaults();
    private Path tlsKeystore;
    private String tlsKeystorePassword;
    private Path tlsCaCert;
    private String clusterSecret;
    private boolean cluster;
    private long handoffRate;
    private int clusterReserve = DEFAULT_CLUSTER_RESERVE;

    private Builder() {}

    /**
     * Whether the node is a cluster member (serves nothing until a router admitted it, never
     * standalone). Defaults to false: a standalone node that owns every key until it adopts a topology.
     */
    public Builder cluster(boolean cluster) {
      this.cluster = cluster;
      return this;
    }

    /** Default 127.0.0.1. */
    public Builder bind(String bind) {
      this.bind = bind;
      return this;
    }

    /** Default 7001; 0 picks a free port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Default {@code bind:port}. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Default {@code bind:port}. */
    public Builder advertise(String advertise) {
      this.advertise = advertise;
      return this;
    }

    /** Default 256 MiB. */
    public Builder maxMemory(long maxMemory) {
      this.maxMemory = maxMemory;
      return this;
    }

    /** Default {@link StoreType#PACKED}. */
    public Builder store(StoreType store) {
      this.store = store;
      return this;
    }

    /** Default {@link #defaultThreads()}: half the cores, at least one. */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /** Default none. */
    public Builder requirepass(String requirepass) {
      this.requirepass = requirepass;
      return this;
    }

    /** Default {@link Limits#defaults()}. */
    public Builder limits(Limits limits) {
      this.limits = limits;
      return this;
    }

    /**
     * A PKCS#12 keystore with the key and certificate the port presents: with it the port speaks
     * TLS only, and the node dials its peers with TLS. Default none: plaintext.
     */
    public Builder tls(Path keystore, String keystorePassword) {
      this.tlsKeystore = keystore;
      this.tlsKeystorePassword = keystorePassword;
      return this;
    }

    /** PEM certificates trusted when dialling a peer with TLS. Default: the JDK's authorities. */
    public Builder tlsCaCert(Path caCert) {
      this.tlsCaCert = caCert;
      return this;
    }

    /**
     * The cluster secret: the router and peers authenticate as {@link ClusterAuth#CLUSTER_USER}
     * with it to run {@code RING.*} commands. Default none: only loopback peers may run them.
     */
    public Builder clusterSecret(String clusterSecret) {
      this.clusterSecret = clusterSecret;
      return this;
    }

    /**
     * Entries per second each handoff stream from this node sends at most, so that a scale event
     * leaves CPU to the readers on both ends. Default 0: no limit.
     */
    public Builder handoffRate(long entriesPerSecond) {
      this.handoffRate = entriesPerSecond;
      return this;
    }

    /**
     * Connections beyond max-clients that may wait up to 500 ms for a first command showing they are
     * the router's or a peer's ({@link ClusterReserve}); default {@value #DEFAULT_CLUSTER_RESERVE}, 0 for none.
     */
    public Builder clusterReserve(int connections) {
      this.clusterReserve = connections;
      return this;
    }

    /**
     * Seconds a client connection stays idle before the kernel probes whether its peer is still
     * there (then every third of it, closed after 3 unanswered), as Redis's {@code tcp-keepalive};
     * default {@value io.ringcache.resp.net.DeadPeers#DEFAULT_CLIENT_KEEPALIVE_SECONDS}, 0 for off.
     */
    public Builder tcpKeepalive(int seconds) {
      this.tcpKeepaliveSeconds = seconds;
      return this;
    }

    public NodeConfig build() {
      return new NodeConfig(bind, port, name, advertise, maxMemory, store, threads, requirepass, limits,
          tlsKeystore, tlsKeystorePassword, tlsCaCert, clusterSecret, cluster, handoffRate, clusterReserve,
          tcpKeepaliveSeconds);
    }
  }
}
