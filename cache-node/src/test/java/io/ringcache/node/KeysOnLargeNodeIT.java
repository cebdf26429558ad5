package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
    // the node walks its 400,000 keys (0.3-0.5 s)
    assertThat(Nodes.answeredAfterAGetMeanwhile(node, "key:7", "v", "KEYS", "*nomatch*")).isEqualTo(List.of());
  }

  @Test
  void scan_ofAStepBeyondTheLoopsShare_walksAside_whileAnotherClientOnTheSameLoopIsServed() throws Exception {
    // one step over the 400,000 keys
    assertThat(Nodes.answeredAfterAGetMeanwhile(node, "key:7", "v", "SCAN", "0", "MATCH", "*nomatch*", "COUNT", "1000000"))
        .isEqualTo(List.of("0", List.of()));
    try (RespTestClient c = node.connectToNode(0)) {
      List<?> some = (List<?>) c.call("SCAN", "0", "MATCH", "key:1234?", "COUNT", "1000000");
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
