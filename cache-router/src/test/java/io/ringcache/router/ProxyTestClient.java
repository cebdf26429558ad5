package io.ringcache.router;

import java.nio.charset.StandardCharsets;
import redis.clients.jedis.Jedis;

/**
 * A plain Jedis connection to the router's proxy port: no topology, no redirects, no retries.
 *
 * <p>Not a testkit fixture on purpose: it starts no server; it is {@link HistoryChecker}'s client of
 * the proxy, a real third-party client as a user of the proxy would run.
 */
final class ProxyTestClient implements HistoryChecker.Client {

  private final Jedis jedis;

  ProxyTestClient(int port) {
    this.jedis = new Jedis("127.0.0.1", port, 10_000);
  }

  @Override
  public String get(byte[] key) {
    byte[] value = jedis.get(key);
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  @Override
  public void set(byte[] key, String value) {
    jedis.set(key, value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    jedis.close();
  }
}
