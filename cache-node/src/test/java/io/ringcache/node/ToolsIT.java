package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringcache.node.store.Key;
import io.ringcache.ring.Crc32;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import io.ringcache.testkit.core.LaunchedCluster;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** redis-cli and redis-benchmark against a node, unchanged (Debian package redis-tools). */
class ToolsIT {

  private static LaunchedCluster<NodeServer, Void> nodes;
  private static NodeServer node;

  @BeforeAll
  static void start() {
    assumeTrue(new File("/usr/bin/redis-cli").canExecute(), "redis-cli is not installed (Debian package redis-tools)");
    nodes = Nodes.standalone().start();
    node = nodes.node(0);
  }

  @AfterAll
  static void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  private static String run(String stdin, String... command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    Process p = pb.start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private static String cli(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(node.port())));
    cmd.addAll(List.of(args));
    return run(null, cmd.toArray(String[]::new));
  }

  @Test
  void redisCli_commands_work() throws Exception {
    assertThat(cli("SET", "cli", "hello world").trim()).isEqualTo("OK");
    assertThat(cli("GET", "cli").trim()).isEqualTo("hello world");
    assertThat(cli("INCR", "cli:n").trim()).isEqualTo("1");
    assertThat(cli("DBSIZE").trim()).isNotEmpty();
    assertThat(cli("INFO", "keyspace")).contains("db0:keys=");
  }

  @Test
  void redisCli_readingCommandsFromStdin_works() throws Exception {
    String out = run("PING\nSET s 1\nGET s\nCOMMAND COUNT\n", "redis-cli", "-p", String.valueOf(node.port()));
    assertThat(out).contains("PONG", "OK", "1");
  }

  @Test
  void redisCliPipe_massInsert_hasNoErrors() throws Exception {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      String k = "pipe:" + i;
      s.append("*3\r\n$3\r\nSET\r\n$").append(k.length()).append("\r\n").append(k).append("\r\n$2\r\nvv\r\n");
    }
    String out = run(s.toString(), "redis-cli", "-p", String.valueOf(node.port()), "--pipe");
    assertThat(out).contains("errors: 0, replies: 10000");
  }

  @Test
  void redisBenchmark_defaultTestsOnOurCommands_complete() throws Exception {
    assumeTrue(new File("/usr/bin/redis-benchmark").canExecute(), "redis-benchmark is not installed");
    String out =
        run(null, "redis-benchmark", "-h", "127.0.0.1", "-p", String.valueOf(node.port()), "-n", "2000", "-c", "10", "-r", "1000",
            "-t", "ping,set,get,incr,mset", "-q");
    assertThat(out).contains("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET").doesNotContain("ERR");
  }

  @Test
  void redisCliCluster_followsMoved() throws Exception {
    try (LaunchedCluster<NodeServer, Void> two = Nodes.standalone().nodes(2).start()) {
      NodeServer first = two.node(0);
      NodeServer second = two.node(1);
      Topology t = Topology.of(1, List.of(NodeInfo.of(first.cluster().name(), 1), NodeInfo.of(second.cluster().name(), 1)));
      first.cluster().adopt(t);
      second.cluster().adopt(t);
      HashRing ring = t.ring();
      String key = null;
      for (int i = 0; key == null; i++) {
        if (ring.ownerOfHash(Crc32.hash(("moved" + i).getBytes(StandardCharsets.UTF_8))).equals(second.cluster().name())) {
          key = "moved" + i;
        }
      }
      String out = run(null, "redis-cli", "-c", "-h", "127.0.0.1", "-p", String.valueOf(first.port()), "SET", key, "followed");
      assertThat(out.trim()).isEqualTo("OK");
      byte[] stored = second.store().get(Key.of(key.getBytes(StandardCharsets.UTF_8)));
      assertThat(new String(stored, StandardCharsets.UTF_8)).isEqualTo("followed");
      assertThat(first.store().size()).isZero();
    }
  }
}
