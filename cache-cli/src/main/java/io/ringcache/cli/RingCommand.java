package io.ringcache.cli;

import io.ringcache.ring.HashRing;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code cachectl ring}: the ring of a set of nodes, computed offline. */
@Command(
    name = "ring",
    mixinStandardHelpOptions = true,
    description = {
      "Show the hash ring of a set of nodes, offline.",
      "Prints each node's points and share of the ring, or, with --locate/--keys-file, the owner",
      "of each key (KEY<TAB>OWNER, one line per key).",
      "Placement is nginx's `hash $key consistent` with the same servers and weights."
    },
    footer = {
      "",
      "Examples:",
      "  cachectl ring --node 127.0.0.1:7001 --node 127.0.0.1:7002=2",
      "  cachectl ring --node a:7001 --node b:7001 --locate user:1 --locate user:2",
      "  cachectl ring --node a:7001 --node b:7001 --keys-file keys.txt"
    })
final class RingCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-n", "--node"},
      paramLabel = "NAME[=WEIGHT]",
      description = "A node, in ring order; repeat for each. NAME is its ring identity (usually host:port); WEIGHT defaults to 1.")
  List<String> nodes = new ArrayList<>();

  @Option(names = {"-l", "--locate"}, paramLabel = "KEY", description = "Print the owner of KEY; repeatable.")
  List<String> locate = new ArrayList<>();

  @Option(
      names = {"-f", "--keys-file"},
      paramLabel = "FILE",
      description = "Print the owner of every key in FILE, one key per line (UTF-8); - reads standard input.")
  String keysFile;

  @Override
  public void run() {
    HashRing ring = parseRing();
    PrintWriter out = spec.commandLine().getOut();
    if (locate.isEmpty() && keysFile == null) {
      printTable(ring, out);
    } else {
      for (String key : locate) {
        printOwner(ring, key, out);
      }
      if (keysFile != null) {
        try (BufferedReader reader = openKeys()) {
          for (String line; (line = reader.readLine()) != null; ) {
            printOwner(ring, line, out);
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read keys file " + keysFile + ": " + e.getMessage(), e);
        }
      }
    }
    out.flush();
  }

  private HashRing parseRing() {
    if (nodes.isEmpty()) {
      throw usage("no node given: add at least one --node NAME[=WEIGHT]");
    }
    HashRing.Builder builder = HashRing.builder();
    for (String node : nodes) {
      int eq = node.lastIndexOf('=');
      String name = eq < 0 ? node : node.substring(0, eq);
      int weight = 1;
      if (eq >= 0) {
        try {
          weight = Integer.parseInt(node.substring(eq + 1).trim());
        } catch (NumberFormatException e) {
          throw usage("invalid weight in --node " + node + ": expected a positive integer");
        }
      }
      try {
        builder.add(name, weight);
      } catch (IllegalArgumentException e) {
        throw usage("invalid --node " + node + ": " + e.getMessage());
      }
    }
    return builder.build();
  }

  private BufferedReader openKeys() throws IOException {
    if (keysFile.equals("-")) {
      return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    }
    try {
      return Files.newBufferedReader(Path.of(keysFile), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw usage("keys file not found: " + keysFile);
    }
  }

  private static void printOwner(HashRing ring, String key, PrintWriter out) {
    out.print(key);
    out.print('\t');
    out.println(ring.ownerOf(key.getBytes(StandardCharsets.UTF_8)));
  }

  private static void printTable(HashRing ring, PrintWriter out) {
    int width = "NODE".length();
    for (String name : ring.nodeNames()) {
      width = Math.max(width, name.length());
    }
    String format = "%-" + width + "s  %6s  %6s  %7s%n";
    out.printf(Locale.ROOT, format, "NODE", "WEIGHT", "POINTS", "SHARE");
    for (String name : ring.nodeNames()) {
      out.printf(
          Locale.ROOT,
          format,
          name,
          ring.weightOf(name),
          ring.pointsOf(name),
          String.format(Locale.ROOT, "%.2f%%", 100 * ring.shareOf(name)));
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
