package io.ringcache.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.ringcache.testkit.core.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A peer connection whose peer goes silent (a black hole: the peer's socket is open, nothing comes
 * back) is failed after the reply timeout, so that the next use dials afresh; a peer that answers
 * slowly but keeps answering, or sends a reply slowly, is not. Real sockets on loopback; the peer is a plain server socket
 * that reads commands and answers them as the test says.
 */
class PeerClientTest {

  private static final long TIMEOUT_MILLIS = 400;

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @Test
  void aPeerThatNeverAnswers_failsEveryWaitingCommand_andTheConnectionIsNoLongerUsable() throws Exception {
    ServerSocket server = server();
    daemon(() -> serve(server, -1)); // reads, never answers
    PeerClient client = connect(server);

    long start = System.nanoTime();
    CompletableFuture<Object> first = client.call("PING");
    CompletableFuture<Object> second = client.call("PING");
    assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseInstanceOf(IOException.class)
        .rootCause().hasMessageContaining("no reply from").hasMessageContaining("for 400 ms");
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(waited).as("ms until the silent connection failed").isBetween(TIMEOUT_MILLIS, 5 * TIMEOUT_MILLIS);
    assertThat(second).isCompletedExceptionally();
    assertThat(client.isUsable()).isFalse();
  }

  @Test
  void aPeerThatAnswersSlowlyButSteadily_isKept() throws Exception {
    ServerSocket server = server();
    daemon(() -> serve(server, TIMEOUT_MILLIS / 2)); // each reply half the timeout late
    PeerClient client = connect(server);

    // eight commands waiting at once: the last is answered four timeouts after it was sent, but a
    // reply came every half timeout meanwhile
    List<CompletableFuture<Object>> replies = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      replies.add(client.call("PING"));
    }
    for (CompletableFuture<Object> reply : replies) {
      assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("PONG");
    }
    // idle, with nothing waiting, for three timeouts: usable all along, and after
    Await.holdsFor(client::isUsable, java.time.Duration.ofMillis(3 * TIMEOUT_MILLIS), "an idle peer connection usable");
    assertThat(client.call("PING").get(10, TimeUnit.SECONDS)).isEqualTo("PONG");
  }

  private static void daemon(Runnable peer) {
    Thread t = new Thread(peer, "peer");
    t.setDaemon(true);
    t.start();
  }

  @Test
  void aReplyThatArrivesSlowerThanTheTimeout_byteByByte_isWaitedFor() throws Exception {
    ServerSocket server = server();
    daemon(() -> {
      try (Socket s = server.accept()) {
        s.getInputStream().readNBytes(14);
        for (byte b : "+PONG\r\n".getBytes(StandardCharsets.US_ASCII)) { // 7 bytes over 7/8 of a second
          Thread.sleep(TIMEOUT_MILLIS / 3);
          s.getOutputStream().write(b);
          s.getOutputStream().flush();
        }
        s.getInputStream().read(); // until the test closes the connection
      } catch (IOException | InterruptedException e) {
        // closed
      }
    });
    PeerClient client = connect(server);
    assertThat(client.call("PING").get(10, TimeUnit.SECONDS)).isEqualTo("PONG");
    assertThat(client.isUsable()).isTrue();
  }

  private ServerSocket server() throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closing.add(server);
    return server;
  }

  private PeerClient connect(ServerSocket server) throws Exception {
    PeerClient client = PeerClient.connect(group, NioSocketChannel.class, "127.0.0.1:" + server.getLocalPort(),
        null, null, null, 2_000, TIMEOUT_MILLIS).get(10, TimeUnit.SECONDS);
    closing.add(client::close);
    return client;
  }

  /**
   * Accepts one connection and answers each PING (a RESP array of one bulk string, 14 bytes) with
   * +PONG after {@code delayMillis}; never answers when it is negative.
   */
  private static void serve(ServerSocket server, long delayMillis) {
    try (Socket s = server.accept()) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      byte[] command = new byte[14]; // *1\r\n$4\r\nPING\r\n
      while (in.readNBytes(command, 0, command.length) == command.length) {
        if (delayMillis < 0) {
          continue;
        }
        Thread.sleep(delayMillis);
        out.write("+PONG\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // the test closed the connection
    }
  }
}
