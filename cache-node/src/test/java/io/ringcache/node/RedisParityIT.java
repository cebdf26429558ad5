package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringcache.testkit.core.LaunchedCluster;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node against a real Redis 7.0 ({@code /usr/bin/redis-server}, Debian's): the same requests go
 * to both, and the replies must be the same bytes. Differences that docs/protocol.md lists are
 * checked for their documented shape instead.
 */
class RedisParityIT {

  private static RedisServer redis;
  private static LaunchedCluster<NodeServer, Void> nodes;
  private static NodeServer node;
  private static RedisServer.Conn toRedis;
  private static RedisServer.Conn toNode;

  @BeforeAll
  static void start() throws IOException {
    assumeTrue(RedisServer.installed(), "redis-server is not installed at " + RedisServer.BINARY + " (.ci/run installs it)");
    redis = RedisServer.start();
    nodes = Nodes.standalone().start();
    node = nodes.node(0);
    toRedis = redis.connect();
    toNode = RedisServer.Conn.tcp(node.port());
  }

  @AfterAll
  static void stop() throws IOException {
    if (toNode != null) {
      toNode.close();
      nodes.close();
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
    same("flushall");
  }

  /** Sends {@code args} to both and asserts the same reply bytes; returns the reply. */
  private static String same(String... args) throws IOException {
    String expected = toRedis.call(args);
    String actual = toNode.call(args);
    assertThat(printable(actual)).as("reply to %s", String.join(" ", args)).isEqualTo(printable(expected));
    return actual;
  }

  /** Sends {@code args} to both and returns the two replies, for documented differences. */
  private static String[] both(String... args) throws IOException {
    return new String[] {toRedis.call(args), toNode.call(args)};
  }

  private static String printable(String raw) {
    return raw.replace("\r", "\\r").replace("\n", "\\n");
  }

  @Test
  void expire_overflowingTtls_answerInvalidExpireTimeAsRedis() throws IOException {
    same("set", "foo", "bar");
    same("expire", "foo", "9223370399119966");
    same("pexpire", "foo", "9223372036854770000");
    same("expire", "foo", "9223372036854775807");
    same("expire", "foo", "-9223372036854775808");
    same("expire", "foo", "9223372036854776");
    same("expire", "foo", "-9223372036854776");
    same("pexpire", "foo", "9223372036854775807");
    same("expireat", "foo", "9223372036854775807");
    same("expireat", "foo", "9223372036854776");
    same("ttl", "foo");
    same("expire", "missing", "9223370399119966"); // checked before the key is looked up
    same("expire", "missing", "10");
  }

  @Test
  void set_overflowingOrNonPositiveTtls_answerInvalidExpireTimeWithTheCommandsName() throws IOException {
    same("set", "foo", "bar", "ex", "9223370399119966");
    same("set", "foo", "bar", "px", "9223372036854770000");
    same("set", "foo", "bar", "ex", "0");
    same("set", "foo", "bar", "px", "-5");
    same("set", "foo", "bar", "exat", "0");
    same("set", "foo", "bar", "pxat", "-1");
    same("set", "foo", "bar", "ex", "9223372036854776");
    same("set", "foo", "bar", "ex", "abc");
    same("setex", "foo", "9223370399119966", "bar");
    same("psetex", "foo", "9223372036854770000", "bar");
    same("setex", "foo", "0", "bar");
    same("setex", "foo", "-1", "bar");
    same("psetex", "foo", "0", "bar");
    same("setex", "foo", "x", "bar");
    same("exists", "foo");
    same("set", "foo", "bar", "ex", "100");
    same("ttl", "foo");
    same("setex", "foo", "100", "bar");
    same("ttl", "foo");
  }

  @Test
  void set_options_parseAsRedis() throws IOException {
    same("set", "k", "v", "nx", "nx");
    same("set", "k", "v", "xx", "xx");
    same("set", "k", "v", "nx", "xx");
    same("set", "k", "v", "xx", "nx");
    same("set", "k", "v", "get", "get");
    same("set", "k", "v", "ex", "10", "ex", "20");
    same("ttl", "k");
    same("set", "k", "v", "ex", "10", "px", "20");
    same("set", "k", "v", "keepttl", "keepttl");
    same("ttl", "k");
    same("set", "k", "v", "keepttl", "ex", "10");
    same("set", "k", "v", "ex", "10", "keepttl");
    same("set", "k", "v", "ex");
    same("set", "k", "v", "persist");
    same("set", "k", "v", "ex", "abc", "nx", "xx"); // the options are checked before the number
    same("set", "k", "v", "foo");
    same("set", "k");
    same("set", "k", "w", "nx", "get");
    same("set", "k2", "w", "xx", "get");
    same("set", "k", "w", "pxat", "1");
    same("exists", "k");
  }

  @Test
  void expireat_farFuture_setsATtlWhereRedisDoes() throws IOException {
    same("set", "foo", "bar");
    same("expireat", "foo", "9223372036854775");
    // Redis keeps the expiry (TTL about 2.9e11 years); a node keeps it as Store.MAX_TTL_NANOS
    // (about 36 years): both report a positive TTL (docs/protocol.md)
    String[] ttl = both("ttl", "foo");
    assertThat(Long.parseLong(ttl[0].substring(1).trim())).isPositive();
    assertThat(Long.parseLong(ttl[1].substring(1).trim())).isBetween(36L * 365 * 86400, 37L * 365 * 86400);
    same("set", "bar", "baz", "exat", "9223370399119966");
    ttl = both("pttl", "bar");
    assertThat(Long.parseLong(ttl[1].substring(1).trim())).isBetween(36L * 365 * 86400_000, 37L * 365 * 86400_000);
    same("pexpireat", "foo", "9223372036854775807");
    same("exists", "foo");
  }

  @Test
  void pexpireat_hugeNegative_deletesTheKey() throws IOException {
    same("set", "foo", "bar");
    same("pexpireat", "foo", "-9223372036854770000");
    same("exists", "foo");
    same("set", "foo", "bar");
    same("pexpire", "foo", "-9223372036854775808");
    same("exists", "foo");
    same("set", "foo", "bar");
    same("expire", "foo", "-9223372036854775");
    same("exists", "foo");
    same("set", "foo", "bar");
    same("expire", "foo", "0");
    same("exists", "foo");
  }

  @Test
  void expire_optionCombinations_answerAsRedis() throws IOException {
    same("set", "foo", "bar");
    same("expire", "foo", "200", "lt", "gt");
    same("expire", "foo", "200", "gt", "lt");
    same("expire", "foo", "200", "nx", "xx");
    same("expire", "foo", "200", "nx", "gt");
    same("expire", "foo", "200", "lt", "nx");
    same("expire", "foo", "200", "nx", "gt", "lt");
    same("expire", "foo", "200", "xx", "gt");
    same("expire", "foo", "200", "foo");
    same("expire", "foo", "200", "\u00ff\r\n\0x"); // echoed as Redis's %s: raw bytes up to the NUL, CR LF trimmed
    same("expire", "foo", "200", "a\r\nb");
    same("client", "list", "type", "\u00ffx\0y");
    same("expire", "foo", "abc", "foo"); // the options are checked before the number
    same("expire", "foo", "abc", "lt", "gt");
    same("expire", "foo", "abc");
    same("expire", "foo", "200", "gt");
    same("expire", "foo", "200", "xx");
    same("expire", "foo", "200", "lt");
    same("ttl", "foo");
    same("expire", "foo", "100", "gt");
    same("expire", "foo", "300", "gt");
    same("ttl", "foo");
    same("expire", "foo", "100", "lt");
    same("ttl", "foo");
    same("expire", "foo", "50", "nx");
    same("expire", "foo", "50", "xx", "lt");
    same("ttl", "foo");
    same("persist", "foo");
    same("expire", "foo", "50", "nx");
    same("expire");
    same("expire", "foo");
    same("pexpireat", "foo");
  }

  /** Sends {@code args} to both without reading a reply (CLIENT REPLY OFF or SKIP drops it). */
  private static void sendOnly(String... args) throws IOException {
    toRedis.send(args);
    toNode.send(args);
  }

  @Test
  void clientReply_offSkipOn_dropRepliesAsRedis() throws IOException {
    sendOnly("client", "reply", "off");
    sendOnly("set", "a", "1");
    sendOnly("get", "a");
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
    same("client", "reply", "on", "extra");
    same("client", "reply", "ON");
  }

  @Test
  void scanCursors_readAsRedisReadsThem() throws IOException {
    same("flushall");
    // strtoul's forms start (or, on an empty keyspace, end) a walk; the rest are invalid, before options
    for (String cursor : new String[] {"00", "+0", "-0", "", "-1", "4294967296", "18446744073709551615", "007",
        "18446744073709551616", "-18446744073709551616", " 1", "1 ", "0x10", "+", "-", "abc", "1\u0000x"}) {
      same("scan", cursor);
      same("scan", cursor, "count", "0");
      same("scan", cursor, "bogus");
    }
  }

  @Test
  void unknownCommand_errorText_asRedis() throws IOException {
    UnknownCommandParity.check(toRedis, toNode);
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
    same("client", "info", "x");
    same("client", "no-evict", "foo");
    same("client", "no-evict", "on");
    same("client", "list", "type", "foo");
    same("client", "list", "type", "normal", "x");
    same("client", "list", "type", "pubsub");
    same("client", "list", "type", "master");
    same("client", "list", "id");
    same("client", "list", "id", "abc");
    same("client", "list", "id", "5", "abc");
    same("client", "list", "id", "-1");
    same("client", "list", "foo");
    same("client", "setname", "parity");
    same("client", "getname");
  }

  @Test
  void clientInfo_printsRedisFieldsWithoutALeadingSlash() throws IOException {
    same("client", "setname", "parity");
    String[] info = both("client", "info");
    java.util.regex.Pattern line = java.util.regex.Pattern.compile(
        "\\$\\d+\r\nid=\\d+ addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:" + node.port()
            + " name=parity age=\\d+ idle=\\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 cmd=client\\|info user=default"
            + " redir=-1 resp=2 lib-name= lib-ver=\n\r\n");
    assertThat(info[1]).matches(line);
    // the fields a node prints appear in the same order in Redis's line
    java.util.List<String> redisKeys = keys(info[0]);
    java.util.List<String> nodeKeys = keys(info[1]);
    nodeKeys.removeAll(java.util.List.of("lib-name", "lib-ver")); // Redis 7.2's, after resp
    assertThat(redisKeys).containsSubsequence(nodeKeys);
    String list = toNode.call("client", "list");
    String id = toNode.call("client", "id").substring(1).trim();
    assertThat(list).contains("id=" + id + " addr=127.0.0.1:").contains("cmd=client|list").doesNotContain("addr=/");
    try (RedisServer.Conn other = RedisServer.Conn.tcp(node.port())) {
      other.call("client", "setname", "other");
      assertThat(toNode.call("client", "list")).contains(" name=other ").contains(" name=parity ");
      String otherId = other.call("client", "id").substring(1).trim();
      String only = toNode.call("client", "list", "id", otherId);
      assertThat(only).contains(" name=other ").doesNotContain(" name=parity ");
    }
  }

  private static java.util.List<String> keys(String clientLine) {
    java.util.List<String> keys = new java.util.ArrayList<>();
    for (String field : clientLine.substring(clientLine.indexOf("\r\n") + 2).trim().split(" ")) {
      keys.add(field.substring(0, field.indexOf('=')));
    }
    return keys;
  }

  @Test
  void info_keyspaceAndSections_asRedis() throws IOException {
    same("info", "keyspace");
    same("info", "foo");
    same("set", "a", "1");
    same("set", "b", "");
    same("info", "keyspace");
    same("info", "KEYSPACE", "foo");
    same("set", "c", "1", "ex", "100");
    String[] info = both("info", "keyspace");
    // avg_ttl is Redis's estimate from its expiry sampling; a node does not track it and writes 0
    assertThat(info[0]).matches("(?s)\\$\\d+\r\n# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=\\d+\r\n\r\n");
    assertThat(info[1]).isEqualTo("$44\r\n# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=0\r\n\r\n");
    String server = toNode.call("info", "server");
    assertThat(server).contains("# Server\r\n").doesNotContain("# Keyspace").doesNotContain("# Clients");
  }

  @Test
  void info_sectionSelection_asRedis() throws IOException {
    // Redis 7.0's Latencystats (per-command latency percentiles) is the one section a node does not
    // write; the node's own Ring section follows Keyspace wherever Keyspace is given
    for (String[] args : List.of(new String[] {"info"}, new String[] {"info", "default"}, new String[] {"info", "all"},
        new String[] {"info", "everything"}, new String[] {"info", "cpu"}, new String[] {"info", "commandSTATS"},
        new String[] {"info", "cpu", "sentinel"}, new String[] {"info", "cpu", "all"}, new String[] {"info", "cpu", "default"},
        new String[] {"info", "replication", "persistence", "cluster", "modules", "errorstats"})) {
      String[] info = both(args);
      List<String> redisSections = sections(info[0]);
      redisSections.remove("Latencystats");
      List<String> nodeSections = sections(info[1]);
      nodeSections.remove("Ring");
      assertThat(nodeSections).as(String.join(" ", args)).isEqualTo(redisSections);
    }
    for (String field : List.of("used_cpu_user:", "used_cpu_sys:", "master_repl_offset:0", "role:master", "loading:0",
        "rdb_bgsave_in_progress:0", "aof_rewrite_in_progress:0", "cluster_enabled:0", "redis_git_sha1:00000000", "run_id:")) {
      assertThat(toNode.call("info", "everything")).as(field).contains("\r\n" + field);
    }
  }

  @Test
  void info_commandstatsAndErrorstats_countAsRedis() throws IOException {
    String[] before = both("info", "commandstats", "errorstats", "stats");
    same("set", "a", "1");
    same("set", "b", "2");
    same("get", "a");
    same("get"); // refused before it runs: rejected_calls
    same("incr", "a");
    same("append", "a", "x");
    same("incr", "a"); // runs and fails: failed_calls, errorstat_ERR
    same("nosuchcommand", "x"); // no cmdstat line, one errorstat_ERR
    same("getex", "a", "px", "-1"); // runs and fails
    String[] after = both("info", "commandstats", "errorstats", "stats");
    for (String counter : List.of("cmdstat_set:calls", "cmdstat_get:calls", "cmdstat_get:rejected_calls", "cmdstat_incr:calls",
        "cmdstat_incr:failed_calls", "cmdstat_getex:failed_calls", "errorstat_ERR:count",
        "total_error_replies")) {
      long redisDelta = counter(after[0], counter) - counter(before[0], counter);
      long nodeDelta = counter(after[1], counter) - counter(before[1], counter);
      assertThat(nodeDelta).as(counter).isEqualTo(redisDelta).isPositive();
    }
    assertThat(after[1]).matches("(?s).*\r\ncmdstat_set:calls=\\d+,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=\\d+,failed_calls=\\d+\r\n.*");
  }

  /**
   * Commands pipelined in one write before INFO on the same connection are counted by that INFO, as
   * in Redis (the node adds a connection's counts to the shared ones in runs: CommandTally), and
   * INFO itself is not counted by its own reply.
   */
  @Test
  void info_afterPipelinedCommandsInOneWrite_countsEachOfThem() throws IOException {
    String[] before = both("info", "commandstats");
    String pipeline = "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n".repeat(3)
        + "*2\r\n$3\r\nget\r\n$1\r\na\r\n".repeat(5)
        + "*2\r\n$4\r\ninfo\r\n$12\r\ncommandstats\r\n";
    String[] after = new String[2];
    RedisServer.Conn[] conns = {toRedis, toNode};
    for (int c = 0; c < 2; c++) {
      conns[c].sendRaw(pipeline);
      for (int i = 0; i < 8; i++) {
        conns[c].reply();
      }
      after[c] = conns[c].reply();
    }
    for (String counter : List.of("cmdstat_set:calls", "cmdstat_get:calls", "cmdstat_info:calls")) {
      long redisDelta = counter(after[0], counter) - counter(before[0], counter);
      long nodeDelta = counter(after[1], counter) - counter(before[1], counter);
      assertThat(nodeDelta).as(counter).isEqualTo(redisDelta);
    }
    assertThat(counter(after[1], "cmdstat_get:calls") - counter(before[1], "cmdstat_get:calls")).isEqualTo(5);
  }

  /** The section names of an INFO reply, in order. */
  private static List<String> sections(String reply) {
    List<String> names = new java.util.ArrayList<>();
    for (String line : reply.split("\r\n")) {
      if (line.startsWith("# ")) {
        names.add(line.substring(2));
      }
    }
    return names;
  }

  /**
   * A counter of an INFO reply: {@code "name"} for a {@code name:value} line, or {@code "line:field"}
   * for a field of a {@code line:field=value,...} line; 0 when absent.
   */
  private static long counter(String reply, String counter) {
    int colon = counter.indexOf(':');
    String line = colon < 0 ? counter : counter.substring(0, colon);
    for (String l : reply.split("\r\n")) {
      if (l.startsWith(line + ":")) {
        String value = l.substring(line.length() + 1);
        if (colon < 0) {
          return Long.parseLong(value);
        }
        for (String field : value.split(",")) {
          if (field.startsWith(counter.substring(colon + 1) + "=")) {
            return Long.parseLong(field.substring(field.indexOf('=') + 1));
          }
        }
      }
    }
    return 0;
  }

  @Test
  void info_redisPy_parsesEveryLineOfEverySection() throws Exception {
    assumeTrue(RedisPy.installed(), RedisPy.MISSING);
    same("set", "a", "1");
    same("set", "b", "2", "ex", "100");
    String out = RedisPy.run(node.port(), """
        info = r.info("everything")
        assert "__raw__" not in info, info.get("__raw__")
        assert info["db0"] == {"keys": 2, "expires": 1, "avg_ttl": 0}, info["db0"]
        assert info["redis_version"] == "7.0.0", info["redis_version"]
        keyspace = r.info("keyspace")
        assert keyspace == {"db0": {"keys": 2, "expires": 1, "avg_ttl": 0}}, keyspace
        assert "redis_version" in r.info("server") and "db0" not in r.info("server")
        print("ok")
        """);
    assertThat(out).isEqualTo("ok\n");
  }

  /** A binary value: every byte value, CR LF and NUL included. */
  private static final String BINARY;

  static {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 256; i++) {
      b.append((char) i);
    }
    BINARY = b.toString();
  }

  @Test
  void stringCommands_edgeCases_answerAsRedis() throws IOException {
    for (String[] command : new String[][] {
        {"strlen", "s"}, {"append", "s", ""}, {"exists", "s"}, {"strlen", "s"}, {"append", "s", "abc"}, {"append", "s", BINARY},
        {"strlen", "s"}, {"get", "s"}, {"append", "s"}, {"strlen"}, {"strlen", "s", "x"},
        {"getrange", "s", "0", "-1"}, {"getrange", "s", "0", "0"}, {"getrange", "s", "-1", "-1"}, {"getrange", "s", "-3", "-5"},
        {"getrange", "s", "5", "3"}, {"getrange", "s", "-9223372036854775808", "9223372036854775807"},
        {"getrange", "s", "100", "200"}, {"getrange", "s", "1", "-300"}, {"getrange", "s", "-300", "2"}, {"getrange", "s", "a", "1"},
        {"getrange", "s", "1", "9223372036854775808"}, {"getrange", "missing", "0", "-1"}, {"getrange", "s", "0"},
        {"substr", "s", "1", "3"}, {"set", "e", ""}, {"getrange", "e", "0", "-1"}, {"getrange", "e", "-1", "0"},
        {"setrange", "r", "0", ""}, {"exists", "r"}, {"setrange", "r", "5", "xy"}, {"get", "r"}, {"setrange", "r", "0", "AB"},
        {"get", "r"}, {"setrange", "r", "1", ""}, {"setrange", "r", "-1", "x"}, {"setrange", "r", "x", "x"},
        {"setrange", "r", "9223372036854775808", "x"}, {"setrange", "r", "7", BINARY}, {"strlen", "r"}, {"getrange", "r", "5", "10"},
        {"setrange", "r", "0"}, {"setnx", "n", "1"}, {"setnx", "n", "2"}, {"get", "n"}, {"setnx", "n"},
        {"getset", "g", "1"}, {"getset", "g", "2"}, {"set", "g", "3", "ex", "100"}, {"getset", "g", "4"}, {"ttl", "g"},
        {"getset", "g"}, {"msetnx", "m1", "1", "m2", "2"}, {"msetnx", "m2", "x", "m3", "3"}, {"mget", "m1", "m2", "m3"},
        {"msetnx", "m1"}, {"msetnx", "m4", "1", "m5"}, {"msetnx", "m4", "1", "m4", "2"}, {"get", "m4"},
        {"type", "m1"}, {"type", "missing"}, {"type"}, {"touch", "m1", "m1", "missing"}, {"touch"}, {"time", "x"},
    }) {
      same(command);
    }
  }

  @Test
  void getex_options_answerAsRedis() throws IOException {
    for (String[] command : new String[][] {
        {"getex", "missing"}, {"getex", "missing", "ex", "-1"}, {"getex", "missing", "foo"}, {"getex"},
        {"set", "k", "v"}, {"getex", "k"}, {"ttl", "k"}, {"getex", "k", "ex", "100"}, {"ttl", "k"},
        {"getex", "k", "persist"}, {"ttl", "k"}, {"getex", "k", "px", "100000"}, {"ttl", "k"},
        {"getex", "k", "ex", "10", "ex", "20"}, {"ttl", "k"}, {"getex", "k", "persist", "ex", "10"},
        {"getex", "k", "ex", "10", "persist"}, {"getex", "k", "keepttl"}, {"getex", "k", "get"}, {"getex", "k", "nx"},
        {"getex", "k", "ex"}, {"getex", "k", "ex", "0"}, {"getex", "k", "ex", "-1"}, {"getex", "k", "ex", "abc"},
        {"getex", "k", "ex", "9223370399119966"}, {"getex", "k", "px", "9223372036854770000"},
        {"getex", "k", "exat", "9223370399119966"}, {"getex", "k", "persist"},
        {"getex", "k", "pxat", "1"}, {"exists", "k"}, {"set", "k", "v"}, {"getex", "k", "exat", "1"}, {"exists", "k"},
    }) {
      if (command.length == 4 && command[2].equals("exat") && command[3].startsWith("9223")) {
        same(command);
        String[] ttl = both("ttl", "k");
        assertThat(ttl[1]).startsWith(":11"); // about 36.5 years, Store.MAX_TTL_NANOS (docs/protocol.md)
        continue;
      }
      same(command);
    }
    same("set", "t", "v");
    same("getex", "t", "ex", "100");
    same("ttl", "t");
    same("getex", "t", "persist");
    same("ttl", "t");
  }

  @Test
  void stringTooLarge_isRefusedWithRedisPrefix() throws IOException {
    same("set", "s", "x");
    String[] replies = both("setrange", "s", "536870912", "x");
    assertThat(replies[0]).startsWith("-ERR string exceeds maximum allowed size (");
    assertThat(replies[1]).startsWith("-ERR string exceeds maximum allowed size (");
    same("get", "s");
    String time = toNode.call("time");
    assertThat(time).matches("\\*2\r\n\\$10\r\n\\d{10}\r\n\\$\\d\r\n\\d{1,6}\r\n");
    long seconds = Long.parseLong(time.split("\r\n")[2]);
    assertThat(seconds).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(5L));
  }

  @Test
  void config_subcommandsAndPatterns_answerAsRedis() throws IOException {
    same("config", "get", "save");
    same("config", "get", "APPENDONLY");
    same("config", "get", "appendonl?");
    same("config", "get", "nosuchparameter");
    same("config", "get", "tcp-keepalive"); // 300 on both, by default
    same("config", "get", "save", "SAVE", "sav?"); // a parameter once, named as the first pattern that matched
    same("config", "get");
    same("config", "set", "x");
    same("config", "resetstat", "x");
    same("config", "foo");
    same("config", "\u00ff\r\nx\0y");
    same("config");
  }

  @Test
  void functionFlush_modesAndErrorsInAndOutOfMulti_answerAsRedisWithoutFunctions() throws IOException {
    FunctionParity.check(toRedis, toNode);
  }

  @Test
  void handshake_selectAuthHelloEdgeCases_answerAsRedis() throws IOException {
    HandshakeParity.check(toRedis, toNode);
  }

  @Test
  void incrbyfloat_longDoubleArithmeticAndFormat_asRedis() throws IOException {
    for (String[] command : new String[][] {
        {"set", "k", "10.50"}, {"incrbyfloat", "k", "10.5"}, {"incrbyfloat", "k", "3.0e3"}, {"incrbyfloat", "k", "5.0e-1"},
        {"incrbyfloat", "k", "1e400"}, {"get", "k"}, {"incrbyfloat", "k", "-1e400"}, {"incrbyfloat", "k", "abc"},
        {"incrbyfloat", "k", "inf"}, {"incrbyfloat", "k", "-inf"}, {"incrbyfloat", "k", "infinity"}, {"incrbyfloat", "k", "nan"},
        {"incrbyfloat", "k", "-nan"}, {"incrbyfloat", "k", ""}, {"incrbyfloat", "k", " 1"}, {"incrbyfloat", "k", "1 "},
        {"incrbyfloat", "k", "0x10"}, {"incrbyfloat", "k", "0x1p3"}, {"incrbyfloat", "k", "0X.8P+2"}, {"incrbyfloat", "k", "0x"},
        {"incrbyfloat", "k", "1e"}, {"incrbyfloat", "k", "1e+"}, {"incrbyfloat", "k", "."}, {"incrbyfloat", "k", ".5"},
        {"incrbyfloat", "k", "1."}, {"incrbyfloat", "k", "+.5"}, {"incrbyfloat", "k", "-0"}, {"incrbyfloat", "k", "1e5000"},
        {"incrbyfloat", "k", "1e-5000"}, {"incrbyfloat", "k", "4e-4951"}, {"incrbyfloat", "k", "0x1p-16445"},
        {"incrbyfloat", "k", "\0"}, {"incrbyfloat", "k", "1\0x"}, {"incrbyfloat", "k", "1" + "0".repeat(5200)},
        {"incrbyfloat", "k", "0." + "0".repeat(5000) + "1"}, {"get", "k"},
        {"incrbyfloat", "n", "0.1"}, {"incrbyfloat", "n", "0.2"}, {"incrbyfloat", "n", "1e17"}, {"incrbyfloat", "n", "-123.456e-2"},
        {"incrbyfloat", "n", "1e4932"}, {"incrbyfloat", "n", "1.1e4932"}, {"incrbyfloat", "n", "-1e4932"},
        {"incrbyfloat", "n", "1.18973149535723176502e+4932"}, {"incrbyfloat", "n", "1.18973149535723176508e+4932"},
        {"incrbyfloat", "t", "0.000003814697265625"}, {"incrbyfloat", "t", "0.000003814697265625"},
        {"incrbyfloat", "z", "0.000000000000000001"}, {"incrbyfloat", "z", "-0.000000000000000002"}, {"get", "z"},
        {"incrbyfloat", "z", "-5"}, {"incrbyfloat", "z", "5"}, {"incrbyfloat", "z", "-1e-30"},
        {"set", "i", "9223372036854775807"}, {"incrbyfloat", "i", "1"}, {"set", "i", "007"}, {"incrbyfloat", "i", "1"},
        {"set", "s", "abc"}, {"incrbyfloat", "s", "1"}, {"incrbyfloat", "s", "x"}, {"set", "s", "inf"}, {"incrbyfloat", "s", "1"},
        {"set", "s", " 1"}, {"incrbyfloat", "s", "1"}, {"set", "s", ""}, {"incrbyfloat", "s", "1"}, {"set", "s", "1e"},
        {"incrbyfloat", "s", "1"}, {"incrbyfloat", "s"}, {"incrbyfloat", "s", "1", "2"}, {"incrbyfloat"},
        {"set", "e", "1.5", "ex", "100"}, {"incrbyfloat", "e", "1"}, {"ttl", "e"},
    }) {
      same(command);
    }
  }

  @Test
  void expiretime_absoluteExpiry_asRedis() throws IOException {
    same("expiretime", "missing");
    same("pexpiretime", "missing");
    same("set", "k", "v");
    same("expiretime", "k");
    same("pexpiretime", "k");
    same("expireat", "k", "2000000000");
    same("expiretime", "k");
    same("pexpireat", "k", "2000000000123");
    same("expiretime", "k");
    same("pexpiretime", "k");
    // Redis's own suite: an absolute expiry reads back exactly, though the store keeps a TTL on a
    // monotonic clock (whole-ms conversions each way were off by one about a quarter of the time)
    long base = System.currentTimeMillis() + 100_000;
    for (int i = 0; i < 50; i++) {
      String at = Long.toString(base + i * 7);
      same("set", "k", "v", "pxat", at);
      same("pexpiretime", "k");
      same("pexpireat", "k", at);
      same("pexpiretime", "k");
    }
    same("persist", "k");
    same("expiretime", "k");
    same("expiretime");
    same("pexpiretime", "k", "x");
  }

  @Test
  void flushAndKeysAndRandomkey_answerAsRedis() throws IOException {
    for (String[] command : new String[][] {
        {"randomkey"}, {"keys", "*"}, {"keys", "a*"}, {"set", "abc", "1"}, {"randomkey"}, {"keys", "*"}, {"keys", "a?c"},
        {"keys", "b*"}, {"keys", "[a-b]bc"}, {"keys", "*\\"}, {"keys", "["}, {"keys", "abc"}, {"randomkey", "x"}, {"keys"},
        {"keys", "*", "x"}, {"flushall", "foo"}, {"flushall", "async", "x"}, {"flushdb", "sync", "sync"}, {"exists", "abc"},
        {"flushdb", "SYNC"}, {"exists", "abc"}, {"set", "abc", "1"}, {"flushall", "ASYNC"}, {"exists", "abc"},
        {"set", "abc", "1"}, {"flushdb"}, {"randomkey"}, {"set", "abc", "1"}, {"flushall"}, {"keys", "*"},
    }) {
      same(command);
    }
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (int i = 0; i < 300; i++) {
      same("set", "key:" + i, "v");
      same("set", "other:" + i, "v");
      keys.add("key:" + i);
    }
    // Redis lists them in its hash table's order, a node in ring-hash order (docs/protocol.md)
    String[] replies = both("keys", "key:*");
    assertThat(bulks(replies[1])).containsExactlyInAnyOrderElementsOf(bulks(replies[0])).hasSize(300);
    assertThat(bulks(both("keys", "*")[1])).hasSize(600);
    java.util.Set<String> drawn = new java.util.HashSet<>();
    for (int i = 0; i < 50; i++) {
      String key = bulks("*1\r\n" + toNode.call("randomkey")).get(0);
      assertThat(key).matches("(key|other):\\d+");
      drawn.add(key);
    }
    assertThat(drawn).as("RANDOMKEY draws different keys").hasSizeGreaterThan(5);
  }

  @Test
  void renameAndCopy_answerAsRedis() throws IOException {
    for (String[] command : new String[][] {
        {"rename", "a", "b"}, {"renamenx", "a", "b"}, {"rename", "a", "a"}, {"set", "a", "1"}, {"rename", "a", "a"},
        {"renamenx", "a", "a"}, {"expire", "a", "100"}, {"set", "b", "2", "ex", "50"}, {"rename", "a", "b"}, {"ttl", "b"},
        {"get", "b"}, {"exists", "a"}, {"renamenx", "b", "c"}, {"ttl", "c"}, {"renamenx", "b", "c"}, {"set", "d", "x"},
        {"renamenx", "c", "d"}, {"get", "d"}, {"get", "c"}, {"persist", "c"}, {"rename", "d", "c"}, {"ttl", "c"}, {"get", "c"},
        {"rename", "a"}, {"rename", "a", "b", "c"}, {"renamenx", "a"},
        {"copy", "c", "c"}, {"copy", "missing", "missing"}, {"copy", "missing", "e"}, {"expire", "c", "100"},
        {"copy", "c", "e", "db", "0"}, {"ttl", "e"}, {"get", "e"}, {"copy", "c", "e"}, {"set", "c", "new"},
        {"copy", "c", "e", "replace"}, {"get", "e"}, {"ttl", "e"}, {"copy", "c", "e", "REPLACE", "replace"},
        {"copy", "c", "e", "db", "16"}, {"copy", "c", "e", "DB", "-1"}, {"copy", "c", "e", "db", "x"},
        {"copy", "c", "e", "db", "9999999999"}, {"copy", "c", "e", "db", "99999999999999999999"}, {"copy", "c", "e", "db"}, {"copy", "c", "e", "foo"},
        {"copy", "c", "c", "foo"}, {"copy", "c"}, {"copy", "c", "\u00ff\0", "replace"}, {"get", "\u00ff\0"},
        {"rename", "\u00ff\0", "\u00ff\0x"}, {"get", "\u00ff\0x"},
    }) {
      same(command);
    }
  }

  /** The bulk strings of an array reply. */
  private static java.util.List<String> bulks(String array) {
    java.util.List<String> out = new java.util.ArrayList<>();
    String[] lines = array.split("\r\n");
    for (int i = 1; i < lines.length; i += 2) {
      out.add(lines[i + 1]);
    }
    return out;
  }

  /**
   * Random sequences from a fixed seed list (or {@code -Dparity.seed=N} to replay one), see
   * ParitySequences: every reply must be the same bytes as Redis's but for the differences
   * docs/protocol.md lists.
   */
  @Test
  void command_listFilterInfoDocsGetkeys_answerAsRedis() throws IOException {
    CommandParity.check(toRedis, toNode);
  }

  @Test
  void bitCommandsAndLcs_edgeCasesAndErrors_answerAsRedis() throws IOException {
    BitParity.checkEdgeCases(toRedis, toNode, () -> {
      try {
        toNode.call("flushall");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @Test
  void bitCommandsAndLcs_randomSequences_sameRepliesAsRedis() throws IOException {
    BitParity.run(toRedis, toNode, command -> false);
  }

  @Test
  void bitCommands_growingPastMaxValueSize_refusedAsSetrangeIs() throws IOException {
    same("setbit", "b", "7", "1");
    String setrange = toNode.call("setrange", "b", "16777216", "x");
    assertThat(setrange).startsWith("-ERR string exceeds maximum allowed size (16777217 bytes, expected: <= 16777216");
    assertThat(toNode.call("setbit", "b", "134217728", "1")).isEqualTo(setrange);
    assertThat(toNode.call("bitfield", "b", "get", "u8", "0", "set", "u8", "134217728", "1")).isEqualTo(setrange);
    assertThat(toNode.call("bitfield", "b", "set", "u1", "134217727", "1")).isEqualTo("*1\r\n:0\r\n");
    assertThat(toNode.call("strlen", "b")).isEqualTo(":16777216\r\n");
    assertThat(toNode.call("setbit", "b", "134217727", "0")).isEqualTo(":1\r\n");
    assertThat(toNode.call("getbit", "b", "4294967295")).isEqualTo(":0\r\n");
    assertThat(toNode.call("bitcount", "b")).isEqualTo(":1\r\n");
  }

  @Test
  void lcs_tableBeyondMaxValueSize_refusedWithRedisPrefix() throws IOException {
    same("set", "a", "x".repeat(2047));
    same("set", "c", "y".repeat(2047));
    same("lcs", "a", "c", "len"); // 2048 x 2048 cells of 4 bytes: exactly max-value-size
    same("append", "c", "y");
    String[] replies = both("lcs", "a", "c", "len");
    assertThat(replies[0]).isEqualTo(":0\r\n");
    assertThat(replies[1]).isEqualTo("-ERR Insufficient memory, transient memory for LCS exceeds max-value-size "
        + "(16785408 bytes, expected: <= 16777216)\r\n");
  }

  @Test
  void randomSequences_sameRepliesAsRedis() throws IOException {
    ParitySequences.run(toRedis, toNode, command -> false);
  }

  @Test
  void resp3_afterHello3_everyCommandAnswersAsRedisInResp3() throws IOException {
    try (RedisServer.Conn r = redis.connect(); RedisServer.Conn n = RedisServer.Conn.tcp(node.port())) {
      Resp3Parity.check(r, n, true);
    }
  }

  @Test
  void resp3_randomSequences_sameRepliesAsRedis() throws IOException {
    try (RedisServer.Conn r = redis.connect(); RedisServer.Conn n = RedisServer.Conn.tcp(node.port())) {
      r.call("hello", "3");
      n.call("hello", "3");
      ParitySequences.run(r, n, command -> false, 10);
    }
  }
}
