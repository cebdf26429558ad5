package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.testkit.core.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The attacks of issue 18 on the router (its RESP proxy port and admin API) with real nodes, each
 * scaled down with small configured limits: each must fail, and the router must keep serving its
 * other clients meanwhile.
 */
class RouterAttacksIT {

  @Test
  void keysPipelinedAtAMember_longerInAllThanItsLease_neitherEjectNorFlushIt() throws Exception {
    try (TestCluster cluster = new TestCluster(2, null, "--lease", "2s")) {
      cluster.load(80_000); // about 40,000 keys a node: each KEYS walks them on the loop (tens of ms)
      String victim = cluster.router.topology().ring().nodeNames().get(0);
      try (Jedis attacker = TestCluster.jedis(cluster.router.topology().node(victim).orElseThrow().address())) {
        long held = attacker.dbSize();
        redis.clients.jedis.Pipeline walks = attacker.pipelined();
        for (int i = 0; i < 400; i++) {
          walks.keys("*nomatch*"); // one write of 400 walks: seconds of the node's one loop (3 times its 2 s lease)
        }
        long start = System.nanoTime();
        List<Object> replies = walks.syncAndReturnAll();
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(replies).hasSize(400).allSatisfy(r -> assertThat((java.util.Collection<?>) r).isEmpty());
        // the router's health checks were answered between the walks: the node kept its lease
        assertThat(cluster.router.coordinator().history()).as("scale events during %d ms of walks", tookMillis).isEmpty();
        assertThat(cluster.router.topology().node(victim).orElseThrow().state()).isEqualTo(io.ringcache.ring.NodeState.UP);
        assertThat(attacker.dbSize()).as("keys the node holds").isEqualTo(held);
      }
    }
  }

  @Test
  void proxyMget_mergedReplyBeyondOutputLimit_isRefusedAndTheClientKeepsWorking() throws Exception {
    try (TestCluster cluster = new TestCluster(3, null, "--proxy-max-output-buffer", "1m");
        Jedis attacker = proxy(cluster);
        Jedis other = proxy(cluster)) {
      String value = "v".repeat(100 * 1024);
      String[] keys = new String[30];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = "key:" + i;
        other.set(keys[i], value);
      }
      // each node's part is under its own 64 MiB limit; merged, 3 MB is beyond the proxy's 1 MiB
      assertThatThrownBy(() -> attacker.mget(keys))
          .isInstanceOf(JedisDataException.class)
          .hasMessageStartingWith("ERR reply too large: more than ")
          .hasMessageEndingWith("bytes for 'mget' (expected: <= 1048576, proxy-max-output-buffer)");
      assertThat(attacker.ping()).isEqualTo("PONG");
      assertThat(attacker.mget(keys[0], keys[1])).containsExactly(value, value);
      assertThat(other.ping()).isEqualTo("PONG");
      assertThat(cluster.router.proxyStats().repliesTooLarge.sum()).isEqualTo(1);
    }
  }

  @Test
  void proxyKeys_mergedReplyBeyondOutputLimit_isRefusedAndTheClientKeepsWorking() throws Exception {
    try (TestCluster cluster = new TestCluster(3, null, "--proxy-max-output-buffer", "1m");
        Jedis attacker = proxy(cluster);
        Jedis other = proxy(cluster)) {
      redis.clients.jedis.Pipeline pipeline = other.pipelined();
      String prefix = "k".repeat(1000);
      for (int i = 0; i < 2000; i++) {
        pipeline.set(prefix + i, "v");
      }
      pipeline.sync();
      // each node's part is under its own 64 MiB limit; merged, 2 MB of key names is beyond the proxy's 1 MiB
      assertThatThrownBy(() -> attacker.keys("*"))
          .isInstanceOf(JedisDataException.class)
          .hasMessageStartingWith("ERR reply too large: more than ")
          .hasMessageEndingWith("bytes for 'keys' (expected: <= 1048576, proxy-max-output-buffer)");
      assertThat(attacker.ping()).isEqualTo("PONG");
      assertThat(attacker.keys(prefix + "1?")).hasSize(10);
      assertThat(cluster.router.proxyStats().repliesTooLarge.sum()).isEqualTo(1);
    }
  }

  @Test
  void proxy_unfinishedHugeRequestsBeyondClientsMemory_largestAreClosedAndOthersServed() throws Exception {
    try (TestCluster cluster = new TestCluster(1, null, "--proxy-max-clients-memory", "8m");
        Jedis other = proxy(cluster)) {
      assertThat(other.ping()).isEqualTo("PONG"); // connected before the attack (Jedis connects lazily)
      int closed = closedAttackers(cluster, other, 12, out -> {
        out.write(("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (3 << 20) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[512 * 1024]);
      });
      assertThat(closed).as("attackers closed").isGreaterThanOrEqualTo(10);
      assertThat(other.ping()).isEqualTo("PONG");
      assertThat(other.info()).containsPattern("proxy_client_memory_closes:([1-9]\\d*)");
    }
  }

  /** What an attacker connection sends. */
  private interface Attack {
    void send(java.io.OutputStream out) throws IOException;
  }

  /**
   * {@code count} connections to the proxy each send what {@code attack} writes, without reading;
   * how many the proxy closed, while they sent or within 2 s after. {@code other} is served meanwhile.
   */
  private static int closedAttackers(TestCluster cluster, Jedis other, int count, Attack attack) throws IOException {
    List<Socket> attackers = new ArrayList<>();
    try {
      int closed = 0;
      for (int i = 0; i < count; i++) {
        Socket a = socket(cluster.router.port());
        attackers.add(a);
        try {
          attack.send(a.getOutputStream());
        } catch (java.net.SocketException e) {
          closed++; // closed by the server before this attacker finished sending: what the cap does
          attackers.remove(a);
          a.close();
        }
      }
      assertThat(other.ping()).isEqualTo("PONG");
      for (Socket a : attackers) {
        if (closedByServer(a, Duration.ofSeconds(2))) {
          closed++;
        }
      }
      return closed;
    } finally {
      for (Socket a : attackers) {
        a.close();
      }
    }
  }

  @Test
  void proxy_transactionsQueuingMoreThanClientsMemory_largestAreClosedAndOthersServed() throws Exception {
    try (TestCluster cluster = new TestCluster(1, null, "--proxy-max-clients-memory", "8m");
        Jedis other = proxy(cluster)) {
      assertThat(other.ping()).isEqualTo("PONG");
      // each MULTI queues 6 MiB of SETs at the proxy until EXEC, past the query buffer that read them
      byte[] set = ("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (256 * 1024) + "\r\n" + "x".repeat(256 * 1024) + "\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      int closed = closedAttackers(cluster, other, 10, out -> {
        out.write("*1\r\n$5\r\nMULTI\r\n".getBytes(StandardCharsets.US_ASCII));
        for (int j = 0; j < 24; j++) {
          out.write(set);
        }
      });
      assertThat(closed).as("transactions closed to bring 60 MiB queued under 8 MiB").isGreaterThanOrEqualTo(9);
      assertThat(other.info()).containsPattern("proxy_client_memory_closes:(9|10)\r\n");
      // a transaction under the cap runs
      redis.clients.jedis.Transaction t = other.multi();
      t.set("{t}small", "x".repeat(256 * 1024));
      assertThat(t.exec()).containsExactly("OK");
      assertThat(other.ping()).isEqualTo("PONG");
    }
  }

  @Test
  void proxy_httpRequestCarryingCommands_isClosedUnanswered_andNothingInItRuns() throws Exception {
    try (TestCluster cluster = new TestCluster(1, null);
        Jedis other = proxy(cluster)) {
      // a browser steered at the port (cross-protocol scripting): before, the proxy answered the
      // request and header lines with unknown-command errors and ran the SET of the body
      for (String request : List.of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\n\r\nSET pwned 1\r\n",
          "Host: x\r\nSET pwned 1\r\n", "*1\r\n$4\r\npost\r\n*3\r\n$3\r\nSET\r\n$5\r\npwned\r\n$1\r\n1\r\n",
          "MULTI\r\nPOST /\r\nSET pwned 1\r\nEXEC\r\n")) {
        try (Socket s = socket(cluster.router.port())) {
          s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
          assertThat(readAll(s, Duration.ofSeconds(5))).as(request).isIn("", "+OK\r\n"); // MULTI's OK
        }
      }
      assertThat(other.exists("pwned")).isFalse();
      assertThat(other.ping()).isEqualTo("PONG");
    }
  }

  @Test
  void proxy_clientNamesBeyondClientsMemory_largestAreClosedAndOthersServed() throws Exception {
    try (TestCluster cluster = new TestCluster(1, null, "--proxy-max-clients-memory", "8m");
        Jedis other = proxy(cluster)) {
      assertThat(other.ping()).isEqualTo("PONG");
      String name = "n".repeat(1 << 20); // a name is as long as an argument may be: counted since
      List<Jedis> named = new ArrayList<>();
      try {
        for (int i = 0; i < 16; i++) {
          Jedis j = proxy(cluster);
          named.add(j);
          try {
            j.clientSetname(name);
            for (int k = 0; k < 200; k++) {
              j.ping(); // later small reads: the query buffer shrinks, the name stays
            }
          } catch (redis.clients.jedis.exceptions.JedisConnectionException e) {
            // closed by the cap
          }
        }
        long stillOpen = named.stream().filter(j -> {
          try {
            return "PONG".equals(j.ping());
          } catch (redis.clients.jedis.exceptions.JedisConnectionException e) {
            return false;
          }
        }).count();
        assertThat(stillOpen).as("names held under the 8 MiB cap").isLessThanOrEqualTo(8);
        assertThat(other.ping()).isEqualTo("PONG");
      } finally {
        for (Jedis j : named) {
          try {
            j.close();
          } catch (redis.clients.jedis.exceptions.JedisConnectionException e) {
            // one the proxy closed: Jedis's QUIT on it fails
          }
        }
      }
    }
  }

  @Test
  void proxy_connectionsBeyondMaxClients_areRefusedWithRedisErrorAndAcceptedAgainOnceOthersLeave() throws Exception {
    try (TestCluster cluster = new TestCluster(1, null, "--proxy-max-clients", "5")) {
      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 5; i++) {
          idle.add(socket(cluster.router.port()));
        }
        Await.until(() -> connected(cluster) == 5, Duration.ofSeconds(10),
            "5 proxy clients connected");
        try (Socket refused = socket(cluster.router.port())) {
          assertThat(readAll(refused, Duration.ofSeconds(5))).isEqualTo("-ERR max number of clients reached\r\n");
        }
        assertThat(cluster.router.proxyStats().rejectedConnections.sum()).isEqualTo(1);
        idle.remove(0).close();
        Await.until(() -> connected(cluster) == 4, Duration.ofSeconds(10), "a proxy client gone");
        try (Jedis jedis = proxy(cluster)) {
          assertThat(jedis.ping()).isEqualTo("PONG");
        }
      } finally {
        for (Socket s : idle) {
          s.close();
        }
      }
    }
  }

  @Test
  void proxy_unauthenticatedConnectionIsClosedAfterAuthTimeout_authenticatedOneStays() throws Exception {
    try (TestCluster cluster = new TestCluster(1, "s3cret", "--auth-timeout", "1");
        Socket idle = socket(cluster.router.port());
        Jedis authenticated = proxy(cluster)) {
      authenticated.auth("s3cret");
      assertThat(closedByServer(idle, Duration.ofSeconds(5))).isTrue();
      assertThat(authenticated.ping()).isEqualTo("PONG");
      assertThat(cluster.router.proxyStats().authTimeoutCloses.sum()).isEqualTo(1);
    }
  }

  @Test
  void proxy_largeHeadersBeforeAuth_answerAsRedisAndClose() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(io.ringcache.node.RedisServer.installed(), "redis-server is not installed");
    try (TestCluster cluster = new TestCluster(1, "s3cret");
        io.ringcache.node.RedisServer redis = io.ringcache.node.RedisServer.start("--requirepass", "s3cret")) {
      io.ringcache.node.UnauthenticatedParity.check(redis::connect,
          () -> io.ringcache.node.RedisServer.Conn.tcp(cluster.router.port()));
    }
  }

  @Test
  void proxy_inlineRequestsBeforeAuthAndBadClientNames_areRefused() throws Exception {
    try (TestCluster cluster = new TestCluster(1, "s3cret");
        Socket many = socket(cluster.router.port());
        Socket longArg = socket(cluster.router.port());
        Jedis named = proxy(cluster)) {
      many.getOutputStream().write(("PING" + " a".repeat(30_000) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      assertThat(readAll(many, Duration.ofSeconds(5)))
          .isEqualTo("-ERR Protocol error: unauthenticated multibulk length\r\n");
      longArg.getOutputStream().write(("AUTH " + "x".repeat(60_000) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      assertThat(readAll(longArg, Duration.ofSeconds(5)))
          .isEqualTo("-ERR Protocol error: unauthenticated bulk length\r\n");
      named.auth("s3cret");
      assertThatThrownBy(() -> named.clientSetname("a\nWARN forged"))
          .hasMessage("ERR Client names cannot contain spaces, newlines or special characters.");
      assertThatThrownBy(() -> named.sendCommand(redis.clients.jedis.Protocol.Command.HELLO, "2", "SETNAME", "a b"))
          .hasMessage("ERR Client names cannot contain spaces, newlines or special characters.");
      assertThat(named.ping()).isEqualTo("PONG");
    }
  }

  @Test
  void admin_halfSentHeadersBlockNoOneAndAreClosedAfterTheRequestTimeout() throws Exception {
    try (TestCluster cluster = TestCluster.withAdminToken(1, null, "t0ken")) {
      int port = cluster.router.adminPort();
      List<Socket> half = new ArrayList<>();
      try {
        for (int i = 0; i < 50; i++) {
          Socket s = socket(port);
          s.getOutputStream().write("GET /topology HTTP/1.1\r\nHost: x\r\nAuthor".getBytes(StandardCharsets.US_ASCII));
          half.add(s);
        }
        HttpClient http = HttpClient.newHttpClient();
        assertThat(get(http, port, "/health", null).statusCode()).isEqualTo(200);
        assertThat(get(http, port, "/topology", "t0ken").statusCode()).isEqualTo(200);
        long start = System.nanoTime();
        assertThat(closedByServer(half.get(0), Duration.ofSeconds(20))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
      } finally {
        for (Socket s : half) {
          s.close();
        }
      }
    }
  }

  @Test
  void admin_pipelinedFloodOfMetricsAndUnauthorizedRequests_doesNotStarveHealth() throws Exception {
    try (TestCluster cluster = TestCluster.withAdminToken(1, null, "t0ken")) {
      int port = cluster.router.adminPort();
      HttpClient http = HttpClient.newHttpClient();
      assertThat(get(http, port, "/health", null).statusCode()).isEqualTo(200); // the client warmed up
      List<Socket> flood = new ArrayList<>();
      try {
        byte[] metrics = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(10).getBytes(StandardCharsets.US_ASCII);
        byte[] topology = "GET /topology HTTP/1.1\r\nHost: x\r\n\r\n".repeat(10).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 200; i++) {
          Socket s = socket(port);
          s.getOutputStream().write(i % 2 == 0 ? metrics : topology); // never read
          flood.add(s);
        }
        for (int i = 0; i < 5; i++) {
          long start = System.nanoTime();
          HttpResponse<String> health = get(http, port, "/health", null);
          assertThat(health.statusCode()).isEqualTo(200);
          // 35 s before (4 threads, unbounded queue); generous here, for a loaded 2-core CI machine
          assertThat(Duration.ofNanos(System.nanoTime() - start)).as("GET /health during the flood")
              .isLessThan(Duration.ofSeconds(10));
        }
        HttpResponse<String> topology2 = get(http, port, "/topology", "t0ken");
        assertThat(topology2.statusCode()).isIn(200, 503);
      } finally {
        for (Socket s : flood) {
          s.close();
        }
      }
    }
  }

  private static int connected(TestCluster cluster) {
    return cluster.router.proxyConnectedClients();
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Jedis proxy(TestCluster cluster) {
    return new Jedis("127.0.0.1", cluster.router.port(), 10_000);
  }

  private static Socket socket(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setTcpNoDelay(true);
    return s;
  }

  /** Reads until the server closes the connection (or the timeout), returning what it sent. */
  private static String readAll(Socket s, Duration timeout) throws IOException {
    s.setSoTimeout((int) timeout.toMillis());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = s.getInputStream();
    byte[] buffer = new byte[4096];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("not closed within " + timeout + "; got: " + out.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // reset after the reply: the server closed with our unread input
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Whether the server closes the connection within {@code timeout} (reading and dropping what it sends). */
  private static boolean closedByServer(Socket s, Duration timeout) throws IOException {
    s.setSoTimeout((int) timeout.toMillis());
    InputStream in = s.getInputStream();
    byte[] buffer = new byte[4096];
    try {
      while (in.read(buffer) >= 0) {
        // drop
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }
}
