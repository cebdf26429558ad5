package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.ring.Crc32;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RING.* commands and ownership redirects. */
class ClusterIT {

  private static String keyOwnedBy(HashRing ring, String owner, String prefix) {
    for (int i = 0; ; i++) {
      String key = prefix + i;
      if (ring.ownerOfHash(Crc32.hash(key.getBytes(StandardCharsets.UTF_8))).equals(owner)) {
        return key;
      }
    }
  }

  @Test
  void ringTopology_standalone_isEpochZeroWithThisNode() throws IOException {
    try (LaunchedCluster<NodeServer, Void> nodes =
            Nodes.standalone().nodeArgs("--name", "n1", "--advertise", "127.0.0.1:9999").start();
        RespTestClient c = nodes.connectToNode(0)) {
      Topology t = TopologyJson.read((String) c.call("RING.TOPOLOGY"));
      assertThat(t.epoch()).isZero();
      assertThat(t.nodes()).containsExactly(new NodeInfo("n1", "127.0.0.1:9999", 1, NodeState.UP));
    }
  }

  @Test
  void ringSetTopology_newerEpoch_redirectsKeysOwnedElsewhere() throws IOException {
    try (LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().start();
        RespTestClient c = nodes.connectToNode(0)) {
      NodeServer node = nodes.node(0);
      String self = node.cluster().name();
      Topology t =
          Topology.of(
              4,
              List.of(
                  new NodeInfo(self, self, 1, NodeState.UP),
                  new NodeInfo("127.0.0.1:1", "127.0.0.1:1", 1, NodeState.UP)));
      assertThat(c.call("RING.SETTOPOLOGY", TopologyJson.write(t))).isEqualTo(4L);
      HashRing ring = t.ring();
      String mine = keyOwnedBy(ring, self, "m");
      String theirs = keyOwnedBy(ring, "127.0.0.1:1", "t");
      assertThat(c.call("SET", mine, "v")).isEqualTo("OK");
      assertThat(c.call("GET", mine)).isEqualTo("v");
      assertThat(c.call("SET", theirs, "v")).isEqualTo(new RespTestClient.Error("MOVED 4 127.0.0.1:1"));
      assertThat(c.call("GET", theirs)).isEqualTo(new RespTestClient.Error("MOVED 4 127.0.0.1:1"));
      assertThat(c.call("MGET", mine, theirs)).isEqualTo(new RespTestClient.Error("CROSSNODE keys in request are owned by different nodes"));
      assertThat(c.call("DEL", theirs, theirs)).isEqualTo(new RespTestClient.Error("MOVED 4 127.0.0.1:1"));
      assertThat(c.call("PING")).isEqualTo("PONG");
      // an older epoch is not adopted
      assertThat(c.call("RING.SETTOPOLOGY", TopologyJson.write(Topology.of(3, List.of(NodeInfo.of(self, 1)))))).isEqualTo(4L);
      assertThat(c.call("GET", theirs)).isEqualTo(new RespTestClient.Error("MOVED 4 127.0.0.1:1"));
      assertThat(TopologyJson.read((String) c.call("RING.TOPOLOGY"))).isEqualTo(t);
      assertThat((String) c.call("INFO", "ring")).contains("ring_epoch:4", "ring_standalone:0");
    }
  }

  @Test
  void ringSetTopology_badJson_isClearError() throws IOException {
    try (LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().start();
        RespTestClient c = nodes.connectToNode(0)) {
      NodeServer node = nodes.node(0);
      Object reply = c.call("RING.SETTOPOLOGY", "{not json");
      assertThat(reply).isInstanceOf(RespTestClient.Error.class);
      assertThat(((RespTestClient.Error) reply).message()).startsWith("ERR invalid topology document");
      Object dup = c.call("RING.SETTOPOLOGY", "{\"epoch\":2,\"nodes\":[{\"name\":\"a\",\"weight\":1},{\"name\":\"a\",\"weight\":1}]}");
      assertThat(((RespTestClient.Error) dup).message()).contains("duplicate node: a");
      assertThat(node.cluster().isStandalone()).isTrue();
    }
  }

  @Test
  void ringWithoutNodes_answersTryAgain() throws IOException {
    try (LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().start();
        RespTestClient c = nodes.connectToNode(0)) {
      NodeServer node = nodes.node(0);
      String self = node.cluster().name();
      c.call("RING.SETTOPOLOGY", TopologyJson.write(Topology.of(2, List.of(new NodeInfo(self, self, 1, NodeState.EJECTED)))));
      Object reply = c.call("GET", "a");
      assertThat(((RespTestClient.Error) reply).message()).startsWith("TRYAGAIN");
    }
  }
}
