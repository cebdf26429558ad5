package io.ringcache.testkit;

import io.ringcache.node.CacheNode;
import io.ringcache.node.NodeServer;
import io.ringcache.router.Router;
import io.ringcache.router.RouterMain;
import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RunningServer;
import io.ringcache.testkit.core.ServerLauncher;
import io.ringcache.testkit.core.TestCertificates;

/**
 * A real ringcache cluster inside a test: a router and N cache nodes in this JVM, on ephemeral
 * loopback ports, as OkHttp's {@code MockWebServer} is a real HTTP server. Start it in a test (or a
 * JUnit 5 {@code @BeforeEach}/{@code @BeforeAll}), point your client at {@link #seeds()} or any Redis
 * client at {@link #proxyAddress()}, and {@link #close()} it afterwards.
 *
 * <pre>{@code
 * try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(3).start();
 *     CacheClient cache = CacheClient.builder().seeds(cluster.seeds()).build()) {
 *   cache.put("greeting", "hello");
 *   assertThat(cache.get("greeting")).isEqualTo("hello");
 * }
 * }</pre>
 *
 * <p>Everything but the wiring is {@link LaunchedCluster}'s (options, scale changes, connections):
 * this class gives it the real servers, started from their command-line options through
 * {@link CacheNode#embed} and {@link RouterMain#embed}, so {@link #node(int)} is a {@link NodeServer}
 * and {@link #router()} a {@link Router}. Options ({@link LaunchedCluster.Builder}): the node count
 * and weights, a password, a cluster secret, TLS with fresh {@link TestCertificates}, the store, a
 * hash tag, and any other option of either server's command line.
 */
public final class EmbeddedCluster extends LaunchedCluster<NodeServer, Router> {

  /** Starts a real node ({@code cache-node}'s options). */
  public static final ServerLauncher<NodeServer> NODE =
      args -> RunningServer.of(CacheNode.embed(args.toArray(String[]::new)), NodeServer::port, NodeServer::close);

  /** Starts a real router ({@code cache-router}'s options). */
  public static final ServerLauncher<Router> ROUTER = args -> {
    try {
      return RunningServer.of(RouterMain.embed(args.toArray(String[]::new)), Router::port, Router::adminPort, Router::close);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting a router", e);
    }
  };

  private EmbeddedCluster(LaunchedCluster.Builder<NodeServer, Router, ?> options) {
    super(options);
  }

  /** A builder of {@link #DEFAULT_NODES} real nodes and a real router, no password, plaintext. */
  public static LaunchedCluster.Builder<NodeServer, Router, EmbeddedCluster> builder() {
    return new LaunchedCluster.Builder<>(NODE, ROUTER, EmbeddedCluster::new);
  }

  /** Starts a cluster with the defaults: see {@link #builder()}. */
  public static EmbeddedCluster start() {
    return builder().start();
  }
}
