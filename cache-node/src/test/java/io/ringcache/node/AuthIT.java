package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/** A node with --requirepass, and real clients (Jedis, Lettuce) that authenticate at connect. */
class AuthIT {

  private static LaunchedCluster<NodeServer, Void> nodes;
  private static NodeServer node;

  @BeforeAll
  static void start() {
    nodes = Nodes.standalone().password("s3cret").start();
    node = nodes.node(0);
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  @Test
  void commands_beforeAuth_areRefusedWithNoauth() throws IOException {
    try (RespTestClient c = RespTestClient.connect(node.port())) {
      assertThat(c.call("GET", "a")).isEqualTo(new RespTestClient.Error("NOAUTH Authentication required."));
      assertThat(c.call("RING.TOPOLOGY")).isEqualTo(new RespTestClient.Error("NOAUTH Authentication required."));
      assertThat(c.call("AUTH", "wrong")).isEqualTo(new RespTestClient.Error("WRONGPASS invalid username-password pair or user is disabled."));
      assertThat(c.call("AUTH", "s3cret")).isEqualTo("OK");
      assertThat(c.call("PING")).isEqualTo("PONG");
      assertThat((String) c.call("RING.TOPOLOGY")).contains("\"epoch\":0");
    }
  }

  @Test
  void auth_withDefaultUser_isAccepted() throws IOException {
    try (RespTestClient c = RespTestClient.connect(node.port())) {
      assertThat(c.call("AUTH", "default", "s3cret")).isEqualTo("OK");
    }
  }

  @Test
  void unauthenticated_manyArguments_isProtocolErrorAndClosed() throws IOException {
    try (RespTestClient c = RespTestClient.connect(node.port())) {
      c.sendRaw("*20\r\n").flush();
      assertThat(c.readReply()).isEqualTo(new RespTestClient.Error("ERR Protocol error: unauthenticated multibulk length"));
      assertThat(c.drainUntilClosed()).isTrue();
    }
  }

  @Test
  void unauthenticated_largeBulk_isProtocolErrorAndClosed() throws IOException {
    try (RespTestClient c = RespTestClient.connect(node.port())) {
      c.sendRaw("*2\r\n$4\r\nAUTH\r\n$1000000\r\n").flush();
      assertThat(c.readReply()).isEqualTo(new RespTestClient.Error("ERR Protocol error: unauthenticated bulk length"));
      assertThat(c.drainUntilClosed()).isTrue();
    }
  }

  @Test
  void unauthenticated_largeHeaders_answerAsRedisAndClose() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(RedisServer.installed(), "redis-server is not installed at " + RedisServer.BINARY);
    try (RedisServer redis = RedisServer.start("--requirepass", "s3cret")) {
      UnauthenticatedParity.check(redis::connect, () -> RedisServer.Conn.tcp(node.port()));
    }
  }

  @Test
  void functionFlush_beforeAuth_isRefusedAsRedis_afterAuth_ok() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(RedisServer.installed(), "redis-server is not installed at " + RedisServer.BINARY);
    try (RedisServer redis = RedisServer.start("--requirepass", "s3cret")) {
      FunctionParity.checkBeforeAuth(redis::connect, () -> RedisServer.Conn.tcp(node.port()), "s3cret");
    }
  }

  @Test
  void handshake_beforeAndAfterAuth_answersAsRedis() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(RedisServer.installed(), "redis-server is not installed at " + RedisServer.BINARY);
    try (RedisServer redis = RedisServer.start("--requirepass", "s3cret")) {
      HandshakeParity.checkWithPassword(redis::connect, () -> RedisServer.Conn.tcp(node.port()), "s3cret");
    }
  }

  @Test
  void authenticated_largeRequests_areAccepted() throws IOException {
    try (RespTestClient c = RespTestClient.connect(node.port())) {
      c.call("AUTH", "s3cret");
      String big = "v".repeat(100_000);
      assertThat(c.call("SET", "big", big)).isEqualTo("OK");
      assertThat(c.call("GET", "big")).isEqualTo(big);
    }
  }

  @Test
  void hello4_isRefused_hello2Works() throws IOException {
    try (RespTestClient c = RespTestClient.connect(node.port())) {
      assertThat(c.call("HELLO", "4", "AUTH", "default", "s3cret")).isEqualTo(new RespTestClient.Error("NOPROTO unsupported protocol version"));
      Object hello = c.call("HELLO", "2", "AUTH", "default", "s3cret", "SETNAME", "me");
      assertThat(hello).asList().contains("proto", 2L);
      assertThat(c.call("CLIENT", "GETNAME")).isEqualTo("me");
    }
  }

  @Test
  void hello3_withAuth_authenticatesAndSwitchesToResp3_hello2SwitchesBack() throws IOException {
    try (RedisServer.Conn c = RedisServer.Conn.tcp(node.port())) {
      assertThat(c.call("HELLO", "3")).startsWith("-NOAUTH HELLO must be called with the client already authenticated");
      assertThat(c.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "me"))
          .startsWith("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n").contains("$5\r\nproto\r\n:3\r\n");
      assertThat(c.call("GET", "hello3:nosuch")).isEqualTo("_\r\n");
      assertThat(c.call("CLIENT", "GETNAME")).isEqualTo("$2\r\nme\r\n");
      assertThat(c.call("HELLO", "2")).startsWith("*14\r\n");
      assertThat(c.call("GET", "hello3:nosuch")).isEqualTo("$-1\r\n");
    }
  }

  @Test
  void jedis_withPassword_connectsAndWorks() {
    try (Jedis jedis = new Jedis("127.0.0.1", node.port(), DefaultJedisClientConfig.builder().password("s3cret").clientName("jedis-it").build())) {
      assertThat(jedis.set("j", "1")).isEqualTo("OK");
      assertThat(jedis.get("j")).isEqualTo("1");
      assertThat(jedis.clientGetname()).isEqualTo("jedis-it");
    }
  }

  @Test
  void lettuce_withPassword_connectsAndWorksSyncAndAsync() throws Exception {
    RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(node.port()).withPassword("s3cret".toCharArray()).withTimeout(Duration.ofSeconds(10)).build();
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> conn = client.connect()) {
      assertThat(conn.sync().set("l", "1")).isEqualTo("OK");
      assertThat(conn.sync().get("l")).isEqualTo("1");
      assertThat(conn.async().incr("counter").get()).isEqualTo(1L);
      assertThat(conn.sync().mget("l", "nope")).hasSize(2);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void lettuce_withoutPasswordOnOpenNode_connectsAndWorks() {
    LaunchedCluster<NodeServer, Void> open = Nodes.standalone().start();
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", open.nodePort(0)));
    try (StatefulRedisConnection<String, String> conn = client.connect()) {
      assertThat(conn.sync().ping()).isEqualTo("PONG");
      assertThat(conn.sync().set("k", "v")).isEqualTo("OK");
      assertThat(conn.sync().get("k")).isEqualTo("v");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      open.close();
    }
  }
}
