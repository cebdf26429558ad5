package io.ringcache.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/*
 * A black hole on loopback: the kernel drops every packet of chosen TCP connections, both ways, with
 * no reset and no error, as a partition or a lost firewall/conntrack entry does. The connections are
 * the ones established now from a process to a port (`ss` names each one's process); connections
 * opened later pass. Rules are iptables DROP rules on INPUT (loopback packets cross it), matched on
 * the exact pair of ports, so nothing else on the machine is touched; close() removes them.
 *
 * Needs root and iptables (.ci/run installs it); without them the test fails and says so.
 */

/** iptables DROP rules on chosen established loopback connections (or REJECT rules for one process), removed on close. */
final class Blackhole implements AutoCloseable {

  private final List<List<String>> rules = new ArrayList<>();
  /** The processes moved into a cgroup of their own (see {@link #refuseFrom}), and those cgroups. */
  private final List<Long> moved = new ArrayList<>();
  private final List<Path> groups = new ArrayList<>();

  /**
   * Drops, from now on, every packet of each connection process {@code pid} holds established to
   * {@code port}; returns how many connections.
   */
  int dropEstablished(long pid, int port) {
    return unchecked(() -> dropEstablishedOrThrow(pid, port));
  }

  private int dropEstablishedOrThrow(long pid, int port) throws IOException, InterruptedException {
    List<String> localPorts = established(pid, port);
    for (String localPort : localPorts) {
      drop(localPort, Integer.toString(port));
      drop(Integer.toString(port), localPort);
    }
    return localPorts.size();
  }

  /** The local ports of the connections process {@code pid} holds established to {@code port}. */
  private static List<String> established(long pid, int port) throws IOException, InterruptedException {
    String out = run(List.of("ss", "-tnpH", "state", "established", "( dport = :" + port + " )"));
    List<String> ports = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.contains("pid=" + pid + ",")) {
        String local = line.trim().split("\\s+")[2]; // Recv-Q Send-Q Local Peer Process
        ports.add(local.substring(local.lastIndexOf(':') + 1));
      }
    }
    return ports;
  }

  /**
   * Refuses, from now on, every connection process {@code pid} makes to {@code port} with a TCP
   * reset: a new one is refused (ECONNREFUSED), an established one is reset when it next sends, as a
   * firewall that rejects does, while the process listening there runs on and every other process
   * still reaches it. New connections are matched by a cgroup of the process's own (cgroup v2; the
   * process is moved into it, and back on close), established ones by their ports.
   */
  void refuseFrom(long pid, int port) {
    unchecked(() -> {
      Path root = cgroup2();
      Path group = root.resolve("ringcache-refused-" + pid);
      Files.createDirectories(group);
      Files.writeString(group.resolve("cgroup.procs"), Long.toString(pid));
      moved.add(pid);
      groups.add(group);
      String dport = Integer.toString(port);
      insert(List.of("OUTPUT", "-p", "tcp", "-m", "cgroup", "--path", root.relativize(group).toString(), "--dport", dport,
          "-j", "REJECT", "--reject-with", "tcp-reset"));
      for (String localPort : established(pid, port)) {
        insert(List.of("OUTPUT", "-p", "tcp", "--sport", localPort, "--dport", dport, "-j", "REJECT", "--reject-with",
            "tcp-reset"));
      }
      return 1;
    });
  }

  /** Where cgroup v2 is mounted: /sys/fs/cgroup/unified (the hybrid layout), else /sys/fs/cgroup. */
  private static Path cgroup2() throws IOException {
    for (Path p : List.of(Path.of("/sys/fs/cgroup/unified"), Path.of("/sys/fs/cgroup"))) {
      if (Files.exists(p.resolve("cgroup.procs")) && Files.exists(p.resolve("cgroup.max.depth"))) {
        return p;
      }
    }
    throw new IOException("no cgroup v2 hierarchy at /sys/fs/cgroup/unified or /sys/fs/cgroup: refusing one process's"
        + " connections needs one (and root)");
  }

  private interface RuleChange {
    int apply() throws IOException, InterruptedException;
  }

  private static int unchecked(RuleChange change) {
    try {
      return change.apply();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void drop(String sourcePort, String destinationPort) throws IOException, InterruptedException {
    insert(List.of("INPUT", "-p", "tcp", "--sport", sourcePort, "--dport", destinationPort, "-j", "DROP"));
  }

  private void insert(List<String> rule) throws IOException, InterruptedException {
    List<String> insert = new ArrayList<>(List.of("iptables", "-w", "-I"));
    insert.addAll(rule);
    run(insert);
    rules.add(rule);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    IOException first = null;
    for (List<String> rule : rules) {
      List<String> delete = new ArrayList<>(List.of("iptables", "-w", "-D"));
      delete.addAll(rule);
      try {
        run(delete);
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    rules.clear();
    for (long pid : moved) {
      try {
        Files.writeString(cgroup2().resolve("cgroup.procs"), Long.toString(pid)); // back where it was started
      } catch (IOException e) {
        // gone meanwhile: nothing to move
      }
    }
    moved.clear();
    for (Path group : groups) {
      Files.deleteIfExists(group);
    }
    groups.clear();
    if (first != null) {
      throw first;
    }
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException(command.get(0) + " is needed to drop a connection's packets (root, and Debian's iptables"
          + " and iproute2; .ci/run installs them): " + e.getMessage(), e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (it needs root): " + out.trim());
    }
    return out;
  }
}
