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
 * A pattern of thousands of tokens matched against long keys, all of them a client's own writes:
 * about 4 ms per key, so one SCAN of 300 such keys held the node's only loop 1.3 s, a KEYS of a node
 * full of them (well under KEYS_ON_LOOP keys) longer than the router's lease, and the node came back
 * flushed. Such matching now runs aside while the loop serves others, and EXEC weighs it.
 */
class CostlyPatternIT {

  private static final int KEYS = 300;
  private static final String LONG = "a".repeat(16_000);
  /** 1000 runs of stars before the end (Redis's bound) and 14,000 literals: about 250 words per key byte. */
  private static final String PATTERN = "*a".repeat(998) + "*" + "a".repeat(14_000) + "*7";
  /** The same, matching no key: an empty reply, read at once, for the timing of the answers. */
  private static final String NO_MATCH = "*a".repeat(998) + "*" + "a".repeat(14_000) + "*x";

  private static LaunchedCluster<NodeServer, Void> node;

  @BeforeAll
  static void fill() {
    node = Nodes.standalone().nodeThreads(1).maxMemory(64L << 20).start();
    try (RespTestClient c = node.connectToNode(0)) {
      for (int i = 0; i < KEYS; i++) {
        c.send("SET", LONG + i, "v");
      }
      c.flush();
      for (int i = 0; i < KEYS; i++) {
        assertThat(c.readReply()).isEqualTo("OK");
      }
    }
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static Set<String> matching() {
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < KEYS; i++) {
      if (i % 10 == 7) {
        keys.add(LONG + i);
      }
    }
    return keys;
  }

  @Test
  void scan_withACostlyPattern_matchesAside_whileAnotherClientOnTheSameLoopIsServed() throws Exception {
    assertThat(whileAnotherClientIsServed("SCAN", "0", "MATCH", NO_MATCH, "COUNT", "1000")).isEqualTo(List.of("0", List.of()));
    try (RespTestClient c = node.connectToNode(0)) {
      List<?> page = (List<?>) c.call("SCAN", "0", "MATCH", PATTERN, "COUNT", "1000");
      assertThat(page.get(0)).isEqualTo("0");
      assertThat(new HashSet<Object>((List<?>) page.get(1))).isEqualTo(matching());
    }
  }

  @Test
  void keys_withACostlyPattern_onASmallNode_walksAside_whileAnotherClientOnTheSameLoopIsServed() throws Exception {
    assertThat(whileAnotherClientIsServed("KEYS", NO_MATCH)).isEqualTo(List.of());
    try (RespTestClient c = node.connectToNode(0)) {
      assertThat(new HashSet<Object>((List<?>) c.call("KEYS", PATTERN))).isEqualTo(matching());
    }
  }

  private static Object whileAnotherClientIsServed(String... command) throws Exception {
    return Nodes.answeredAfterAGetMeanwhile(node, LONG + 7, "v", command); // the matching takes about a second here
  }

  @Test
  void exec_ofKeysWithACostlyPattern_isRefusedBeforeItRuns() {
    try (RespTestClient c = node.connectToNode(0)) {
      assertThat(c.call("MULTI")).isEqualTo("OK");
      assertThat(c.call("KEYS", PATTERN)).isEqualTo("QUEUED");
      assertThat(((RespTestClient.Error) c.call("EXEC")).message()).startsWith(
          "EXECABORT Transaction discarded because it would hold every client of this node too long");
      // a cheap pattern over the same keys runs
      assertThat(c.call("MULTI")).isEqualTo("OK");
      assertThat(c.call("KEYS", "*7")).isEqualTo("QUEUED");
      assertThat(new HashSet<Object>((List<?>) ((List<?>) c.call("EXEC")).get(0))).isEqualTo(matching());
    }
  }
}
