package io.ringcache.node;

import io.ringcache.resp.net.ClusterAuth;
import io.ringcache.resp.net.EmptyEnvAsUnset;
import io.ringcache.resp.net.FailStop;
import io.ringcache.resp.net.LeakDetection;
import io.ringcache.resp.net.LookupCache;
import io.ringcache.resp.net.Sizes;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/** {@code cache-node}: runs one ringcache cache node until SIGTERM. */
@Command(
    name = "cache-node",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    version = "ringcache cache-node 0.1.0",
    description = {
      "Runs a ringcache cache node: a RESP2 (Redis protocol) server over a memory-bounded store.",
      "Every option can also be set by the environment variable named in its description;",
      "sizes accept a k/m/g suffix (powers of 1024)."
    })
public final class CacheNode implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(CacheNode.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--port", defaultValue = "${env:CACHE_NODE_PORT:-7001}", description = "TCP port to listen on (CACHE_NODE_PORT).")
  int port;

  @Option(names = "--bind", defaultValue = "${env:CACHE_NODE_BIND:-127.0.0.1}", description = "Address to listen on (CACHE_NODE_BIND).")
  String bind;

  @Option(names = "--name", defaultValue = "${env:CACHE_NODE_NAME:-}", description = "Ring identity of the node; default <bind>:<port> (CACHE_NODE_NAME).")
  String name;

  @Option(names = "--advertise", defaultValue = "${env:CACHE_NODE_ADVERTISE:-}", description = "HOST:PORT clients reach the node at; default <bind>:<port> (CACHE_NODE_ADVERTISE).")
  String advertise;

  @Option(names = "--max-memory", defaultValue = "${env:CACHE_NODE_MAX_MEMORY:-256m}", converter = Sizes.Converter.class, description = "Bound on the store's memory (keys, values and per-entry overhead), in bytes; eviction beyond it (CACHE_NODE_MAX_MEMORY).")
  long maxMemory;

  @Option(names = "--store", defaultValue = "${env:CACHE_NODE_STORE:-packed}", description = "Store implementation: packed (packed entries, CLOCK eviction), caffeine (Caffeine, W-TinyLFU eviction) or offheap (entries in slab pages of direct memory, CLOCK eviction; needs -XX:MaxDirectMemorySize >= max-memory, which bin/cache-node sets) (CACHE_NODE_STORE).")
  String store;

  @Option(names = "--threads", defaultValue = "${env:CACHE_NODE_THREADS:-0}", description = "Worker event loops; 0 = half the cores, at least 1 (CACHE_NODE_THREADS).")
  int threads;

  @Option(names = "--requirepass", defaultValue = "${env:CACHE_NODE_REQUIREPASS:-}", showDefaultValue = Visibility.NEVER, description = "Password clients must AUTH with; empty = none (CACHE_NODE_REQUIREPASS).")
  String requirepass;

  @Option(names = "--cluster-secret", defaultValue = "${env:CACHE_CLUSTER_SECRET:-}", showDefaultValue = Visibility.NEVER, description = "Cluster secret: the router and peer nodes authenticate with it (AUTH ringcache-cluster SECRET) to run the cluster's RING.* commands; the same on the router and every node. Prefer the file or the environment: a command line is visible in ps. Empty = none: only loopback peers may run RING.* commands (CACHE_CLUSTER_SECRET).")
  String clusterSecret;

  @Option(names = "--cluster-secret-file", paramLabel = "FILE", defaultValue = "${env:CACHE_CLUSTER_SECRET_FILE:-}", description = "File holding the cluster secret (surrounding whitespace ignored) (CACHE_CLUSTER_SECRET_FILE).")
  String clusterSecretFile;

  // a String, not a boolean: picocli turns a boolean flag whose default is true (from the environment) to false when given
  @Option(names = "--cluster", arity = "0..1", fallbackValue = "true", paramLabel = "true|false", defaultValue = "${env:CACHE_NODE_CLUSTER:-false}", description = "Start as a cluster member: serve nothing until a router admits this process (a topology naming its incarnation, and a lease), never fall back to standalone; every launcher of a cluster passes it. A member listening on a non-loopback address needs a cluster secret (CACHE_NODE_CLUSTER; empty = false).")
  String cluster;

  @Option(names = "--max-key-size", defaultValue = "${env:CACHE_NODE_MAX_KEY_SIZE:-16k}", converter = Sizes.Converter.class, description = "Largest key in bytes (CACHE_NODE_MAX_KEY_SIZE).")
  long maxKeySize;

  @Option(names = "--max-value-size", defaultValue = "${env:CACHE_NODE_MAX_VALUE_SIZE:-16m}", converter = Sizes.Converter.class, description = "Largest value in bytes (CACHE_NODE_MAX_VALUE_SIZE).")
  long maxValueSize;

  @Option(names = "--max-multibulk-length", defaultValue = "${env:CACHE_NODE_MAX_MULTIBULK_LENGTH:-1048576}", description = "Most arguments in one request (CACHE_NODE_MAX_MULTIBULK_LENGTH).")
  int maxMultibulkLength;

  @Option(names = "--max-bulk-length", defaultValue = "${env:CACHE_NODE_MAX_BULK_LENGTH:-32m}", converter = Sizes.Converter.class, description = "Largest argument in bytes (CACHE_NODE_MAX_BULK_LENGTH).")
  long maxBulkLength;

  @Option(names = "--max-inline-length", defaultValue = "${env:CACHE_NODE_MAX_INLINE_LENGTH:-64k}", converter = Sizes.Converter.class, description = "Longest inline request line in bytes (CACHE_NODE_MAX_INLINE_LENGTH).")
  long maxInlineLength;

  @Option(names = "--max-query-buffer", defaultValue = "${env:CACHE_NODE_MAX_QUERY_BUFFER:-64m}", converter = Sizes.Converter.class, description = "Most bytes of one request, and of unparsed input held per connection (CACHE_NODE_MAX_QUERY_BUFFER).")
  long maxQueryBuffer;

  @Option(names = "--max-output-buffer", defaultValue = "${env:CACHE_NODE_MAX_OUTPUT_BUFFER:-64m}", converter = Sizes.Converter.class, description = "Most bytes of replies queued per connection; beyond it the connection is closed (CACHE_NODE_MAX_OUTPUT_BUFFER).")
  long maxOutputBuffer;

  @Option(names = "--max-clients", defaultValue = "${env:CACHE_NODE_MAX_CLIENTS:-10000}", description = "Most concurrent connections (CACHE_NODE_MAX_CLIENTS).")
  int maxClients;

  @Option(names = "--idle-timeout", defaultValue = "${env:CACHE_NODE_IDLE_TIMEOUT:-0}", description = "Seconds without traffic before a connection is closed; 0 = never (CACHE_NODE_IDLE_TIMEOUT).")
  int idleTimeout;

  @Option(names = "--tls-keystore", paramLabel = "FILE", defaultValue = "${env:CACHE_NODE_TLS_KEYSTORE}", description = "PKCS#12 keystore with the key and certificate of the port; with it the port speaks TLS only and peers are dialled with TLS (CACHE_NODE_TLS_KEYSTORE). Default: plaintext.")
  Path tlsKeystore;

  @Option(names = "--tls-keystore-password", defaultValue = "${env:CACHE_NODE_TLS_KEYSTORE_PASSWORD}", showDefaultValue = Visibility.NEVER, description = "Password of the keystore (CACHE_NODE_TLS_KEYSTORE_PASSWORD).")
  String tlsKeystorePassword;

  @Option(names = "--tls-ca-cert", paramLabel = "FILE", defaultValue = "${env:CACHE_NODE_TLS_CA_CERT}", description = "PEM certificates trusted when dialling a peer with TLS; a peer's certificate must also name the host it is dialled at (CACHE_NODE_TLS_CA_CERT). Default: the JDK's authorities.")
  Path tlsCaCert;

  @Option(names = "--output-stall-timeout", defaultValue = "${env:CACHE_NODE_OUTPUT_STALL_TIMEOUT:-60}", description = "Seconds a connection's replies may stay above 256 KiB, not read by its client, before it is closed; 0 = never (CACHE_NODE_OUTPUT_STALL_TIMEOUT).")
  int outputStallTimeout;

  @Option(names = "--max-clients-memory", defaultValue = "${env:CACHE_NODE_MAX_CLIENTS_MEMORY:-0}", converter = Sizes.Converter.class, description = "Most bytes all connections' query and output buffers may hold together; beyond it the largest are closed first (Redis's maxmemory-clients); 0 = a quarter of the JVM's max heap, at least 64m (CACHE_NODE_MAX_CLIENTS_MEMORY).")
  long maxClientsMemory;

  @Option(names = "--auth-timeout", defaultValue = "${env:CACHE_NODE_AUTH_TIMEOUT:-10}", description = "Seconds a connection may stay unauthenticated, when a password is set, before it is closed; 0 = never (CACHE_NODE_AUTH_TIMEOUT).")
  int authTimeout;

  @Option(names = "--handoff-rate", paramLabel = "ENTRIES", defaultValue = "${env:CACHE_NODE_HANDOFF_RATE:-0}", description = "Entries per second each handoff stream from this node sends at most, to leave CPU to readers during a scale event; 0 = no limit (CACHE_NODE_HANDOFF_RATE).")
  long handoffRate;

  @Option(names = "--cluster-reserve", paramLabel = "CONNECTIONS", defaultValue = "${env:CACHE_NODE_CLUSTER_RESERVE:-32}", description = "Connections beyond --max-clients that may wait up to 500 ms for a first command showing they are the router's or a peer node's (the cluster user's AUTH; without a cluster secret, a loopback peer's RING.* command), so a node whose client slots a flood holds still takes its router and its handoff streams; others get the max-clients error; when all wait, the oldest of the address with the most waiting is refused; 0 = refuse every connection beyond max-clients at once (CACHE_NODE_CLUSTER_RESERVE).")
  int clusterReserve;

  @Option(names = "--tcp-keepalive", paramLabel = "SECONDS", defaultValue = "${env:CACHE_NODE_TCP_KEEPALIVE:-300}", description = "Seconds a client connection may stay idle before the kernel probes whether its peer is still there (then every third of it; closed after 3 unanswered probes), so a client gone without a word does not hold its slot for ever; as Redis's tcp-keepalive; 0 = off (CACHE_NODE_TCP_KEEPALIVE).")
  int tcpKeepalive;

  @Option(names = "--metrics-port", defaultValue = "${env:CACHE_NODE_METRICS_PORT:-0}", description = "Port of the Prometheus endpoint GET /metrics, on the bind address; 0 = off (CACHE_NODE_METRICS_PORT).")
  int metricsPort;


  /** The command line main runs: environment defaults as set, a start failure in one line (StartFailure). */
  static CommandLine commandLine() {
    return EmptyEnvAsUnset.install(new CommandLine(new CacheNode()))
        .setExecutionExceptionHandler(io.ringcache.resp.net.StartFailure.handler("cache-node"));
  }

  public static void main(String[] args) {
    FailStop.install("cache-node");
    LeakDetection.offUnlessAsked();
    LookupCache.shortenUnlessChosen();
    System.exit(commandLine().execute(args));
  }

  /**
   * Starts a node in this JVM from {@code cache-node}'s command-line options, parsed as {@link #main}
   * parses them (environment variables included), and returns it serving: how a test (the testkit's
   * {@code EmbeddedCluster}) embeds a node with the options a user writes. The caller closes it; no
   * shutdown hook, no metrics port unless {@code --metrics-port} asks for one.
   *
   * @throws IllegalArgumentException for options {@code cache-node} refuses, with its message
   */
  public static NodeServer embed(String... args) {
    CacheNode node = new CacheNode();
    try {
      EmptyEnvAsUnset.install(new CommandLine(node)).parseArgs(args);
      return node.startServer();
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException("cache-node " + String.join(" ", args) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Integer call() throws Exception {
    NodeServer server = startServer();
    Thread hook = new Thread(() -> {
      log.info("shutting down (signal)");
      server.close();
    }, "cache-node-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    server.closeFuture().sync();
    return 0;
  }

  /** The node's configuration from these options; IllegalArgumentException for a value it refuses. */
  private NodeConfig options() {
    return NodeConfig.builder()
        .bind(bind)
        .port(port)
        .name(name)
        .advertise(advertise)
        .maxMemory(maxMemory)
        .store(storeType())
        .threads(threads == 0 ? NodeConfig.defaultThreads() : threads)
        .requirepass(requirepass)
        .limits(
            new NodeConfig.Limits(
                toInt("max-key-size", maxKeySize),
                toInt("max-value-size", maxValueSize),
                maxMultibulkLength,
                toInt("max-bulk-length", maxBulkLength),
                toInt("max-inline-length", maxInlineLength),
                maxQueryBuffer,
                maxOutputBuffer,
                maxClients,
                idleTimeout,
                outputStallTimeout,
                maxClientsMemory,
                authTimeout))
        .tls(tlsKeystore, tlsKeystorePassword)
        .tlsCaCert(tlsCaCert)
        .clusterSecret(clusterSecret())
        .cluster(cluster())
        .handoffRate(handoffRate)
        .clusterReserve(clusterReserve)
        .tcpKeepalive(tcpKeepalive)
        .build();
  }

  /** The node these options describe, started (with its metrics port when asked). */
  private NodeServer startServer() {
    if (outputStallTimeout < 0) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "output-stall-timeout must not be negative (0 turns it off): " + outputStallTimeout);
    }
    NodeConfig config;
    try {
      config = options();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (config.limits().maxValueSize() > config.limits().maxBulkLength()) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "max-value-size must not exceed max-bulk-length: " + maxValueSize + " > " + maxBulkLength);
    }
    NodeServer server;
    try {
      server = NodeServer.start(config);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (metricsPort > 0) {
      try {
        server.serveMetrics(metricsPort);
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
    }
    return server;
  }

  private boolean cluster() {
    String value = cluster == null ? "" : cluster.trim();
    if (value.isEmpty() || value.equalsIgnoreCase("false")) {
      return false;
    }
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    throw new CommandLine.ParameterException(spec.commandLine(), "cluster: " + cluster + " (expected: true or false)");
  }

  private String clusterSecret() {
    try {
      return ClusterAuth.secret("cluster-secret", clusterSecret,
          clusterSecretFile == null || clusterSecretFile.isEmpty() ? null : Path.of(clusterSecretFile));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private NodeConfig.StoreType storeType() {
    try {
      return NodeConfig.StoreType.parse(store);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
    }
  }

  private static int toInt(String what, long value) {
    if (value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(what + " must be at most " + Integer.MAX_VALUE + ": " + value);
    }
    return (int) value;
  }

  /** {@link Sizes#parse}: the node's options are parsed with {@link Sizes.Converter}. */
  static long parseSize(String value) {
    return Sizes.parse(value);
  }
}
