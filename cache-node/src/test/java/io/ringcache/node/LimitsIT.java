package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.ringcache.testkit.core.Await;
import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Connection-level limits and backpressure on real sockets. */
class LimitsIT {

  /** Small value and argument bounds, the rest as the defaults: the first limits of the tests below. */
  private static final String[] LIMITS = {"--max-key-size", "16384", "--max-value-size", "1048576",
      "--max-multibulk-length", "1048576", "--max-bulk-length", "1048576", "--max-inline-length", "65536",
      "--max-query-buffer", "67108864"};

  @Test
  void pipelinedGetsWithoutReading_holdABoundedOutputAndOthersStayServed() throws Exception {
    try (LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().start();
        NodeServer node = nodes.node(0);
        RespTestClient flood = RespTestClient.connect(node.port());
        RespTestClient other = RespTestClient.connect(node.port())) {
      String value = "v".repeat(1024);
      assertThat(other.call("SET", "big", value)).isEqualTo("OK");
      byte[] batch = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".repeat(1000).getBytes(StandardCharsets.US_ASCII);
      AtomicLong sent = new AtomicLong();
      Thread writer =
          new Thread(
              () -> {
                try {
                  OutputStream out = flood.socket().getOutputStream();
                  for (int i = 0; i < 1000; i++) { // 1,000,000 GETs, ~1 GB of replies if all were answered
                    out.write(batch);
                    sent.addAndGet(1000);
                  }
                } catch (IOException e) {
                  // the socket is closed below while the writer is blocked: expected
                }
              },
              "flood-writer");
      writer.setDaemon(true);
      writer.start();
      // the writer stalls once the node stops reading and the socket buffers are full
      long[] last = {-1};
      Await.until(
          () -> {
            long now = sent.get();
            boolean stalled = now == last[0] && now > 0;
            last[0] = now;
            if (!stalled) {
              java.util.concurrent.locks.LockSupport.parkNanos(200_000_000);
            }
            return stalled;
          },
          Duration.ofSeconds(20),
          "the flooding writer stalled");
      assertThat(sent.get()).isLessThan(1_000_000);
      long peak = node.outputBufferPeak();
      assertThat(peak).isPositive().isLessThanOrEqualTo(NodeServer.HIGH_WATERMARK + 64 * 1024 + 2 * 1100);
      assertThat(PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory()).isLessThan(64L << 20);
      assertThat(other.call("PING")).isEqualTo("PONG");
      assertThat(other.call("GET", "big")).isEqualTo(value);
      // the flooding client still gets correct replies when it reads
      for (int i = 0; i < 2000; i++) {
        assertThat(flood.readReply()).isEqualTo(value);
      }
      flood.close();
      writer.join(10_000);
      assertThat(writer.isAlive()).isFalse();
    }
  }

  @Test
  void clientThatNeverReads_isClosedAfterOutputStallTimeout_andOthersStayFast() throws Exception {
    try (LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().nodeArgs("--output-stall-timeout", "1").start();
        NodeServer node = nodes.node(0);
        Jedis other = new Jedis("127.0.0.1", node.port(), 5_000);
        Socket slow = new Socket()) {
      String value = "v".repeat(1024);
      other.set("big", value);
      slow.setReceiveBufferSize(4096); // before connecting, so that the window stays small
      slow.connect(new InetSocketAddress("127.0.0.1", node.port()));
      byte[] batch = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".repeat(1000).getBytes(StandardCharsets.US_ASCII);
      AtomicLong sent = new AtomicLong();
      AtomicReference<IOException> failure = new AtomicReference<>();
      long started = System.nanoTime();
      Thread writer =
          new Thread(
              () -> {
                try {
                  OutputStream out = slow.getOutputStream();
                  while (true) { // GETs of 1 KiB without end, never reading a reply
                    out.write(batch);
                    sent.addAndGet(1000);
                  }
                } catch (IOException e) {
                  failure.set(e); // the node reset the connection (or the test closed the socket)
                }
              },
              "stalled-writer");
      writer.setDaemon(true);
      writer.start();

      // meanwhile another client is answered at once, every time
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (writer.isAlive() && System.nanoTime() < deadline) {
        long t0 = System.nanoTime();
        assertThat(other.get("big")).isEqualTo(value);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));
        LockSupport.parkNanos(20_000_000); // pace of the other client's requests
      }
      long closedAfterMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
      assertThat(writer.isAlive()).as("the stalled client's writes fail: the node closed it").isFalse();
      assertThat(failure.get()).isNotNull();
      assertThat(closedAfterMillis).isBetween(1_000L, 10_000L);
      assertThat(sent.get()).isPositive();
      slow.setSoTimeout(5_000);
      assertThat(endOfStream(slow)).isTrue();

      assertThat(other.info("stats")).contains("output_stall_closes:1", "output_buffer_limit_closes:0");
      assertThat(scrape(node.serveMetrics(0)))
          .contains("ringcache_node_output_buffer_closes_total{limit=\"output-stall-timeout\"} 1.0")
          .contains("ringcache_node_output_buffer_closes_total{limit=\"max-output-buffer\"} 0.0");
      Await.until(() -> node.connectedClients() == 1, Duration.ofSeconds(5), "one client connected");
      for (int i = 0; i < 100; i++) {
        long t0 = System.nanoTime();
        assertThat(other.get("big")).isEqualTo(value);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));
      }
    }
  }

  @Test
  void jedisPipelineOfSeventyThousandGets_writtenBeforeAnyReplyIsRead_completes() {
    try (LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().start();
        NodeServer node = nodes.node(0);
        redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis("127.0.0.1", node.port(), 10_000)) {
      String value = "v".repeat(50);
      jedis.set("k", value);
      redis.clients.jedis.Pipeline pipeline = jedis.pipelined();
      java.util.List<redis.clients.jedis.Response<String>> replies = new java.util.ArrayList<>();
      for (int i = 0; i < 70_000; i++) {
        replies.add(pipeline.get("k")); // Jedis writes them all before it reads a reply
      }
      pipeline.sync();
      assertThat(replies).hasSize(70_000).allSatisfy(r -> assertThat(r.get()).isEqualTo(value));
    }
  }

  @Test
  void mgetReplyLargerThanOutputBufferLimit_isRefusedWithAnErrorBeforeItIsBuilt() throws IOException {
    try (LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().nodeArgs(LIMITS).nodeArgs("--max-output-buffer", "102400",
            "--max-clients", "100", "--idle-timeout", "0", "--output-stall-timeout", "60").start();
        NodeServer node = nodes.node(0);
        RespTestClient greedy = RespTestClient.connect(node.port());
        RespTestClient other = RespTestClient.connect(node.port())) {
      String[] mget = new String[201];
      mget[0] = "MGET";
      for (int i = 0; i < 200; i++) {
        other.call("SET", "k" + i, "x".repeat(1024));
        mget[i + 1] = "k" + i;
      }
      Object reply = greedy.call(mget);
      assertThat(reply).isInstanceOf(RespTestClient.Error.class);
      assertThat(((RespTestClient.Error) reply).message())
          .startsWith("ERR reply too large: more than ")
          .endsWith(" bytes for 'mget' (expected: <= 102400, max-output-buffer)");
      assertThat(greedy.call("PING")).isEqualTo("PONG");
      assertThat(greedy.call("MGET", "k1", "k2")).isEqualTo(List.of("x".repeat(1024), "x".repeat(1024)));
      assertThat(other.call("PING")).isEqualTo("PONG");
      assertThat((String) other.call("INFO", "stats")).contains("replies_too_large:1", "output_buffer_limit_closes:0");
    }
  }

  @Test
  void pipelinedRepliesBeyondOutputBufferLimit_closeOnlyThatClient() throws IOException {
    try (LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().nodeArgs(LIMITS).nodeArgs("--max-output-buffer", "102400",
            "--max-clients", "100", "--idle-timeout", "0", "--output-stall-timeout", "60").start();
        NodeServer node = nodes.node(0);
        RespTestClient greedy = RespTestClient.connect(node.port());
        RespTestClient other = RespTestClient.connect(node.port())) {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < 200; i++) {
        other.call("SET", "k" + i, "x".repeat(1024));
        s.append("*2\r\n$3\r\nGET\r\n$").append(("k" + i).length()).append("\r\nk").append(i).append("\r\n");
      }
      greedy.sendRaw(s.toString()).flush();
      assertThat(greedy.drainUntilClosed()).isTrue();
      assertThat(other.call("PING")).isEqualTo("PONG");
      assertThat((String) other.call("INFO", "stats")).contains("output_buffer_limit_closes:1");
    }
  }

  /** A standalone node with {@code --max-clients max}, no idle timeout, and {@code extra} options. */
  private static LaunchedCluster<NodeServer, Void> withMaxClients(int max, String... extra) {
    return Nodes.standalone().nodeArgs(LIMITS).nodeArgs("--max-clients", Integer.toString(max), "--idle-timeout", "0",
        "--output-stall-timeout", "60").nodeArgs(extra).start();
  }

  /** A connection to {@code node} that it serves (it answered PING). */
  private static RespTestClient served(NodeServer node) {
    RespTestClient c = RespTestClient.connect(node.port());
    assertThat(c.call("PING")).isEqualTo("PONG");
    return c;
  }

  @Test
  void connectionsBeyondMaxClients_areRefusedAndCounted() throws IOException {
    try (LaunchedCluster<NodeServer, Void> nodes = withMaxClients(2, "--max-output-buffer", "67108864");
        NodeServer node = nodes.node(0);
        RespTestClient a = served(node);
        RespTestClient b = served(node)) {
      try (RespTestClient c = RespTestClient.connect(node.port())) {
        assertThat(c.readReply()).isEqualTo(new RespTestClient.Error("ERR max number of clients reached (expected: <= 2, max-clients)"));
        assertThat(c.drainUntilClosed()).isTrue();
      }
      assertThat((String) a.call("INFO", "stats")).contains("rejected_connections:1");
      Await.until(() -> node.connectedClients() == 2, Duration.ofSeconds(5), "two clients connected");
    }
  }

  @Test
  void aNodeWhoseClientSlotsAreAllHeld_stillAdmitsTheClusterUserBeyondThem_andRefusesEveryoneElse() throws IOException {
    try (LaunchedCluster<NodeServer, Void> nodes = withMaxClients(1, "--cluster-secret", "s3cret");
        NodeServer node = nodes.node(0);
        RespTestClient a = served(node)) {
      RespTestClient.Error full = new RespTestClient.Error("ERR max number of clients reached (expected: <= 1, max-clients)");

      // the router's or a peer's connection: AUTH as the cluster user first, then anything
      try (RespTestClient router = RespTestClient.connect(node.port())) {
        assertThat(router.call("AUTH", "ringcache-cluster", "s3cret")).isEqualTo("OK");
        assertThat(router.call("RING.EPOCH")).isNotInstanceOf(RespTestClient.Error.class);
        assertThat(router.call("PING")).isEqualTo("PONG");
        assertThat(node.connectedClients()).isEqualTo(2);
      }
      // a client's first command gets Redis's refusal, as it would at once without the reserve
      try (RespTestClient client = RespTestClient.connect(node.port())) {
        assertThat(client.call("PING")).isEqualTo(full);
        assertThat(client.drainUntilClosed()).isTrue();
      }
      // a wrong secret may be retried while the connection waits, but it admits nothing
      try (RespTestClient guess = RespTestClient.connect(node.port())) {
        assertThat(guess.call("AUTH", "ringcache-cluster", "guess")).isInstanceOf(RespTestClient.Error.class);
        assertThat(guess.call("GET", "k")).isEqualTo(full);
        assertThat(guess.drainUntilClosed()).isTrue();
      }
      // a silent one is refused after the wait
      try (RespTestClient silent = RespTestClient.connect(node.port())) {
        long start = System.nanoTime();
        assertThat(silent.readReply()).isEqualTo(full);
        assertThat(silent.drainUntilClosed()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(ClusterReserve.WAIT_MILLIS - 50));
      }
      assertThat((String) a.call("INFO", "stats")).contains("rejected_connections:3");
      Await.until(() -> node.connectedClients() == 1, Duration.ofSeconds(5), "one client connected");
    }
  }

  @Test
  void withoutAClusterReserve_theClusterUserIsRefusedBeyondMaxClientsAtOnce() throws IOException {
    try (LaunchedCluster<NodeServer, Void> nodes = withMaxClients(1, "--cluster-secret", "s3cret", "--cluster-reserve", "0");
        NodeServer node = nodes.node(0);
        RespTestClient a = served(node)) {
      try (RespTestClient router = RespTestClient.connect(node.port())) {
        assertThat(router.call("AUTH", "ringcache-cluster", "s3cret"))
            .isEqualTo(new RespTestClient.Error("ERR max number of clients reached (expected: <= 1, max-clients)"));
        assertThat(router.drainUntilClosed()).isTrue();
      }
    }
  }

  @Test
  void withoutAClusterSecret_aLoopbackPeersRingCommandIsAdmittedBeyondMaxClients_butNotItsOtherCommands() throws IOException {
    try (LaunchedCluster<NodeServer, Void> nodes = withMaxClients(1);
        NodeServer node = nodes.node(0);
        RespTestClient a = served(node)) {
      try (RespTestClient router = RespTestClient.connect(node.port())) {
        assertThat(router.call("RING.EPOCH")).isNotInstanceOf(RespTestClient.Error.class);
        assertThat(router.call("PING")).isEqualTo("PONG");
      }
      try (RespTestClient client = RespTestClient.connect(node.port())) {
        assertThat(client.call("GET", "k")).isEqualTo(new RespTestClient.Error("ERR max number of clients reached (expected: <= 1, max-clients)"));
      }
    }
  }

  @Test
  void idleConnection_isClosedAfterIdleTimeout() throws IOException {
    try (LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().nodeArgs(LIMITS).nodeArgs("--max-output-buffer", "67108864",
            "--max-clients", "100", "--idle-timeout", "1", "--output-stall-timeout", "60").start();
        NodeServer node = nodes.node(0);
        RespTestClient idle = RespTestClient.connect(node.port())) {
      assertThat(idle.call("PING")).isEqualTo("PONG");
      assertThat(idle.drainUntilClosed()).isTrue();
    }
  }

  @Test
  void close_answersWhatWasExecutedAndThenCloses() throws Exception {
    LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().start();
    NodeServer node = nodes.node(0);
    try (RespTestClient client = RespTestClient.connect(node.port())) {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < 5000; i++) {
        s.append("*3\r\n$3\r\nSET\r\n$5\r\nk").append(String.format("%04d", i)).append("\r\n$1\r\nv\r\n");
      }
      client.sendRaw(s.toString()).flush();
      assertThat(client.readReply()).isEqualTo("OK");
      node.close();
      int oks = 1;
      try {
        while (true) {
          Object reply = client.readReply();
          assertThat(reply).isEqualTo("OK");
          oks++;
        }
      } catch (java.io.UncheckedIOException e) {
        // end of stream after the last complete reply
      }
      assertThat(oks).isEqualTo(node.store().size());
    }
    assertThat(canConnect(node.port())).isFalse();
    nodes.close();
  }

  @Test
  void nioTransport_servesWhenSelected() throws IOException {
    System.setProperty("ringcache.transport", "nio");
    try (LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().start();
        NodeServer node = nodes.node(0);
        RespTestClient c = RespTestClient.connect(node.port())) {
      assertThat(node.transport()).isEqualTo("nio");
      assertThat(c.call("SET", "a", "b")).isEqualTo("OK");
      assertThat(c.call("GET", "a")).isEqualTo("b");
    } finally {
      System.clearProperty("ringcache.transport");
    }
  }

  @Test
  void ioUringTransport_servesPipelinedRequestsWhenSelected() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(io.netty.channel.uring.IoUring.isAvailable(),
        () -> "io_uring is not available here: " + io.netty.channel.uring.IoUring.unavailabilityCause());
    System.setProperty("ringcache.transport", "io_uring");
    try (LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().start();
        NodeServer node = nodes.node(0);
        RespTestClient c = RespTestClient.connect(node.port())) {
      assertThat(node.transport()).isEqualTo("io_uring");
      assertThat((String) c.call("INFO", "server")).contains("\r\nmultiplexing_api:io_uring\r\n");
      for (int i = 0; i < 1000; i++) {
        c.send("SET", "k" + i, "v" + i);
      }
      c.send("GET", "k999").flush();
      for (int i = 0; i < 1000; i++) {
        assertThat(c.readReply()).isEqualTo("OK");
      }
      assertThat(c.readReply()).isEqualTo("v999");
    } finally {
      System.clearProperty("ringcache.transport");
    }
  }

  private static String scrape(int metricsPort) throws IOException, InterruptedException {
    return java.net.http.HttpClient.newHttpClient()
        .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Reads what is left until the end of the stream or a reset: true; false if nothing ends it within the socket's timeout. */
  private static boolean endOfStream(Socket socket) {
    byte[] buffer = new byte[64 * 1024];
    try {
      InputStream in = socket.getInputStream();
      while (in.read(buffer) >= 0) {
        // replies that reached the socket before the node closed it
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  private static boolean canConnect(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
