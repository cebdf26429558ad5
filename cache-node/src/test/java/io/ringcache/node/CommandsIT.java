package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.node.store.FakeClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/** The command set through Jedis against a real node on a fake clock. */
class CommandsIT {

  private static final FakeClock clock = new FakeClock();
  private static NodeServer node;
  private static Jedis jedis;

  @BeforeAll
  static void start() {
    node =
        Nodes.start(
            Nodes.config()
                .limits(new NodeConfig.Limits(100, 1000, 1 << 20, 1 << 20, 65536, 64L << 20, 64L << 20, 100, 0, 60)),
            clock);
    jedis = new Jedis("127.0.0.1", node.port());
  }

  @AfterAll
  static void stop() {
    jedis.close();
    node.close();
  }

  @BeforeEach
  void flush() {
    jedis.flushAll();
  }

  @Test
  void ping_echo_select() {
    assertThat(jedis.ping()).isEqualTo("PONG");
    assertThat(jedis.ping("hi")).isEqualTo("hi");
    assertThat(jedis.echo("x y")).isEqualTo("x y");
    assertThat(jedis.select(0)).isEqualTo("OK");
    assertThatThrownBy(() -> jedis.select(1)).hasMessageContaining("DB index is out of range");
  }

  @Test
  void setGet_binaryValue_roundTrips() {
    byte[] value = new byte[256];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) i;
    }
    byte[] key = {0, '\r', '\n', (byte) 0xFF};
    assertThat(jedis.set(key, value)).isEqualTo("OK");
    assertThat(jedis.get(key)).isEqualTo(value);
    assertThat(jedis.get("missing")).isNull();
  }

  @Test
  void set_nxXxGet_followRedisSemantics() {
    assertThat(jedis.set("k", "1", SetParams.setParams().xx())).isNull();
    assertThat(jedis.set("k", "1", SetParams.setParams().nx())).isEqualTo("OK");
    assertThat(jedis.set("k", "2", SetParams.setParams().nx())).isNull();
    assertThat(jedis.setGet("k", "3")).isEqualTo("1");
    assertThat(jedis.get("k")).isEqualTo("3");
    assertThat(jedis.set("k", "4", SetParams.setParams().xx())).isEqualTo("OK");
    assertThat(jedis.get("k")).isEqualTo("4");
  }

  @Test
  void setexAndPsetex_storeWithATtl_andRefuseBadTimes() {
    assertThat(jedis.setex("sx", 10, "v")).isEqualTo("OK");
    assertThat(jedis.psetex("psx", 1500, "w")).isEqualTo("OK");
    assertThat(jedis.ttl("sx")).isEqualTo(10);
    assertThat(jedis.pttl("psx")).isEqualTo(1500);
    assertThat(jedis.get("psx")).isEqualTo("w");
    clock.advance(Duration.ofMillis(1500));
    assertThat(jedis.get("psx")).isNull();
    assertThat(jedis.get("sx")).isEqualTo("v");
    assertThatThrownBy(() -> jedis.setex("sx", 0, "v")).hasMessage("ERR invalid expire time in 'setex' command");
    assertThatThrownBy(() -> jedis.psetex("sx", -5, "v")).hasMessage("ERR invalid expire time in 'psetex' command");
    clock.advance(Duration.ofSeconds(10));
    assertThat(jedis.exists("sx")).isFalse();
  }

  @Test
  void set_withExpiry_expiresWhenClockPasses() {
    jedis.set("ex", "v", SetParams.setParams().ex(10));
    jedis.set("px", "v", SetParams.setParams().px(1500));
    jedis.set("exat", "v", SetParams.setParams().exAt(clock.currentTimeMillis() / 1000 + 20));
    jedis.set("pxat", "v", SetParams.setParams().pxAt(clock.currentTimeMillis() + 30_000));
    assertThat(jedis.ttl("ex")).isEqualTo(10);
    assertThat(jedis.pttl("px")).isEqualTo(1500);
    assertThat(jedis.ttl("exat")).isEqualTo(20);
    assertThat(jedis.ttl("pxat")).isEqualTo(30);
    clock.advance(Duration.ofMillis(1500));
    assertThat(jedis.get("px")).isNull();
    assertThat(jedis.get("ex")).isEqualTo("v");
    clock.advance(Duration.ofSeconds(9));
    assertThat(jedis.exists("ex")).isFalse();
    clock.advance(Duration.ofSeconds(30));
    assertThat(jedis.dbSize()).isZero();
  }

  @Test
  void set_keepTtl_keepsTtlAndPlainSetClearsIt() {
    jedis.set("k", "1", SetParams.setParams().ex(100));
    jedis.set("k", "2", SetParams.setParams().keepTtl());
    assertThat(jedis.ttl("k")).isEqualTo(100);
    jedis.set("k", "3");
    assertThat(jedis.ttl("k")).isEqualTo(-1);
  }

  @Test
  void set_badOptions_areErrors() {
    assertThatThrownBy(() -> jedis.sendCommand(() -> "SET".getBytes(), "k", "v", "EX", "0"))
        .hasMessageContaining("invalid expire time in 'set' command");
    assertThatThrownBy(() -> jedis.sendCommand(() -> "SET".getBytes(), "k", "v", "EX", "abc"))
        .hasMessageContaining("value is not an integer or out of range");
    assertThatThrownBy(() -> jedis.sendCommand(() -> "SET".getBytes(), "k", "v", "NX", "XX"))
        .hasMessageContaining("syntax error");
    assertThatThrownBy(() -> jedis.sendCommand(() -> "SET".getBytes(), "k", "v", "EX", "1", "KEEPTTL"))
        .hasMessageContaining("syntax error");
  }

  @Test
  void expireTtlPersist_followRedisSemantics() {
    assertThat(jedis.ttl("none")).isEqualTo(-2);
    assertThat(jedis.expire("none", 5)).isZero();
    jedis.set("k", "v");
    assertThat(jedis.ttl("k")).isEqualTo(-1);
    assertThat(jedis.persist("k")).isZero();
    assertThat(jedis.expire("k", 5)).isEqualTo(1);
    assertThat(jedis.ttl("k")).isEqualTo(5);
    assertThat(jedis.pexpire("k", 2500)).isEqualTo(1);
    assertThat(jedis.pttl("k")).isEqualTo(2500);
    assertThat(jedis.persist("k")).isEqualTo(1);
    assertThat(jedis.ttl("k")).isEqualTo(-1);
    assertThat(jedis.expire("k", -1)).isEqualTo(1);
    assertThat(jedis.exists("k")).isFalse();
  }

  @Test
  void expire_nxXxGtLt_options() {
    jedis.set("k", "v");
    assertThat(jedis.sendCommand(() -> "EXPIRE".getBytes(), "k", "10", "XX")).isEqualTo(0L);
    assertThat(jedis.sendCommand(() -> "EXPIRE".getBytes(), "k", "10", "NX")).isEqualTo(1L);
    assertThat(jedis.sendCommand(() -> "EXPIRE".getBytes(), "k", "5", "GT")).isEqualTo(0L);
    assertThat(jedis.sendCommand(() -> "EXPIRE".getBytes(), "k", "5", "LT")).isEqualTo(1L);
    assertThat(jedis.ttl("k")).isEqualTo(5);
  }

  @Test
  void incrDecr_countAndRefuseNonIntegers() {
    assertThat(jedis.incr("n")).isEqualTo(1);
    assertThat(jedis.incrBy("n", 41)).isEqualTo(42);
    assertThat(jedis.decr("n")).isEqualTo(41);
    assertThat(jedis.decrBy("n", 50)).isEqualTo(-9);
    jedis.set("s", "abc");
    assertThatThrownBy(() -> jedis.incr("s")).isInstanceOf(JedisDataException.class).hasMessageContaining("not an integer");
    jedis.set("big", Long.toString(Long.MAX_VALUE));
    assertThatThrownBy(() -> jedis.incr("big")).hasMessageContaining("increment or decrement would overflow");
    assertThatThrownBy(() -> jedis.sendCommand(() -> "INCRBY".getBytes(), "n", "x"))
        .hasMessageContaining("not an integer");
  }

  @Test
  void multiKeyCommands_countAndOrder() {
    assertThat(jedis.mset("a", "1", "b", "2", "c", "3")).isEqualTo("OK");
    assertThat(jedis.mget("a", "x", "c")).containsExactly("1", null, "3");
    assertThat(jedis.exists("a", "b", "x", "a")).isEqualTo(3);
    assertThat(jedis.touch("a", "x")).isEqualTo(1);
    assertThat(jedis.del("a", "x")).isEqualTo(1);
    assertThat(jedis.unlink("b", "c")).isEqualTo(2);
    assertThat(jedis.dbSize()).isZero();
    assertThatThrownBy(() -> jedis.sendCommand(() -> "MSET".getBytes(), "a", "1", "b"))
        .hasMessageContaining("wrong number of arguments for 'mset' command");
  }

  @Test
  void incr_fromConcurrentClients_countsEveryIncrement() throws Exception {
    int threads = 4;
    int each = 500;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  try (Jedis j = new Jedis("127.0.0.1", node.port())) {
                    for (int i = 0; i < each; i++) {
                      j.incr("shared");
                    }
                  }
                }));
      }
      for (java.util.concurrent.Future<?> f : futures) {
        f.get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(jedis.get("shared")).isEqualTo(String.valueOf(threads * each));
  }

  @Test
  void getdel_returnsAndRemoves() {
    jedis.set("k", "v");
    assertThat(jedis.getDel("k")).isEqualTo("v");
    assertThat(jedis.getDel("k")).isNull();
  }

  @Test
  void scan_walksAllKeysWithMatch() {
    for (int i = 0; i < 300; i++) {
      jedis.set("user:" + i, "v");
      jedis.set("item:" + i, "v");
    }
    Set<String> seen = new HashSet<>();
    String cursor = "0";
    do {
      ScanResult<String> page = jedis.scan(cursor, new ScanParams().match("user:*").count(20));
      seen.addAll(page.getResult());
      cursor = page.getCursor();
    } while (!cursor.equals("0"));
    assertThat(seen).hasSize(300).allMatch(k -> k.startsWith("user:"));
    assertThatThrownBy(() -> jedis.scan("notanumber")).hasMessageContaining("invalid cursor");
  }

  @Test
  void dbsizeInfoFlushall() {
    jedis.set("a", "1");
    jedis.get("a");
    jedis.get("nope");
    assertThat(jedis.dbSize()).isEqualTo(1);
    String info = jedis.info();
    assertThat(info)
        .contains("# Server", "# Clients", "# Memory", "# Stats", "# Keyspace", "db0:keys=1")
        .contains("keyspace_hits:", "keyspace_misses:", "evicted_keys:", "expired_keys:", "rejected_connections:")
        .contains("instantaneous_ops_per_sec:", "used_memory:", "maxmemory:67108864", "connected_clients:");
    assertThat(jedis.info("memory")).contains("# Memory").doesNotContain("# Server");
    assertThat(jedis.info("stats")).containsPattern("keyspace_hits:[1-9]").containsPattern("keyspace_misses:[1-9]");
    jedis.flushAll();
    assertThat(jedis.dbSize()).isZero();
  }

  @Test
  void clientCommandsAndConfig() {
    assertThat(jedis.clientSetname("me")).isEqualTo("OK");
    assertThat(jedis.clientGetname()).isEqualTo("me");
    assertThat(jedis.configGet("save")).containsEntry("save", "");
    assertThat(jedis.configGet("nonexistent*")).isEmpty();
    assertThat(jedis.sendCommand(() -> "COMMAND".getBytes(), "COUNT")).isInstanceOf(Long.class);
    List<?> docs = (List<?>) jedis.sendCommand(() -> "COMMAND".getBytes(), "DOCS", "GET");
    assertThat(docs).hasSize(2);
    assertThat(new String((byte[]) docs.get(0), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("get");
  }

  @Test
  void unknownCommandAndArity_areErrors() {
    assertThatThrownBy(() -> jedis.sendCommand(() -> "NOPE".getBytes(), "a"))
        .hasMessageContaining("ERR unknown command 'NOPE', with args beginning with: 'a'");
    assertThatThrownBy(() -> jedis.sendCommand(() -> "GET".getBytes()))
        .hasMessageContaining("wrong number of arguments for 'get' command");
    assertThatThrownBy(() -> jedis.sendCommand(() -> "PING".getBytes(), "x", "y", "z"))
        .hasMessageContaining("wrong number of arguments for 'ping' command");
  }

  @Test
  void keyAndValueLimits_areRefusedNamingTheLimit() {
    String bigKey = "k".repeat(101);
    assertThatThrownBy(() -> jedis.set(bigKey, "v"))
        .hasMessageContaining("key too large: 101 bytes (expected: <= 100, max-key-size)");
    assertThatThrownBy(() -> jedis.get(bigKey)).hasMessageContaining("max-key-size");
    byte[] bigValue = new byte[1001];
    assertThatThrownBy(() -> jedis.set("k".getBytes(StandardCharsets.UTF_8), bigValue))
        .hasMessageContaining("value too large: 1001 bytes (expected: <= 1000, max-value-size)");
    assertThatThrownBy(() -> jedis.mset("a".getBytes(), "1".getBytes(), "b".getBytes(), bigValue))
        .hasMessageContaining("max-value-size");
    assertThat(jedis.exists("a")).isFalse();
    assertThat(jedis.ping()).isEqualTo("PONG");
  }
}
