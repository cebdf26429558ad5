package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.node.NodeServer;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import io.ringcache.router.control.ScaleEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Attacks on the control plane, against a real router and real nodes: a client with the user
 * password cannot drive a node, the proxy never forwards cluster-internal commands nor follows a
 * redirect to a stranger, the admin API dials nothing for a request without the token or for an
 * address outside the allow-list, and /metrics names no nodes without the token.
 */
class ClusterSecurityIT {

  private static final String PASSWORD = "user-pass";
  private static final String SECRET = "cluster-secret";
  private static final String TOKEN = "admin-token";

  private TestCluster cluster;
  private ServerSocketChannel stranger;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void openStranger() throws IOException {
    stranger = ServerSocketChannel.open();
    stranger.bind(new InetSocketAddress("127.0.0.1", 0));
    stranger.configureBlocking(false);
  }

  @AfterEach
  void stop() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
    stranger.close();
  }

  private String strangerAddress() throws IOException {
    return "127.0.0.1:" + ((InetSocketAddress) stranger.getLocalAddress()).getPort();
  }

  /**
   * Whether anything connected to the stranger so far. A dial made while a request was served has
   * completed its TCP handshake (the kernel's backlog) before the reply left the router, so
   * checking after the reply is exact.
   */
  private boolean strangerWasDialled() throws IOException {
    try (SocketChannel accepted = stranger.accept()) {
      return accepted != null;
    }
  }

  private void start(String... routerArgs) throws Exception {
    cluster = TestCluster.withAdminToken(2, PASSWORD, TOKEN, routerArgs);
  }

  private HttpResponse<String> http(String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.router.adminPort() + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private Jedis proxy() {
    Jedis jedis = new Jedis("127.0.0.1", cluster.router.port(), 10_000);
    jedis.auth(PASSWORD);
    return jedis;
  }

  @Test
  void postNodes_withoutToken_isRefusedAndDialsNothing() throws Exception {
    start();
    String body = "{\"name\":\"" + strangerAddress() + "\"}";
    assertThat(http("POST", "/nodes", body, null).statusCode()).isEqualTo(401);
    assertThat(http("POST", "/nodes", body, "wrong").statusCode()).isEqualTo(401);
    assertThat(strangerWasDialled()).isFalse();

    // the control: with the token, an allowed (loopback) address is dialled
    HttpResponse<String> allowed = http("POST", "/nodes", body, TOKEN);
    assertThat(allowed.statusCode()).isEqualTo(400); // the stranger does not speak RESP
    assertThat(strangerWasDialled()).isTrue();
  }

  @Test
  void postNodes_addressOutsideAllowList_isRefusedWith400AndDialsNothing() throws Exception {
    start("--node-allow", "10.0.0.0/8,*.cache.internal");
    HttpResponse<String> refused = http("POST", "/nodes", "{\"name\":\"" + strangerAddress() + "\"}", TOKEN);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("is not allowed to join").contains("--node-allow");
    assertThat(strangerWasDialled()).isFalse();
  }

  @Test
  void postNodes_defaultAllowList_refusesForeignHosts() throws Exception {
    start();
    long epoch = cluster.topology().epoch();
    HttpResponse<String> refused =
        http("POST", "/nodes", "{\"name\":\"n4\",\"address\":\"attacker.example:18666\"}", TOKEN);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("attacker.example:18666 is not allowed to join");
    assertThat(cluster.topology().epoch()).isEqualTo(epoch);
  }

  @Test
  void metrics_withoutToken_namesNoNodes_withTokenDoes() throws Exception {
    start();
    String node = cluster.topology().nodes().get(0).name();
    HttpResponse<String> open = http("GET", "/metrics", null, null);
    assertThat(open.statusCode()).isEqualTo(200);
    assertThat(open.body()).contains("ringcache_router_topology_epoch").doesNotContain(node).doesNotContain("node=\"");
    HttpResponse<String> full = http("GET", "/metrics", null, TOKEN);
    assertThat(full.body()).contains("ringcache_router_node_state{node=\"" + node + "\"");
  }

  @Test
  void metrics_withRequireToken_needsTheToken() throws Exception {
    start("--metrics-require-token");
    assertThat(http("GET", "/metrics", null, null).statusCode()).isEqualTo(401);
    assertThat(http("GET", "/metrics", null, TOKEN).statusCode()).isEqualTo(200);
  }

  @Test
  void proxy_internalCommands_areNeverForwarded() throws Exception {
    start();
    try (Jedis jedis = proxy()) {
      jedis.set("kept", "v");
      String hijack = TopologyJson.write(Topology.of(cluster.topology().epoch() + 1,
          List.of(new NodeInfo("evil", strangerAddress(), 1, NodeState.UP))));
      for (String[] command : List.of(new String[] {"RING.SETTOPOLOGY", hijack}, new String[] {"RING.FLUSH"},
          new String[] {"RING.STREAM", "h"}, new String[] {"RING.IMPORT", "h", "k", "-1", "v"})) {
        assertThatThrownBy(() -> jedis.sendCommand(() -> command[0].getBytes(StandardCharsets.UTF_8),
            java.util.Arrays.copyOfRange(command, 1, command.length)))
            .isInstanceOf(JedisDataException.class).hasMessageStartingWith("ERR");
      }
      assertThat(jedis.get("kept")).isEqualTo("v");
    }
    for (NodeServer node : cluster.nodes.values()) {
      assertThat(node.cluster().epoch()).isEqualTo(cluster.topology().epoch());
    }
    assertThat(strangerWasDialled()).isFalse();
  }

  @Test
  void proxy_movedToNonMember_isNotFollowed() throws Exception {
    start();
    NodeServer victim = cluster.nodes.values().iterator().next();
    String key = keyOwnedBy(TestCluster.name(victim));
    // forge the victim's topology from loopback (no cluster secret here): every key now "moved" to the
    // stranger; it names the victim's own incarnation, or the node would refuse it before the proxy is tried
    NodeInfo self = new NodeInfo(TestCluster.name(victim), victim.cluster().advertisedAddress(), 1, NodeState.EJECTED,
        victim.cluster().incarnation());
    Topology forged = Topology.of(cluster.topology().epoch() + 1,
        List.of(self, new NodeInfo("evil", strangerAddress(), 1, NodeState.UP)));
    try (Jedis direct = TestCluster.jedis(victim.cluster().advertisedAddress())) {
      direct.auth(PASSWORD);
      direct.sendCommand(() -> "RING.SETTOPOLOGY".getBytes(StandardCharsets.UTF_8), TopologyJson.write(forged));
    }
    try (Jedis jedis = proxy()) {
      assertThatThrownBy(() -> jedis.get(key)).isInstanceOf(JedisDataException.class).hasMessageStartingWith("MOVED");
    }
    assertThat(strangerWasDialled()).isFalse();
  }

  @Test
  void userPassword_cannotDriveNodes_andClusterWithSecretJoinsAndLeaves() throws Exception {
    int keys = 5_000;
    cluster = TestCluster.withClusterSecret(2, PASSWORD, SECRET);
    cluster.load(keys);
    NodeServer third = cluster.startNode();
    ScaleEvent join = cluster.router.coordinator().join(TestCluster.name(third), null, 1);
    cluster.awaitIdle();
    assertThat(join.status()).as(join.message()).isEqualTo(ScaleEvent.Status.DONE);
    assertThat(join.keysMoved()).isPositive();
    assertThat(cluster.wrongValues(keys)).isEmpty();

    String leaving = cluster.topology().nodes().get(0).name();
    ScaleEvent leave = cluster.router.coordinator().leave(leaving);
    cluster.awaitIdle();
    assertThat(leave.status()).as(leave.message()).isEqualTo(ScaleEvent.Status.DONE);
    assertThat(cluster.wrongValues(keys)).isEmpty();

    for (NodeServer node : cluster.nodes.values()) {
      try (Jedis user = TestCluster.jedis(node.cluster().advertisedAddress())) {
        user.auth(PASSWORD);
        long epoch = node.cluster().epoch();
        for (String command : List.of("RING.FLUSH", "RING.STREAM", "RING.SETTOPOLOGY")) {
          String[] args = command.equals("RING.FLUSH") ? new String[0]
              : command.equals("RING.STREAM") ? new String[] {"h"}
              : new String[] {TopologyJson.write(Topology.of(epoch + 1, List.of()))};
          assertThatThrownBy(() -> user.sendCommand(() -> command.getBytes(StandardCharsets.UTF_8), args))
              .hasMessage("NOPERM this user has no permissions to run the '" + command.toLowerCase() + "' command");
        }
        assertThat(node.cluster().epoch()).isEqualTo(epoch);
      }
    }
    assertThat(cluster.wrongValues(keys)).isEmpty();
  }

  private String keyOwnedBy(String node) {
    io.ringcache.ring.RoutingTable table = io.ringcache.ring.RoutingTable.of(cluster.topology());
    for (int i = 0; ; i++) {
      if (table.serverOf(("k" + i).getBytes(StandardCharsets.UTF_8)).equals(node)) {
        return "k" + i;
      }
    }
  }
}
