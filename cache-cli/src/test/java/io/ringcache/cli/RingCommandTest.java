package io.ringcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.ring.HashRing;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RingCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine commandLine = CacheCtl.commandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    return commandLine.execute(args);
  }

  @Test
  void ring_withNodes_printsPointsAndShareOfEach() {
    assertThat(run("ring", "--node", "127.0.0.1:7001", "--node", "127.0.0.1:7002=2")).isZero();
    HashRing ring = HashRing.builder().add("127.0.0.1:7001", 1).add("127.0.0.1:7002", 2).build();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).matches("NODE\\s+WEIGHT\\s+POINTS\\s+SHARE");
    assertThat(lines.get(1)).matches("127\\.0\\.0\\.1:7001\\s+1\\s+160\\s+\\d+\\.\\d\\d%");
    assertThat(lines.get(2)).matches("127\\.0\\.0\\.1:7002\\s+2\\s+320\\s+\\d+\\.\\d\\d%");
    assertThat(lines.get(2)).endsWith(String.format(java.util.Locale.ROOT, "%.2f%%", 100 * ring.shareOf("127.0.0.1:7002")));
  }

  @Test
  void ring_withLocate_printsKeyTabOwnerPerKey() {
    assertThat(run("ring", "-n", "a:1", "-n", "b:1", "-n", "c:1=3", "--locate", "user:1", "--locate", "user:2")).isZero();
    HashRing ring = HashRing.builder().add("a:1", 1).add("b:1", 1).add("c:1", 3).build();
    assertThat(out.toString().lines())
        .containsExactly("user:1\t" + owner(ring, "user:1"), "user:2\t" + owner(ring, "user:2"));
  }

  @Test
  void ring_withKeysFile_printsEveryLine(@TempDir Path dir) throws IOException {
    Path keys = dir.resolve("keys.txt");
    Files.writeString(keys, "k1\nk2\nk3\n", StandardCharsets.UTF_8);
    assertThat(run("ring", "-n", "a:1", "-n", "b:1", "--keys-file", keys.toString(), "--locate", "k0")).isZero();
    HashRing ring = HashRing.builder().add("a:1", 1).add("b:1", 1).build();
    assertThat(out.toString().lines())
        .containsExactly(
            "k0\t" + owner(ring, "k0"), "k1\t" + owner(ring, "k1"), "k2\t" + owner(ring, "k2"), "k3\t" + owner(ring, "k3"));
  }

  @Test
  void ring_withBadArguments_exitsTwoWithAClearMessage() {
    assertThat(run("ring")).isEqualTo(2);
    assertThat(err.toString()).contains("no node given");

    assertThat(run("ring", "-n", "a:1=0")).isEqualTo(2);
    assertThat(err.toString()).contains("invalid --node a:1=0: weight must be positive: 0 (node a:1)");

    assertThat(run("ring", "-n", "a:1=-2")).isEqualTo(2);
    assertThat(err.toString()).contains("weight must be positive: -2");

    assertThat(run("ring", "-n", "a:1=x")).isEqualTo(2);
    assertThat(err.toString()).contains("invalid weight in --node a:1=x");

    assertThat(run("ring", "-n", "a:1", "-n", "a:1=2")).isEqualTo(2);
    assertThat(err.toString()).contains("duplicate node: a:1");

    assertThat(run("ring", "-n", "a:1", "--keys-file", "/nonexistent/keys")).isEqualTo(2);
    assertThat(err.toString()).contains("keys file not found: /nonexistent/keys");

    assertThat(run("ring", "--bogus")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--bogus'");
  }

  @Test
  void noCommand_exitsTwoAndPointsAtHelp() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("missing command");
  }

  private static String owner(HashRing ring, String key) {
    return ring.ownerOf(key.getBytes(StandardCharsets.UTF_8));
  }
}
