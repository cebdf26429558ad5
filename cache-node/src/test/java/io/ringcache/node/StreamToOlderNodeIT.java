package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.ring.Handoff;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.HashRange;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.RingDiff;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import io.ringcache.ring.Transfer;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
      NodeServer source = two.node(0);
      NodeServer target = two.node(1);
      StringBuilder sets = new StringBuilder();
      for (int i = 0; i < KEYS; i++) {
        sets.append("SET k").append(i).append(' ').append(VALUE).append("\r\n");
      }
      s.sendRaw(sets.toString()).flush();
      for (int i = 0; i < KEYS; i++) {
        assertThat(s.readReply()).isEqualTo("OK");
      }
      String sourceName = source.cluster().name();
      String targetName = target.cluster().name();
      List<NodeInfo> before = List.of(NodeInfo.of(sourceName, 1));
      List<NodeInfo> after = List.of(NodeInfo.of(sourceName, 1), NodeInfo.of(targetName, 1));
      List<Handoff> handoffs = new ArrayList<>();
      for (Map.Entry<Transfer, List<HashRange>> g : RingDiff.between(HashRing.of(before), HashRing.of(after)).groups().entrySet()) {
        handoffs.add(new Handoff("h" + handoffs.size(), g.getKey().from(), g.getKey().to(), g.getValue(), HandoffPhase.STREAMING));
      }
      List<String> moving = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        if (HashRing.of(after).ownerOf(("k" + i).getBytes(StandardCharsets.UTF_8)).equals(targetName)) {
          moving.add("k" + i);
        }
      }
      String timed = moving.get(0);
      long expireAt = System.currentTimeMillis() + 600_000;
      assertThat(s.call("PEXPIREAT", timed, Long.toString(expireAt))).isEqualTo(1L);
      // the source reaches the target through the relay
      List<NodeInfo> nodes = List.of(NodeInfo.of(sourceName, 1),
          new NodeInfo(targetName, "127.0.0.1:" + relay.port(), 1, NodeState.UP));
      Topology streaming = new Topology(2, nodes, handoffs);
      assertThat(s.call("RING.SETTOPOLOGY", TopologyJson.write(streaming))).isEqualTo(2L);
      assertThat(t.call("RING.SETTOPOLOGY", TopologyJson.write(streaming))).isEqualTo(2L);

      assertThat(s.call("RING.STREAM", "h0")).isEqualTo((long) moving.size());
      assertThat(relay.refused.get()).as("RING.IMPORTRAW batches refused").isPositive();
      assertThat(relay.imports.get()).as("RING.IMPORT batches").isPositive();

      Topology done = Topology.of(3, after);
      assertThat(s.call("RING.SETTOPOLOGY", TopologyJson.write(done))).isEqualTo(3L);
      assertThat(t.call("RING.SETTOPOLOGY", TopologyJson.write(done))).isEqualTo(3L);
      StringBuilder gets = new StringBuilder();
      for (String k : moving) {
        gets.append("GET ").append(k).append("\r\n");
      }
      t.sendRaw(gets.toString()).flush();
      List<String> missing = new ArrayList<>();
      for (String k : moving) {
        if (!VALUE.equals(t.readReply())) {
          missing.add(k);
        }
      }
      assertThat(missing).as("moving keys the target does not hold").isEmpty();
      // never later than at the source (Expiry rounds towards earlier), and not much earlier
      assertThat((Long) t.call("PEXPIRETIME", timed)).as("the absolute expiry, streamed").isBetween(expireAt - 5_000, expireAt);
    }
  }
}
