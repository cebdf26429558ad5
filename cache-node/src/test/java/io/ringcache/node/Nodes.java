package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.store.Clock;
import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RespTestClient;
import io.ringcache.testkit.core.RunningServer;
import io.ringcache.testkit.core.ServerLauncher;
import io.ringcache.testkit.core.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How cache-node's tests start nodes. {@link #standalone()} is the testkit's cluster of standalone
 * nodes started from their command-line options ({@link CacheNode#embed}), the way to start one;
 * {@link #config()} and {@link #start} start a {@link NodeServer} on a {@link NodeConfig} directly,
 * for a test that needs what the command line cannot give (CommandsIT's injected {@link Clock}).
 */
public final class Nodes {

  /**
   * Starts a real node from {@code cache-node}'s command-line options: what the testkit's cluster is
   * given here and in cache-router's tests (through this module's test-jar).
   */
  public static final ServerLauncher<NodeServer> LAUNCHER =
      args -> RunningServer.of(CacheNode.embed(args.toArray(String[]::new)), NodeServer::port, NodeServer::close);

  private Nodes() {}

  /**
   * One standalone node (more with {@code nodes(n)}) on a free loopback port, two worker threads, on
   * the store the system property {@code ringcache.test.store} names (packed, caffeine or offheap;
   * the default store without it), so that the integration tests can run on each:
   * {@code mvn ... verify -Dringcache.test.store=offheap}.
   */
  static LaunchedCluster.Builder<NodeServer, Void, LaunchedCluster<NodeServer, Void>> standalone() {
    return LaunchedCluster.builder(LAUNCHER).nodes(1).nodeThreads(2).store(System.getProperty("ringcache.test.store"));
  }

  /**
   * A node's configuration on a free loopback port, on the store {@code ringcache.test.store}
   * names, as {@link #standalone()}.
   */
  static NodeConfig.Builder config() {
    NodeConfig.Builder config = NodeConfig.builder().bind("127.0.0.1").port(0).threads(2).maxMemory(64L << 20);
    String store = System.getProperty("ringcache.test.store", "");
    return store.isBlank() ? config : config.store(NodeConfig.StoreType.parse(store));
  }

  static NodeServer start(NodeConfig.Builder config) {
    return NodeServer.start(config.build());
  }

  static NodeServer start(NodeConfig.Builder config, Clock clock) {
    NodeConfig c = config.build();
    return NodeServer.start(c, NodeServer.newStore(c, clock), clock);
  }

  /** Writes {@code key:0 ... key:(n-1)} = {@code v} through {@code client}: MSETs of 1,000, pipelined. */
  static void fill(RespTestClient client, int n) {
    for (int from = 0; from < n; from += 1_000) {
      List<String> mset = new ArrayList<>(List.of("MSET"));
      for (int i = from; i < Math.min(n, from + 1_000); i++) {
        mset.add("key:" + i);
        mset.add("v");
      }
      client.send(mset.toArray(String[]::new));
    }
    client.flush();
    for (int from = 0; from < n; from += 1_000) {
      assertThat(client.readReply()).isEqualTo("OK");
    }
  }

  /**
   * Waits until the node has dispatched {@code command} on the connection whose CLIENT ID is
   * {@code id}, as {@code observer} sees it in CLIENT LIST (its {@code cmd=}).
   */
  static void awaitDispatched(RespTestClient observer, long id, String command) {
    Await.until(() -> ((String) observer.call("CLIENT", "LIST")).lines()
            .anyMatch(line -> line.startsWith("id=" + id + " ") && line.contains(" cmd=" + command + " ")),
        Duration.ofSeconds(30), "connection " + id + " running " + command);
  }

  /**
   * Sends {@code command} on one connection of a one-loop node and, once the node runs it, GETs
   * {@code key} on another, which must read {@code value}; returns the command's reply, asserting
   * the GET was answered first: the command walked or matched aside instead of holding the loop.
   * The command's reply should be small (read as soon as it comes), e.g. a pattern matching nothing.
   */
  static Object answeredAfterAGetMeanwhile(LaunchedCluster<NodeServer, Void> node, String key, String value, String... command)
      throws Exception {
    try (RespTestClient walker = node.connectToNode(0);
        RespTestClient other = node.connectToNode(0)) {
      long walkerId = (Long) walker.call("CLIENT", "ID");
      long[] answered = new long[1];
      walker.send(command).flush();
      java.util.concurrent.CompletableFuture<Object> walk = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        Object reply = walker.readReply();
        answered[0] = System.nanoTime();
        return reply;
      });
      awaitDispatched(other, walkerId, command[0].toLowerCase(java.util.Locale.ROOT));
      Object get = other.call("GET", key);
      long getAnswered = System.nanoTime();
      assertThat(get).isEqualTo(value);
      Object reply = walk.get(60, java.util.concurrent.TimeUnit.SECONDS);
      // on the loop, the command would have held the GET until it ended
      assertThat(getAnswered).as("the GET answered before the %s that was running", command[0]).isLessThan(answered[0]);
      return reply;
    }
  }
}
