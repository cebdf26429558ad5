package io.ringcache.router;

import io.ringcache.node.CacheNode;
import io.ringcache.node.EmptyEnvAsUnset;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
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

  @Option(names = "--requirepass", defaultValue = "${env:CACHE_PASSWORD}",
      description = "Password that clients of the RESP proxy port must AUTH with, and that the router gives nodes (env CACHE_PASSWORD). Default: none.")
  String password;

  @Option(names = "--health-interval-ms", defaultValue = "${env:CACHE_ROUTER_HEALTH_INTERVAL_MS:-500}",
      description = "Milliseconds between health checks, also the probe timeout (env CACHE_ROUTER_HEALTH_INTERVAL_MS). Default: ${DEFAULT-VALUE}.")
  long healthIntervalMs;

  @Option(names = "--health-misses", defaultValue = "${env:CACHE_ROUTER_HEALTH_MISSES:-3}",
      description = "Missed checks before a node is DOWN and ejected (env CACHE_ROUTER_HEALTH_MISSES). Default: ${DEFAULT-VALUE}.")
  int healthMisses;

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

  @Option(names = "--proxy-max-output-buffer", paramLabel = "SIZE", converter = CacheNode.SizeConverter.class,
      defaultValue = "${env:CACHE_ROUTER_PROXY_MAX_OUTPUT_BUFFER:-64m}",
      description = "Most bytes of replies the RESP proxy port holds for one client; beyond it the client is closed; k/m/g suffixes (env CACHE_ROUTER_PROXY_MAX_OUTPUT_BUFFER). Default: ${DEFAULT-VALUE}.")
  long proxyMaxOutputBuffer;

  @Option(names = "--proxy-output-stall-timeout", paramLabel = "SECONDS",
      defaultValue = "${env:CACHE_ROUTER_PROXY_OUTPUT_STALL_TIMEOUT:-60}",
      description = "Seconds a proxy client's replies may stay above 1 MiB, not read, before it is closed; 0 = never (env CACHE_ROUTER_PROXY_OUTPUT_STALL_TIMEOUT). Default: ${DEFAULT-VALUE}.")
  long proxyOutputStallTimeout;

  public static void main(String[] args) {
    int exit = EmptyEnvAsUnset.install(new CommandLine(new RouterMain())).execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
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

  RouterConfig config() {
    if (proxyMaxOutputBuffer <= 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--proxy-max-output-buffer must be positive: " + proxyMaxOutputBuffer);
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
        .adminToken(adminToken)
        .password(password)
        .healthInterval(Duration.ofMillis(healthIntervalMs))
        .healthMisses(healthMisses)
        .tls(tlsKeystore, tlsKeystorePassword)
        .nodeTls(nodeTls)
        .tlsCaCert(tlsCaCert)
        .proxyMaxOutputBuffer(proxyMaxOutputBuffer)
        .proxyOutputStallTimeout(Duration.ofSeconds(proxyOutputStallTimeout))
        .build();
  }
}
