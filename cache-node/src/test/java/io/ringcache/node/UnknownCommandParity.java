package io.ringcache.node;

import java.io.IOException;

/**
 * The unknown-command error, byte for byte against a real redis-server: the name and arguments as
 * C strings, 128 bytes of name, arguments while the list is under 128 characters (a differential
 * fuzzer found the node and the proxy decoding UTF-8 and cutting at 256). Shared by RedisParityIT
 * and ProxyRedisParityIT.
 */
public final class UnknownCommandParity {

  private UnknownCommandParity() {}

  public static void check(RedisServer.Conn redis, RedisServer.Conn other) throws IOException {
    FunctionParity.same(redis, other, "FOO\u00ff", "a\u00ffb");
    FunctionParity.same(redis, other, "G\u00c3\u00a9T", "x");
    FunctionParity.same(redis, other, "FOO", "a\0b", "c");
    FunctionParity.same(redis, other, "FOO", "x".repeat(200));
    FunctionParity.same(redis, other, "FOO", "a".repeat(120), "b".repeat(20));
    String[] many = new String[101];
    many[0] = "FOO";
    java.util.Arrays.fill(many, 1, 101, "ab");
    FunctionParity.same(redis, other, many);
    FunctionParity.same(redis, other, "F".repeat(200), "x\r\ny");
    FunctionParity.same(redis, other, "FOO");
  }
}
