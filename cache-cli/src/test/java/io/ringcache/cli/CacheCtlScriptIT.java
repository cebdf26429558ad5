package io.ringcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the real launcher, bin/cachectl, against the jar this build packaged. */
class CacheCtlScriptIT {

  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  @Test
  void binCachectl_ring_locatesKeysLikeTheLibrary() throws Exception {
    Result result = run("ring", "--node", "127.0.0.1:7001", "--node", "127.0.0.1:7002=2", "--locate", "user:42");
    assertThat(result.exit).as(result.err).isZero();
    String expected =
        io.ringcache.ring.HashRing.builder().add("127.0.0.1:7001", 1).add("127.0.0.1:7002", 2).build()
            .ownerOf("user:42".getBytes(StandardCharsets.UTF_8));
    assertThat(result.out.strip()).isEqualTo("user:42\t" + expected);
    assertThat(result.err).doesNotContain("building"); // the packaged jar is fresh: no rebuild
  }

  @Test
  void binCachectl_badWeight_exitsTwo() throws Exception {
    Result result = run("ring", "--node", "a:1=0");
    assertThat(result.exit).isEqualTo(2);
    assertThat(result.err).contains("weight must be positive");
  }

  private static Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>();
    command.add(ROOT.resolve("bin/cachectl").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(
        process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private record Result(int exit, String out, String err) {}
}
