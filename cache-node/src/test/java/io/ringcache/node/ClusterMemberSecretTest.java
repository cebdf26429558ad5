package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The node's use of the cluster secret at start (ClusterAuth itself is tested in cache-resp). */
class ClusterMemberSecretTest {

  @Test
  void start_asClusterMemberOnNonLoopbackWithoutSecret_refusesBeforeBinding() {
    NodeConfig config = NodeConfig.builder().bind("0.0.0.0").port(0).threads(1).cluster(true).build();
    assertThatThrownBy(() -> NodeServer.start(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a cluster secret");
  }
}
