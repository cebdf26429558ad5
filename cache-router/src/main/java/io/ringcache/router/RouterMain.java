package io.ringcache.router;

import io.ringcache.resp.net.ClusterAuth;
import io.ringcache.resp.net.EmptyEnvAsUnset;
import io.ringcache.resp.net.HostPort;
import io.ringcache.resp.net.Sizes;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.router.control.NodeAllowList;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cache-router}: runs the router until SIGTERM. */
@Command(
    name = "cache-router",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the ringcache router: topology, health checks, scale events, admin HTTP API, and a",
      "RESP proxy port through which any Redis client reaches the whole cluster (docs/proxy.md).",
      "Initial nodes come from --node on first start; afterwards the topology persisted in",
      "--data-dir wins. Every option can also be set by the environment variable shown."
    })
public final class RouterMain implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--bind", defaultValue = "${env:CACHE_ROUTER_BIND:-127.0.0.1}",
      description = "Address to listen on (env CACHE_ROUTER_BIND). Default: ${DEFAULT-VALUE}.")
  String bind;

  @Option(names = "--port", defaultValue = "${env:CACHE_ROUTER_PORT:-7000}",
      description = "RESP proxy port (env CACHE_ROUTER_PORT). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--admin-port", defaultValue = "${env:CACHE_ROUTER_ADMIN_PORT:-7070}",
      description = "Admin HTTP port (env CACHE_ROUTER_ADMIN_PORT). Default: ${DEFAULT-VALUE}.")
  int adminPort;

  @Option(names = "--data-dir", defaultValue = "${env:CACHE_ROUTER_DATA_DIR:-data/router}",
      description = "Where the topology is persisted (env CACHE_ROUTER_DATA_DIR). Default: ${DEFAULT-VALUE}.")
  Path dataDir;

  @Option(names = "--node", paramLabel = "NAME[=WEIGHT]", split = ",", defaultValue = "${env:CACHE_ROUTER_NODES}",
      description = "A node of the first topology; repeatable or comma-separated (env CACHE_ROUTER_NODES).")
  List<String> nodes = new ArrayList<>();

  @Option(names = "--address", paramLabel = "NAME=HOST:PORT", split = ",", defaultValue = "${env:CACHE_ROUTER_ADDRESSES}",
      description = "Where to reach a node whose name is not its address (env CACHE_ROUTER_ADDRESSES).")
  List<String> addresses = new ArrayList<>();

  @Option(names = "--admin-token", defaultValue = "${env:CACHE_ADMIN_TOKEN}",
      description = "Token the admin API requires (env CACHE_ADMIN_TOKEN). Default: none.")
  String adminToken;

  @Option(names = "--admin-token-file", paramLabel = "FILE", defaultValue = "${env:CACHE_ADMIN_TOKEN_FILE}",
      description = "File holding the admin token (surrounding whitespace ignored); keeps it off the command line (env CACHE_ADMIN_TOKEN_FILE).")
  String adminTokenFile;

  @Option(names = "--cluster-secret", defaultValue = "${env:CACHE_CLUSTER_SECRET}",
      description = "Cluster secret the router authenticates to nodes with (AUTH ringcache-cluster SECRET), as nodes with a secret require for RING.* commands; the same as every node's (env CACHE_CLUSTER_SECRET). Default: none (nodes then accept RING.* only over loopback).")
  String clusterSecret;

  @Option(names = "--cluster-secret-file", paramLabel = "FILE", defaultValue = "${env:CACHE_CLUSTER_SECRET_FILE}",
      description = "File holding the cluster secret (env CACHE_CLUSTER_SECRET_FILE).")
  String clusterSecretFile;

  @Option(names = "--node-allow", paramLabel = "PATTERN", split = ",", defaultValue = "${env:CACHE_ROUTER_NODE_ALLOW}",
      description = "Hosts POST /nodes may admit: loopback, CIDR blocks (10.0.0.0/8), host globs (*.cache.internal), or * for any; repeatable or comma-separated (env CACHE_ROUTER_NODE_ALLOW). Default: loopback and the hosts of the first topology's nodes.")
  List<String> nodeAllow = new ArrayList<>();

  @Option(names = "--metrics-require-token", defaultValue = "${env:CACHE_ROUTER_METRICS_REQUIRE_TOKEN:-false}",
      description = "With an admin token: GET /metrics requires it too; otherwise it is served without the series that name nodes (env CACHE_ROUTER_METRICS_REQUIRE_TOKEN). Default: ${DEFAULT-VALUE}.")
  boolean metricsRequireToken;

  @Option(names = "--requirepass", defaultValue = "${env:CACHE_PASSWORD}",
      description = "Password that clients of the RESP proxy port must AUTH with, and that the router gives nodes (env CACHE_PASSWORD). Default: none.")
  String password;

  @Option(names = "--health-interval-ms", defaultValue = "${env:CACHE_ROUTER_HEALTH_INTERVAL_MS:-500}",
      description = "Milliseconds between health checks, also the probe timeout (env CACHE_ROUTER_HEALTH_INTERVAL_MS). Default: ${DEFAULT-VALUE}.")
  long healthIntervalMs;

  @Option(names = "--health-misses", defaultValue = "${env:CACHE_ROUTER_HEALTH_MISSES:-3}",
      description = "Missed checks before a node is DOWN and ejected (env CACHE_ROUTER_HEALTH_MISSES). Default: ${DEFAULT-VALUE}.")
  int healthMisses;

  @Option(names = "--lease", paramLabel = "DURATION", defaultValue = "${env:CACHE_ROUTER_LEASE:-15s}",
      converter = DurationConverter.class,
      description = "How long a node may serve keys after a health check renewed its lease, e.g. 15s or 2500ms; a node that stops answering is ejected only once it certainly ran out (env CACHE_ROUTER_LEASE). Default: ${DEFAULT-VALUE}.")
  Duration lease;

  @Option(names = "--tls-keystore", paramLabel = "FILE", defaultValue = "${env:CACHE_TLS_KEYSTORE}",
      description = "PKCS#12 keystore with the key and certificate of the RESP port; with it the port speaks TLS only (env CACHE_TLS_KEYSTORE). Default: plaintext.")
  Path tlsKeystore;

  @Option(names = "--tls-keystore-password", defaultValue = "${env:CACHE_TLS_KEYSTORE_PASSWORD}",
      description = "Password of the keystore (env CACHE_TLS_KEYSTORE_PASSWORD).")
  String tlsKeystorePassword;

  @Option(names = "--node-tls", defaultValue = "${env:CACHE_ROUTER_NODE_TLS:-false}",
      description = "Dial the nodes with TLS, for nodes started with --tls-keystore (env CACHE_ROUTER_NODE_TLS). Default: ${DEFAULT-VALUE}.")
  boolean nodeTls;

  @Option(names = "--tls-ca-cert", paramLabel = "FILE", defaultValue = "${env:CACHE_TLS_CA_CERT}",
      description = "PEM certificates trusted when dialling nodes with TLS; a node's certificate must also name the host it is dialled at (env CACHE_TLS_CA_CERT). Default: the JDK's authorities.")
  Path tlsCaCert;

  @Option(names = "--proxy-max-output-buffer", paramLabel = "SIZE", converter = Sizes.Converter.class,
      defaultValue = "${env:CACHE_ROUTER_PROXY_MAX_OUTPUT_BUFFER:-64m}",
      description = "Most bytes of replies the RESP proxy port holds for one client; beyond it the client is closed; k/m/g suffixes (env CACHE_ROUTER_PROXY_MAX_OUTPUT_BUFFER). Default: ${DEFAULT-VALUE}.")
  long proxyMaxOutputBuffer;

  @Option(names = "--proxy-output-stall-timeout", paramLabel = "SECONDS",
      defaultValue = "${env:CACHE_ROUTER_PROXY_OUTPUT_STALL_TIMEOUT:-60}",
      description = "Seconds a proxy client's replies may stay above 1 MiB, not read, before it is closed; 0 = never (env CACHE_ROUTER_PROXY_OUTPUT_STALL_TIMEOUT). Default: ${DEFAULT-VALUE}.")
  long proxyOutputStallTimeout;

  @Option(names = "--hash-tag", paramLabel = "CHARS", defaultValue = "${env:CACHE_ROUTER_HASH_TAG}",
      description = "Hash tags, e.g. {} : a key's placement hashes only the part between the first { and the next } when it is not empty, so related keys share a node (twemproxy's hash_tag). Fixed for the cluster's life: written into the topology that nodes and clients follow (env CACHE_ROUTER_HASH_TAG). Default: none, every key hashed whole (nginx's placement).")
  String hashTag;

  @Option(names = "--proxy-max-clients", paramLabel = "N", defaultValue = "${env:CACHE_ROUTER_PROXY_MAX_CLIENTS:-10000}",
      description = "Most concurrent clients of the RESP proxy port; more are answered -ERR max number of clients reached and closed; lowered when the open-files limit leaves too few descriptors (env CACHE_ROUTER_PROXY_MAX_CLIENTS). Default: ${DEFAULT-VALUE}.")
  int proxyMaxClients;

  @Option(names = "--proxy-max-clients-memory", paramLabel = "SIZE", converter = Sizes.Converter.class,
      defaultValue = "${env:CACHE_ROUTER_PROXY_MAX_CLIENTS_MEMORY:-0}",
      description = "Most bytes all proxy clients' query and output buffers may hold together; beyond it the largest are closed first; 0 = a quarter of the JVM's max heap, at least 64m (env CACHE_ROUTER_PROXY_MAX_CLIENTS_MEMORY). Default: ${DEFAULT-VALUE}.")
  long proxyMaxClientsMemory;

  @Option(names = "--proxy-threads", paramLabel = "N", defaultValue = "${env:CACHE_ROUTER_PROXY_THREADS:-0}",
      description = "Event loops of the RESP proxy port; 0 = one per core (env CACHE_ROUTER_PROXY_THREADS). Default: ${DEFAULT-VALUE}.")
  int proxyThreads;

  @Option(names = "--proxy-tcp-keepalive", paramLabel = "SECONDS", defaultValue = "${env:CACHE_ROUTER_PROXY_TCP_KEEPALIVE:-300}",
      description = "Seconds a proxy client's connection may stay idle before the kernel probes whether its peer is still there (then every third of it; closed after 3 unanswered probes), so a client gone without a word does not hold its slot for ever; as Redis's tcp-keepalive; 0 = off (env CACHE_ROUTER_PROXY_TCP_KEEPALIVE). Default: ${DEFAULT-VALUE}.")
  int proxyTcpKeepalive;

  @Option(names = "--auth-timeout", paramLabel = "SECONDS", defaultValue = "${env:CACHE_ROUTER_AUTH_TIMEOUT:-10}",
      description = "Seconds a proxy client may stay unauthenticated, when a password is set, before it is closed; 0 = never (env CACHE_ROUTER_AUTH_TIMEOUT). Default: ${DEFAULT-VALUE}.")
  long authTimeout;

  /** The command line main runs: environment defaults as set, a start failure in one line (StartFailure). */
  static CommandLine commandLine() {
    return EmptyEnvAsUnset.install(new CommandLine(new RouterMain()))
        .setExecutionExceptionHandler(io.ringcache.resp.net.StartFailure.handler("cache-router"));
  }

  public static void main(String[] args) {
    io.ringcache.resp.net.FailStop.install("cache-router");
    io.ringcache.resp.net.LeakDetection.offUnlessAsked();
    io.ringcache.resp.net.LookupCache.shortenUnlessChosen();
    int exit = commandLine().execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /**
   * Starts a router in this JVM from {@code cache-router}'s command-line options, parsed as
   * {@link #main} parses them (environment variables included), and returns it serving: how a test
   * (the testkit's {@code EmbeddedCluster}) embeds a router with the options a user writes. The
   * caller closes it; no shutdown hook.
   *
   * @throws IllegalArgumentException for options {@code cache-router} refuses, with its message
   */
  public static Router embed(String... args) throws InterruptedException {
    RouterMain main = new RouterMain();
    RouterConfig config;
    try {
      EmptyEnvAsUnset.install(new CommandLine(main)).parseArgs(args);
      config = main.config();
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException("cache-router " + String.join(" ", args) + ": " + e.getMessage(), e);
    }
    return Router.start(config);
  }

  @Override
  public Integer call() throws Exception {
    RouterConfig config = config();
    Router router = Router.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      router.close();
      stopped.countDown();
    }, "ringcache-shutdown"));
    stopped.await();
    return 0;
  }

  /** The --node-allow entries, checked; null for the default. */
  private List<String> nodeAllow() {
    if (nodeAllow == null || nodeAllow.stream().allMatch(String::isBlank)) {
      return null;
    }
    try {
      NodeAllowList.of(nodeAllow);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "invalid --node-allow: " + e.getMessage());
    }
    return nodeAllow;
  }

  /** A secret from its option or its file option; empty counts as unset. */
  private String secret(String what, String value, String file) {
    try {
      return ClusterAuth.secret(what, value, file == null || file.isEmpty() ? null : Path.of(file));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  RouterConfig config() {
    try {
      io.ringcache.ring.HashTag.of(hashTag);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "invalid --hash-tag: " + e.getMessage());
    }
    if (proxyMaxOutputBuffer <= 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--proxy-max-output-buffer must be positive: " + proxyMaxOutputBuffer);
    }
    if (proxyThreads < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--proxy-threads must not be negative (0 picks one per core): " + proxyThreads);
    }
    if (proxyTcpKeepalive < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--proxy-tcp-keepalive must not be negative (0 turns it off): " + proxyTcpKeepalive);
    }
    if (proxyMaxClients <= 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--proxy-max-clients must be positive: " + proxyMaxClients);
    }
    if (authTimeout < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--auth-timeout must not be negative (0 turns it off): " + authTimeout);
    }
    if (proxyOutputStallTimeout < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--proxy-output-stall-timeout must not be negative (0 turns it off): " + proxyOutputStallTimeout);
    }
    Map<String, String> addressOf = new HashMap<>();
    for (String a : addresses) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new CommandLine.ParameterException(spec.commandLine(), "invalid --address " + a + ": expected NAME=HOST:PORT");
      }
      addressOf.put(a.substring(0, eq), a.substring(eq + 1));
    }
    List<NodeInfo> initial = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (String n : nodes) {
      int eq = n.lastIndexOf('=');
      String name = eq < 0 ? n : n.substring(0, eq);
      int weight;
      try {
        weight = eq < 0 ? 1 : Integer.parseInt(n.substring(eq + 1));
      } catch (NumberFormatException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "invalid weight in --node " + n);
      }
      if (!names.add(name)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "duplicate node: " + name);
      }
      try {
        String address = addressOf.getOrDefault(name, name);
        HostPort.parse(address);
        initial.add(new NodeInfo(name, address, weight, NodeState.UP));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "invalid --node " + n + ": " + e.getMessage());
      }
    }
    for (String name : addressOf.keySet()) {
      if (!names.contains(name)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--address for unknown node: " + name);
      }
    }
    return RouterConfig.builder()
        .bind(bind)
        .port(port)
        .adminPort(adminPort)
        .dataDir(dataDir)
        .initialNodes(initial)
        .adminToken(secret("admin-token", adminToken, adminTokenFile))
        .clusterSecret(secret("cluster-secret", clusterSecret, clusterSecretFile))
        .nodeAllow(nodeAllow())
        .metricsRequireToken(metricsRequireToken)
        .password(password)
        .healthInterval(Duration.ofMillis(healthIntervalMs))
        .healthMisses(healthMisses)
        .lease(lease)
        .tls(tlsKeystore, tlsKeystorePassword)
        .nodeTls(nodeTls)
        .tlsCaCert(tlsCaCert)
        .proxyMaxOutputBuffer(proxyMaxOutputBuffer)
        .proxyOutputStallTimeout(Duration.ofSeconds(proxyOutputStallTimeout))
        .proxyMaxClients(proxyMaxClients)
        .proxyMaxClientsMemory(proxyMaxClientsMemory)
        .authTimeout(Duration.ofSeconds(authTimeout))
        .proxyThreads(proxyThreads)
        .proxyTcpKeepalive(proxyTcpKeepalive)
        .hashTag(hashTag)
        .build();
  }

  /** A duration: a number with ms, s or m (seconds when no unit is given). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String s = value.trim().toLowerCase(java.util.Locale.ROOT);
      try {
        if (s.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
        }
        if (s.endsWith("s")) {
          return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1).trim()) * 1000));
        }
        if (s.endsWith("m")) {
          return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1).trim()) * 60);
        }
        return Duration.ofSeconds(Long.parseLong(s));
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException("not a duration (expected e.g. 10s, 2500ms, 1m): " + value);
      }
    }
  }
}
