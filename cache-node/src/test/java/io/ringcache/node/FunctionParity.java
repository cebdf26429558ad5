package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

/**
 * FUNCTION FLUSH against a real Redis 7.0 that holds no function, for a node (RedisParityIT, AuthIT)
 * and the proxy (ProxyRedisParityIT): +OK with or without a mode in any case, Redis's errors for a
 * wrong mode, too many arguments, a missing or unknown subcommand, the same inside MULTI, and
 * NOAUTH before AUTH. Replies must be the same bytes. Redis's test suite sends FUNCTION FLUSH before
 * every test file (tools/redis-suite.sh).
 */
public final class FunctionParity {

  private FunctionParity() {}

  /** Every reply of FUNCTION FLUSH and its errors, outside and inside MULTI; {@code other} is the server under test. */
  public static void check(RedisServer.Conn redis, RedisServer.Conn other) throws IOException {
    String[][] requests = {
      {"function", "flush"},
      {"FUNCTION", "FLUSH", "ASYNC"},
      {"function", "flush", "sync"},
      {"function", "FLUSH", "SyNc"},
      {"function", "flush", "aSync"},
      {"function", "flush", "foo"},
      {"function", "flush", ""},
      {"function", "flush", "sync\0"}, // Redis compares with strcasecmp, up to a NUL
      {"function", "flush", "async\0x"},
      {"function", "flush", "sync", "async"},
      {"FUNCTION", "fLuSh", "sync", "async", "x"},
      {"function", "flush" + "x".repeat(140)},
      {"function"},
      {"function", "foo"},
      {"FUNCTION", "FOO", "bar"},
      {"function", "unknownsubcommand" + "x".repeat(140)}, // echoed up to 128 bytes, as Redis's %.128s
      {"function", "\u00ff\r\nx\0y"},
      {"function", "list"}, // not served: a node has no scripting (docs/protocol.md)
    };
    // a valid subcommand followed by a NUL: Redis 7.0's answer depends on its process's hash seed.
    // Its subcommand table hashes the whole name (with a seed drawn at start) but compares names with
    // strcasecmp, which stops at the NUL: when "flush\0x" falls in the bucket of "flush" (about 1 run
    // in 12, measured against redis-server 7.0.15) it runs FUNCTION FLUSH, otherwise it is an unknown
    // subcommand. A node answers what Redis answers in most runs, always.
    String unknownFlush = "-ERR unknown subcommand 'flush'. Try FUNCTION HELP.\r\n";
    assertThat(redis.call("function", "flush\0x")).as("Redis: FUNCTION flush\\0x").isIn(unknownFlush, "+OK\r\n");
    assertThat(other.call("function", "flush\0x")).as("FUNCTION flush\\0x").isEqualTo(unknownFlush);
    for (String[] request : requests) {
      if (request[0].equals("function") && request.length == 2 && request[1].equals("list")) {
        assertThat(other.call(request)).as("FUNCTION LIST: not served").isEqualTo("-ERR unknown subcommand 'list'. Try FUNCTION HELP.\r\n");
        continue;
      }
      same(redis, other, request);
    }

    // inside MULTI: the subcommand is checked before queuing (unknown: EXECABORT), the mode when it runs
    for (String[][] transaction : new String[][][] {
      {{"multi"}, {"function", "flush"}, {"function", "flush", "ASYNC"}, {"function", "flush", "foo"},
          {"function", "flush", "sync", "async"}, {"exec"}},
      {{"multi"}, {"function", "flush"}, {"function", "foo"}, {"exec"}},
      {{"multi"}, {"function"}, {"function", "flush"}, {"exec"}},
    }) {
      for (String[] request : transaction) {
        same(redis, other, request);
      }
    }
  }

  /** FUNCTION FLUSH on fresh connections to two servers with the same password: -NOAUTH before AUTH, +OK after. */
  public static void checkBeforeAuth(UnauthenticatedParity.Connector redis, UnauthenticatedParity.Connector other,
      String password) throws IOException {
    try (RedisServer.Conn r = redis.connect(); RedisServer.Conn o = other.connect()) {
      same(r, o, "function", "flush");
      same(r, o, "FUNCTION", "FLUSH", "foo");
      // not compared: an unknown subcommand or a wrong arity before AUTH (Redis checks those first; docs/protocol.md)
      same(r, o, "auth", password);
      same(r, o, "function", "flush", "async");
    }
  }

  /** Sends {@code request} to both and asserts the same reply bytes (also HandshakeParity's). */
  static void same(RedisServer.Conn redis, RedisServer.Conn other, String... request) throws IOException {
    String expected = redis.call(request);
    assertThat(printable(other.call(request))).as("reply to %s", printable(String.join(" ", request)))
        .isEqualTo(printable(expected));
  }

  private static String printable(String raw) {
    return raw.replace("\r", "\\r").replace("\n", "\\n");
  }
}
