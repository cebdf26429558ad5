package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.resp.net.ClusterAuth;
import io.ringcache.ring.Handoff;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.HashRange;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node with a password and a cluster secret: a client holding only the user password cannot drive
 * it (RING.SETTOPOLOGY, RING.STREAM, RING.FLUSH, ...), and keeps its data and serves; the cluster
 * user can; absurd topologies are refused even from the cluster user.
 */
class ClusterSecretIT {

  private static final String PASSWORD = "user-pass";
  private static final String SECRET = "cluster-s3cret";
  private static final RespTestClient.Error WRONGPASS =
      new RespTestClient.Error("WRONGPASS invalid username-password pair or user is disabled.");

  private LaunchedCluster<NodeServer, Void> nodes;
  private NodeServer node;
  private String self;

  @BeforeEach
  void start() throws IOException {
    nodes = Nodes.standalone().password(PASSWORD).clusterSecret(SECRET).start();
    node = nodes.node(0);
    self = "127.0.0.1:" + node.port();
    try (RespTestClient c = user()) {
      assertThat(c.call("SET", "kept", "value")).isEqualTo("OK");
    }
  }

  @AfterEach
  void stop() {
    nodes.close();
  }

  private RespTestClient user() throws IOException {
    RespTestClient c = RespTestClient.connect(node.port());
    assertThat(c.call("AUTH", PASSWORD)).isEqualTo("OK");
    return c;
  }

  private RespTestClient clusterUser() throws IOException {
    RespTestClient c = RespTestClient.connect(node.port());
    assertThat(c.call("AUTH", ClusterAuth.CLUSTER_USER, SECRET)).isEqualTo("OK");
    return c;
  }

  private static RespTestClient.Error noPerm(String command) {
    return new RespTestClient.Error("NOPERM this user has no permissions to run the '" + command + "' command");
  }

  private String hijack() {
    return TopologyJson.write(Topology.of(9_000_000_000_000_000_000L,
        List.of(new NodeInfo("evil", "127.0.0.1:1", 1, NodeState.UP))));
  }

  @Test
  void internalCommands_withUserPassword_areRefusedWithNopermAndNodeKeepsServing() throws IOException {
    String takeover = TopologyJson.write(Topology.of(5, List.of(new NodeInfo("other", "127.0.0.1:1", 1, NodeState.UP))));
    try (RespTestClient c = user()) {
      assertThat(c.call("RING.SETTOPOLOGY", takeover)).isEqualTo(noPerm("ring.settopology"));
      assertThat(c.call("RING.SETTOPOLOGY", hijack())).isEqualTo(noPerm("ring.settopology"));
      assertThat(c.call("RING.STREAM", "h1")).isEqualTo(noPerm("ring.stream"));
      assertThat(c.call("RING.FLUSH")).isEqualTo(noPerm("ring.flush"));
      assertThat(c.call("RING.READ", "kept")).isEqualTo(noPerm("ring.read"));
      assertThat(c.call("RING.IMPORT", "h1", "k", "-1", "v")).isEqualTo(noPerm("ring.import"));
      assertThat(c.call("RING.PROGRESS", "h1")).isEqualTo(noPerm("ring.progress"));
      assertThat(c.call("ring.flush")).isEqualTo(noPerm("ring.flush"));

      assertThat(c.call("RING.EPOCH")).isEqualTo(0L);
      assertThat((String) c.call("RING.TOPOLOGY")).contains("\"epoch\":0");
      assertThat(c.call("GET", "kept")).isEqualTo("value");
      assertThat(c.call("SET", "new", "1")).isEqualTo("OK");
    }
  }

  @Test
  void auth_asClusterUser_withWrongSecretOrUnknownUser_isWrongpassAndStaysUnprivileged() throws IOException {
    try (RespTestClient c = user()) {
      assertThat(c.call("AUTH", ClusterAuth.CLUSTER_USER, PASSWORD)).isEqualTo(WRONGPASS);
      assertThat(c.call("AUTH", "admin", SECRET)).isEqualTo(WRONGPASS);
      assertThat(c.call("HELLO", "2", "AUTH", ClusterAuth.CLUSTER_USER, "nope")).isEqualTo(WRONGPASS);
      assertThat(c.call("RING.FLUSH")).isEqualTo(noPerm("ring.flush"));
      assertThat(c.call("GET", "kept")).isEqualTo("value");
    }
  }

  @Test
  void userAuth_afterClusterAuth_dropsClusterPrivilege() throws IOException {
    try (RespTestClient c = clusterUser()) {
      assertThat(c.call("RING.PROGRESS", "none")).isEqualTo(List.of(0L, 0L));
      assertThat(c.call("AUTH", PASSWORD)).isEqualTo("OK");
      assertThat(c.call("RING.PROGRESS", "none")).isEqualTo(noPerm("ring.progress"));
    }
  }

  @Test
  void clusterUser_setsTopologyAndServesData() throws IOException {
    try (RespTestClient c = clusterUser()) {
      assertThat(c.call("GET", "kept")).isEqualTo("value");
      Topology t = Topology.of(3, List.of(NodeInfo.of(self, 1)));
      assertThat(c.call("RING.SETTOPOLOGY", TopologyJson.write(t))).isEqualTo(3L);
      assertThat(c.call("GET", "kept")).isEqualTo("value");
    }
  }

  @Test
  void helloAuth_asClusterUser_grantsInternalCommands() throws IOException {
    try (RespTestClient c = RespTestClient.connect(node.port())) {
      assertThat(c.call("HELLO", "2", "AUTH", ClusterAuth.CLUSTER_USER, SECRET)).isInstanceOf(List.class);
      assertThat(c.call("RING.PROGRESS", "none")).isEqualTo(List.of(0L, 0L));
    }
  }

  @Test
  void setTopology_withAbsurdEpoch_isRefusedEvenFromClusterUser() throws IOException {
    try (RespTestClient c = clusterUser()) {
      Object reply = c.call("RING.SETTOPOLOGY", hijack());
      assertThat(reply).isInstanceOf(RespTestClient.Error.class);
      assertThat(((RespTestClient.Error) reply).message()).startsWith("ERR topology refused: epoch 9000000000000000000 is absurd");
      assertThat(c.call("RING.EPOCH")).isEqualTo(0L);
      assertThat(c.call("GET", "kept")).isEqualTo("value");
    }
  }

  @Test
  void setTopology_farAheadOfHeldEpoch_isRefused() throws IOException {
    try (RespTestClient c = clusterUser()) {
      assertThat(c.call("RING.SETTOPOLOGY", TopologyJson.write(Topology.of(7, List.of(NodeInfo.of(self, 1)))))).isEqualTo(7L);
      Object reply = c.call("RING.SETTOPOLOGY", TopologyJson.write(Topology.of(7 + (1L << 20) + 1, List.of(NodeInfo.of(self, 1)))));
      assertThat(((RespTestClient.Error) reply).message()).contains("jumps too far ahead");
      assertThat(c.call("RING.EPOCH")).isEqualTo(7L);
    }
  }

  @Test
  void setTopology_withHandoffToNonMember_isRefused() throws IOException {
    Handoff toStranger = new Handoff("h1", self, "stranger", List.of(HashRange.all()), HandoffPhase.SEALED);
    Topology t = new Topology(4, List.of(NodeInfo.of(self, 1)), List.of(toStranger));
    try (RespTestClient c = clusterUser()) {
      Object reply = c.call("RING.SETTOPOLOGY", TopologyJson.write(t));
      assertThat(((RespTestClient.Error) reply).message()).contains("names a node that is not a member");
      assertThat(c.call("RING.EPOCH")).isEqualTo(0L);
      assertThat(c.call("GET", "kept")).isEqualTo("value");
    }
  }
}
