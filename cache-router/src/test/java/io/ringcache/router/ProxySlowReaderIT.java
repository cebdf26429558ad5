package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** A client that pipelines without reading does not make the proxy buffer without bound, nor slow others. */
class ProxySlowReaderIT {

  @TempDir Path dir;
  private TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = new TestCluster(dir, 3);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void clientThatNeverReads_isHeldBack_andOtherClientsStayFast() throws Exception {
    byte[] value = "v".repeat(1024).getBytes(StandardCharsets.US_ASCII);
    try (Jedis other = new Jedis("127.0.0.1", cluster.router.port(), 5_000)) {
      other.set("big".getBytes(StandardCharsets.US_ASCII), value);
    }
    byte[] get = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".getBytes(StandardCharsets.US_ASCII);
    long heapBefore = usedHeap();
    AtomicLong sent = new AtomicLong();
    try (Socket slow = new Socket()) {
      slow.setReceiveBufferSize(64 * 1024);
      slow.connect(new InetSocketAddress("127.0.0.1", cluster.router.port()));
      slow.setSoTimeout(1_000);
      OutputStream out = slow.getOutputStream();
      Thread writer = new Thread(() -> {
        byte[] batch = new byte[get.length * 1000];
        for (int i = 0; i < 1000; i++) {
          System.arraycopy(get, 0, batch, i * get.length, get.length);
        }
        try {
          for (int i = 0; i < 1000; i++) { // up to 1,000,000 GETs of 1 KiB, never reading a reply
            out.write(batch);
            sent.addAndGet(1000);
          }
        } catch (Exception blocked) {
          // the socket is closed at the end of the test while this write is blocked: expected
        }
      }, "slow-reader-writer");
      writer.setDaemon(true);
      writer.start();

      // the writer blocks once the proxy stops reading it: far fewer than 1,000,000 requests go out
      TestCluster.await(() -> sent.get() >= 10_000, Duration.ofSeconds(20), "the slow client to send 10,000 GETs");
      long plateau = waitForPlateau(sent);
      assertThat(plateau).isLessThan(1_000_000);

      try (Jedis other = new Jedis("127.0.0.1", cluster.router.port(), 5_000)) {
        for (int i = 0; i < 100; i++) {
          long t0 = System.nanoTime();
          assertThat(other.get("big".getBytes(StandardCharsets.US_ASCII))).isEqualTo(value);
          assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));
        }
      }
      System.gc();
      // what the proxy holds for the stalled client is bounded by its backpressure, not by what was sent
      assertThat(usedHeap() - heapBefore).isLessThan(256L << 20);
    }
  }

  /** Waits until the count stops growing for a second (the writer is blocked), returns it. */
  private static long waitForPlateau(AtomicLong count) {
    long[] last = {-1};
    long[] since = {System.nanoTime()};
    TestCluster.await(() -> {
      long now = count.get();
      if (now != last[0]) {
        last[0] = now;
        since[0] = System.nanoTime();
        return false;
      }
      return System.nanoTime() - since[0] > 1_000_000_000L;
    }, Duration.ofSeconds(30), "the slow client's writes to stall");
    return last[0];
  }

  private static long usedHeap() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
