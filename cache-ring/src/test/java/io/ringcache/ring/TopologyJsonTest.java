package io.ringcache.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopologyJsonTest {

  @Test
  void writeThenRead_roundTripsEveryField() {
    Topology topology =
        new Topology(
            42,
            List.of(
                new NodeInfo("127.0.0.1:7001", "127.0.0.1:7001", 1, NodeState.UP),
                new NodeInfo("cache-b", "10.0.0.2:7002", 3, NodeState.DOWN)),
            List.of(
                new Handoff(
                    "h1",
                    "127.0.0.1:7001",
                    "cache-b",
                    List.of(new HashRange(4_000_000_000L, 17), new HashRange(5, 9)),
                    HandoffPhase.SEALED)));
    String json = TopologyJson.write(topology);
    assertThat(TopologyJson.read(json)).isEqualTo(topology);
    assertThat(json).contains("\"epoch\":42").contains("\"state\":\"DOWN\"").contains("4000000000");
  }

  @Test
  void hashTag_roundTripsWhenSet_andIsLeftOutWhenOff() {
    List<NodeInfo> nodes = List.of(new NodeInfo("a:1", "a:1", 1, NodeState.UP));
    Topology tagged = Topology.of(3, nodes).withHashTag("{}");
    String json = TopologyJson.write(tagged);
    assertThat(json).contains("\"hashTag\":\"{}\"");
    assertThat(TopologyJson.read(json)).isEqualTo(tagged);
    assertThat(TopologyJson.read(json).next(nodes, List.of()).hashTag()).isEqualTo("{}");
    assertThat(TopologyJson.write(Topology.of(3, nodes))).doesNotContain("hashTag"); // as before tags existed
    assertThat(TopologyJson.read("{\"epoch\":1,\"nodes\":[]}").keyHash()).isEqualTo(HashTag.NONE);
    assertThatThrownBy(() -> TopologyJson.read("{\"epoch\":1,\"hashTag\":\"{{\"}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hash tag must be two distinct");
  }

  @Test
  void read_missingAddressAndState_defaultsToNameAndUp() {
    Topology topology = TopologyJson.read("{\"epoch\":1,\"nodes\":[{\"name\":\"a:1\",\"weight\":2}]}");
    assertThat(topology.nodes()).containsExactly(new NodeInfo("a:1", "a:1", 2, NodeState.UP));
    assertThat(topology.handoffs()).isEmpty();
  }

  @Test
  void read_invalidDocuments_failWithAMessageThatSaysWhy() {
    assertThatThrownBy(() -> TopologyJson.read("{not json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid topology document");
    assertThatThrownBy(() -> TopologyJson.read("{\"epoch\":1,\"nodes\":[{\"name\":\"a\",\"weight\":0}]}"))
        .hasMessageContaining("weight must be positive: 0 (node a)");
    assertThatThrownBy(
            () -> TopologyJson.read("{\"epoch\":1,\"nodes\":[{\"name\":\"a\",\"weight\":1},{\"name\":\"a\",\"weight\":1}]}"))
        .hasMessageContaining("duplicate node: a");
    assertThatThrownBy(() -> TopologyJson.read("{\"epoch\":-1}")).hasMessageContaining("epoch must not be negative");
    assertThatThrownBy(() -> TopologyJson.read("null")).hasMessageContaining("null");
  }

  @Test
  void ring_ofTopology_isTheRingOfItsNodesInOrder() {
    Topology topology = Topology.of(3, List.of(NodeInfo.of("a:1", 1), NodeInfo.of("b:1", 2)));
    assertThat(topology.ring().nodeNames()).containsExactly("a:1", "b:1");
    assertThat(topology.ring().weightOf("b:1")).isEqualTo(2);
  }
}
