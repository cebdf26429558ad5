package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.resp.net.ClusterAuth;
import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RING.PROBE, which the router asks of other nodes when a node's port refuses its own connections:
 * the asked node dials the named one itself, over real sockets, and says whether it answered (and as
 * which incarnation), refused, or stayed silent. Only the cluster user may ask it.
 */
class RingProbeIT {

  private static final String PASSWORD = "user-pass";
  private static final String SECRET = "cluster-s3cret";

  private LaunchedCluster<NodeServer, Void> nodes;
  private String other;

  @BeforeEach
  void start() {
    nodes = Nodes.standalone().nodes(2).password(PASSWORD).clusterSecret(SECRET).start();
    other = "127.0.0.1:" + nodes.node(1).port();
  }

  @AfterEach
  void stop() {
    nodes.close();
  }

  private RespTestClient clusterUser(int index) throws IOException {
    RespTestClient c = RespTestClient.connect(nodes.node(index).port());
    assertThat(c.call("AUTH", ClusterAuth.CLUSTER_USER, SECRET)).isEqualTo("OK");
    return c;
  }

  @Test
  void aRunningNode_answersWithItsIncarnation() throws IOException {
    long incarnation;
    try (RespTestClient c = clusterUser(1)) {
      incarnation = (Long) ((List<?>) c.call("RING.HEARTBEAT", "0", "0")).get(1);
    }
    try (RespTestClient c = clusterUser(0)) {
      assertThat(c.call("RING.PROBE", other, other, "1000"))
          .isEqualTo(List.of("answered", incarnation, "incarnation " + Long.toUnsignedString(incarnation, 16)));
    }
  }

  @Test
  void aPortNothingListensOn_isRefused() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    try (RespTestClient c = clusterUser(0)) {
      List<?> reply = (List<?>) c.call("RING.PROBE", "gone", "127.0.0.1:" + closed, "1000");
      assertThat(reply.subList(0, 2)).isEqualTo(List.of("refused", 0L));
      assertThat((String) reply.get(2)).contains("refused");
    }
  }

  @Test
  void aProcessThatAcceptsButNeverAnswers_isSilentOnceTheTimeoutRanOut() throws IOException {
    try (ServerSocket mute = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        RespTestClient c = clusterUser(0)) {
      long started = System.nanoTime();
      List<?> reply = (List<?>) c.call("RING.PROBE", "mute", "127.0.0.1:" + mute.getLocalPort(), "300");
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(reply).isEqualTo(List.of("silent", 0L, "no answer within 300 ms"));
      assertThat(took).isBetween(Duration.ofMillis(290), Duration.ofSeconds(3));
      try (Socket accepted = mute.accept()) {
        assertThat(accepted.isConnected()).as("the probe's connection reached the mute process").isTrue();
      }
    }
  }

  @Test
  void anotherNodeAtTheAddress_isNotTakenForTheNamedOne() throws IOException {
    try (RespTestClient c = clusterUser(0)) {
      List<?> reply = (List<?>) c.call("RING.PROBE", "127.0.0.1:1", other, "1000");
      assertThat(reply.subList(0, 2)).isEqualTo(List.of("silent", 0L));
      assertThat((String) reply.get(2)).contains("wrong node: this is " + other + ", not 127.0.0.1:1");
    }
  }

  @Test
  void badArguments_getClearErrors_andTheNodeServesOn() throws IOException {
    try (RespTestClient c = clusterUser(0)) {
      assertThat(c.call("RING.PROBE", other, other, "0")).isEqualTo(
          new RespTestClient.Error("ERR timeout must be between 1 and 10000 ms: 0"));
      assertThat(c.call("RING.PROBE", other, other, "soon")).isEqualTo(
          new RespTestClient.Error("ERR value is not an integer or out of range"));
      assertThat(c.call("RING.PROBE", other, "nowhere", "100")).isEqualTo(
          new RespTestClient.Error("ERR address must be host:port: nowhere"));
      assertThat(c.call("RING.PROBE", other, other)).isEqualTo(
          new RespTestClient.Error("ERR wrong number of arguments for 'ring.probe' command"));
      assertThat(c.call("SET", "k", "v")).isEqualTo("OK");
    }
  }

  @Test
  void theUserPassword_cannotMakeANodeDialAnything() throws IOException {
    try (RespTestClient c = RespTestClient.connect(nodes.node(0).port())) {
      assertThat(c.call("AUTH", PASSWORD)).isEqualTo("OK");
      assertThat(c.call("RING.PROBE", other, other, "1000")).isEqualTo(new RespTestClient.Error(
          "NOPERM this user has no permissions to run the 'ring.probe' command"));
    }
  }
}
