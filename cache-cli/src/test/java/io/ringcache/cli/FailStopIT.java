package io.ringcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.testkit.core.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** The launchers make a process that runs out of memory exit, for its supervisor to restart it. */
class FailStopIT {

  @TempDir Path dir;

  @Test
  void cacheNodeLauncher_heapExhausted_exitsWithStatus3InsteadOfLingering() throws Exception {
    int port = ProcessFixtures.freePortBase();
    Path log = dir.resolve("node.log");
    // a store bound far above a small heap: SETs exhaust the heap (what a mis-sized node would do)
    ProcessBuilder builder = new ProcessBuilder(ProcessFixtures.ROOT.resolve("bin/cache-node").toString(),
        "--port", Integer.toString(port), "--store", "caffeine", "--max-memory", "1g", "--threads", "1")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("CACHE_NODE_JAVA_OPTS", "-Xmx64m -XX:+UseSerialGC");
    Process node = builder.start();
    try {
      Await.until(() -> {
        assertThat(node.isAlive()).as("node started; log: %s", read(log)).isTrue();
        return ProcessFixtures.listening(port);
      }, Duration.ofSeconds(60), Duration.ofMillis(100), "node listening"); // while the JVM starts
      byte[] value = new byte[1 << 20];
      try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
        for (int i = 0; i < 200 && node.isAlive(); i++) {
          jedis.set(("k" + i).getBytes(), value);
        }
      } catch (RuntimeException e) {
        // the connection dies with the process: expected
      }
      assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("node exited; log: %s", read(log)).isTrue();
      assertThat(node.exitValue()).isEqualTo(3);
      assertThat(read(log)).contains("Terminating due to java.lang.OutOfMemoryError");
    } finally {
      node.destroyForcibly();
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (java.io.IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
