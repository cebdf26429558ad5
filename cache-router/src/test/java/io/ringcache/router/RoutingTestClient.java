package io.ringcache.router;

import io.ringcache.ring.RoutingTable;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A minimal ring-aware client over Jedis for tests that run load through scale events: routes by
 * the topology, follows -MOVED by refreshing it, retries -TRYAGAIN. One per thread.
 *
 * <p>Not a testkit fixture on purpose: it starts no server, it is one of {@link HistoryChecker}'s
 * clients. It is kept this small and third-party (Jedis) so that a history the checker rejects
 * points at the cluster, not at cache-client's routing, which has its own scale tests.
 */
final class RoutingTestClient implements HistoryChecker.Client {

  private static final int MAX_ATTEMPTS = 500;

  private final Supplier<RoutingTable> topology;
  private final Map<String, Jedis> connections = new HashMap<>();
  private RoutingTable table;

  RoutingTestClient(Supplier<RoutingTable> topology) {
    this.topology = topology;
    this.table = topology.get();
  }

  @Override
  public String get(byte[] key) {
    byte[] value = call(key, jedis -> jedis.get(key));
    return value == null ? null : new String(value, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public void set(byte[] key, String value) {
    call(key, jedis -> jedis.set(key, value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private <T> T call(byte[] key, java.util.function.Function<Jedis, T> command) {
    String redirectTo = null;
    for (int attempt = 1; ; attempt++) {
      String address = redirectTo != null ? redirectTo : table.addressOf(table.serverOf(key));
      redirectTo = null;
      try {
        return command.apply(connection(address));
      } catch (JedisDataException e) {
        String message = e.getMessage();
        if (attempt >= MAX_ATTEMPTS) {
          throw e;
        }
        if (message.startsWith("MOVED")) {
          table = topology.get();
          redirectTo = message.substring(message.lastIndexOf(' ') + 1);
        } else if (message.startsWith("TRYAGAIN")) {
          pause();
          table = topology.get();
        } else {
          throw e;
        }
      } catch (JedisConnectionException e) {
        Jedis broken = connections.remove(address);
        if (broken != null) {
          broken.close();
        }
        if (attempt >= MAX_ATTEMPTS) {
          throw e;
        }
        pause();
        table = topology.get();
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(2); // TRYAGAIN backoff, as a real client would
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Jedis connection(String address) {
    return connections.computeIfAbsent(address, TestCluster::jedis);
  }

  @Override
  public void close() {
    connections.values().forEach(Jedis::close);
  }
}
