package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * KEYS on a node holding more than {@link KeyCommands#KEYS_ON_LOOP} keys walks off the event loop:
 * its connection waits for the reply, in order, while the node's one worker loop serves others.
 */
class KeysOnLargeNodeIT {

  private static final int KEYS = 400_000;

  private static LaunchedCluster<NodeServer, Void> node;

  @BeforeAll
  static void fill() {
    node = Nodes.standalone().nodeThreads(1).maxMemory(512L << 20).start();
    try (RespTestClient c = node.connectToNode(0)) {
      Nodes.fill(c, KEYS);
      assertThat(c.call("DBSIZE")).isEqualTo((long) KEYS);
    }
    assertThat(KEYS).isGreaterThan((int) KeyCommands.KEYS_ON_LOOP);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void keys_listsEveryKeyOnce_andTheRequestsBehindItAreAnsweredAfterIt_inOrder() {
    try (RespTestClient c = node.connectToNode(0)) {
      c.send("KEYS", "*").send("PING").send("KEYS", "key:1234?").flush();
      List<?> all = (List<?>) c.readReply();
      Set<Object> distinct = new HashSet<>(all);
      assertThat(all).hasSize(KEYS);
      assertThat(distinct).hasSize(KEYS).contains("key:0", "key:" + (KEYS - 1));
      assertThat(c.readReply()).isEqualTo("PONG");
      assertThat(new HashSet<Object>((List<?>) c.readReply())).containsExactlyInAnyOrder(
          "key:12340", "key:12341", "key:12342", "key:12343", "key:12344",
          "key:12345", "key:12346", "key:12347", "key:12348", "key:12349");
    }
  }

  @Test
  void keys_whileItWalks_anotherClientOnTheSameLoopIsServed() throws Exception {
    try (RespTestClient walker = node.connectToNode(0);
        RespTestClient other = node.connectToNode(0)) {
      long walkerId = (Long) walker.call("CLIENT", "ID");
      long[] keysAnswered = new long[1];
      walker.send("KEYS", "*nomatch*").flush();
      CompletableFuture<Object> keys = CompletableFuture.supplyAsync(() -> {
        Object reply = walker.readReply();
        keysAnswered[0] = System.nanoTime();
        return reply;
      });
      Nodes.awaitDispatched(other, walkerId, "keys"); // the node walks its 400,000 keys (0.3-0.5 s)
      Object get = other.call("GET", "key:7");
      long getAnswered = System.nanoTime();
      assertThat(get).isEqualTo("v");
      assertThat(keys.get(30, TimeUnit.SECONDS)).isEqualTo(List.of());
      // on the loop, the walk (hundreds of milliseconds here) would have held the GET until it ended
      assertThat(getAnswered).as("the GET answered before the KEYS that was walking").isLessThan(keysAnswered[0]);
    }
  }

  @Test
  void scan_ofAStepBeyondTheLoopsShare_walksAside_whileAnotherClientOnTheSameLoopIsServed() throws Exception {
    try (RespTestClient walker = node.connectToNode(0);
        RespTestClient other = node.connectToNode(0)) {
      long walkerId = (Long) walker.call("CLIENT", "ID");
      long[] scanAnswered = new long[1];
      walker.send("SCAN", "0", "MATCH", "*nomatch*", "COUNT", "1000000").flush();
      CompletableFuture<Object> scan = CompletableFuture.supplyAsync(() -> {
        Object reply = walker.readReply();
        scanAnswered[0] = System.nanoTime();
        return reply;
      });
      Nodes.awaitDispatched(other, walkerId, "scan"); // one step over the 400,000 keys
      Object get = other.call("GET", "key:7");
      long getAnswered = System.nanoTime();
      assertThat(get).isEqualTo("v");
      assertThat(scan.get(30, TimeUnit.SECONDS)).isEqualTo(List.of("0", List.of()));
      // on the loop, the walk (hundreds of milliseconds here) would have held the GET until it ended
      assertThat(getAnswered).as("the GET answered before the SCAN that was walking").isLessThan(scanAnswered[0]);
      List<?> some = (List<?>) other.call("SCAN", "0", "MATCH", "key:1234?", "COUNT", "1000000");
      assertThat(new HashSet<Object>((List<?>) some.get(1))).hasSize(10).contains("key:12340", "key:12349");
    }
  }

  @Test
  void keys_insideExec_runsWhole() {
    try (RespTestClient c = node.connectToNode(0)) {
      assertThat(c.call("MULTI")).isEqualTo("OK");
      assertThat(c.call("KEYS", "key:39999?")).isEqualTo("QUEUED");
      assertThat(c.call("PING")).isEqualTo("QUEUED");
      List<?> exec = (List<?>) c.call("EXEC");
      assertThat(exec).hasSize(2);
      assertThat((List<?>) exec.get(0)).hasSize(10);
      assertThat(exec.get(1)).isEqualTo("PONG");
    }
  }
}
