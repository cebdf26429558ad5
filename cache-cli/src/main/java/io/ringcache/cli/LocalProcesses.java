package io.ringcache.cli;

import io.ringcache.resp.Resp;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/*
 * How `cachectl cluster` runs processes. A node or router is started through its launcher in bin/
 * (which builds its jar when it is missing or stale), detached: in a new session (setsid, when it is
 * installed, so a Ctrl-C in the terminal does not reach it), stdin from /dev/null, stdout and
 * stderr appended to its log file. The launchers exec java, so the pid of the started process is
 * the pid of the JVM, and it is that pid the run directory keeps.
 *
 * A pid is only signalled while its command line still names the launcher's module (cache-node or
 * cache-router): a pid file that outlived its process must not kill an unrelated process that
 * reused the pid. A zombie (dead, not yet reaped) counts as stopped.
 */

/** Starting, probing and stopping the processes of a local cluster. */
final class LocalProcesses {

  private static final Duration POLL = Duration.ofMillis(100);
  private static final Path DEV_NULL = Path.of("/dev/null");

  private LocalProcesses() {}

  /**
   * The ringcache directory (the one holding bin/cache-node): {@code RINGCACHE_HOME}, which
   * bin/cachectl exports, else found from the location of cachectl's jar or classes.
   */
  static Path home() {
    String env = System.getenv("RINGCACHE_HOME");
    if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env, "bin", "cache-node"))) {
      return Path.of(env).toAbsolutePath().normalize();
    }
    try {
      Path p = Path.of(LocalProcesses.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (int up = 0; up < 5 && p != null; up++, p = p.getParent()) {
        if (Files.isExecutable(p.resolve("bin").resolve("cache-node"))) {
          return p.toAbsolutePath().normalize();
        }
      }
    } catch (URISyntaxException | RuntimeException e) {
      // fall through to the message below
    }
    throw new CliException("cannot find the ringcache directory (the one with bin/cache-node): run bin/cachectl from it, "
        + "or set RINGCACHE_HOME");
  }

  /** Runs a launcher once with {@code --version}, which builds its jar first if needed. */
  static void ensureBuilt(Path home, String launcher, Duration timeout) {
    ProcessBuilder builder = new ProcessBuilder(home.resolve("bin").resolve(launcher).toString(), "--version")
        .directory(home.toFile())
        .redirectInput(DEV_NULL.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    try {
      Process p = builder.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new CliException("bin/" + launcher + " did not finish building within " + timeout.toSeconds() + " s");
      }
      if (p.exitValue() != 0) {
        throw new CliException("bin/" + launcher + " --version failed (exit " + p.exitValue() + "); see the messages above");
      }
    } catch (IOException e) {
      throw new CliException("cannot run bin/" + launcher + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  /**
   * Starts {@code bin/LAUNCHER ARGS} detached, output to {@code log}; returns its pid. {@code env}
   * entries are set in its environment, or removed where the value is null.
   */
  static long startDetached(Path home, String launcher, List<String> args, Map<String, String> env, Path workDir, Path log) {
    List<String> command = new ArrayList<>();
    Optional<Path> setsid = setsid();
    setsid.ifPresent(p -> command.add(p.toString()));
    command.add(home.resolve("bin").resolve(launcher).toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectInput(DEV_NULL.toFile())
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
        .redirectErrorStream(true);
    builder.environment().put("RINGCACHE_HOME", home.toString());
    env.forEach((k, v) -> {
      if (v == null) {
        builder.environment().remove(k);
      } else {
        builder.environment().put(k, v);
      }
    });
    try {
      return builder.start().pid();
    } catch (IOException e) {
      throw new CliException("cannot start bin/" + launcher + ": " + e.getMessage());
    }
  }

  private static Optional<Path> setsid() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, "setsid");
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** The live process a pid file names, if it is still the one it names (its command line mentions {@code module}). */
  static Optional<ProcessHandle> live(long pid, String module) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !isAlive(handle.get())) {
      return Optional.empty();
    }
    Optional<String> command = handle.get().info().commandLine();
    if (command.isPresent() && !command.get().contains(module)) {
      return Optional.empty(); // the pid now belongs to something else
    }
    return handle;
  }

  /** Alive and not a zombie. */
  static boolean isAlive(ProcessHandle p) {
    if (!p.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"), StandardCharsets.US_ASCII);
      int end = stat.lastIndexOf(')');
      return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
    } catch (IOException e) {
      return p.isAlive(); // no /proc (not Linux) or it just went away
    }
  }

  /**
   * Stops processes: SIGTERM to each, wait until all are gone or {@code grace} has passed, then
   * SIGKILL the rest and wait again (bounded).
   *
   * @return the processes still alive afterwards (empty when all stopped)
   */
  static List<ProcessHandle> terminate(List<ProcessHandle> processes, Duration grace) {
    for (ProcessHandle p : processes) {
      p.destroy();
    }
    List<ProcessHandle> left = awaitExit(processes, grace);
    if (left.isEmpty()) {
      return left;
    }
    for (ProcessHandle p : left) {
      p.destroyForcibly();
    }
    return awaitExit(left, Duration.ofSeconds(5));
  }

  private static List<ProcessHandle> awaitExit(List<ProcessHandle> processes, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ProcessHandle> left = new ArrayList<>(processes);
    while (true) {
      left.removeIf(p -> !isAlive(p));
      if (left.isEmpty() || System.nanoTime() - deadline > 0) {
        return left;
      }
      pause();
    }
  }

  /** True if nothing listens on 127.0.0.1:{@code port} and it can be bound. */
  static boolean portFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true); // as the servers bind: a connection in TIME_WAIT does not block them
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** True if something accepts TCP connections on 127.0.0.1:{@code port}. */
  static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** True if a RESP server on 127.0.0.1:{@code port} answers PING with PONG (after AUTH when a password is given). */
  static boolean answersPing(int port, String password) {
    return answersPing(port, password, null);
  }

  /** As {@link #answersPing(int, String)}, over TLS when {@code tls} is given. */
  static boolean answersPing(int port, String password, javax.net.ssl.SSLSocketFactory tls) {
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress("127.0.0.1", port), 300);
      plain.setSoTimeout(500);
      Socket socket = tls == null ? plain : ClusterTls.wrap(tls, plain, port);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      if (password != null && !password.isEmpty()) {
        out.write(command("AUTH", password));
        out.flush();
        if (!readLine(in).startsWith("+OK")) {
          return false;
        }
      }
      out.write(command("PING"));
      out.flush();
      return readLine(in).equals("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] command(String... args) {
    return Resp.toBytes(b -> Resp.command(b, args));
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < 1024; i++) {
      int b = in.read();
      if (b < 0 || b == '\n') {
        break;
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  static void pause() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }
}
