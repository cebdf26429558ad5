package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A handoff's target of an older version, which does not know RING.IMPORTRAW: the source hears
 * "-ERR unknown command" and streams the same entries as RING.IMPORT. The older node is the real
 * target behind a relay that answers RING.IMPORTRAW as a node without it does and passes every
 * other request through, one at a time.
 */
class StreamToOlderNodeIT {

  private static final int KEYS = 20_000;
  private static final String VALUE = "v".repeat(64);

  /** Relays requests to a node, one at a time; RING.IMPORTRAW gets Redis's unknown-command error. */
  private static final class OlderNodeRelay implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger imports = new AtomicInteger();
    final List<Socket> sockets = new CopyOnWriteArrayList<>();

    OlderNodeRelay(int targetPort) throws IOException {
      Thread accept = new Thread(() -> {
        try {
          while (true) {
            Socket client = server.accept();
            Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
            sockets.add(client);
            sockets.add(upstream);
            Thread relay = new Thread(() -> relay(client, upstream), "relay");
            relay.setDaemon(true);
            relay.start();
          }
        } catch (IOException closed) {
          // the relay is closed
        }
      }, "relay-accept");
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void relay(Socket client, Socket upstream) {
      try (InputStream fromClient = new BufferedInputStream(client.getInputStream());
          OutputStream toClient = client.getOutputStream();
          InputStream fromNode = new BufferedInputStream(upstream.getInputStream());
          OutputStream toNode = upstream.getOutputStream()) {
        while (true) {
          ByteArrayOutputStream request = new ByteArrayOutputStream();
          String name = readRequest(fromClient, request);
          if (name == null) {
            return;
          }
          if (name.equalsIgnoreCase("RING.IMPORTRAW")) {
            refused.incrementAndGet();
            toClient.write(("-ERR unknown command '" + name + "', with args beginning with: \r\n").getBytes(StandardCharsets.UTF_8));
            toClient.flush();
            continue;
          }
          if (name.equalsIgnoreCase("RING.IMPORT")) {
            imports.incrementAndGet();
          }
          request.writeTo(toNode);
          toNode.flush();
          ByteArrayOutputStream reply = new ByteArrayOutputStream();
          readReply(fromNode, reply);
          reply.writeTo(toClient);
          toClient.flush();
        }
      } catch (IOException e) {
        // either side closed
      }
    }

    /** Copies one multibulk request into {@code raw}; returns its command name, or null at the end. */
    private static String readRequest(InputStream in, ByteArrayOutputStream raw) throws IOException {
      String header = line(in, raw);
      if (header == null) {
        return null;
      }
      int n = Integer.parseInt(header.substring(1));
      String name = null;
      for (int i = 0; i < n; i++) {
        int length = Integer.parseInt(line(in, raw).substring(1));
        byte[] arg = in.readNBytes(length + 2);
        raw.write(arg);
        if (i == 0) {
          name = new String(arg, 0, length, StandardCharsets.UTF_8);
        }
      }
      return name;
    }

    /** Copies one reply into {@code raw}. */
    private static void readReply(InputStream in, ByteArrayOutputStream raw) throws IOException {
      String line = line(in, raw);
      if (line == null) {
        throw new IOException("closed");
      }
      switch (line.charAt(0)) {
        case '$' -> {
          int length = Integer.parseInt(line.substring(1));
          if (length >= 0) {
            raw.write(in.readNBytes(length + 2));
          }
        }
        case '*' -> {
          int n = Integer.parseInt(line.substring(1));
          for (int i = 0; i < n; i++) {
            readReply(in, raw);
          }
        }
        default -> { } // +, -, : are one line
      }
    }

    private static String line(InputStream in, ByteArrayOutputStream raw) throws IOException {
      StringBuilder s = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0) {
        raw.write(c);
        if (c == '\n') {
          return s.substring(0, s.length() - 1);
        }
        s.append((char) c);
      }
      return null;
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  @Test
  void stream_toATargetWithoutRingImportRaw_fallsBackToRingImport_andTheTargetHoldsEveryMovingKey() throws Exception {
    try (LaunchedCluster<NodeServer, Void> two = Nodes.standalone().nodes(2).maxMemory(256L << 20).start();
        RespTestClient s = RespTestClient.connect(two.node(0).port());
        RespTestClient t = RespTestClient.connect(two.node(1).port());
        OlderNodeRelay relay = new OlderNodeRelay(two.node(1).port())) {
      SecondNodeJoins.fill(s, KEYS, VALUE);
      SecondNodeJoins join = new SecondNodeJoins(two.node(0), two.node(1), KEYS);
      List<String> moving = join.moving;
      String timed = moving.get(0);
      long expireAt = System.currentTimeMillis() + 600_000;
      assertThat(s.call("PEXPIREAT", timed, Long.toString(expireAt))).isEqualTo(1L);
      // the source reaches the target through the relay
      String streaming = join.streaming("127.0.0.1:" + relay.port());
      assertThat(s.call("RING.SETTOPOLOGY", streaming)).isEqualTo(2L);
      assertThat(t.call("RING.SETTOPOLOGY", streaming)).isEqualTo(2L);

      assertThat(s.call("RING.STREAM", "h0")).isEqualTo((long) moving.size());
      assertThat(relay.refused.get()).as("RING.IMPORTRAW batches refused").isPositive();
      assertThat(relay.imports.get()).as("RING.IMPORT batches").isPositive();

      assertThat(s.call("RING.SETTOPOLOGY", join.done())).isEqualTo(3L);
      assertThat(t.call("RING.SETTOPOLOGY", join.done())).isEqualTo(3L);
      assertThat(join.missingAt(t, VALUE)).as("moving keys the target does not hold").isEmpty();
      // never later than at the source (Expiry rounds towards earlier), and not much earlier
      assertThat((Long) t.call("PEXPIRETIME", timed)).as("the absolute expiry, streamed").isBetween(expireAt - 5_000, expireAt);
    }
  }
}
