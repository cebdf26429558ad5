package io.ringcache.node;

import io.ringcache.node.store.Clock;

/** Starts nodes on free loopback ports for integration tests. */
final class Nodes {

  private Nodes() {}

  /**
   * A node on a free loopback port, on the store the system property {@code ringcache.test.store}
   * names (packed, caffeine or offheap; the default store without it), so that the integration
   * tests can run on each: {@code mvn ... verify -Dringcache.test.store=offheap}.
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
}
