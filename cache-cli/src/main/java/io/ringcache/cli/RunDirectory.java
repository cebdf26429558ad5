package io.ringcache.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/*
 * The run directory of a local cluster, the only state `cachectl cluster` keeps:
 *
 *   cluster.properties   the ports of the last `up` (router RESP, admin, nodes)
 *   router.pid           one pid file per started process, written as soon as it starts and
 *   node-7001.pid        removed by `down`; a pid file whose process is gone is stale
 *   logs/router.log      stdout and stderr of each process
 *   logs/node-7001.log
 *   router/              the router's --data-dir (topology.json)
 *   admin-token          the router's admin token and the cluster secret, mode 0600, made by
 *   cluster-secret       `up` unless given; the processes read them from here (never from argv),
 *                        and cachectl's admin commands find the token here
 */

/** The files of one local cluster: ports, pid files, logs and the router's data. */
final class RunDirectory {

  static final String ROUTER = "router";
  private static final String PROPERTIES = "cluster.properties";
  private static final String ADMIN_TOKEN = "admin-token";
  private static final String CLUSTER_SECRET = "cluster-secret";
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  /**
   * The run directory {@code cachectl cluster} uses without --dir: {@code CACHE_RUN_DIR}, else
   * {@code .run/cluster} in the ringcache directory.
   */
  static RunDirectory defaultDirectory() {
    String env = System.getenv("CACHE_RUN_DIR");
    if (env != null && !env.isBlank()) {
      return new RunDirectory(Path.of(env));
    }
    return new RunDirectory(LocalProcesses.home().resolve(".run").resolve("cluster"));
  }

  private final Path dir;

  RunDirectory(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  Path path() {
    return dir;
  }

  Path logs() {
    return dir.resolve("logs");
  }

  Path routerData() {
    return dir.resolve("router");
  }

  /** The log file of a process: {@code router} or {@code node-PORT}. */
  Path log(String process) {
    return logs().resolve(process + ".log");
  }

  Path pidFile(String process) {
    return dir.resolve(process + ".pid");
  }

  static String nodeProcess(int port) {
    return "node-" + port;
  }

  void create() {
    try {
      Files.createDirectories(logs());
      Files.createDirectories(routerData());
    } catch (IOException e) {
      throw new CliException("cannot create the run directory " + dir + ": " + e.getMessage());
    }
  }

  /** The file holding the router's admin token. */
  Path adminTokenFile() {
    return dir.resolve(ADMIN_TOKEN);
  }

  /** The file holding the cluster secret. */
  Path clusterSecretFile() {
    return dir.resolve(CLUSTER_SECRET);
  }

  /** A new random secret: 32 bytes from SecureRandom, as 64 hex digits. */
  static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return java.util.HexFormat.of().formatHex(bytes);
  }

  /**
   * Writes {@code secret} to {@code file}, readable and writable by the owner only (0600) from the
   * moment it exists: the file is created with those permissions, never widened then narrowed.
   */
  static void writeSecret(Path file, String secret) {
    try {
      Files.deleteIfExists(file);
      java.nio.file.attribute.FileAttribute<?> ownerOnly = java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      Files.createFile(file, ownerOnly);
      Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
    } catch (UnsupportedOperationException e) {
      throw new CliException("cannot write " + file + " with owner-only permissions on this file system");
    } catch (IOException e) {
      throw new CliException("cannot write " + file + ": " + e.getMessage());
    }
  }

  /** The secret a file holds (surrounding whitespace removed), if it exists and is not empty. */
  static Optional<String> readSecret(Path file) {
    try {
      String s = Files.readString(file, StandardCharsets.UTF_8).strip();
      return s.isEmpty() ? Optional.empty() : Optional.of(s);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    }
  }

  /** The ports the cluster was started with, if this directory holds one. */
  Optional<Layout> layout() {
    Path file = dir.resolve(PROPERTIES);
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    }
    try {
      List<Integer> nodes = new ArrayList<>();
      for (String s : p.getProperty("node.ports", "").split(",")) {
        if (!s.isBlank()) {
          nodes.add(Integer.parseInt(s.trim()));
        }
      }
      return Optional.of(new Layout(
          Integer.parseInt(p.getProperty("router.port")), Integer.parseInt(p.getProperty("router.admin.port")), nodes));
    } catch (RuntimeException e) {
      throw new CliException("malformed " + file + " (" + e + "); remove it and run cachectl cluster up again");
    }
  }

  void writeLayout(Layout layout) {
    Properties p = new Properties();
    p.setProperty("router.port", Integer.toString(layout.routerPort()));
    p.setProperty("router.admin.port", Integer.toString(layout.adminPort()));
    p.setProperty("node.ports", String.join(",", layout.nodePorts().stream().map(String::valueOf).toList()));
    try (Writer out = Files.newBufferedWriter(dir.resolve(PROPERTIES), StandardCharsets.UTF_8)) {
      p.store(out, "written by cachectl cluster up");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void writePid(String process, long pid) {
    try {
      Files.writeString(pidFile(process), pid + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + pidFile(process), e);
    }
  }

  /** The pid a pid file holds, if it exists and holds a number. */
  Optional<Long> readPid(String process) {
    try {
      return Optional.of(Long.parseLong(Files.readString(pidFile(process), StandardCharsets.UTF_8).trim()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  void removePid(String process) {
    try {
      Files.deleteIfExists(pidFile(process));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + pidFile(process), e);
    }
  }

  /** Every process that has a pid file here: {@code router} first, then the nodes by port. */
  List<String> processesWithPidFiles() {
    List<String> nodes = new ArrayList<>();
    boolean router = false;
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.pid")) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        String process = name.substring(0, name.length() - ".pid".length());
        if (process.equals(ROUTER)) {
          router = true;
        } else if (process.startsWith("node-")) {
          nodes.add(process);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    nodes.sort((a, b) -> Integer.compare(portOf(a), portOf(b)));
    List<String> all = new ArrayList<>();
    if (router) {
      all.add(ROUTER);
    }
    all.addAll(nodes);
    return all;
  }

  private static int portOf(String nodeProcess) {
    try {
      return Integer.parseInt(nodeProcess.substring("node-".length()));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  /** Deletes the router's persisted topology, so that a new cluster starts from its --node list. */
  void clearRouterData() {
    try {
      Files.deleteIfExists(routerData().resolve("topology.json"));
      Files.deleteIfExists(routerData().resolve("topology.json.tmp"));
    } catch (IOException e) {
      throw new CliException("cannot clear " + routerData() + ": " + e.getMessage());
    }
  }

  /** The last lines of a process's log, for an error message. */
  String tail(String process, int lines) {
    try {
      List<String> all = Files.readAllLines(log(process), StandardCharsets.UTF_8);
      return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Ports of a local cluster. */
  record Layout(int routerPort, int adminPort, List<Integer> nodePorts) {
    Layout {
      nodePorts = List.copyOf(nodePorts);
    }

    static Layout fromBase(int base, int nodes) {
      List<Integer> ports = new ArrayList<>();
      for (int i = 1; i <= nodes; i++) {
        ports.add(base + i);
      }
      return new Layout(base, base + 70, ports);
    }
  }
}
