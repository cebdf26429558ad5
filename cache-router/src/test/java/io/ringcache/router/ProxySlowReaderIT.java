package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.testkit.core.Await;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A client that pipelines without reading does not make the proxy buffer without bound, nor slow
 * others; it is closed after proxy-output-stall-timeout, or at once when its replies exceed
 * proxy-max-output-buffer.
 */
class ProxySlowReaderIT {

  private static final byte[] GET_BIG = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".getBytes(StandardCharsets.US_ASCII);

  private TestCluster cluster;

  private void start(String... routerArgs) throws Exception {
    cluster = new TestCluster(3, null, routerArgs);
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void clientThatNeverReads_isHeldBack_andOtherClientsStayFast() throws Exception {
    start(); // the default stall timeout, 60 s, is longer than this test
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
      Await.until(() -> sent.get() >= 10_000, Duration.ofSeconds(20), "the slow client to send 10,000 GETs");
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
      try (Jedis other = new Jedis("127.0.0.1", cluster.router.port(), 5_000)) {
        assertThat(other.info()).contains("proxy_output_stall_closes:0");
      }
    }
  }

  @Test
  void clientThatNeverReads_isClosedAfterStallTimeout_andOtherClientsStayFast() throws Exception {
    start("--proxy-output-stall-timeout", "1");
    byte[] value = "v".repeat(1024).getBytes(StandardCharsets.US_ASCII);
    try (Jedis other = new Jedis("127.0.0.1", cluster.router.port(), 5_000);
        Socket slow = new Socket()) {
      other.set("big".getBytes(StandardCharsets.US_ASCII), value);
      long heapBefore = usedHeap();
      slow.setReceiveBufferSize(4096); // before connecting, so that the window stays small
      slow.connect(new InetSocketAddress("127.0.0.1", cluster.router.port()));
      AtomicReference<Exception> failure = new AtomicReference<>();
      long started = System.nanoTime();
      Thread writer = new Thread(() -> {
        byte[] batch = batchOf(GET_BIG, 1000);
        try {
          OutputStream out = slow.getOutputStream();
          while (true) { // GETs of 1 KiB without end, never reading a reply
            out.write(batch);
          }
        } catch (Exception e) {
          failure.set(e); // the proxy reset the connection (or the test closed the socket)
        }
      }, "stalled-writer");
      writer.setDaemon(true);
      writer.start();

      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (writer.isAlive() && System.nanoTime() < deadline) {
        long t0 = System.nanoTime();
        assertThat(other.get("big".getBytes(StandardCharsets.US_ASCII))).isEqualTo(value);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));
        LockSupport.parkNanos(20_000_000); // pace of the other client's requests
      }
      long closedAfterMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
      assertThat(writer.isAlive()).as("the stalled client's writes fail: the proxy closed it").isFalse();
      assertThat(failure.get()).isNotNull();
      assertThat(closedAfterMillis).isBetween(1_000L, 10_000L);
      slow.setSoTimeout(5_000);
      assertThat(endOfStream(slow)).as("bytes read before the end of stream or reset").isNotNegative();

      assertThat(other.info()).contains("proxy_output_stall_closes:1", "proxy_output_buffer_limit_closes:0");
      for (int i = 0; i < 100; i++) {
        long t0 = System.nanoTime();
        assertThat(other.get("big".getBytes(StandardCharsets.US_ASCII))).isEqualTo(value);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));
      }
      assertThat(usedHeap() - heapBefore).isLessThan(256L << 20);
    }
  }

  @Test
  void repliesAboveMaxOutputBuffer_closeTheClientThatDoesNotRead_only() throws Exception {
    // no stall timeout: only the byte limit can close the client
    start("--proxy-max-output-buffer", "2m", "--proxy-output-stall-timeout", "0");
    int keys = 500;
    String value = "v".repeat(1024);
    StringBuilder mget = new StringBuilder("*" + (keys + 1) + "\r\n$4\r\nMGET\r\n");
    try (Jedis other = new Jedis("127.0.0.1", cluster.router.port(), 5_000);
        Socket greedy = new Socket()) {
      String[] names = new String[keys];
      String[] keysAndValues = new String[keys * 2];
      for (int i = 0; i < keys; i++) {
        names[i] = "key-" + i;
        keysAndValues[2 * i] = names[i];
        keysAndValues[2 * i + 1] = value;
        mget.append('$').append(names[i].length()).append("\r\n").append(names[i]).append("\r\n");
      }
      other.mset(keysAndValues);
      // one MGET's reply (about 0.5 MiB) is within the limit for a client that reads it
      assertThat(other.mget(names)).hasSize(keys).containsOnly(value);

      // 100 such MGETs, sent at once and never read: the replies of those already sent to the
      // nodes keep arriving after the proxy stops reading, and pass 2 MiB
      greedy.setReceiveBufferSize(4096);
      greedy.connect(new InetSocketAddress("127.0.0.1", cluster.router.port()));
      greedy.getOutputStream().write(batchOf(mget.toString().getBytes(StandardCharsets.US_ASCII), 100));
      greedy.getOutputStream().flush();

      Await.until(() -> other.info().contains("proxy_output_buffer_limit_closes:1"), Duration.ofSeconds(15),
          "the proxy to close the client over its max-output-buffer");
      greedy.setSoTimeout(5_000);
      assertThat(endOfStream(greedy)).as("bytes read before the end of stream or reset")
          .isBetween(0L, 100L * keys * 1024);
      assertThat(other.info()).contains("proxy_output_stall_closes:0");
      assertThat(other.get("key-0")).isEqualTo(value);
    }
  }

  private static byte[] batchOf(byte[] request, int times) {
    byte[] batch = new byte[request.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(request, 0, batch, i * request.length, request.length);
    }
    return batch;
  }

  /**
   * Reads what is left on the socket until the end of the stream or a reset and returns how many
   * bytes that was; -1 if the stream was still open after the socket's read timeout.
   */
  private static long endOfStream(Socket socket) {
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    try {
      InputStream in = socket.getInputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        total += n; // replies that reached the socket before the proxy closed it
      }
      return total;
    } catch (java.net.SocketTimeoutException e) {
      return -1;
    } catch (java.io.IOException e) {
      return total; // reset
    }
  }

  /** Waits until the count stops growing for a second (the writer is blocked), returns it. */
  private static long waitForPlateau(AtomicLong count) {
    long[] last = {-1};
    long[] since = {System.nanoTime()};
    Await.until(() -> {
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
