package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringcache.node.RedisServer;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The proxy in front of three real nodes against a real Redis 7.0 ({@code /usr/bin/redis-server}):
 * the same requests go to both, and the replies must be the same bytes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyRedisParityIT {

  private TestCluster cluster;
  private RedisServer redis;
  private RedisServer.Conn toRedis;
  private RedisServer.Conn toProxy;

  @BeforeAll
  void start() throws Exception {
    assumeTrue(RedisServer.installed(), "redis-server is not installed at " + RedisServer.BINARY + " (.ci/run installs it)");
    redis = RedisServer.start();
    cluster = new TestCluster(3);
    toRedis = redis.connect();
    toProxy = RedisServer.Conn.tcp(cluster.router.port());
  }

  @AfterAll
  void stop() throws IOException {
    if (toProxy != null) {
      toProxy.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (toRedis != null) {
      toRedis.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void flush() throws IOException {
    toRedis.call("flushall");
    for (int i = 0; i < 20; i++) {
      toProxy.call("del", "a", "b", "c", "k" + i, "s", "r", "n", "g", "e", "t");
    }
    for (String key : io.ringcache.node.ParitySequences.KEYS) {
      toProxy.call("del", key);
    }
    assertThat(toProxy.call("dbsize")).as("keys left by an earlier test").isEqualTo(":0\r\n");
  }

  private String same(String... args) throws IOException {
    String expected = toRedis.call(args);
    String actual = toProxy.call(args);
    assertThat(printable(actual)).as("reply to %s", String.join(" ", args)).isEqualTo(printable(expected));
    return actual;
  }

  private void sendOnly(String... args) throws IOException {
    toRedis.send(args);
    toProxy.send(args);
  }

  private static String printable(String raw) {
    return raw.replace("\r", "\\r").replace("\n", "\\n");
  }

  @Test
  void clientReply_offSkipOn_dropRepliesAsRedis() throws IOException {
    sendOnly("client", "reply", "off");
    sendOnly("set", "a", "1");
    sendOnly("get", "a");
    sendOnly("mget", "a", "b", "c");
    sendOnly("nosuchcommand");
    sendOnly("client", "reply", "skip"); // ignored while off
    sendOnly("client", "reply", "foo"); // its error is dropped too
    same("client", "reply", "on"); // the first reply since OFF: ON's own +OK
    same("get", "a");
    sendOnly("client", "reply", "skip");
    sendOnly("incr", "a"); // skipped
    same("get", "a");
    same("ping");
    sendOnly("client", "reply", "skip");
    sendOnly("client", "reply", "skip"); // skipped itself, and skips the next
    sendOnly("incr", "a");
    same("get", "a");
    same("client", "reply", "foo");
    same("client", "reply");
    same("client", "reply", "on", "x");
  }

  @Test
  void msetWithAKeyMissingItsValue_insideMulti_isQueuedAndFailsInExec_asRedis() throws IOException {
    String a = "pair:a";
    String b = sameNodeAs(a);
    same("multi");
    try {
      same("msetnx", a, "1", b);
      same("mset", a, "1", b);
      same("set", a, "2");
      same("exec");
      same("get", a);
    } finally {
      for (RedisServer.Conn c : java.util.List.of(toRedis, toProxy)) {
        c.call("discard"); // a MULTI a failure left open
        c.call("del", a);
      }
    }
  }

  @Test
  void unknownCommand_errorText_asRedis() throws IOException {
    io.ringcache.node.UnknownCommandParity.check(toRedis, toProxy);
  }

  @Test
  void client_subcommandErrors_asRedis() throws IOException {
    same("client", "foo");
    same("client", "unknownsubcommand" + "x".repeat(140)); // echoed up to 128 bytes, as Redis's %.128s
    same("client", "\u00ff\r\nx\0y");
    same("client");
    same("client", "setname");
    same("client", "setname", "a", "b");
    same("client", "getname", "x");
    same("client", "id", "x");
    same("client", "no-evict", "foo");
    same("client", "no-evict", "on");
    same("client", "setname", "parity");
    same("client", "getname");
  }

  @Test
  void info_sectionsAndKeyspace_asRedis() throws IOException {
    same("info", "keyspace");
    same("info", "foo");
    same("set", "a", "1");
    same("set", "b", "");
    same("set", "c", "x");
    same("info", "keyspace");
    same("info", "KEYSPACE", "foo");
    same("set", "k1", "1", "ex", "100");
    String info = toProxy.call("info", "keyspace");
    assertThat(info).isEqualTo("$44\r\n# Keyspace\r\ndb0:keys=4,expires=1,avg_ttl=0\r\n\r\n");
    String cluster = toProxy.call("info", "cluster");
    assertThat(cluster).contains("# Cluster\r\n").contains("\r\nnode0:name=").doesNotContain("# Server")
        .doesNotContain("# Keyspace");
  }

  @Test
  void info_redisPy_parsesEveryLineOfEverySection() throws Exception {
    assumeTrue(io.ringcache.node.RedisPy.installed(), io.ringcache.node.RedisPy.MISSING);
    same("set", "a", "1");
    same("set", "b", "2", "ex", "100");
    String out = io.ringcache.node.RedisPy.run(cluster.router.port(), """
        info = r.info()
        assert "__raw__" not in info, info.get("__raw__")
        assert info["db0"] == {"keys": 2, "expires": 1, "avg_ttl": 0}, info["db0"]
        nodes = sorted(v["name"] for k, v in info.items() if k.startswith("node") and k[4:].isdigit())
        assert len(nodes) == 3 and all(":" in n for n in nodes), nodes
        assert info["node0"]["state"] == "UP", info["node0"]
        assert r.info("keyspace") == {"db0": {"keys": 2, "expires": 1, "avg_ttl": 0}}, r.info("keyspace")
        assert "db0" not in r.info("server") and "epoch" in r.info("cluster")
        print("ok")
        """);
    assertThat(out).isEqualTo("ok\n");
  }

  @Test
  void stringCommands_throughTheProxy_answerAsRedis() throws IOException {
    String binary = "\0\r\n\u00ff\u0080 x";
    for (String[] command : new String[][] {
        {"strlen", "s"}, {"append", "s", ""}, {"strlen", "s"}, {"append", "s", "abc"}, {"append", "s", binary}, {"get", "s"},
        {"append", "s"}, {"strlen"}, {"getrange", "s", "0", "-1"}, {"getrange", "s", "-3", "-5"}, {"getrange", "s", "1", "-300"},
        {"getrange", "s", "a", "1"}, {"substr", "s", "1", "3"}, {"getrange", "missing", "0", "-1"},
        {"setrange", "r", "0", ""}, {"exists", "r"}, {"setrange", "r", "5", "xy"}, {"get", "r"}, {"setrange", "r", "-1", "x"},
        {"setrange", "r", "0"}, {"setnx", "n", "1"}, {"setnx", "n", "2"}, {"get", "n"}, {"setnx", "n"},
        {"getset", "g", "1"}, {"getset", "g", "2"}, {"set", "g", "3", "ex", "100"}, {"getset", "g", "4"}, {"ttl", "g"},
        {"set", "e", "v"}, {"getex", "e", "ex", "100"}, {"ttl", "e"}, {"getex", "e", "persist"}, {"ttl", "e"},
        {"getex", "e", "ex", "9223370399119966"}, {"getex", "e", "foo"}, {"getex"}, {"getex", "missing", "ex", "-1"},
        {"type", "e"}, {"type", "missing"}, {"touch", "e", "e", "missing"}, {"time", "x"}, {"msetnx", "a"}, {"msetnx", "a", "1", "b"},
    }) {
      same(command);
    }
  }

  @Test
  void incrbyfloatAndExpiretime_throughTheProxy_answerAsRedis() throws IOException {
    for (String[] command : new String[][] {
        {"set", "a", "10.50"}, {"incrbyfloat", "a", "10.5"}, {"incrbyfloat", "a", "5.0e-1"}, {"incrbyfloat", "a", "1e400"},
        {"incrbyfloat", "a", "inf"}, {"incrbyfloat", "a", "nan"}, {"incrbyfloat", "a", "abc"}, {"incrbyfloat", "b", "0.1"},
        {"incrbyfloat", "b", "0.2"}, {"set", "c", "x"}, {"incrbyfloat", "c", "1"}, {"incrbyfloat", "c"},
        {"expiretime", "a"}, {"pexpiretime", "missing"}, {"expireat", "a", "2000000000"}, {"expiretime", "a"},
        {"incrbyfloat", "a", "1"}, {"expiretime", "a"}, {"expiretime"},
    }) {
      same(command);
    }
  }

  @Test
  void flushall_sentToEveryNode_answersAsRedis() throws IOException {
    for (int i = 0; i < 20; i++) {
      same("set", "k" + i, "v");
    }
    same("flushall", "foo");
    same("flushdb", "async", "x");
    same("exists", "k1", "k2", "k3");
    same("flushall");
    same("exists", "k1", "k2", "k3");
    assertThat(toProxy.call("dbsize")).isEqualTo(":0\r\n");
    for (int i = 0; i < 20; i++) {
      same("set", "k" + i, "v");
    }
    same("flushdb", "SYNC");
    assertThat(toProxy.call("dbsize")).isEqualTo(":0\r\n");
    same("randomkey"); // nil: no node holds a key
  }

  @Test
  void keysAndRandomkey_acrossEveryNode_answerAsRedis() throws IOException {
    same("randomkey");
    same("keys", "*");
    same("keys");
    same("keys", "a", "b");
    java.util.Set<String> written = new java.util.HashSet<>();
    for (int i = 0; i < 300; i++) {
      same("set", "k" + i, "v");
      written.add("k" + i);
    }
    same("set", "\u00ff\r\n\0", "binary");
    written.add("\u00ff\r\n\0");
    for (String pattern : new String[] {"*", "k1*", "k?", "k[12]?", "*\0", "nomatch*", "\\k1", "[", "k[^0-9]*"}) {
      java.util.List<Object> expected = io.ringcache.node.CommandParity.parse(toRedis.call("keys", pattern));
      java.util.List<Object> actual = io.ringcache.node.CommandParity.parse(toProxy.call("keys", pattern));
      assertThat(actual).as("KEYS %s: the same keys, each once, in any order", pattern)
          .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
    }
    assertThat(io.ringcache.node.CommandParity.parse(toProxy.call("keys", "*"))).hasSize(301);
    // a random key of a random node: an existing key, and over 60 draws keys of more than one node
    io.ringcache.ring.RoutingTable table = io.ringcache.ring.RoutingTable.of(cluster.topology());
    java.util.Set<String> owners = new java.util.HashSet<>();
    for (int i = 0; i < 60; i++) {
      java.util.List<Object> reply = io.ringcache.node.CommandParity.parse("*1\r\n" + toProxy.call("randomkey"));
      String key = (String) reply.get(0);
      assertThat(written).contains(key);
      owners.add(table.serverOf(key.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
    }
    assertThat(owners).hasSizeGreaterThan(1);
    same("flushall"); // the other tests start from an empty cluster
  }

  @Test
  void msetnx_keysOnOneNode_asRedis_keysOnSeveral_crossnode() throws IOException {
    io.ringcache.ring.RoutingTable table = io.ringcache.ring.RoutingTable.of(cluster.topology());
    String together = null;
    String apart = null;
    for (int i = 1; i < 20 && (together == null || apart == null); i++) {
      boolean same = table.serverOf(("k" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .equals(table.serverOf("k0".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      if (same && together == null) {
        together = "k" + i;
      } else if (!same && apart == null) {
        apart = "k" + i;
      }
    }
    assertThat(together).as("a key on k0's node among k1..k19").isNotNull();
    assertThat(apart).as("a key on another node among k1..k19").isNotNull();
    same("msetnx", "k0", "1", together, "2");
    same("msetnx", "k0", "3", together, "4");
    same("mget", "k0", together);
    assertThat(toProxy.call("msetnx", "k0", "1", apart, "2")).isEqualTo("-CROSSNODE keys in request are owned by different nodes\r\n");
    assertThat(toProxy.call("exists", apart)).isEqualTo(":0\r\n");
    String time = toProxy.call("time");
    long seconds = Long.parseLong(time.split("\r\n")[2]);
    assertThat(seconds).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(5L));
  }

  @Test
  void configGet_proxysOwnSettings_matchedAsRedisMatchesThem() throws IOException {
    same("config", "get", "save");
    same("config", "get", "appendonly");
    same("config", "get", "APPENDONLY");
    same("config", "get", "appendonl?");
    same("config", "get", "Save", "SAVE", "sav?");
    same("config", "get", "nosuchparameter");
    same("config", "get", "tcp-keepalive"); // 300 on both, by default
    same("config", "get");
    same("config", "set", "x");
    same("config", "foo");
    same("config");
    // databases: Redis has 16, a proxy one (docs/protocol.md)
    assertThat(toProxy.call("config", "get", "databases")).isEqualTo("*2\r\n$9\r\ndatabases\r\n$1\r\n1\r\n");
    String port = Integer.toString(cluster.router.port());
    assertThat(toProxy.call("config", "get", "port"))
        .isEqualTo("*2\r\n$4\r\nport\r\n$" + port.length() + "\r\n" + port + "\r\n");
    String all = toProxy.call("config", "get", "*");
    assertThat(all).startsWith("*18\r\n$4\r\nsave\r\n$0\r\n\r\n$10\r\nappendonly\r\n$2\r\nno\r\n")
        .contains("$10\r\nmaxclients\r\n").contains("$4\r\nport\r\n$" + port.length() + "\r\n" + port + "\r\n")
        .contains("$4\r\nbind\r\n$9\r\n127.0.0.1\r\n");
    // each parameter once, whichever patterns match it
    assertThat(toProxy.call("config", "get", "save", "s*", "*")).isEqualTo(all);
  }

  @Test
  void renameAndCopy_keysOnOneNode_asRedis_keysOnSeveral_crossnode() throws IOException {
    io.ringcache.ring.RoutingTable table = io.ringcache.ring.RoutingTable.of(cluster.topology());
    String together = null;
    String apart = null;
    for (int i = 1; i < 20 && (together == null || apart == null); i++) {
      boolean same = table.serverOf(("k" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .equals(table.serverOf("k0".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      if (same && together == null) {
        together = "k" + i;
      } else if (!same && apart == null) {
        apart = "k" + i;
      }
    }
    assertThat(together).as("a key on k0's node among k1..k19").isNotNull();
    assertThat(apart).as("a key on another node among k1..k19").isNotNull();
    for (String[] command : new String[][] {
        {"rename", "k0", together}, {"set", "k0", "v", "ex", "100"}, {"rename", "k0", "k0"}, {"renamenx", "k0", "k0"},
        {"rename", "k0", together}, {"ttl", together}, {"exists", "k0"}, {"renamenx", together, "k0"}, {"get", "k0"},
        {"copy", "k0", together}, {"copy", "k0", together, "replace"}, {"get", together}, {"ttl", together},
        {"copy", "k0", "k0"}, {"copy", "k0", together, "db", "x"}, {"copy", "k0", together, "foo"}, {"copy", "k0"},
        {"rename", "k0"}, {"renamenx", "k0", together, "x"},
    }) {
      same(command);
    }
    String crossnode = "-CROSSNODE keys in request are owned by different nodes\r\n";
    assertThat(toProxy.call("rename", "k0", apart)).isEqualTo(crossnode);
    assertThat(toProxy.call("renamenx", "k0", apart)).isEqualTo(crossnode);
    assertThat(toProxy.call("copy", "k0", apart, "replace")).isEqualTo(crossnode);
    assertThat(toProxy.call("exists", "k0", apart)).isEqualTo(":1\r\n");
  }

  /**
   * The bit commands and LCS (io.ringcache.node.BitParity: edge cases, then random sequences) through
   * the proxy of a cluster with hash tags {}: every key shares the tag {b}, so BITOP and LCS run on
   * its node as Redis runs them.
   */
  @Test
  void bitCommandsAndLcs_hashTaggedKeys_answerAsRedis() throws IOException {
    try (TestCluster tagged = new TestCluster(3, null, "--hash-tag", "{}");
        RedisServer.Conn toTagged = RedisServer.Conn.tcp(tagged.router.port())) {
      io.ringcache.node.BitParity.checkEdgeCases(toRedis, toTagged, () -> {
        try {
          assertThat(toTagged.call("flushall")).isEqualTo("+OK\r\n");
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      io.ringcache.node.BitParity.run(toRedis, toTagged, command -> false);
    }
    toRedis.call("flushall");
  }

  @Test
  void bitopAndLcs_keysOnOneNode_asRedis_keysOnSeveral_crossnode() throws IOException {
    io.ringcache.ring.RoutingTable table = io.ringcache.ring.RoutingTable.of(cluster.topology());
    String together = null;
    String apart = null;
    for (int i = 1; i < 20 && (together == null || apart == null); i++) {
      boolean same = table.serverOf(("k" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .equals(table.serverOf("k0".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      if (same && together == null) {
        together = "k" + i;
      } else if (!same && apart == null) {
        apart = "k" + i;
      }
    }
    assertThat(together).as("a key on k0's node among k1..k19").isNotNull();
    assertThat(apart).as("a key on another node among k1..k19").isNotNull();
    for (String[] command : new String[][] {
        {"set", "k0", "foobar"}, {"set", together, "abcdef"}, {"bitop", "and", together, "k0", together}, {"get", together},
        {"bitop", "not", "k0", "k0"}, {"get", "k0"}, {"bitop", "or", "k0", together, "k0"}, {"set", "k0", "ohmytext"},
        {"set", together, "mynewtext"}, {"lcs", "k0", together}, {"lcs", together, "k0", "idx", "withmatchlen"},
        {"bitop", "xor", "k0"}, {"bitop", "nand", "k0", together}, {"lcs", "k0"}, {"setbit", apart, "3", "1"},
        {"getbit", apart, "3"}, {"bitcount", apart}, {"bitpos", apart, "1"}, {"bitfield", apart, "incrby", "u4", "0", "3"},
        {"bitfield_ro", apart, "get", "u8", "0"},
    }) {
      same(command);
    }
    String crossnode = "-CROSSNODE keys in request are owned by different nodes\r\n";
    assertThat(toProxy.call("bitop", "and", "k0", "k0", apart)).isEqualTo(crossnode);
    assertThat(toProxy.call("bitop", "not", apart, "k0")).isEqualTo(crossnode);
    assertThat(toProxy.call("lcs", "k0", apart)).isEqualTo(crossnode);
    assertThat(toProxy.call("lcs", apart, "k0", "len")).isEqualTo(crossnode);
    assertThat(toProxy.call("get", "k0")).isEqualTo("$8\r\nohmytext\r\n");
  }

  /**
   * The node's random sequences (io.ringcache.node.ParitySequences) through the proxy in front of
   * three nodes; an MSETNX, RENAME, RENAMENX or COPY whose keys live on different nodes is left out
   * (the proxy answers -CROSSNODE, tested above, and Redis would run it).
   */
  @Test
  void functionFlush_modesAndErrorsInAndOutOfMulti_answerAsRedisWithoutFunctions() throws IOException {
    io.ringcache.node.FunctionParity.check(toRedis, toProxy);
  }

  @Test
  void functionFlush_beforeAuth_isRefusedAsRedis_afterAuth_ok() throws Exception {
    try (TestCluster secured = new TestCluster(1, "s3cret");
        RedisServer secret = RedisServer.start("--requirepass", "s3cret")) {
      io.ringcache.node.FunctionParity.checkBeforeAuth(secret::connect, () -> RedisServer.Conn.tcp(secured.router.port()),
          "s3cret");
    }
  }

  @Test
  void handshake_selectAuthHelloEdgeCases_answerAsRedis() throws IOException {
    io.ringcache.node.HandshakeParity.check(toRedis, toProxy);
  }

  @Test
  void handshake_beforeAndAfterAuth_answersAsRedis() throws Exception {
    try (TestCluster secured = new TestCluster(1, "s3cret");
        RedisServer secret = RedisServer.start("--requirepass", "s3cret")) {
      io.ringcache.node.HandshakeParity.checkWithPassword(secret::connect, () -> RedisServer.Conn.tcp(secured.router.port()),
          "s3cret");
    }
  }

  @Test
  void command_listFilterInfoDocsGetkeys_answerAsRedis() throws IOException {
    io.ringcache.node.CommandParity.check(toRedis, toProxy);
  }

  @Test
  void resp3_afterHello3_everyCommandAnswersAsRedisInResp3() throws IOException {
    try (RedisServer.Conn r = redis.connect(); RedisServer.Conn p = RedisServer.Conn.tcp(cluster.router.port())) {
      io.ringcache.node.Resp3Parity.check(r, p, false);
    }
  }

  @Test
  void resp3_execArray_eachReplyInItsCommandsShape_asRedis() throws IOException {
    try (RedisServer.Conn r = redis.connect(); RedisServer.Conn p = RedisServer.Conn.tcp(cluster.router.port())) {
      String a = "lcs:a";
      String b = sameNodeAs(a);
      String absent = sameNodeAs(b); // every key of a transaction through the proxy on one node
      for (RedisServer.Conn c : java.util.List.of(r, p)) {
        c.call("hello", "3");
        c.call("set", a, "ohmytext");
        c.call("set", b, "mynewtext");
      }
      try {
        // the node answers the proxy's link in RESP2: LCS ... IDX inside EXEC came back an array, not a map
        for (String[] request : new String[][] {{"multi"}, {"lcs", a, b, "idx", "withmatchlen"},
            {"get", absent}, {"lcs", a, b, "len"}, {"bitfield", a, "overflow", "fail", "incrby", "u2", "0", "9"},
            {"exec"}}) {
          String expected = r.call(request);
          assertThat(p.call(request).replace("\r\n", "\\r\\n")).as(String.join(" ", request))
              .isEqualTo(expected.replace("\r\n", "\\r\\n"));
        }
      } finally {
        r.call("del", a, b);
        try (RedisServer.Conn clean = RedisServer.Conn.tcp(cluster.router.port())) {
          clean.call("del", a, b);
        }
      }
    }
  }

  @Test
  void resp3_randomSequences_sameRepliesAsRedis() throws IOException {
    try (RedisServer.Conn r = redis.connect(); RedisServer.Conn p = RedisServer.Conn.tcp(cluster.router.port())) {
      r.call("hello", "3");
      p.call("hello", "3");
      io.ringcache.node.ParitySequences.run(r, p, oneNodeOnly(), 10);
    }
  }

  @Test
  void randomSequences_sameRepliesAsRedis() throws IOException {
    io.ringcache.node.ParitySequences.run(toRedis, toProxy, oneNodeOnly());
  }

  /** A key the ring places on the node of {@code key}, for commands whose keys must share a node. */
  private String sameNodeAs(String key) {
    io.ringcache.ring.RoutingTable table = io.ringcache.ring.RoutingTable.of(cluster.topology());
    String owner = table.serverOf(key.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    for (int i = 0; ; i++) {
      String other = key + ":" + i;
      if (table.serverOf(other.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).equals(owner)) {
        return other;
      }
    }
  }

  /** Leaves out a multi-key command the proxy refuses with -CROSSNODE because its keys live on different nodes. */
  private java.util.function.Predicate<String[]> oneNodeOnly() {
    io.ringcache.ring.RoutingTable table = io.ringcache.ring.RoutingTable.of(cluster.topology());
    return command -> {
      boolean twoKeys = java.util.Set.of("rename", "renamenx", "copy").contains(command[0]);
      if (!(command[0].equals("msetnx") || twoKeys) || command.length < 3) {
        return false;
      }
      java.util.Set<String> owners = new java.util.HashSet<>();
      for (int i = 1; i < (twoKeys ? 3 : command.length); i += twoKeys ? 1 : 2) {
        owners.add(table.serverOf(command[i].getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
      }
      return owners.size() > 1;
    };
  }
}
