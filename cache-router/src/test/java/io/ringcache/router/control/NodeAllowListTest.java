package io.ringcache.router.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeAllowListTest {

  @Test
  void allows_loopbackKeyword_matchesLoopbackLiteralsAndLocalhostOnly() {
    NodeAllowList list = NodeAllowList.of(List.of("loopback"));
    assertThat(list.allows("127.0.0.1:7001")).isTrue();
    assertThat(list.allows("127.9.9.9:7001")).isTrue();
    assertThat(list.allows("[::1]:7001")).isTrue();
    assertThat(list.allows("localhost:7001")).isTrue();
    assertThat(list.allows("10.0.0.1:7001")).isFalse();
    assertThat(list.allows("evil.example:7001")).isFalse();
  }

  @Test
  void allows_cidrBlocks_matchByPrefix() {
    NodeAllowList list = NodeAllowList.of(List.of("10.1.0.0/16", "fd00::/8"));
    assertThat(list.allows("10.1.200.3:7001")).isTrue();
    assertThat(list.allows("10.2.0.1:7001")).isFalse();
    assertThat(list.allows("[fd12::1]:7001")).isTrue();
    assertThat(list.allows("[fe80::1]:7001")).isFalse();
    assertThat(list.allows("127.0.0.1:7001")).isFalse();
  }

  @Test
  void allows_hostGlobs_matchCaseInsensitivelyOnTheHostOnly() {
    NodeAllowList list = NodeAllowList.of(List.of("*.cache.internal", "node?", "exact-host"));
    assertThat(list.allows("a.cache.internal:7001")).isTrue();
    assertThat(list.allows("A.Cache.Internal:1")).isTrue();
    assertThat(list.allows("cache.internal:7001")).isFalse();
    assertThat(list.allows("node4:7001")).isTrue();
    assertThat(list.allows("node44:7001")).isFalse();
    assertThat(list.allows("exact-host:9")).isTrue();
    assertThat(list.allows("exact-host.evil:9")).isFalse();
    assertThat(NodeAllowList.of(List.of("*")).allows("anything.at.all:1")).isTrue();
  }

  @Test
  void globMatches_pathologicalPattern_isFast() {
    String host = "a".repeat(250);
    long start = System.nanoTime();
    assertThat(NodeAllowList.globMatches("*a*a*a*a*a*a*a*a*b", host)).isFalse();
    assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
  }

  @Test
  void of_badEntries_areRefusedClearly() {
    assertThatThrownBy(() -> NodeAllowList.of(List.of("10.0.0.0/33"))).hasMessageContaining("prefix length 33");
    assertThatThrownBy(() -> NodeAllowList.of(List.of("host/8"))).hasMessageContaining("not a CIDR block");
    assertThatThrownBy(() -> NodeAllowList.of(List.of("bad host"))).hasMessageContaining("expected loopback");
  }

  @Test
  void defaultNodeAllow_isLoopbackAndTheFirstNodesHosts() {
    Topology t = Topology.of(1, List.of(NodeInfo.of("node1:7001", 1), NodeInfo.of("node2:7001", 1), NodeInfo.of("node1:7002", 1)));
    assertThat(NodeAllowList.defaultEntries(t)).containsExactly("loopback", "node1", "node2");
    NodeAllowList list = NodeAllowList.of(NodeAllowList.defaultEntries(t));
    assertThat(list.allows("node2:7010")).isTrue();
    assertThat(list.allows("node3:7001")).isFalse();
  }
}
