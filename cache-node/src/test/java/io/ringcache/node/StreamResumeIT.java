package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A handoff's stream that breaks half-way resumes where it stopped: the connection from source to
 * target goes through a forwarder that cuts it after some bytes, then RING.STREAM is sent again (as
 * the router does), and the second connection carries only what was not acknowledged.
 */
class StreamResumeIT {

  // The source keeps up to 4 batches of 32 KiB unacknowledged; the stream must be long beside
  // that window, or a cut half-way can leave most of what was sent unacknowledged and resent.
  private static final int KEYS = 100_000;
  private static final String VALUE = "v".repeat(100);

  /** Forwards connections to a target; the first one is cut after {@code cutAfter} bytes upstream. */
  private static final class CuttingForwarder implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    final List<AtomicLong> upstreamBytes = new CopyOnWriteArrayList<>();
    final List<Socket> sockets = new CopyOnWriteArrayList<>();

    CuttingForwarder(int targetPort, long cutAfter) throws IOException {
      Thread accept = new Thread(() -> {
        try {
          while (true) {
            Socket client = server.accept();
            Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
            sockets.add(client);
            sockets.add(upstream);
            AtomicLong bytes = new AtomicLong();
            boolean cut = upstreamBytes.isEmpty();
            upstreamBytes.add(bytes);
            pump(client, upstream, bytes, cut ? cutAfter : Long.MAX_VALUE);
            pump(upstream, client, new AtomicLong(), Long.MAX_VALUE);
          }
        } catch (IOException closed) {
          // the forwarder is closed
        }
      }, "forwarder");
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void pump(Socket from, Socket to, AtomicLong bytes, long cutAfter) {
      Thread t = new Thread(() -> {
        byte[] buf = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
          int n;
          while ((n = in.read(buf)) > 0) {
            int allowed = (int) Math.min(n, cutAfter - bytes.get());
            if (allowed > 0) {
              out.write(buf, 0, allowed);
              bytes.addAndGet(allowed);
            }
            if (bytes.get() >= cutAfter) {
              from.close(); // a reset mid-stream
              to.close();
              return;
            }
          }
        } catch (IOException e) {
          // either side closed
        } finally {
          closeQuietly(from);
          closeQuietly(to);
        }
      }, "pump");
      t.setDaemon(true);
      t.start();
    }

    private static void closeQuietly(Socket s) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : sockets) {
        closeQuietly(s);
      }
    }
  }

  @Test
  void stream_cutHalfWay_resumesWhereItStopped_andTheTargetHoldsEveryMovingKey() throws Exception {
    try (LaunchedCluster<NodeServer, Void> pair = Nodes.standalone().nodes(2).maxMemory(256L << 20).start();
        RespTestClient s = pair.connectToNode(0);
        RespTestClient t = pair.connectToNode(1)) {
      NodeServer target = pair.node(1);
      SecondNodeJoins.fill(s, KEYS, VALUE);
      SecondNodeJoins join = new SecondNodeJoins(pair.node(0), target, KEYS);
      List<String> moving = join.moving;
      long streamBytes = moving.size() * (long) (VALUE.length() + 40);

      try (CuttingForwarder forwarder = new CuttingForwarder(target.port(), streamBytes / 2)) {
        // the source reaches the target through the forwarder
        String streaming = join.streaming("127.0.0.1:" + forwarder.port());
        assertThat(s.call("RING.SETTOPOLOGY", streaming)).isEqualTo(2L);
        assertThat(t.call("RING.SETTOPOLOGY", streaming)).isEqualTo(2L);

        Object first = s.call("RING.STREAM", "h0");
        assertThat(first).as("the first stream, cut half-way").isInstanceOf(RespTestClient.Error.class);
        Object second = s.call("RING.STREAM", "h0");
        assertThat(second).as("the stream sent again").isEqualTo((long) moving.size());

        assertThat(forwarder.upstreamBytes).hasSize(2);
        long resent = forwarder.upstreamBytes.get(1).get();
        // without resuming, the second connection would carry the whole stream again
        assertThat(resent).as("bytes of the resumed stream (a whole one is about %d)", streamBytes)
            .isLessThan(streamBytes * 3 / 4);
      }

      assertThat(s.call("RING.SETTOPOLOGY", join.done())).isEqualTo(3L);
      assertThat(t.call("RING.SETTOPOLOGY", join.done())).isEqualTo(3L);
      assertThat(join.missingAt(t, VALUE)).as("moving keys the target does not hold").isEmpty();
    }
  }
}
