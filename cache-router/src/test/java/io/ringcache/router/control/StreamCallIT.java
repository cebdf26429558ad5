package io.ringcache.router.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The router's RING.STREAM call to a source that never answers (paused, or cut off): it waits for
 * as long as the stream takes, far past the control connection's timeout, and lets go of its
 * thread and its connection as soon as the coordinator gives up on the handoff (interrupts it).
 */
class StreamCallIT {

  @Test
  void stream_toASourceThatNeverAnswers_waitsPastTheTimeout_andEndsWhenInterrupted() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      NodePool pool = new NodePool(null, null, Duration.ofMillis(300), null);
      AtomicReference<Throwable> outcome = new AtomicReference<>();
      Thread caller = new Thread(() -> {
        try {
          pool.stream("127.0.0.1:" + silent.getLocalPort(), "h1");
          outcome.set(new AssertionError("the stream returned without a reply"));
        } catch (IOException | RuntimeException e) {
          outcome.set(e);
        }
      }, "stream-caller");
      caller.start();
      try (Socket accepted = silent.accept()) {
        caller.join(1_500); // five times the connection's timeout
        assertThat(caller.isAlive()).as("the stream call still waits for the source").isTrue();
        assertThat(outcome.get()).isNull();

        long interrupted = System.nanoTime();
        caller.interrupt();
        caller.join(5_000);
        assertThat(caller.isAlive()).as("the stream call ended after the interrupt").isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - interrupted)).isLessThan(Duration.ofSeconds(2));
        assertThat(outcome.get()).isInstanceOf(InterruptedIOException.class);

        InputStream in = accepted.getInputStream();
        byte[] request = in.readNBytes("*2\r\n$11\r\nRING.STREAM\r\n$2\r\nh1\r\n".length());
        assertThat(new String(request, StandardCharsets.US_ASCII)).contains("RING.STREAM");
        // the call went unanswered, so the router resets the connection (NodeClient#close): nothing
        // it sent on it can reach the source later
        assertThatThrownBy(in::read).as("the router reset the stream's connection")
            .isInstanceOf(java.net.SocketException.class).hasMessageContaining("reset");
      }
    }
  }
}
