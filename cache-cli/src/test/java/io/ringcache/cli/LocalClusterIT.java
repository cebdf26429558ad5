package io.ringcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Runs {@code bin/cachectl cluster up/status/down} from the built tree, as a user would: real
 * processes on loopback ports, a temporary run directory.
 */
class LocalClusterIT {

  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
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
      assertThat(up.exit).as(up.out + up.err).isZero();
      assertThat(up.out).contains("http://127.0.0.1:" + (base + 70), "127.0.0.1:" + (base + 1), "127.0.0.1:" + (base + 3));
      assertThat(pids).hasSize(4).allMatch(LocalClusterIT::alive);

      Topology topology = TopologyJson.read(httpGet(base + 70, "/topology"));
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
      assertThat(status.exit).as(status.out + status.err).isZero();
      assertThat(status.out.split("running", -1)).hasSize(5); // router and 3 nodes

      Result down = cachectl(COMMAND_TIMEOUT, "cluster", "down", "--dir", dir);
      assertThat(down.exit).as(down.out + down.err).isZero();
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
  void clusterUp_portInUse_namesThePortAndStartsNothing() throws Exception {
    int base = freePortBase();
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", base + 2));
      Result up = cachectl(UP_TIMEOUT, "cluster", "up", "--nodes", "3", "--port-base", base, "--dir", dir);
      assertThat(up.exit).isEqualTo(1);
      assertThat(up.err).contains("port " + (base + 2) + " (node 127.0.0.1:" + (base + 2) + ")");
      assertThat(pidsIn(dir)).isEmpty();
      assertThat(listening(base + 1)).isFalse();
      assertThat(listening(base + 70)).isFalse();
    }
  }

  /** A base B with B, B+1..B+3 and B+70 free on loopback. */
  private static int freePortBase() {
    int start = 20_000 + 100 * ThreadLocalRandom.current().nextInt(300);
    for (int attempt = 0; attempt < 300; attempt++) {
      int base = 20_000 + (start - 20_000 + 100 * attempt) % 30_000;
      if (Stream.of(0, 1, 2, 3, 70).allMatch(offset -> free(base + offset))) {
        return base;
      }
    }
    throw new AssertionError("no free port base found");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean listening(int port) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static List<Long> pidsIn(Path dir) throws IOException {
    List<Long> pids = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return pids;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".pid")).toList()) {
        pids.add(Long.parseLong(Files.readString(f).trim()));
      }
    }
    return pids;
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(LocalProcesses::isAlive).orElse(false);
  }

  /** Waits for the process to end; false if it is still alive at the deadline. */
  private static boolean awaitDead(long pid, Duration timeout) throws InterruptedException {
    java.util.Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty()) {
      return true;
    }
    try {
      handle.get().onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // still running at the deadline (or not observable): decided below
    }
    return !alive(pid);
  }

  private static String httpGet(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  private static Jedis jedis(String address) {
    int colon = address.lastIndexOf(':');
    return new Jedis(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)), 10_000);
  }

  /** Runs bin/cachectl with its output in files (no pipe can fill up), bounded by {@code timeout}. */
  private Result cachectl(Duration timeout, Object... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ROOT.resolve("bin/cachectl").toString());
    for (Object a : args) {
      command.add(a.toString());
    }
    Path out = Files.createTempFile("cachectl", ".out");
    Path err = Files.createTempFile("cachectl", ".err");
    try {
      Process process = new ProcessBuilder(command)
          .directory(ROOT.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("cachectl " + String.join(" ", command) + " did not finish within " + timeout
            + "; stderr: " + Files.readString(err));
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private record Result(int exit, String out, String err) {}
}
