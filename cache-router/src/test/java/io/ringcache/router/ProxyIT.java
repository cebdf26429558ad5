package io.ringcache.router;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The router's RESP proxy with real clients (Jedis, Lettuce, redis-cli) in front of three real nodes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyIT {

  private TestCluster cluster;

  @BeforeAll
  void start() throws Exception {
    cluster = new TestCluster(3);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private Jedis proxy() {
    return new Jedis("127.0.0.1", cluster.router.port(), 10_000);
  }

  /** The node that owns {@code key}, straight, to check where the proxy put it. */
  private Jedis owner(String key) {
    RoutingTable table = RoutingTable.of(cluster.topology());
    return TestCluster.jedis(table.addressOf(table.serverOf(key.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void ringTopology_returnsTheRoutersTopologyAsJson() {
    try (Jedis jedis = proxy()) {
      Object reply = jedis.sendCommand(() -> "RING.TOPOLOGY".getBytes(StandardCharsets.US_ASCII));
      Topology topology = TopologyJson.read((byte[]) reply);
      assertThat(topology).isEqualTo(cluster.topology());
    }
  }

  /**
   * The proxy hands out the slots and calls of forwarded requests again once they are written
   * (per event loop, across its clients): clients pipelining at once, with errors and misses among
   * their replies, each get their own replies in order.
   */
  @Test
  void forwarded_pipelinedByManyClientsAtOnce_eachClientGetsItsOwnRepliesInOrder() throws Exception {
    int clients = 8;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
    try {
      List<java.util.concurrent.Future<?>> runs = new java.util.ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        runs.add(pool.submit(() -> {
          try (Jedis jedis = proxy()) {
            for (int round = 0; round < 20; round++) {
              redis.clients.jedis.Pipeline p = jedis.pipelined();
              List<redis.clients.jedis.Response<?>> replies = new java.util.ArrayList<>();
              for (int i = 0; i < 50; i++) {
                String key = "pipe:" + client + ":" + i;
                replies.add(p.set(key, client + "/" + round + "/" + i));
                replies.add(p.get(key));
                replies.add(p.get(key + ":absent"));
                replies.add(p.incr(key)); // not an integer: an error reply in its place
              }
              p.sync();
              for (int i = 0; i < 50; i++) {
                assertThat(replies.get(4 * i).get()).isEqualTo("OK");
                assertThat(replies.get(4 * i + 1).get()).isEqualTo(client + "/" + round + "/" + i);
                assertThat(replies.get(4 * i + 2).get()).isNull();
                int at = 4 * i + 3;
                assertThatThrownBy(() -> replies.get(at).get()).hasMessageContaining("not an integer");
              }
            }
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> run : runs) {
        run.get(120, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void set_storesTheValueOnTheKeysOwner_andGetReadsItBack() {
    try (Jedis jedis = proxy()) {
      for (int i = 0; i < 200; i++) {
        assertThat(jedis.set("own:" + i, "v" + i)).isEqualTo("OK");
      }
      for (int i = 0; i < 200; i++) {
        assertThat(jedis.get("own:" + i)).isEqualTo("v" + i);
        try (Jedis owner = owner("own:" + i)) {
          assertThat(owner.get("own:" + i)).isEqualTo("v" + i);
        }
      }
      assertThat(jedis.get("own:missing")).isNull();
    }
  }

  @Test
  void everyKeyedCommand_answersAsTheNodeWould() {
    try (Jedis jedis = proxy()) {
      assertThat(jedis.set("k:set", "a", SetParams.setParams().nx())).isEqualTo("OK");
      assertThat(jedis.set("k:set", "b", SetParams.setParams().nx())).isNull();
      assertThat(jedis.set("k:set", "c", SetParams.setParams().xx().ex(100))).isEqualTo("OK");
      assertThat(jedis.setGet("k:set", "d")).isEqualTo("c");
      assertThat(jedis.ttl("k:set")).isEqualTo(-1); // SET without EX clears the TTL
      assertThat(jedis.set("k:px", "x", SetParams.setParams().px(100_000))).isEqualTo("OK");
      assertThat(jedis.pttl("k:px")).isBetween(1L, 100_000L);
      assertThat(jedis.persist("k:px")).isEqualTo(1);
      assertThat(jedis.ttl("k:px")).isEqualTo(-1);
      assertThat(jedis.expire("k:px", 50)).isEqualTo(1);
      assertThat(jedis.ttl("k:px")).isBetween(1L, 50L);
      assertThat(jedis.pexpire("k:px", 40_000)).isEqualTo(1);
      assertThat(jedis.pttl("k:px")).isBetween(1L, 40_000L);
      long now = System.currentTimeMillis();
      assertThat(jedis.expireAt("k:px", now / 1000 + 30)).isEqualTo(1);
      assertThat(jedis.ttl("k:px")).isBetween(1L, 31L);
      assertThat(jedis.pexpireAt("k:px", now + 20_000)).isEqualTo(1);
      assertThat(jedis.pttl("k:px")).isBetween(1L, 20_000L);
      assertThat(jedis.type("k:px")).isEqualTo("string");
      assertThat(jedis.type("k:none")).isEqualTo("none");
      assertThat(jedis.getDel("k:px")).isEqualTo("x");
      assertThat(jedis.setex("k:setex", 100, "s")).isEqualTo("OK");
      assertThat(jedis.ttl("k:setex")).isBetween(1L, 100L);
      assertThat(jedis.psetex("k:psetex", 100_000, "p")).isEqualTo("OK");
      assertThat(jedis.get("k:psetex")).isEqualTo("p");
      assertThat(jedis.get("k:px")).isNull();
      assertThat(jedis.incr("k:n")).isEqualTo(1);
      assertThat(jedis.incrBy("k:n", 10)).isEqualTo(11);
      assertThat(jedis.decr("k:n")).isEqualTo(10);
      assertThat(jedis.decrBy("k:n", 4)).isEqualTo(6);
      assertThatThrownBy(() -> jedis.incr("k:set")).isInstanceOf(JedisDataException.class)
          .hasMessageContaining("not an integer");
      assertThat(jedis.ttl("k:none")).isEqualTo(-2);
    }
  }

  @Test
  void mgetAndMset_acrossNodes_splitPerNode_andMergeInKeyOrder() {
    List<String> keys = new ArrayList<>();
    String[] pairs = new String[200];
    for (int i = 0; i < 100; i++) {
      keys.add("multi:" + i);
      pairs[2 * i] = "multi:" + i;
      pairs[2 * i + 1] = "m" + i;
    }
    Set<String> owners = new HashSet<>();
    RoutingTable table = RoutingTable.of(cluster.topology());
    keys.forEach(k -> owners.add(table.serverOf(k.getBytes(StandardCharsets.UTF_8))));
    assertThat(owners).hasSize(3);
    try (Jedis jedis = proxy()) {
      assertThat(jedis.mset(pairs)).isEqualTo("OK");
      List<String> withMissing = new ArrayList<>(keys);
      withMissing.add(50, "multi:absent");
      List<String> values = jedis.mget(withMissing.toArray(String[]::new));
      assertThat(values).hasSize(101);
      for (int i = 0; i < 101; i++) {
        assertThat(values.get(i)).isEqualTo(i == 50 ? null : "m" + (i < 50 ? i : i - 1));
      }
      assertThat(jedis.exists(keys.toArray(String[]::new))).isEqualTo(100);
      assertThat(jedis.touch(keys.subList(0, 10).toArray(String[]::new))).isEqualTo(10);
      assertThat(jedis.del(keys.subList(0, 40).toArray(String[]::new))).isEqualTo(40);
      assertThat(jedis.unlink("multi:40", "multi:41", "multi:0", "multi:absent")).isEqualTo(2);
      assertThat(jedis.exists(keys.toArray(String[]::new))).isEqualTo(58);
      assertThat(jedis.mget("multi:0", "multi:99")).containsExactly(null, "m99");
    }
  }

  @Test
  void get_andMget_repliesOfAtLeastTheWriteThreshold_areFlushedAtOnce() {
    String big = "b".repeat(70 * 1024); // one reply above the 64 KiB at which replies are handed to the channel
    String kib = "k".repeat(1024);
    String[] keys = new String[100];
    String[] pairs = new String[200];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = "flush:" + i;
      pairs[2 * i] = keys[i];
      pairs[2 * i + 1] = kib;
    }
    try (Jedis jedis = new Jedis("127.0.0.1", cluster.router.port(), 2_000)) {
      jedis.set("flush:big", big);
      jedis.mset(pairs);
      assertThat(jedis.get("flush:big")).isEqualTo(big);
      assertThat(jedis.mget(keys)).hasSize(100).containsOnly(kib); // about 100 KiB in one reply
    }
  }

  @Test
  void pipeline_ofSmallAndLargeRequests_forwardedAsTheyWereRead_arriveWholeAndInOrder() {
    // requests of 16 KiB and more go to the node as the client's own buffer, smaller ones are copied
    // into the batch: interleaved, on keys of every node, each must arrive whole and in order
    try (Jedis jedis = proxy()) {
      Pipeline p = jedis.pipelined();
      List<Response<String>> gets = new ArrayList<>();
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        String key = "raw:" + (i % 12);
        String value = (i % 3 == 0 ? "L".repeat(20 * 1024 + i) : "s") + i;
        p.set(key, value);
        gets.add(p.get(key));
        expected.add(value);
      }
      p.sync();
      for (int i = 0; i < gets.size(); i++) {
        assertThat(gets.get(i).get()).as("GET after SET %s", i).isEqualTo(expected.get(i));
      }
    }
  }

  @Test
  void pipeline_10000MixedCommands_areAnsweredInOrder() {
    try (Jedis jedis = proxy()) {
      Pipeline p = jedis.pipelined();
      List<Response<?>> replies = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        String key = "pipe:" + (i / 5 % 500);
        switch (i % 5) {
          case 0 -> replies.add(p.set(key, "v" + i));
          case 1 -> replies.add(p.get(key));
          case 2 -> replies.add(p.incr("pipe:n:" + (i % 7)));
          case 3 -> replies.add(p.exists("pipe:none:" + i));
          default -> replies.add(p.mget(key, "pipe:" + (i % 97), "pipe:other"));
        }
      }
      p.sync();
      long[] counters = new long[7];
      for (int i = 0; i < 10_000; i++) {
        Object r = replies.get(i).get();
        switch (i % 5) {
          case 0 -> assertThat(r).isEqualTo("OK");
          case 1 -> assertThat(r).isEqualTo("v" + (i - 1)); // the SET just before it
          case 2 -> assertThat(r).isEqualTo(++counters[i % 7]);
          case 3 -> assertThat(r).isEqualTo(false);
          default -> assertThat((List<?>) r).hasSize(3).first().isEqualTo("v" + (i - 4));
        }
      }
    }
  }

  @Test
  void connectionCommands_areAnsweredByTheRouter() {
    try (Jedis jedis = proxy()) {
      assertThat(jedis.ping()).isEqualTo("PONG");
      assertThat(jedis.echo("hi")).isEqualTo("hi");
      assertThat(jedis.select(0)).isEqualTo("OK");
      assertThatThrownBy(() -> jedis.select(1)).hasMessageContaining("DB index is out of range");
      assertThat(jedis.clientSetname("app")).isEqualTo("OK");
      assertThat(jedis.clientGetname()).isEqualTo("app");
      assertThat(jedis.configGet("save")).containsKey("save");
      assertThat(jedis.configGet("maxmemory")).isEmpty();
      assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.HELLO, "4")).hasMessageStartingWith("NOPROTO");
      assertThat(jedis.sendCommand(Protocol.Command.COMMAND, "COUNT")).isInstanceOf(Long.class);
      assertThatThrownBy(() -> jedis.sendCommand(() -> "NOSUCH".getBytes(StandardCharsets.US_ASCII), "a"))
          .hasMessageStartingWith("ERR unknown command 'NOSUCH'");
      assertThatThrownBy(() -> jedis.publish("channel", "m")).hasMessageContaining("not supported by the proxy")
          .hasMessageContaining("no pub/sub");
      assertThat(jedis.keys("connectionCommands:nosuch*")).isEmpty(); // served: every node's KEYS merged
      assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.GET, "a", "b"))
          .hasMessageContaining("wrong number of arguments");
    }
  }

  @Test
  void scan_walksEveryNode_returnsEachKeyOnce_withMatchAndCount() throws Exception {
    Set<String> written = new HashSet<>();
    try (Jedis jedis = proxy()) {
      Pipeline pipeline = jedis.pipelined();
      for (int i = 0; i < 3_000; i++) {
        pipeline.set("scan:" + i, "v");
        written.add("scan:" + i);
      }
      pipeline.sync();
      List<String> seen = new ArrayList<>();
      String cursor = ScanParams.SCAN_POINTER_START;
      ScanParams params = new ScanParams().match("scan:*").count(100);
      int steps = 0;
      do {
        ScanResult<String> page = jedis.scan(cursor, params);
        seen.addAll(page.getResult());
        cursor = page.getCursor();
        steps++;
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START) && steps < 100_000);
      assertThat(seen).doesNotHaveDuplicates();
      assertThat(new HashSet<>(seen)).isEqualTo(written);
      assertThat(steps).as("steps of the walk").isGreaterThan(1);
      assertThatThrownBy(() -> jedis.scan("18446744073709551616")).hasMessageContaining("invalid cursor");
      assertThatThrownBy(() -> jedis.scan("0x10")).hasMessageContaining("invalid cursor");
      // as Redis reads a cursor (strtoul): these start a walk, as 0 does
      List<String> first = jedis.scan("0", params).getResult();
      for (String start : List.of("00", "+0", "-0", "4294967296")) {
        assertThat(jedis.scan(start, params).getResult()).as(start).containsExactlyInAnyOrderElementsOf(first); // merged as the nodes answer
      }
      assertThatThrownBy(() -> jedis.scan("0", new ScanParams().count(0))).hasMessageContaining("syntax error");
    }
    Path cli = Path.of("/usr/bin/redis-cli");
    Assumptions.assumeTrue(Files.isExecutable(cli), "redis-cli is not installed (.ci/run installs redis-tools)");
    Process process = new ProcessBuilder(cli.toString(), "-p", Integer.toString(cluster.router.port()),
        "--scan", "--pattern", "scan:*").redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("redis-cli finished").isTrue();
    assertThat(out.lines().toList()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(written);
  }

  @Test
  void dbsizeAndInfo_sumTheNodesKeys() {
    try (Jedis jedis = proxy()) {
      jedis.set("size:1", "x");
      long expected = cluster.nodes.values().stream().mapToLong(n -> n.store().size()).sum();
      assertThat(jedis.dbSize()).isEqualTo(expected);
      String info = jedis.info();
      assertThat(info).contains("epoch:" + cluster.topology().epoch()).contains("nodes_in_ring:3")
          .contains("db0:keys=" + expected);
    }
  }

  @Test
  void lettuceStandalone_readsAndWritesThroughTheProxy() {
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", cluster.router.port()));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      assertThat(redis.ping()).isEqualTo("PONG");
      for (int i = 0; i < 100; i++) {
        assertThat(redis.set("lettuce:" + i, "l" + i)).isEqualTo("OK");
      }
      for (int i = 0; i < 100; i++) {
        assertThat(redis.get("lettuce:" + i)).isEqualTo("l" + i);
      }
      redis.mset(Map.of("lettuce:a", "1", "lettuce:b", "2", "lettuce:c", "3"));
      assertThat(redis.mget("lettuce:c", "lettuce:a", "lettuce:b"))
          .extracting(kv -> kv.getValueOrElse(null)).containsExactly("3", "1", "2");
      assertThat(redis.incr("lettuce:n")).isEqualTo(1);
      assertThat(redis.del("lettuce:a", "lettuce:b", "lettuce:zz")).isEqualTo(2);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void lettuceResp3_nullsMapsVerbatimAndTransactions_throughTheProxy() {
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", cluster.router.port()));
    client.setOptions(io.lettuce.core.ClientOptions.builder()
        .protocolVersion(io.lettuce.core.protocol.ProtocolVersion.RESP3).build());
    try (StatefulRedisConnection<String, String> connection = client.connect();
        StatefulRedisConnection<String, String> other = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      Map<String, Object> hello = redis.dispatch(io.lettuce.core.protocol.CommandType.HELLO,
          new io.lettuce.core.output.GenericMapOutput<>(io.lettuce.core.codec.StringCodec.UTF8));
      assertThat(hello).containsEntry("proto", 3L);
      redis.del("r3:a", "r3:b", "r3:f");
      assertThat(redis.get("r3:a")).isNull();
      assertThat(redis.set("r3:a", "1")).isEqualTo("OK");
      assertThat(redis.mget("r3:a", "r3:b")).containsExactly(io.lettuce.core.KeyValue.just("r3:a", "1"),
          io.lettuce.core.KeyValue.empty("r3:b"));
      assertThat(redis.incrbyfloat("r3:f", 1.5)).isEqualTo(1.5);
      assertThat(redis.exists("r3:a", "r3:b")).isEqualTo(1L);
      assertThat(redis.clientGetname()).isNull();
      assertThat(redis.info("keyspace")).startsWith("# Keyspace\r\ndb0:keys=");
      assertThat(redis.configGet("save")).containsOnlyKeys("save");
      assertThat(redis.commandInfo("get")).hasSize(1);

      assertThat(redis.multi()).isEqualTo("OK");
      redis.del("r3:b");
      redis.get("r3:b");
      redis.mget("r3:b", "r3:b");
      io.lettuce.core.TransactionResult result = redis.exec();
      assertThat(result.wasDiscarded()).isFalse();
      assertThat(result.<Object>get(1)).isNull();
      assertThat(result.<List<io.lettuce.core.KeyValue<String, String>>>get(2))
          .containsExactly(io.lettuce.core.KeyValue.empty("r3:b"), io.lettuce.core.KeyValue.empty("r3:b"));

      redis.watch("r3:a");
      other.sync().set("r3:a", "changed");
      redis.multi();
      redis.set("r3:a", "mine");
      assertThat(redis.exec().wasDiscarded()).isTrue();
      assertThat(redis.get("r3:a")).isEqualTo("changed");
      redis.del("r3:a", "r3:f");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void lettuceAsync_2000CommandsInFlight_allCompleteWithTheirOwnReplies() throws Exception {
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", cluster.router.port()));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      io.lettuce.core.api.async.RedisAsyncCommands<String, String> redis = connection.async();
      List<io.lettuce.core.RedisFuture<String>> sets = new ArrayList<>();
      List<io.lettuce.core.RedisFuture<String>> gets = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        sets.add(redis.set("async:" + i, "a" + i));
        gets.add(redis.get("async:" + i));
      }
      for (int i = 0; i < 1_000; i++) {
        assertThat(sets.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("OK");
        assertThat(gets.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("a" + i);
      }
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void redisCli_setGetAndInfo_throughTheProxy() throws Exception {
    Path cli = Path.of("/usr/bin/redis-cli");
    Assumptions.assumeTrue(Files.isExecutable(cli), "redis-cli is not installed (.ci/run installs redis-tools)");
    assertThat(redisCli("SET", "cli:key", "hello")).isEqualTo("OK");
    assertThat(redisCli("GET", "cli:key")).isEqualTo("hello");
    assertThat(redisCli("MGET", "cli:key", "cli:none")).startsWith("hello");
    assertThat(redisCli("PING")).isEqualTo("PONG");
    assertThat(redisCli("RING.TOPOLOGY")).contains("\"epoch\"");
    assertThat(redisCli("INFO")).contains("nodes_in_ring:3");
    try (Jedis owner = owner("cli:key")) {
      assertThat(owner.get("cli:key")).isEqualTo("hello");
    }
  }

  private String redisCli(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("/usr/bin/redis-cli", "-p", Integer.toString(cluster.router.port())));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("redis-cli finished").isTrue();
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
  }
}
