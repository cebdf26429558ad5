package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.ring.Handoff;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.HashRange;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.RingDiff;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import io.ringcache.ring.Transfer;
import io.ringcache.testkit.core.RespTestClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One handoff between two real standalone nodes, driven by hand as the router would drive it: keys
 * {@code k0 ... k(n-1)} written to the source, the topology in which the target joins it with its
 * handoff {@code h0} {@code STREAMING}, then the topology after the event. For the tests of the
 * stream itself (its rate, its resumption, its fallback for older targets).
 */
final class SecondNodeJoins {

  final String source;
  final String target;
  final List<NodeInfo> after;
  final List<Handoff> handoffs = new ArrayList<>();
  /** The keys the target owns once it joined. */
  final List<String> moving = new ArrayList<>();

  SecondNodeJoins(NodeServer source, NodeServer target, int keys) {
    this.source = source.cluster().name();
    this.target = target.cluster().name();
    List<NodeInfo> before = List.of(NodeInfo.of(this.source, 1));
    this.after = List.of(NodeInfo.of(this.source, 1), NodeInfo.of(this.target, 1));
    for (Map.Entry<Transfer, List<HashRange>> g : RingDiff.between(HashRing.of(before), HashRing.of(after)).groups().entrySet()) {
      handoffs.add(new Handoff("h" + handoffs.size(), g.getKey().from(), g.getKey().to(), g.getValue(), HandoffPhase.STREAMING));
    }
    assertThat(handoffs).as("one source, one target: one handoff").hasSize(1);
    HashRing ring = HashRing.of(after);
    for (int i = 0; i < keys; i++) {
      if (ring.ownerOf(("k" + i).getBytes(StandardCharsets.UTF_8)).equals(this.target)) {
        moving.add("k" + i);
      }
    }
  }

  /** Writes {@code k0 ... k(keys-1)} = {@code value} through {@code client}, pipelined in slices. */
  static void fill(RespTestClient client, int keys, String value) {
    for (int from = 0; from < keys; from += 10_000) { // slices the node buffers whole
      int to = Math.min(keys, from + 10_000);
      StringBuilder sets = new StringBuilder();
      for (int i = from; i < to; i++) {
        sets.append("SET k").append(i).append(' ').append(value).append("\r\n");
      }
      client.sendRaw(sets.toString()).flush();
      for (int i = from; i < to; i++) {
        assertThat(client.readReply()).isEqualTo("OK");
      }
    }
  }

  /** Epoch 2: the handoff streaming; the target reached at {@code targetAddress}. */
  String streaming(String targetAddress) {
    List<NodeInfo> nodes = List.of(NodeInfo.of(source, 1), new NodeInfo(target, targetAddress, 1, NodeState.UP));
    return TopologyJson.write(new Topology(2, nodes, handoffs));
  }

  /** Epoch 3: the event done. */
  String done() {
    return TopologyJson.write(Topology.of(3, after));
  }

  /** The moving keys whose value at {@code target} is not {@code value}. */
  List<String> missingAt(RespTestClient target, String value) {
    List<String> missing = new ArrayList<>();
    for (int from = 0; from < moving.size(); from += 2_000) {
      List<String> slice = moving.subList(from, Math.min(moving.size(), from + 2_000));
      StringBuilder gets = new StringBuilder();
      for (String k : slice) {
        gets.append("GET ").append(k).append("\r\n");
      }
      target.sendRaw(gets.toString()).flush();
      for (String k : slice) {
        if (!value.equals(target.readReply())) {
          missing.add(k);
        }
      }
    }
    return missing;
  }
}
