package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.CommandParity;
import io.ringcache.node.RedisServer;
import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.Topology;
import io.ringcache.testkit.EmbeddedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hash tags through a real router (--hash-tag {}), three real nodes, the proxy and the Java client:
 * keys that share a tag live on one node, so multi-key commands over them work everywhere, and
 * every part (nodes, proxy, client) places them the same way because they follow the topology.
 */
class HashTagClusterIT {

  private EmbeddedCluster nodes;
  private CacheClient cache;

  @BeforeEach
  void start() throws Exception {
    nodes = EmbeddedCluster.builder().nodes(3).hashTag("{}").start(); // every node holds the topology, tag included
    cache = CacheClient.builder().seeds(nodes.nodeAddress(0)).build();
  }

  @AfterEach
  void stop() {
    if (cache != null) {
      cache.close();
    }
    if (nodes != null) {
      nodes.close();
    }
  }

  private String proxy() {
    return nodes.proxyAddress();
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  /** A tag whose keys {t}.a and {t}.b hashed whole would live on different nodes. */
  private String tagSplitWithoutTags(RoutingTable untagged) {
    for (int i = 0; ; i++) {
      String tag = "user" + i;
      if (!untagged.serverOf(bytes("{" + tag + "}.a")).equals(untagged.serverOf(bytes("{" + tag + "}.b")))) {
        return tag;
      }
    }
  }

  @Test
  void taggedKeys_shareANode_multiKeyCommandsWorkThroughProxyNodeAndClient() throws Exception {
    Topology topology = nodes.topology();
    assertThat(topology.hashTag()).isEqualTo("{}");
    RoutingTable tagged = RoutingTable.of(topology);
    String t = tagSplitWithoutTags(RoutingTable.of(topology.withHashTag(null)));
    String a = "{" + t + "}.a";
    String b = "{" + t + "}.b";
    String owner = tagged.addressOf(tagged.serverOf(bytes(a)));
    assertThat(tagged.serverOf(bytes(b))).isEqualTo(tagged.serverOf(bytes(a)));

    // the proxy: multi-key commands over one tag are forwarded whole to its node
    assertThat(RespTestClient.callOnce(proxy(), "MSETNX", a, "1", b, "2")).isEqualTo(":1");
    assertThat(RespTestClient.callOnce(proxy(), "RENAME", a, "{" + t + "}.c")).isEqualTo("+OK");
    assertThat(RespTestClient.callOnce(proxy(), "COPY", b, "{" + t + "}.d")).isEqualTo(":1");
    assertThat(RespTestClient.callOnce(proxy(), "GET", "{" + t + "}.c")).isEqualTo("1");
    String elsewhere = "{other}.y";
    for (int i = 0; tagged.serverOf(bytes(elsewhere)).equals(tagged.serverOf(bytes(a))); i++) {
      elsewhere = "{other" + i + "}.y"; // a tag another node owns (which one depends on the ports)
    }
    assertThat(RespTestClient.callOnce(proxy(), "MSETNX", "{" + t + "}.x", "1", elsewhere, "2")).startsWith("-CROSSNODE");

    // the owner node holds them all and runs multi-key commands over them itself; another node redirects
    for (String key : List.of(b, "{" + t + "}.c", "{" + t + "}.d")) {
      assertThat(RespTestClient.callOnce(owner, "EXISTS", key)).as(key).isEqualTo(":1");
    }
    assertThat(RespTestClient.callOnce(owner, "MSETNX", "{" + t + "}.e", "5", "{" + t + "}.f", "6")).isEqualTo(":1");
    String other = nodes.nodeAddress(0).equals(owner) ? nodes.nodeAddress(1) : nodes.nodeAddress(0);
    assertThat(RespTestClient.callOnce(other, "GET", b)).startsWith("-MOVED");

    // the Java client routes them to the same node
    assertThat(cache.get("{" + t + "}.c")).isEqualTo("1");
    cache.put("{" + t + "}.g", "from the client");
    assertThat(RespTestClient.callOnce(owner, "GET", "{" + t + "}.g")).isEqualTo("from the client");
    assertThat(cache.getAll(List.of(b, "{" + t + "}.e"))).containsEntry(b, "2").containsEntry("{" + t + "}.e", "5");
  }

  @Test
  void transactionsOverOneTag_watchSeesWritesAndRunOnTheOwner_throughProxyAndNode() throws Exception {
    Topology topology = nodes.topology();
    RoutingTable tagged = RoutingTable.of(topology);
    String t = tagSplitWithoutTags(RoutingTable.of(topology.withHashTag(null)));
    String a = "{" + t + "}.a";
    String b = "{" + t + "}.b";
    String owner = tagged.addressOf(tagged.serverOf(bytes(a)));
    for (String address : List.of(proxy(), owner)) {
      try (RespTestClient tx = RespTestClient.connect(address)) {
        // keys that hashed whole would live on two nodes run as one transaction on the tag's owner
        assertThat(tx.callText("WATCH", a, b)).isEqualTo("+OK");
        assertThat(tx.callText("MULTI")).isEqualTo("+OK");
        assertThat(tx.callText("SET", a, "1")).isEqualTo("+QUEUED");
        assertThat(tx.callText("SET", b, "2")).isEqualTo("+QUEUED");
        assertThat(tx.callText("EXEC")).as(address).isEqualTo("[+OK, +OK]");

        // a write by another client to a watched tagged key aborts EXEC (a null array)
        assertThat(tx.callText("WATCH", a)).isEqualTo("+OK");
        assertThat(RespTestClient.callOnce(address, "SET", a, "changed")).isEqualTo("+OK");
        assertThat(tx.callText("MULTI")).isEqualTo("+OK");
        assertThat(tx.callText("SET", b, "3")).isEqualTo("+QUEUED");
        assertThat(tx.callText("EXEC")).as(address).isNull();
        assertThat(RespTestClient.callOnce(address, "GET", b)).isEqualTo("2");
      }
    }
  }

  @Test
  void scanAndKeysThroughTheProxy_findEveryTaggedKeyOnce() throws Exception {
    Set<String> written = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      String key = i % 3 == 0 ? "plain" + i : "{group" + (i % 7) + "}." + i;
      cache.put(key, "v");
      written.add(key);
    }
    try (RedisServer.Conn conn = RedisServer.Conn.tcp(nodes.proxyPort())) {
      List<String> seen = new ArrayList<>();
      String cursor = "0";
      do {
        List<Object> step = CommandParity.parse(conn.call("SCAN", cursor, "COUNT", "20"));
        cursor = (String) step.get(0);
        for (Object key : (List<?>) step.get(1)) {
          seen.add((String) key);
        }
      } while (!cursor.equals("0"));
      assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(written);
      assertThat(CommandParity.parse(conn.call("KEYS", "*"))).containsExactlyInAnyOrderElementsOf(new ArrayList<Object>(written));
    }
  }
}
