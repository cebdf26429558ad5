package io.ringcache.cli;

import static io.ringcache.cli.ProcessFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;


import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Runs {@code bin/cachectl cluster up/status/down} from the built tree, as a user would: real
 * processes on loopback ports, a temporary run directory.
 */
class LocalClusterIT {


  /** Covers building the node and router jars if this tree has none (a fresh clone), then startup. */
  private static final Duration UP_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void clusterUp_threeNodes_servesKeysAtTheirOwnersAndDownStopsEveryProcess() throws Exception {
    int base = freePortBase();
    Set<Long> pids = new LinkedHashSet<>();
    try {
      Result up = cachectl(UP_TIMEOUT, "cluster", "up", "--nodes", "3", "--port-base", base, "--dir", dir);
      pids.addAll(pidsIn(dir));
      assertThat(up.exit()).as(up.out() + up.err()).isZero();
      assertThat(up.out()).contains("http://127.0.0.1:" + (base + 70), "127.0.0.1:" + (base + 1), "127.0.0.1:" + (base + 3));
      assertThat(pids).hasSize(4).allMatch(ProcessFixtures::alive);

      // secure by default: an admin token and a cluster secret, owner-only, never on a command line
      for (String secretFile : List.of("admin-token", "cluster-secret")) {
        assertThat(java.nio.file.Files.getPosixFilePermissions(dir.resolve(secretFile))).as(secretFile)
            .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
      }
      String token = adminToken(dir);
      String secret = java.nio.file.Files.readString(dir.resolve("cluster-secret")).strip();
      assertThat(token).hasSize(64).isNotEqualTo(secret);
      for (long pid : pids) {
        String cmdline = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/cmdline"));
        assertThat(cmdline).as("command line of pid " + pid).doesNotContain(token).doesNotContain(secret);
        // the launchers raise the JVM's first metaspace threshold: at the default (21 MB) a node's
        // first join forced a collection that paused every source for up to a second
        // (docs/benchmarks.md, "A join's long GET stalls")
        assertThat(cmdline).as("command line of pid " + pid).contains("-XX:MetaspaceSize=64m");
      }
      assertThat(httpGetResponse(base + 70, "/topology", null).statusCode()).isEqualTo(401);
      try (Jedis node = jedis("127.0.0.1:" + (base + 1))) {
        assertRingFlushRefused(node);
      }

      Topology topology = TopologyJson.read(httpGet(base + 70, "/topology", token));
      RoutingTable table = RoutingTable.of(topology);
      assertThat(table.ring().nodeNames())
          .containsExactlyInAnyOrder("127.0.0.1:" + (base + 1), "127.0.0.1:" + (base + 2), "127.0.0.1:" + (base + 3));
      Map<String, List<String>> keysByNode = new HashMap<>();
      for (int i = 0; i < 300; i++) {
        String key = "user:" + i;
        keysByNode.computeIfAbsent(table.serverOf(key.getBytes(StandardCharsets.UTF_8)), n -> new ArrayList<>()).add(key);
      }
      assertThat(keysByNode).hasSize(3);
      for (Map.Entry<String, List<String>> e : keysByNode.entrySet()) {
        try (Jedis jedis = jedis(table.addressOf(e.getKey()))) {
          for (String key : e.getValue()) {
            assertThat(jedis.set(key, "value-of-" + key)).isEqualTo("OK");
          }
        }
      }
      for (Map.Entry<String, List<String>> e : keysByNode.entrySet()) {
        try (Jedis jedis = jedis(table.addressOf(e.getKey()))) {
          for (String key : e.getValue()) {
            assertThat(jedis.get(key)).as(key + " at its owner " + e.getKey()).isEqualTo("value-of-" + key);
          }
          assertThat(jedis.dbSize()).as("keys at " + e.getKey()).isEqualTo(e.getValue().size());
        }
      }

      Result status = cachectl(COMMAND_TIMEOUT, "cluster", "status", "--dir", dir);
      assertThat(status.exit()).as(status.out() + status.err()).isZero();
      assertThat(status.out().split("running", -1)).hasSize(5); // router and 3 nodes
      assertThat(status.out()).contains("The router's view:").doesNotContain("unavailable");

      // cachectl status with no flags finds the router and its token through the run directory
      Result plain = cachectl(Map.of("CACHE_RUN_DIR", dir.toString()), COMMAND_TIMEOUT, "status");
      assertThat(plain.exit()).as(plain.out() + plain.err()).isZero();
      assertThat(plain.out()).contains("127.0.0.1:" + (base + 1), "127.0.0.1:" + (base + 3));

      Result down = cachectl(COMMAND_TIMEOUT, "cluster", "down", "--dir", dir);
      assertThat(down.exit()).as(down.out() + down.err()).isZero();
      for (long pid : pids) {
        assertThat(awaitDead(pid, Duration.ofSeconds(10))).as("pid " + pid + " stopped").isTrue();
      }
      assertThat(pidsIn(dir)).isEmpty();
    } finally {
      pids.addAll(pidsIn(dir));
      for (long pid : pids) { // a failed assertion must not leave processes behind
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  @Test
  void clusterUpTls_everyRespPortSpeaksTls_withTheCertificateInTheRunDirectory() throws Exception {
    Path cli = Path.of("/usr/bin/redis-cli");
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(cli),
        "redis-cli is not installed (.ci/run installs redis-tools)");
    int base = freePortBase();
    Set<Long> pids = new LinkedHashSet<>();
    try {
      Result up = cachectl(UP_TIMEOUT, "cluster", "up", "--tls", "--nodes", "2", "--port-base", base, "--dir", dir);
      pids.addAll(pidsIn(dir));
      assertThat(up.exit()).as(up.out() + up.err()).isZero();
      assertThat(up.out()).contains("(RESP, TLS, any key)", "redis-cli --tls --cacert");
      Path pem = dir.resolve("tls/cluster.pem");
      assertThat(java.nio.file.Files.getPosixFilePermissions(dir.resolve("tls/keystore-password")))
          .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
              java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

      // through the router's proxy port, and straight to a node: TLS clients are served
      for (int port : List.of(base, base + 1)) {
        Process p = new ProcessBuilder(cli.toString(), "--tls", "--cacert", pem.toString(), "-p", Integer.toString(port))
            .redirectErrorStream(true).start();
        p.getOutputStream().write("SET tls:key over-tls\nGET tls:key\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        if (port == base) {
          assertThat(out.lines()).containsExactly("OK", "over-tls");
        } else {
          assertThat(out).satisfiesAnyOf(o -> assertThat(o.lines()).containsExactly("OK", "over-tls"),
              o -> assertThat(o).contains("MOVED")); // the key may live on the other node
        }
      }
      for (int port : List.of(base, base + 1, base + 2)) {
        assertThat(io.ringcache.testkit.core.TestCertificates.plaintextPing(port)).as("plaintext on " + port).doesNotContain("PONG");
      }
      Result get = cachectl(Map.of("CACHE_RUN_DIR", dir.toString()), COMMAND_TIMEOUT,
          "--router", "127.0.0.1:" + (base + 70), "get", "--tls-ca-cert", pem, "tls:key");
      assertThat(get.exit()).as(get.out() + get.err()).isZero();
      assertThat(get.out().strip()).isEqualTo("over-tls");

      Result down = cachectl(COMMAND_TIMEOUT, "cluster", "down", "--dir", dir);
      assertThat(down.exit()).as(down.out() + down.err()).isZero();
    } finally {
      pids.addAll(pidsIn(dir));
      for (long pid : pids) { // a failed assertion must not leave processes behind
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  /** A user-password client (here: none) cannot run the cluster's internal commands on a node of cluster up. */
  private static void assertRingFlushRefused(Jedis node) {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> node.sendCommand(() -> "RING.FLUSH".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("NOPERM this user has no permissions to run the 'ring.flush' command");
  }

  @Test
  void clusterUp_portInUse_namesThePortAndStartsNothing() throws Exception {
    int base = freePortBase();
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", base + 2));
      Result up = cachectl(UP_TIMEOUT, "cluster", "up", "--nodes", "3", "--port-base", base, "--dir", dir);
      assertThat(up.exit()).isEqualTo(1);
      assertThat(up.err()).contains("port " + (base + 2) + " (node 127.0.0.1:" + (base + 2) + ")");
      assertThat(pidsIn(dir)).isEmpty();
      assertThat(listening(base + 1)).isFalse();
      assertThat(listening(base + 70)).isFalse();
    }
  }

}
