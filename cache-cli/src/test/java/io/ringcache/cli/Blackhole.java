package io.ringcache.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

/** iptables DROP rules on chosen established loopback connections, removed on close. */
final class Blackhole implements AutoCloseable {

  private final List<List<String>> rules = new ArrayList<>();

  /**
   * Drops, from now on, every packet of each connection process {@code pid} holds established to
   * {@code port}; returns how many connections.
   */
  int dropEstablished(long pid, int port) {
    try {
      return dropEstablishedOrThrow(pid, port);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private int dropEstablishedOrThrow(long pid, int port) throws IOException, InterruptedException {
    String out = run(List.of("ss", "-tnpH", "state", "established", "( dport = :" + port + " )"));
    int n = 0;
    for (String line : out.split("\n")) {
      if (!line.contains("pid=" + pid + ",")) {
        continue;
      }
      String[] columns = line.trim().split("\\s+"); // Recv-Q Send-Q Local Peer Process
      String local = columns[2];
      String localPort = local.substring(local.lastIndexOf(':') + 1);
      drop(localPort, Integer.toString(port));
      drop(Integer.toString(port), localPort);
      n++;
    }
    return n;
  }

  private void drop(String sourcePort, String destinationPort) throws IOException, InterruptedException {
    List<String> rule = List.of("INPUT", "-p", "tcp", "--sport", sourcePort, "--dport", destinationPort, "-j", "DROP");
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
