package io.ringcache.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hash tags as twemproxy's hash_tag "{}" and Redis Cluster's key hash tags cut them. */
class HashTagTest {

  private static final HashTag TAGS = HashTag.of("{}");

  private static int crc(String s) {
    return Crc32.hash(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static int tagged(String key) {
    return TAGS.hash(key.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void hash_withTags_hashesTheBytesBetweenTheFirstOpenAndTheNextClose() {
    assertThat(tagged("{user1}.a")).isEqualTo(crc("user1"));
    assertThat(tagged("{user1}.b")).isEqualTo(crc("user1"));
    assertThat(tagged("x{user1}y")).isEqualTo(crc("user1"));
    assertThat(tagged("{a}{b}")).isEqualTo(crc("a")); // the first tag only
    assertThat(tagged("{{a}}")).isEqualTo(crc("{a")); // the first '{', then the first '}' after it
    assertThat(tagged("a}{b}")).isEqualTo(crc("b")); // a '}' before the first '{' does not count
  }

  @Test
  void hash_withTags_emptyOrUnclosedTag_hashesTheWholeKey() {
    for (String key : List.of("{}.a", "{}{b}", "a{", "a{b", "}a{", "plain", "", "{")) {
      assertThat(tagged(key)).as(key).isEqualTo(crc(key));
    }
  }

  @Test
  void hash_none_isTheCrc32OfTheWholeKey() {
    assertThat(HashTag.NONE.hash("{user1}.a".getBytes(StandardCharsets.US_ASCII))).isEqualTo(crc("{user1}.a"));
    assertThat(HashTag.of(null)).isSameAs(HashTag.NONE);
    assertThat(HashTag.of("")).isSameAs(HashTag.NONE);
    assertThat(HashTag.NONE.enabled()).isFalse();
  }

  @Test
  void of_otherDelimiters_areAccepted_badSpecsAreRefusedWithTheValue() {
    assertThat(HashTag.of("[]").hash("x[k]y".getBytes(StandardCharsets.US_ASCII))).isEqualTo(crc("k"));
    for (String bad : List.of("{", "{}}", "{{", "\u00e9}", " }")) {
      assertThatThrownBy(() -> HashTag.of(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + bad + "'");
    }
  }

  @Test
  void routingTable_withTags_placesTaggedKeysTogether_withoutTags_asTheRing() {
    List<NodeInfo> nodes = List.of(new NodeInfo("127.0.0.1:7001", "127.0.0.1:7001", 1, NodeState.UP),
        new NodeInfo("127.0.0.1:7002", "127.0.0.1:7002", 1, NodeState.UP),
        new NodeInfo("127.0.0.1:7003", "127.0.0.1:7003", 1, NodeState.UP));
    RoutingTable tagged = RoutingTable.of(Topology.of(1, nodes).withHashTag("{}"));
    RoutingTable plain = RoutingTable.of(Topology.of(1, nodes));
    int split = 0;
    for (int i = 0; i < 200; i++) {
      byte[] a = ("{user" + i + "}.a").getBytes(StandardCharsets.US_ASCII);
      byte[] b = ("{user" + i + "}.b").getBytes(StandardCharsets.US_ASCII);
      assertThat(tagged.serverOf(a)).isEqualTo(tagged.serverOf(b));
      assertThat(plain.serverOf(a)).isEqualTo(plain.ring().ownerOf(a));
      if (!plain.serverOf(a).equals(plain.serverOf(b))) {
        split++;
      }
    }
    assertThat(split).as("without tags, such pairs land on different nodes").isGreaterThan(50);
  }
}
