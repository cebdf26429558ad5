package io.ringcache.router.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/*
 * A command the router gave up on must never reach the node later. On a connection that went
 * silent (a partition: every packet dropped, no reset) a normal close leaves the kernel
 * retransmitting the unacknowledged command, which then reaches the node as soon as the partition
 * heals: a RING.FLUSH of a join that failed on its timeout would wipe the node that a retried join
 * had filled since. The partition is an iptables DROP rule on the connection's exact pair of
 * loopback ports (needs root and iptables, which .ci/run installs); the "node" is a plain socket
 * that records every byte it receives.
 */
class AbandonedCallIT {

  @Test
  void aCommandTimedOutOnASilentConnection_neverReachesTheNodeOnceThePartitionHeals() throws Exception {
    try (ServerSocket node = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      int port = node.getLocalPort();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      Thread reader = new Thread(() -> {
        try (Socket s = node.accept(); InputStream in = s.getInputStream()) {
          byte[] buf = new byte[1024];
          for (int n; (n = in.read(buf)) > 0; ) {
            synchronized (received) {
              received.write(buf, 0, n);
            }
          }
        } catch (IOException e) {
          // reset by the abortive close: what the fix does
        }
      }, "node-reader");
      reader.setDaemon(true);
      reader.start();

      NodeClient client = NodeClient.connect("127.0.0.1:" + port, null, null, Duration.ofMillis(500), null);
      int local = client.localPort();
      List<List<String>> rules = List.of(rule(local, port), rule(port, local));
      try {
        for (List<String> r : rules) {
          iptables("-I", r);
        }
        client.write("RING.FLUSH", "10.0.0.1:7001");
        client.flush();
        assertThatThrownBy(client::read).isInstanceOf(SocketTimeoutException.class);
        client.close(); // as NodePool closes a connection whose call failed; the partition outlasts it
      } finally {
        for (List<String> r : rules) {
          iptables("-D", r);
        }
      }
      // healed: TCP retransmits at growing intervals (200 ms, 400 ms, 800 ms, ... from the write);
      // a command still queued would arrive within a few seconds. The reader blocks on the silent
      // connection all along (the reset was dropped too): watch it for 4 s
      reader.join(TimeUnit.SECONDS.toMillis(4));
      synchronized (received) {
        assertThat(received.toString(StandardCharsets.UTF_8)).as("bytes the node received after the heal").isEmpty();
      }
    }
  }

  private static List<String> rule(int sourcePort, int destinationPort) {
    return List.of("INPUT", "-p", "tcp", "-s", "127.0.0.1", "--sport", Integer.toString(sourcePort), "--dport",
        Integer.toString(destinationPort), "-j", "DROP");
  }

  private static void iptables(String action, List<String> rule) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("iptables", "-w", action));
    command.addAll(rule);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("iptables " + action + " " + rule + " failed (needs root and iptables): " + out);
    }
  }
}
