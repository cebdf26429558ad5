package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.ring.Crc32;
import io.ringcache.ring.Handoff;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.HashRange;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster rules of a node's transactions: a key not served here fails at queue time (EXEC
 * then aborts), a key whose range moves away between MULTI and EXEC makes EXEC answer -TRYAGAIN
 * with nothing run, a range being imported is refused, and a topology change aborts a WATCH.
 */
class TransactionClusterIT {

  private static final String OTHER = "127.0.0.1:1";

  private LaunchedCluster<NodeServer, Void> nodes;
  private NodeServer node;
  private RespTestClient c;
  private RespTestClient admin;
  private String self;

  @BeforeEach
  void start() throws IOException {
    nodes = Nodes.standalone().start();
    node = nodes.node(0);
    c = RespTestClient.connect(node.port());
    admin = RespTestClient.connect(node.port());
    self = node.cluster().name();
  }

  @AfterEach
  void stop() throws IOException {
    c.close();
    admin.close();
    nodes.close();
  }

  private Topology twoNodes(long epoch) {
    return Topology.of(epoch, List.of(new NodeInfo(self, self, 1, NodeState.UP), new NodeInfo(OTHER, OTHER, 1, NodeState.UP)));
  }

  private Topology alone(long epoch) {
    return Topology.of(epoch, List.of(new NodeInfo(self, self, 1, NodeState.UP)));
  }

  private void adopt(Topology t) throws IOException {
    assertThat(admin.call("RING.SETTOPOLOGY", TopologyJson.write(t))).isEqualTo(t.epoch());
  }

  private static String keyOwnedBy(HashRing ring, String owner, String prefix) {
    for (int i = 0; ; i++) {
      String key = prefix + i;
      if (ring.ownerOfHash(Crc32.hash(key.getBytes(StandardCharsets.UTF_8))).equals(owner)) {
        return key;
      }
    }
  }

  @Test
  void queuing_keyOwnedElsewhere_answersMovedAndExecAborts() throws IOException {
    Topology t = twoNodes(2);
    adopt(t);
    String mine = keyOwnedBy(t.ring(), self, "m");
    String theirs = keyOwnedBy(t.ring(), OTHER, "t");
    assertThat(c.call("MULTI")).isEqualTo("OK");
    assertThat(c.call("SET", mine, "1")).isEqualTo("QUEUED");
    assertThat(c.call("SET", theirs, "1")).isEqualTo(new RespTestClient.Error("MOVED 2 " + OTHER));
    assertThat(c.call("MGET", mine, theirs)).isEqualTo(new RespTestClient.Error("CROSSNODE keys in request are owned by different nodes"));
    assertThat(c.call("EXEC")).isEqualTo(new RespTestClient.Error("EXECABORT Transaction discarded because of previous errors."));
    assertThat(c.call("GET", mine)).isNull();
    assertThat(c.call("WATCH", theirs)).isEqualTo(new RespTestClient.Error("MOVED 2 " + OTHER));
  }

  @Test
  void exec_keyMovedAwayAfterQueuing_answersTryAgainAndRunsNothing() throws IOException {
    adopt(alone(2));
    Topology later = twoNodes(3);
    String a = keyOwnedBy(later.ring(), self, "m");
    String b = keyOwnedBy(later.ring(), OTHER, "t"); // this node's now, the other's at epoch 3
    assertThat(c.call("MULTI")).isEqualTo("OK");
    assertThat(c.call("SET", a, "1")).isEqualTo("QUEUED");
    assertThat(c.call("SET", b, "1")).isEqualTo("QUEUED");
    adopt(later);
    Object exec = c.call("EXEC");
    assertThat(exec).isInstanceOf(RespTestClient.Error.class);
    assertThat(((RespTestClient.Error) exec).message()).startsWith("TRYAGAIN a key of this transaction is no longer served by this node at epoch 3");
    assertThat(c.call("GET", a)).as("nothing of the transaction ran").isNull();
    assertThat(c.call("MULTI")).as("the transaction was discarded").isEqualTo("OK");
    assertThat(c.call("EXEC")).isEqualTo(List.of());
  }

  @Test
  void exec_watchedKeyMovedAway_answersTryAgain() throws IOException {
    adopt(alone(2));
    Topology later = twoNodes(3);
    String b = keyOwnedBy(later.ring(), OTHER, "t");
    assertThat(c.call("WATCH", b)).isEqualTo("OK");
    assertThat(c.call("MULTI")).isEqualTo("OK");
    assertThat(c.call("PING")).isEqualTo("QUEUED");
    adopt(later);
    assertThat(((RespTestClient.Error) c.call("EXEC")).message()).startsWith("TRYAGAIN");
  }

  @Test
  void watch_topologyChangeThatKeepsTheKeyHere_abortsExecWithNull() throws IOException {
    adopt(alone(2));
    assertThat(c.call("WATCH", "k")).isEqualTo("OK");
    adopt(alone(3)); // a scale event elsewhere: the key stays here, but EXEC cannot know no write went elsewhere
    assertThat(c.call("MULTI")).isEqualTo("OK");
    assertThat(c.call("SET", "k", "1")).isEqualTo("QUEUED");
    assertThat(c.call("EXEC")).isNull();
    assertThat(c.call("GET", "k")).isNull();
    // without a topology change in between, it runs
    assertThat(c.call("WATCH", "k")).isEqualTo("OK");
    assertThat(c.call("MULTI")).isEqualTo("OK");
    assertThat(c.call("SET", "k", "1")).isEqualTo("QUEUED");
    assertThat(c.call("EXEC")).isEqualTo(List.of("OK"));
  }

  @Test
  void importingRange_refusesQueuingAndWatchWithTryAgain() throws IOException {
    List<NodeInfo> nodes = List.of(new NodeInfo(OTHER, OTHER, 1, NodeState.UP), new NodeInfo(self, self, 1, NodeState.UP));
    Handoff handoff = new Handoff("h1", OTHER, self, List.of(HashRange.all()), HandoffPhase.ACTIVE);
    adopt(new Topology(5, nodes, List.of(handoff)));
    String importing = "TRYAGAIN this key's range is moving to this node; transactions and WATCH wait until it is served here, retry";
    assertThat(c.call("WATCH", "k")).isEqualTo(new RespTestClient.Error(importing));
    assertThat(c.call("MULTI")).isEqualTo("OK");
    assertThat(c.call("SET", "k", "1")).isEqualTo(new RespTestClient.Error(importing));
    assertThat(c.call("EXEC")).isEqualTo(new RespTestClient.Error("EXECABORT Transaction discarded because of previous errors."));
  }
}
