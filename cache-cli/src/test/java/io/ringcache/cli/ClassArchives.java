package io.ringcache.cli;

import static io.ringcache.cli.ProcessFixtures.ROOT;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;

/*
 * Why: these tests start node and router processes by the hundred (FaultScenariosIT alone 84 nodes
 * and 31 routers), and each JVM spent about 2 s of CPU before it answered PING, most of it loading
 * and verifying the same classes from the same jar. On CI's 2 cores, beside Redis's suite and the
 * compose check, those starts were a large part of the fault tests' wall time. A dynamic class-data
 * archive (JDK CDS, -XX:ArchiveClassesAtExit) of each launcher's jar, recorded once from a short run
 * of a router and two nodes through a join, cut a node's CPU to answering PING from 1.95 to 1.2-1.45
 * s, and FaultScenariosIT from 225 s to 183 s (docs/benchmarks.md, "CI wall time: the process
 * tests' JVMs start from a class-data archive").
 *
 * It changes only where the JVM reads class metadata from: the processes run the same launchers,
 * jars and options. An archive the JVM cannot use is ignored (-Xshare:auto, the default); it is
 * checked once with -Xshare:on before any test uses it, and a run that cannot build or check one
 * starts the processes without it (and says so on stderr), and deletes it for the next run to record.
 *
 * The archives live in cache-cli/target/class-archives, named with the JVM's version, and are
 * rebuilt when either jar is newer. Only this module's test JVM builds them (failsafe forks one).
 */

/** JVM options that give the processes these tests start a class-data archive of their launcher's jar. */
final class ClassArchives {

  private static final Path DIR = ROOT.resolve("cache-cli/target/class-archives");
  private static final Path NODE_JAR = ROOT.resolve("cache-node/target/cache-node.jar");
  private static final Path ROUTER_JAR = ROOT.resolve("cache-router/target/cache-router.jar");
  private static final String VERSION = System.getProperty("java.vm.version").replaceAll("[^A-Za-z0-9.+-]", "_");

  private ClassArchives() {}

  /**
   * The environment that adds {@code options} (may be empty) and the archives' options to
   * CACHE_NODE_JAVA_OPTS and CACHE_ROUTER_JAVA_OPTS (the router's with the launcher's default heap).
   */
  static Map<String, String> env(String options) {
    Archives a = Holder.ARCHIVES;
    return Map.of("CACHE_NODE_JAVA_OPTS", join(a.nodeOptions, options), "CACHE_ROUTER_JAVA_OPTS",
        join("-Xms64m -Xmx512m", a.routerOptions, options));
  }

  private static String join(String... parts) {
    List<String> kept = new ArrayList<>();
    for (String p : parts) {
      if (!p.isBlank()) {
        kept.add(p.strip());
      }
    }
    return String.join(" ", kept);
  }

  private record Archives(String nodeOptions, String routerOptions) {}

  /** Built on first use, once per test JVM. */
  private static final class Holder {
    static final Archives ARCHIVES = load();
  }

  private static Archives load() {
    Path node = DIR.resolve("cache-node-" + VERSION + ".jsa");
    Path router = DIR.resolve("cache-router-" + VERSION + ".jsa");
    try {
      if (!fresh(node, NODE_JAR) || !fresh(router, ROUTER_JAR)) {
        record(node, router);
      }
      requireUsable(node, NODE_JAR);
      requireUsable(router, ROUTER_JAR);
      return new Archives(option(node), option(router));
    } catch (Exception | AssertionError e) {
      System.err.println("ClassArchives: the processes start without class-data archives: " + e);
      try { // for the next run to record them again
        Files.deleteIfExists(node);
        Files.deleteIfExists(router);
      } catch (IOException ignored) {
        // recorded again once a jar is newer
      }
      return new Archives("", "");
    }
  }

  private static String option(Path archive) {
    return "-XX:SharedArchiveFile=" + archive;
  }

  private static boolean fresh(Path archive, Path jar) throws IOException {
    return Files.isRegularFile(archive) && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0;
  }

  /**
   * Runs a router and two cluster members through writes, reads and a join, then stops the router
   * and the first node with SIGTERM: their JVMs write the classes they loaded on the way out.
   */
  private static void record(Path node, Path router) throws Exception {
    Files.createDirectories(DIR);
    Path run = Files.createTempDirectory(DIR, "run");
    Path nodePart = run.resolve("node.jsa");
    Path routerPart = run.resolve("router.jsa");
    try (FaultCluster c = new FaultCluster(run)) {
      c.environment(Map.of("CACHE_NODE_JAVA_OPTS", "-XX:ArchiveClassesAtExit=" + nodePart));
      String first = c.launchNode(1);
      c.environment(Map.of());
      String second = c.launchNode(2);
      c.environment(Map.of("CACHE_ROUTER_JAVA_OPTS", "-Xms64m -Xmx512m -XX:ArchiveClassesAtExit=" + routerPart));
      c.startRouter("3s", List.of(first));
      c.awaitAnswering(2);
      try (Jedis proxy = new Jedis("127.0.0.1", c.base)) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < 2_000; i++) {
          proxy.set("archive:" + i, "v" + i);
          values.put("archive:m" + i, "m" + i);
        }
        proxy.mset(values.entrySet().stream().flatMap(e -> Stream.of(e.getKey(), e.getValue())).toArray(String[]::new));
        proxy.expire("archive:1", 600);
        c.awaitEvent(c.join(second), Duration.ofSeconds(60));
        for (int i = 0; i < 2_000; i++) {
          proxy.get("archive:" + i);
        }
        proxy.del("archive:2");
      }
      terminate(c.pid("router"));
      terminate(c.pid(first));
    }
    if (!Files.isRegularFile(nodePart) || !Files.isRegularFile(routerPart)) {
      throw new IOException("no archive written in " + run);
    }
    Files.move(nodePart, node, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.move(routerPart, router, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    try (Stream<Path> files = Files.walk(run)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** SIGTERM, and waits until the JVM has written its archive and exited. */
  private static void terminate(long pid) throws InterruptedException {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    if (!ProcessFixtures.awaitDead(pid, Duration.ofSeconds(60))) {
      throw new AssertionError("pid " + pid + " still alive 60 s after SIGTERM");
    }
  }

  /** Fails unless a JVM started as the launcher starts it maps {@code archive} (-Xshare:on refuses to start otherwise). */
  private static void requireUsable(Path archive, Path jar) throws IOException, InterruptedException {
    Path output = Files.createTempFile(DIR, "check", ".out");
    try {
      Process p = new ProcessBuilder("java", "-XX:MetaspaceSize=64m", "-Xshare:on", option(archive), "-jar", jar.toString(), "--version")
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      boolean ended = p.waitFor(60, TimeUnit.SECONDS);
      if (!ended || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(archive + " not usable with " + jar + (ended ? "" : " (no answer within 60 s)") + ": "
            + Files.readString(output, StandardCharsets.UTF_8).strip());
      }
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
