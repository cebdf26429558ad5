package io.ringcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.ring.NodeState;
import io.ringcache.testkit.EmbeddedCluster;
import io.ringcache.testkit.core.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** cachectl against a real router and real nodes: status, add, weight, remove, locate, get/put/del. */
class AdminCommandsIT {

  private EmbeddedCluster cluster;
  private StringWriter out;
  private StringWriter err;

  @BeforeEach
  void start() {
    cluster = EmbeddedCluster.builder().nodes(3).start();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private int run(String... args) {
    return runAgainst(cluster, args);
  }

  private int runAgainst(EmbeddedCluster target, String... args) {
    out = new StringWriter();
    err = new StringWriter();
    CommandLine commandLine = CacheCtl.commandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of("--router", "127.0.0.1:" + target.adminPort()));
    all.addAll(List.of(args));
    return commandLine.execute(all.toArray(String[]::new));
  }

  @Test
  void dataCommands_overTls_trustTheGivenCertificate_andPlaintextFailsClearly() {
    try (EmbeddedCluster tlsCluster = EmbeddedCluster.builder().nodes(1).tls().start()) {
      TestCertificates tls = tlsCluster.certificates();
      String caCert = tls.caCert().toString();
      assertThat(runAgainst(tlsCluster, "put", "--tls-ca-cert", caCert, "secret:1", "s3cr3t")).as(err.toString()).isZero();
      assertThat(runAgainst(tlsCluster, "get", "--tls-ca-cert", caCert, "secret:1")).as(err.toString()).isZero();
      assertThat(out.toString().strip()).isEqualTo("s3cr3t");
      assertThat(runAgainst(tlsCluster, "get", "secret:1")).isNotZero();
      assertThat(err.toString()).contains("cannot connect to the cluster");
    }
  }

  @Test
  void putGetDel_roundTripThroughTheCluster() {
    assertThat(run("put", "user:1", "alice")).as(err.toString()).isZero();
    assertThat(run("get", "user:1")).isZero();
    assertThat(out.toString().strip()).isEqualTo("alice");
    assertThat(run("del", "user:1", "absent")).isZero();
    assertThat(out.toString().strip()).isEqualTo("1");
    assertThat(run("get", "user:1")).isEqualTo(1);
    assertThat(err.toString()).contains("no such key: user:1");
  }

  @Test
  void addWeightRemove_waitForTheirHandoffs_andStatusShowsTheResult() {
    String name = cluster.nodeAddress(cluster.startNode()); // started with --cluster, not in the ring yet
    for (int i = 0; i < 40; i++) {
      assertThat(run("put", "k" + i, "v" + i)).isZero();
    }

    assertThat(run("add", name, "--weight", "2")).as(err.toString()).isZero();
    assertThat(out.toString()).contains("join " + name + " finished");
    assertThat(cluster.topology().ring().weightOf(name)).isEqualTo(2);

    assertThat(run("status")).isZero();
    assertThat(out.toString().lines().filter(l -> l.startsWith(name))).singleElement().asString()
        .contains("  2  ").contains("320").contains("UP");
    assertThat(out.toString()).contains("no handoff under way");

    assertThat(run("weight", name, "1")).isZero();
    assertThat(run("locate", "k1")).isZero();
    assertThat(out.toString()).startsWith("k1\t");

    assertThat(run("remove", name)).isZero();
    assertThat(cluster.topology().node(name)).isEmpty();
    for (int i = 0; i < 40; i++) {
      assertThat(run("get", "k" + i)).isZero();
      assertThat(out.toString().strip()).isEqualTo("v" + i);
    }
  }

  @Test
  void badRequests_exitNonZero_withTheRoutersReason() {
    assertThat(run("add", "127.0.0.1:1")).isEqualTo(1);
    assertThat(err.toString()).contains("does not answer");
    assertThat(run("remove", "nope:1")).isEqualTo(1);
    assertThat(err.toString()).contains("no such node: nope:1");
    String existing = cluster.topology().nodes().get(0).name();
    assertThat(run("add", existing)).isEqualTo(1);
    assertThat(err.toString()).contains("already in the topology");
    assertThat(run("weight", existing, "0")).isEqualTo(2);
    assertThat(cluster.topology().nodes()).allMatch(n -> n.state() == NodeState.UP);
  }

  @Test
  void anyCommand_withoutARouter_saysWhereItLooked() {
    cluster.router().close();
    assertThat(run("status")).isEqualTo(1);
    assertThat(err.toString()).contains("cannot reach the router's admin API");
  }
}
