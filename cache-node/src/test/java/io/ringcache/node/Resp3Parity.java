package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands we serve under RESP3 ({@code HELLO 3}) against a real Redis 7.0.15, for a node
 * (RedisParityIT) and the proxy (ProxyRedisParityIT): the same requests on connections that both
 * said HELLO 3, and the replies must be the same bytes. Left out, by design (docs/protocol.md): what
 * differs in RESP2 too (HELLO's version and id, COMMAND DOCS's arguments, CONFIG GET's values,
 * RANDOMKEY's and SCAN's choices, INFO's and CLIENT INFO's fields), which are checked for their
 * RESP3 shape instead.
 */
public final class Resp3Parity {

  private Resp3Parity() {}

  /** The requests whose replies must be the same bytes, on both servers in the same order (keys of one node for the proxy's MULTI). */
  private static final String[][] REQUESTS = {
    {"ping"}, {"ping", "x"}, {"echo", "x"}, {"select", "0"}, {"auth", "default", "x"},
    {"client", "setname", "n1"}, {"client", "getname"}, {"client", "setname", ""}, {"client", "getname"},
    {"client", "no-evict", "on"}, {"client", "reply", "on"}, {"client", "id", "x"},
    {"command", "count", "x"}, {"command", "info", "nosuch"}, {"command", "info", "echo", "client|getname", "nosuch"},
    {"command", "docs", "nosuch"}, {"command", "docs", "dbsize"}, {"command", "docs", "time"},
    {"command", "list", "filterby", "pattern", "nosuch*"}, {"command", "list", "filterby", "pattern", "mget"},
    {"command", "getkeys", "mset", "a", "1", "b", "2"}, {"command", "help"},
    {"config", "get", "nosuch"}, {"config", "get", "save"}, {"config", "get", "appendonly"},
    {"function", "flush"}, {"info", "nosuch"},
    {"get", "k"}, {"set", "k", "v"}, {"set", "k", "w", "get"}, {"set", "k2", "w", "nx", "get"},
    {"set", "k3", "x", "xx"}, {"set", "k3", "x", "xx", "get"}, {"getdel", "k3"}, {"getset", "k3", "a"},
    {"getset", "k4", "a"}, {"getex", "k5"}, {"getex", "k3", "persist"}, {"setnx", "k3", "b"}, {"msetnx", "k6", "1"},
    {"strlen", "k5"}, {"append", "k5", "x"}, {"getrange", "k5", "0", "-1"}, {"getrange", "nokey", "0", "-1"},
    {"substr", "k5", "0", "0"}, {"setrange", "k7", "0", ""}, {"setrange", "k5", "1", "yy"},
    {"setex", "k8", "100", "v"}, {"psetex", "k9", "100000", "v"}, {"mget", "k", "k2", "nokey", "k5"},
    {"mset", "k10", "a", "k11", "b"}, {"del", "k10", "nokey"}, {"unlink", "k11"}, {"exists", "k", "k", "nokey"},
    {"touch", "k", "nokey"}, {"type", "k"}, {"type", "nokey"}, {"expire", "k", "100"}, {"pexpire", "k", "200000", "gt"},
    {"expireat", "k", "99999999999"}, {"pexpireat", "nokey", "1"}, {"ttl", "nokey"}, {"pttl", "k2"}, {"persist", "k"},
    {"expiretime", "nokey"}, {"pexpiretime", "k2"}, {"incr", "c"}, {"decr", "c"}, {"incrby", "c", "10"},
    {"decrby", "c", "3"}, {"incrbyfloat", "c", "1.5"}, {"incrbyfloat", "f", "0.1"}, {"rename", "nokey", "nokey"},
    {"copy", "nokey", "nokey"}, {"renamenx", "nokey", "nokey"}, {"keys", "nomatch*"}, {"scan", "0", "match", "nomatch*", "count", "1000"},
    {"dbsize"}, {"get", "nokey"},
    {"setbit", "kb", "7", "1"}, {"getbit", "kb", "7"}, {"bitcount", "kb"}, {"bitpos", "kb", "1"},
    {"bitfield", "kb", "overflow", "fail", "incrby", "u2", "0", "5"}, {"bitfield_ro", "kb", "get", "u8", "0"},
    {"set", "kb", "ohmytext"}, {"lcs", "kb", "kb"}, {"lcs", "kb", "kb", "len"}, {"lcs", "nokey", "nokey", "idx"},
    {"lcs", "kb", "kb", "idx", "minmatchlen", "2", "withmatchlen"},
    {"multi"}, {"get", "nokey"}, {"mget", "nokey", "nokey"}, {"set", "nokey", "v", "get"}, {"incr", "nokey"},
    {"getdel", "nokey"}, {"exec"},
    {"multi"}, {"multi"}, {"discard"}, {"exec"},
    {"watch", "w"}, {"set", "w", "1"}, {"multi"}, {"get", "w"}, {"exec"},
    {"watch", "w"}, {"unwatch"}, {"multi"}, {"get", "w"}, {"unwatch"}, {"exec"},
    {"multi"}, {"nosuch"}, {"exec"},
    {"hello", "4"}, {"get", "nokey"},
  };

  /**
   * A node only: CONFIG RESETSTAT (the proxy does not serve it); a HELLO queued in MULTI switches the
   * protocol midway through EXEC's array, as in Redis (the proxy refuses HELLO in MULTI).
   */
  private static final String[][] NODE_REQUESTS = {
    {"config", "resetstat"},
    {"multi"}, {"hello", "2"}, {"get", "nokey"}, {"exec"}, {"get", "nokey"},
    {"multi"}, {"hello", "3"}, {"get", "nokey"}, {"mget", "nokey"}, {"exec"}, {"get", "nokey"},
  };

  /** The RESP3 replies of {@code other} (a node, or the proxy: {@code node} false) and {@code redis}, on fresh connections. */
  public static void check(RedisServer.Conn redis, RedisServer.Conn other, boolean node) throws IOException {
    String helloRedis = redis.call("hello", "3");
    String helloOther = other.call("hello", "3");
    assertThat(helloOther).startsWith("%7\r\n");
    assertThat(normalizeHello(helloOther)).isEqualTo(normalizeHello(helloRedis));
    List<String> keys = List.of("k", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11", "c", "f", "w", "nokey", "x", "kc", "kb");
    redis.call(withKeys("del", keys));
    other.call(withKeys("del", keys));
    for (String[] request : REQUESTS) {
      same(redis, other, request);
    }

    // pipelined: each reply converted on its own, in order
    String[][] pipeline = {{"get", "nokey"}, {"mget", "nokey", "w"}, {"info", "nosuch"}, {"config", "get", "nosuch"}, {"ping"}};
    for (String[] request : pipeline) {
      redis.send(request);
      other.send(request);
    }
    for (String[] request : pipeline) {
      assertThat(printable(other.reply())).as("pipelined %s", String.join(" ", request)).isEqualTo(printable(redis.reply()));
    }

    // differ by design: the same RESP3 shapes
    assertThat(other.call("config", "get", "port")).startsWith("%1\r\n$4\r\nport\r\n");
    assertThat(other.call("randomkey")).startsWith("$");
    assertThat(other.call("scan", "0")).startsWith("*2\r\n$");
    assertThat(other.call("time")).startsWith("*2\r\n$");
    assertThat(other.call("command", "docs", "echo")).startsWith("%1\r\n$4\r\necho\r\n%4\r\n$7\r\nsummary\r\n");
    assertThat(other.call("command", "info", "get")).startsWith("*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n");
    assertVerbatim(other.call("info"), "# Server\r\n");
    assertVerbatim(other.call("info", "keyspace"), "# Keyspace\r\ndb0:keys=");
    if (node) {
      for (String[] request : NODE_REQUESTS) {
        if (request[0].equals("exec")) {
          assertThat(normalizeHello(other.call(request))).as("EXEC after %s", "HELLO").isEqualTo(normalizeHello(redis.call(request)));
        } else {
          same(redis, other, request);
        }
      }
      assertVerbatim(other.call("client", "info"), "id=");
      assertThat(other.call("client", "info")).contains(" resp=3 ");
      assertVerbatim(other.call("client", "list"), "id=");
      same(redis, other, "client", "list", "type", "master");
      same(redis, other, "client", "list", "id", "999999");
    }

    // HELLO with no version keeps RESP3; HELLO 2 goes back to RESP2
    assertThat(normalizeHello(other.call("hello"))).isEqualTo(normalizeHello(redis.call("hello")));
    assertThat(normalizeHello(other.call("hello", "2"))).isEqualTo(normalizeHello(redis.call("hello", "2")));
    same(redis, other, "get", "nokey");
    same(redis, other, "mget", "nokey", "w");
    String[] helloWithOptions = {"hello", "3", "auth", "default", "x", "setname", "resp3"};
    assertThat(normalizeHello(other.call(helloWithOptions))).isEqualTo(normalizeHello(redis.call(helloWithOptions)));
    same(redis, other, "client", "getname");
    same(redis, other, "get", "nokey");
    same(redis, other, "flushdb");
    same(redis, other, "set", "k", "v");
    same(redis, other, "flushall", "sync");
    same(redis, other, withKeys("del", keys)); // what the next test starts from
    same(redis, other, "quit");
  }

  /** HELLO's reply without the fields that differ by design: Redis's exact version, the connection id. */
  private static String normalizeHello(String reply) {
    return reply.replaceFirst("\\$7\r\nversion\r\n\\$\\d+\r\n[0-9.]+\r\n", "\\$7\r\nversion\r\nV\r\n")
        .replaceFirst("\\$2\r\nid\r\n:\\d+\r\n", "\\$2\r\nid\r\nID\r\n");
  }

  /** A verbatim string ({@code =<n>\r\ntxt:...}) whose length is right and whose text starts with {@code prefix}. */
  private static void assertVerbatim(String reply, String prefix) {
    assertThat(reply).startsWith("=").contains("\r\ntxt:" + prefix).endsWith("\r\n");
    int eol = reply.indexOf("\r\n");
    assertThat(Integer.parseInt(reply.substring(1, eol))).as("length of %s", printable(reply))
        .isEqualTo(reply.length() - eol - 4);
  }

  private static String[] withKeys(String command, List<String> keys) {
    List<String> args = new ArrayList<>();
    args.add(command);
    args.addAll(keys);
    return args.toArray(String[]::new);
  }

  private static void same(RedisServer.Conn redis, RedisServer.Conn other, String... request) throws IOException {
    String expected = redis.call(request);
    assertThat(printable(other.call(request))).as("RESP3 reply to %s", String.join(" ", request)).isEqualTo(printable(expected));
  }

  private static String printable(String raw) {
    return raw.replace("\r", "\\r").replace("\n", "\\n");
  }
}
