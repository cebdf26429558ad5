package io.ringcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;

/**
 * Helpers for tests that run the launchers in bin/ as real processes on loopback ports.
 *
 * <p>Kept beside the testkit on purpose: the testkit runs servers inside the test's JVM, and these
 * tests need separate processes, started as a user starts them, that can be {@code kill -9}ed and
 * {@code SIGSTOP}ped; in-process tests use the testkit's {@code EmbeddedCluster}.
 */
final class ProcessFixtures {

  static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  private ProcessFixtures() {}

  /**
   * A base B with B, B+1..B+4 and B+70 free on loopback, B from 10000 to 29900: below the kernel's
   * ephemeral ports (32768 up), so that no process's outgoing connection or port-0 listener (other
   * tests' servers, the node of tools/redis-suite.sh) takes one of them between this check and the
   * bind, and below the bases of tools/redis-suite.sh --proxy (30000 up), which .ci/run starts beside
   * these tests. (ChaosIT's joiner, started a minute after this check, once found its port taken.)
   */
  static int freePortBase() {
    int start = ThreadLocalRandom.current().nextInt(200);
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 10_000 + 100 * ((start + attempt) % 200);
      if (Stream.of(0, 1, 2, 3, 4, 70).allMatch(offset -> free(base + offset))) {
        return base;
      }
    }
    throw new AssertionError("no free port base found");
  }

  static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static boolean listening(int port) {
    return listening("127.0.0.1", port);
  }

  static boolean listening(String host, int port) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static List<Long> pidsIn(Path dir) throws IOException {
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

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(LocalProcesses::isAlive).orElse(false);
  }

  /** Waits for the process to end; false if it is still alive at the deadline. */
  static boolean awaitDead(long pid, Duration timeout) throws InterruptedException {
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

  static String httpGet(int port, String path) throws IOException, InterruptedException {
    return httpGet(port, path, null);
  }

  /** GET with the admin token (null: none); the reply must be 200. */
  static String httpGet(int port, String path, String token) throws IOException, InterruptedException {
    HttpResponse<String> response = httpGetResponse(port, path, token);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  static HttpResponse<String> httpGetResponse(int port, String path, String token) throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The admin token {@code cachectl cluster up} wrote in run directory {@code dir}. */
  static String adminToken(Path dir) throws IOException {
    return Files.readString(dir.resolve("admin-token")).strip();
  }

  static Jedis jedis(String address) {
    int colon = address.lastIndexOf(':');
    return new Jedis(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)), 10_000);
  }

  /** Runs bin/cachectl with its output in files (no pipe can fill up), bounded by {@code timeout}. */
  static Result cachectl(Duration timeout, Object... args) throws IOException, InterruptedException {
    return cachectl(java.util.Map.of(), timeout, args);
  }

  /**
   * As {@link #cachectl(Duration, Object...)}, with {@code env} added to its environment, after the
   * class archives' options, which the nodes and router that {@code cachectl cluster up} starts inherit.
   */
  static Result cachectl(java.util.Map<String, String> env, Duration timeout, Object... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ROOT.resolve("bin/cachectl").toString());
    for (Object a : args) {
      command.add(a.toString());
    }
    Path out = Files.createTempFile("cachectl", ".out");
    Path err = Files.createTempFile("cachectl", ".err");
    try {
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(ROOT.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      builder.environment().putAll(ClassArchives.env(""));
      builder.environment().putAll(env);
      Process process = builder.start();
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

  record Result(int exit, String out, String err) {}
}
