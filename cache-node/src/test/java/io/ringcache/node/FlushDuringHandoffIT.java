package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.ring.Handoff;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.HashRange;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.RingDiff;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import io.ringcache.ring.Transfer;
import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * FLUSHALL while a range streams from a source to a target: the proxy sends it to both ends, one
 * after the other, so whatever the source read before its own flush can reach the target after the
 * target's: a batch in flight, or a read-through answer. None of it may bring a flushed key back.
 * The test plays the source's stream itself (RING.IMPORT, as a batch in flight), so the order is
 * exact; the read-through goes to the real source.
 */
class FlushDuringHandoffIT {

  @Test
  void flushAll_atTheTarget_thenABatchReadBeforeTheSourceFlushed_storesNothing() throws Exception {
    try (LaunchedCluster<NodeServer, Void> pair = Nodes.standalone().nodes(2).start();
        RespTestClient source = pair.connectToNode(0);
        RespTestClient target = pair.connectToNode(1)) {
      List<String> moving = streaming(pair, source, target);
      String early = moving.get(0);
      String inFlight = moving.get(1);

      assertThat(target.call("RING.IMPORT", "h0", early, "-1", "before")).as("a batch before the flush").isEqualTo(1L);
      assertThat(target.call("GET", early)).isEqualTo("before");

      assertThat(target.call("FLUSHALL")).isEqualTo("OK");
      assertThat(target.call("GET", early)).as("flushed").isNull();
      assertThat(target.call("RING.IMPORT", "h0", inFlight, "-1", "read before the flush"))
          .as("a batch the source read before the flush, arriving after it").isEqualTo(0L);
      assertThat(source.call("FLUSHALL")).isEqualTo("OK");

      assertThat(target.call("GET", inFlight)).isNull();
      assertThat(target.call("DBSIZE")).isEqualTo(0L);
    }
  }

  @Test
  void flushAll_atTheTargetBeforeTheSource_readThroughDoesNotBringTheSourcesCopyBack() throws Exception {
    try (LaunchedCluster<NodeServer, Void> pair = Nodes.standalone().nodes(2).start();
        RespTestClient source = pair.connectToNode(0);
        RespTestClient target = pair.connectToNode(1)) {
      List<String> moving = streaming(pair, source, target);
      String key = moving.get(0);
      assertThat(source.call("RING.READ", key)).as("the source still holds it").isInstanceOf(List.class);
      assertThat(target.call("GET", key)).as("read through to the source").isEqualTo("old");

      String other = moving.get(1);
      assertThat(target.call("FLUSHALL")).isEqualTo("OK");
      // the proxy's FLUSHALL has reached the target, not yet the source
      assertThat(target.call("GET", other)).as("no read-through after the flush").isNull();
      assertThat(target.call("GET", key)).isNull();
      assertThat(source.call("FLUSHALL")).isEqualTo("OK");
      assertThat(target.call("GET", other)).isNull();
      assertThat(target.call("DBSIZE")).isEqualTo(0L);
    }
  }

  @Test
  void writeAfterTheFlush_isServedAndKept() throws Exception {
    try (LaunchedCluster<NodeServer, Void> pair = Nodes.standalone().nodes(2).start();
        RespTestClient source = pair.connectToNode(0);
        RespTestClient target = pair.connectToNode(1)) {
      List<String> moving = streaming(pair, source, target);
      String key = moving.get(0);
      assertThat(target.call("FLUSHALL")).isEqualTo("OK");
      assertThat(target.call("SET", key, "new")).isEqualTo("OK");
      assertThat(target.call("RING.IMPORT", "h0", key, "-1", "old")).isEqualTo(0L);
      assertThat(target.call("GET", key)).isEqualTo("new");
    }
  }

  /**
   * Loads keys at node 0 and puts both nodes in phase STREAMING of a handoff {@code h0} that moves
   * node 1's future ranges to it; returns moving keys, each holding "old" at the source.
   */
  private static List<String> streaming(LaunchedCluster<NodeServer, Void> pair, RespTestClient s, RespTestClient t) {
    String sourceName = pair.node(0).cluster().name();
    String targetName = pair.node(1).cluster().name();
    List<NodeInfo> before = List.of(NodeInfo.of(sourceName, 1));
    List<NodeInfo> after = List.of(NodeInfo.of(sourceName, 1), NodeInfo.of(targetName, 1));
    List<Handoff> handoffs = new ArrayList<>();
    for (Map.Entry<Transfer, List<HashRange>> g : RingDiff.between(HashRing.of(before), HashRing.of(after)).groups().entrySet()) {
      handoffs.add(new Handoff("h" + handoffs.size(), g.getKey().from(), g.getKey().to(), g.getValue(), HandoffPhase.STREAMING));
    }
    assertThat(handoffs).hasSize(1);
    List<String> moving = new ArrayList<>();
    for (int i = 0; moving.size() < 2; i++) {
      String key = "k" + i;
      assertThat(s.call("SET", key, "old")).isEqualTo("OK");
      if (HashRing.of(after).ownerOf(key.getBytes(StandardCharsets.UTF_8)).equals(targetName)) {
        moving.add(key);
      }
    }
    Topology streaming = new Topology(2, after, handoffs);
    assertThat(s.call("RING.SETTOPOLOGY", TopologyJson.write(streaming))).isEqualTo(2L);
    assertThat(t.call("RING.SETTOPOLOGY", TopologyJson.write(streaming))).isEqualTo(2L);
    return moving;
  }
}
