package io.ringcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** cachectl cluster, in process: arguments, and what it does with a run directory's pid files. */
class ClusterCommandTest {

  @TempDir Path dir;

  @Test
  void up_tooManyNodes_exitsTwoBeforeStartingAnything() {
    Run run = cachectl("cluster", "up", "--nodes", "70", "--dir", dir.toString());
    assertThat(run.exit).isEqualTo(2);
    assertThat(run.err).contains("--nodes must be between 1 and 69: 70");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void status_noClusterInDirectory_saysSoAndExitsOne() {
    Run run = cachectl("cluster", "status", "--dir", dir.toString());
    assertThat(run.exit).isEqualTo(1);
    assertThat(run.out).contains("no local cluster in " + dir);
  }

  @Test
  void down_noClusterInDirectory_exitsZero() {
    Run run = cachectl("cluster", "down", "--dir", dir.toString());
    assertThat(run.exit).isZero();
    assertThat(run.out).contains("no local cluster is running from " + dir);
  }

  @Test
  void down_pidFileNamingAnUnrelatedProcess_leavesItRunningAndRemovesTheFile() throws Exception {
    Process unrelated = new ProcessBuilder("sleep", "60").start();
    try {
      Files.writeString(dir.resolve("node-7001.pid"), unrelated.pid() + "\n");
      Run run = cachectl("cluster", "down", "--dir", dir.toString());
      assertThat(run.exit).as(run.err).isZero();
      assertThat(run.out).contains("node-7001 was not running");
      assertThat(unrelated.isAlive()).isTrue();
      assertThat(dir.resolve("node-7001.pid")).doesNotExist();
    } finally {
      unrelated.destroyForcibly();
    }
  }

  @Test
  void up_runDirectoryWithALiveNode_refusesAndLeavesItAlone() throws Exception {
    // a shell whose command line names cache-node stands in for a node started earlier
    Process node = new ProcessBuilder("/bin/sh", "-c", "sleep 60; true", "cache-node").start();
    try {
      Files.writeString(dir.resolve("node-7001.pid"), node.pid() + "\n");
      Run run = cachectl("cluster", "up", "--port-base", "7000", "--dir", dir.toString());
      assertThat(run.exit).isEqualTo(1);
      assertThat(run.err).contains("a cluster is already running from " + dir, "node-7001 pid " + node.pid());
      assertThat(node.isAlive()).isTrue();
      assertThat(dir.resolve("node-7001.pid")).exists();
    } finally {
      node.descendants().forEach(ProcessHandle::destroyForcibly);
      node.destroyForcibly();
    }
  }

  @Test
  void layout_fromBase_putsAdminAtBasePlus70AndNodesAfterTheBase() {
    RunDirectory.Layout layout = RunDirectory.Layout.fromBase(7000, 3);
    assertThat(layout.routerPort()).isEqualTo(7000);
    assertThat(layout.adminPort()).isEqualTo(7070);
    assertThat(layout.nodePorts()).isEqualTo(List.of(7001, 7002, 7003));
  }

  private static Run cachectl(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = CacheCtl.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private record Run(int exit, String out, String err) {}
}
