package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.testkit.core.RespTestClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * RING.FLUSH of a big store (the router's flush of a node before it joins) does not silence the
 * node: the clear takes time in proportion to the store, and meanwhile the node answers heartbeats
 * on its other connections, which its lease depends on. The node runs one event loop, so every
 * connection shares the loop the flush arrived on, and a million keys in the Caffeine store take
 * about a second to clear (docs/benchmarks.md).
 */
class RingFlushIT {

  private static final int KEYS = 1_000_000;
  private static final long LEASE_MILLIS = 10_000;

  @Test
  void ringFlush_ofABigStore_heartbeatsAreAnsweredWhileItClears_andItsContractHolds() throws Exception {
    try (NodeServer node = Nodes.start(Nodes.config().threads(1).maxMemory(1L << 30).store(NodeConfig.StoreType.CAFFEINE));
        RespTestClient flusher = RespTestClient.connect(node.port());
        RespTestClient router = RespTestClient.connect(node.port());
        RespTestClient client = RespTestClient.connect(node.port())) {
      Store store = node.store();
      byte[] value = "v".repeat(32).getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < KEYS; i++) {
        store.put(Key.of(("k" + i).getBytes(StandardCharsets.US_ASCII)), value, Store.NO_TTL, false, Store.Condition.ALWAYS);
      }
      assertThat(client.call("DBSIZE")).isEqualTo((long) KEYS);
      // the heartbeat that takes the cluster state's monitor: the node's own incarnation, on a
      // connection that answered one before (the first one only learns the incarnation)
      long incarnation = (Long) ((List<?>) router.call("RING.HEARTBEAT", "0", Long.toString(LEASE_MILLIS))).get(1);
      heartbeat(router, incarnation);

      flusher.send("RING.FLUSH").flush();
      CompletableFuture<Object> flushed = CompletableFuture.supplyAsync(flusher::readReply);
      // with the clear on the loop (or under the monitor) no heartbeat is answered before the
      // flush's reply; no bound on their latency: on a loaded machine any thread waits for a core
      int answeredWhileFlushing = 0;
      while (!flushed.isDone()) {
        heartbeat(router, incarnation);
        if (!flushed.isDone()) {
          answeredWhileFlushing++;
        }
      }
      assertThat(flushed.get(30, TimeUnit.SECONDS)).isEqualTo("OK");
      assertThat(answeredWhileFlushing).as("heartbeats answered while the store was cleared").isGreaterThanOrEqualTo(3);

      // the contract: after the reply nothing written before it is readable, a write after it stays
      assertThat(client.call("DBSIZE")).isEqualTo(0L);
      assertThat(client.call("GET", "k1")).isNull();
      assertThat(client.call("SET", "k1", "after")).isEqualTo("OK");
      assertThat(client.call("GET", "k1")).isEqualTo("after");
      assertThat(client.call("PING")).isEqualTo("PONG");
    }
  }

  private static void heartbeat(RespTestClient router, long incarnation) {
    Object reply = router.call("RING.HEARTBEAT", Long.toString(incarnation), Long.toString(LEASE_MILLIS));
    assertThat(reply).as("heartbeat reply").isInstanceOf(List.class);
  }
}
