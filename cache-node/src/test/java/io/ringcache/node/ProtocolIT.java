package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input on real sockets, after Redis's tests/unit/protocol.tcl: a stream that cannot be
 * resynchronised gets "-ERR Protocol error: ..." and is closed, while a bystander connection keeps
 * being served and stored values do not change.
 */
class ProtocolIT {

  private static LaunchedCluster<NodeServer, Void> nodes;
  private static NodeServer node;
  private static RespTestClient bystander;

  @BeforeAll
  static void start() throws IOException {
    nodes = Nodes.standalone().start();
    node = nodes.node(0);
    bystander = RespTestClient.connect(node.port());
    assertThat(bystander.call("SET", "x", "original")).isEqualTo("OK");
  }

  @AfterAll
  static void stop() throws IOException {
    bystander.close();
    nodes.close();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "out of range multibulk length | *3000000000\\r\\n | invalid multibulk length: 3000000000 (expected: <= 1048576)",
        "wrong multibulk payload header | *3\\r\\n$3\\r\\nSET\\r\\n$1\\r\\nx\\r\\nfooz\\r\\n | expected '$', got 'f'",
        "negative multibulk payload length | *3\\r\\n$3\\r\\nSET\\r\\n$1\\r\\nx\\r\\n$-10\\r\\n | invalid bulk length: -10",
        "out of range multibulk payload length | *3\\r\\n$3\\r\\nSET\\r\\n$1\\r\\nx\\r\\n$2000000000\\r\\n | invalid bulk length: 2000000000 (expected: <= 33554432)",
        "non-number multibulk payload length | *3\\r\\n$3\\r\\nSET\\r\\n$1\\r\\nx\\r\\n$blabla\\r\\n | invalid bulk length: blabla",
        "multibulk request not followed by bulk arguments | *1\\r\\nfoo\\r\\n | expected '$', got 'f'",
        "unbalanced number of quotes | set \"\"\"test-key\"\"\" test-value\\r\\nping\\r\\n | unbalanced quotes",
      })
  void badInput_isAnsweredWithProtocolErrorAndClosed(String name, String input, String expected) throws IOException {
    try (RespTestClient client = RespTestClient.connect(node.port())) {
      client.sendRaw(input.replace("\\r", "\r").replace("\\n", "\n")).flush();
      Object reply = client.readReply();
      assertThat(reply).isInstanceOf(RespTestClient.Error.class);
      assertThat(((RespTestClient.Error) reply).message()).startsWith("ERR Protocol error: ").contains(expected);
      assertThat(client.drainUntilClosed()).isTrue();
    }
    assertBystanderServedAndValueUnchanged();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "POST, inline | POST / HTTP/1.1\\r\\nHost: localhost\\r\\nContent-Length: 13\\r\\n\\r\\nSET pwned 1\\r\\n",
        "Host:, inline | Host: localhost\\r\\nSET pwned 1\\r\\n",
        "post, multibulk | *1\\r\\n$4\\r\\npost\\r\\n*3\\r\\n$3\\r\\nSET\\r\\n$5\\r\\npwned\\r\\n$1\\r\\n1\\r\\n",
        "POST inside MULTI | MULTI\\r\\nPOST /\\r\\nSET pwned 1\\r\\nEXEC\\r\\n",
        "replies before it dropped too | PING\\r\\nGET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n",
      })
  void httpRequest_isClosedUnanswered_andNothingAfterItRuns_asRedis(String name, String input) throws IOException {
    try (RespTestClient client = RespTestClient.connect(node.port())) {
      client.sendRaw(input.replace("\\r", "\r").replace("\\n", "\n")).flush();
      client.socket().setSoTimeout(5_000);
      byte[] sent = client.socket().getInputStream().readAllBytes();
      String reply = new String(sent, java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(reply).as("what the node sent before closing").isIn("", "+OK\r\n"); // MULTI's OK
    }
    assertThat(bystander.call("EXISTS", "pwned")).isEqualTo(0L);
    assertBystanderServedAndValueUnchanged();
  }

  @ParameterizedTest(name = "desync #{0}")
  @ValueSource(ints = {0, 1, 2})
  void protocolDesync_withoutNewline_isClosedWithProtocolError(int variant) throws IOException {
    String seq = new String[] {"\0", "*\0", "$\0"}[variant];
    try (RespTestClient client = RespTestClient.connect(node.port())) {
      client.sendRaw(seq).flush();
      byte[] payload = "payload".repeat(1024).getBytes();
      boolean closed = false;
      for (int i = 0; i < 100 && !closed; i++) { // bounded: 100 x 7 KiB, far beyond the 64 KiB inline bound
        try {
          client.sendRaw(payload).flush();
        } catch (java.io.UncheckedIOException e) {
          closed = true;
        }
      }
      Object reply = client.readReply();
      assertThat(reply).isInstanceOf(RespTestClient.Error.class);
      assertThat(((RespTestClient.Error) reply).message()).startsWith("ERR Protocol error: ");
      assertThat(client.drainUntilClosed()).isTrue();
    }
    assertBystanderServedAndValueUnchanged();
  }

  @Test
  void mset_withTwentyThousandArguments_works() throws IOException {
    try (RespTestClient client = RespTestClient.connect(node.port())) {
      List<String> args = new ArrayList<>();
      args.add("MSET");
      for (int i = 0; i < 10_000; i++) {
        args.add("k");
        args.add("v");
      }
      args.add("{k}2");
      args.add("v2");
      assertThat(client.call(args.toArray(String[]::new))).isEqualTo("OK");
      assertThat(client.call("GET", "{k}2")).isEqualTo("v2");
    }
  }

  @Test
  void inlineCommands_areServed() throws IOException {
    try (RespTestClient client = RespTestClient.connect(node.port())) {
      client.sendRaw("PING\r\nSET inl \"a b\"\r\nGET inl\r\n").flush();
      assertThat(client.readReply()).isEqualTo("PONG");
      assertThat(client.readReply()).isEqualTo("OK");
      assertThat(client.readReply()).isEqualTo("a b");
    }
  }

  @Test
  void pipelinedRequests_areAnsweredInOrder() throws IOException {
    try (RespTestClient client = RespTestClient.connect(node.port())) {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < 1000; i++) {
        s.append("*3\r\n$3\r\nSET\r\n$5\r\np").append(String.format("%04d", i)).append("\r\n$1\r\n").append(i % 10).append("\r\n");
        s.append("*2\r\n$3\r\nGET\r\n$5\r\np").append(String.format("%04d", i)).append("\r\n");
      }
      client.sendRaw(s.toString()).flush();
      for (int i = 0; i < 1000; i++) {
        assertThat(client.readReply()).isEqualTo("OK");
        assertThat(client.readReply()).isEqualTo(String.valueOf(i % 10));
      }
    }
  }

  @Test
  void quit_repliesOkAndCloses() throws IOException {
    try (RespTestClient client = RespTestClient.connect(node.port())) {
      assertThat(client.call("QUIT")).isEqualTo("OK");
      assertThat(client.drainUntilClosed()).isTrue();
    }
  }

  /**
   * A connection keeps its reply buffer for its next read batch only once the socket took all of it
   * (Connection.flush): replies still queued for a client that is not reading must never be
   * overwritten by the next batch's. Every key has its own value, so a reply overwritten or
   * repeated would not match.
   */
  @Test
  void pipelinedBatches_whileRepliesQueueUnread_answerEveryReplyIntactAndInOrder() throws Exception {
    int keys = 1000;
    int rounds = 200; // 200,000 replies of 107 bytes: 21 MB, far more than the sockets hold
    try (LaunchedCluster<NodeServer, Void> own = Nodes.standalone().start();
        RespTestClient setup = RespTestClient.connect(own.node(0).port());
        java.net.Socket slow = new java.net.Socket()) {
      NodeServer fresh = own.node(0);
      String[] values = new String[keys];
      for (int i = 0; i < keys; i++) {
        values[i] = String.format("%05d", i) + "v".repeat(95);
        setup.send("SET", "k" + i, values[i]);
      }
      setup.flush();
      for (int i = 0; i < keys; i++) {
        assertThat(setup.readReply()).isEqualTo("OK");
      }
      slow.setReceiveBufferSize(4096); // before connecting, so that the window stays small
      slow.connect(new java.net.InetSocketAddress("127.0.0.1", fresh.port()));
      StringBuilder round = new StringBuilder();
      for (int i = 0; i < keys; i++) {
        String key = "k" + i;
        round.append("*2\r\n$3\r\nGET\r\n$").append(key.length()).append("\r\n").append(key).append("\r\n");
      }
      byte[] batch = round.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      java.util.concurrent.atomic.AtomicReference<IOException> failure = new java.util.concurrent.atomic.AtomicReference<>();
      Thread writer = new Thread(() -> {
        try {
          java.io.OutputStream out = slow.getOutputStream();
          for (int r = 0; r < rounds; r++) {
            out.write(batch);
          }
          out.flush();
        } catch (IOException e) {
          failure.set(e);
        }
      }, "unread-pipeline-writer");
      writer.setDaemon(true);
      writer.start();
      io.ringcache.testkit.core.Await.until(() -> fresh.outputBufferPeak() > 64 * 1024, java.time.Duration.ofSeconds(20),
          "replies queued for the client that does not read");
      java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(slow.getInputStream(), 1 << 16));
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < keys; i++) {
          String expected = "$100\r\n" + values[i] + "\r\n";
          byte[] reply = new byte[expected.length()];
          in.readFully(reply);
          assertThat(new String(reply, java.nio.charset.StandardCharsets.US_ASCII)).as("reply %d of round %d", i, r).isEqualTo(expected);
        }
      }
      writer.join(10_000);
      assertThat(writer.isAlive()).isFalse();
      assertThat(failure.get()).isNull();
    }
  }

  private static void assertBystanderServedAndValueUnchanged() throws IOException {
    assertThat(bystander.call("PING")).isEqualTo("PONG");
    assertThat(bystander.call("GET", "x")).isEqualTo("original");
  }
}
