package io.ringcache.node;

import static io.ringcache.node.FunctionParity.same;

import java.io.IOException;

/**
 * The handshake commands (cache-resp's Handshake: AUTH, HELLO, SELECT, ...) against a real Redis
 * 7.0, for a node (RedisParityIT, AuthIT) and the proxy (ProxyRedisParityIT), which share them:
 * the edge cases where the node's and the proxy's copies once answered differently from each other
 * or from Redis. Replies must be the same bytes.
 */
public final class HandshakeParity {

  private HandshakeParity() {}

  /** On servers without a password; {@code other} is the server under test. */
  public static void check(RedisServer.Conn redis, RedisServer.Conn other) throws IOException {
    String[][] requests = {
      {"select", "0"},
      {"select", "-1"},
      {"select", "abc"},
      {"select", "00"},
      {"select", "+0"},
      {"select", "2147483648"},
      {"select", "-2147483649"},
      {"select", "99999999999999999999"},
      {"auth", "x"},
      {"auth", "default", "anything"}, // the default user has no password: any is accepted
      {"auth", "DEFAULT", "x"}, // user names are case-sensitive
      {"auth", "bob", "x"},
      {"auth", "a", "b", "c"},
      {"hello", "02"},
      {"hello", "+2"},
      {"hello", "abc"},
      {"hello", "2", "foo"},
      {"hello", "2", "auth", "default"},
      {"hello", "2", "auth", "bob", "x"},
      {"hello", "2", "setname"},
      {"hello", "2", "setname", "a b"},
      {"client", "getname"},
      {"ping"},
      {"ping", "x"},
      {"echo", "\u00ff\r\n"},
    };
    for (String[] request : requests) {
      same(redis, other, request);
    }
  }

  /** On fresh connections to two servers with the same password: before AUTH, failed AUTHs, then after. */
  public static void checkWithPassword(UnauthenticatedParity.Connector redis, UnauthenticatedParity.Connector other,
      String password) throws IOException {
    try (RedisServer.Conn r = redis.connect(); RedisServer.Conn o = other.connect()) {
      same(r, o, "hello");
      // not compared: HELLO 2 SETNAME ok here, whose name Redis keeps though it answers -NOAUTH (docs/protocol.md)
      same(r, o, "hello", "2", "setname", "a b"); // the name is checked before NOAUTH
      same(r, o, "hello", "2", "auth", "default", "wrong");
      same(r, o, "auth", "wrong");
      same(r, o, "auth", "DEFAULT", password);
      same(r, o, "auth", "bob", password);
      same(r, o, "ping");
      same(r, o, "auth", "default", password);
      same(r, o, "client", "getname");
      same(r, o, "hello", "2", "auth", "default", password, "foo"); // authenticates, then the syntax error
    }
    try (RedisServer.Conn r = redis.connect(); RedisServer.Conn o = other.connect()) {
      same(r, o, "hello", "2", "auth", "default", password, "bad");
      same(r, o, "ping"); // the AUTH option before the bad one held
    }
  }
}
