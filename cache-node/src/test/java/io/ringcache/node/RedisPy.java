package io.ringcache.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a snippet of Python against a RESP port with Debian's redis-py ({@code python3-redis}, under
 * {@code /usr/bin/python3}): a real third-party client for tests. The snippet sees {@code r}, a
 * {@code redis.Redis} connected to the port; a failing assert fails the test with its output.
 */
public final class RedisPy {

  public static final String MISSING = "redis-py is not installed for /usr/bin/python3 (.ci/run installs python3-redis)";
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  private RedisPy() {}

  public static boolean installed() {
    if (!Files.isExecutable(PYTHON)) {
      return false;
    }
    try {
      Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import redis").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs {@code body} (indented as a Java text block) with {@code r} connected to 127.0.0.1:{@code port}; returns stdout. */
  public static String run(int port, String body) throws IOException, InterruptedException {
    String script = "import redis\nr = redis.Redis(host='127.0.0.1', port=" + port + ", socket_timeout=10)\n" + body;
    Process p = new ProcessBuilder(List.of(PYTHON.toString(), "-c", script)).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("redis-py script did not finish within 60 s");
    }
    if (p.exitValue() != 0) {
      throw new AssertionError("redis-py script failed (exit " + p.exitValue() + "): " + err + out);
    }
    return out;
  }
}
