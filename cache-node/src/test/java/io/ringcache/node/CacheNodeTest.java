package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.resp.Glob;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CacheNodeTest {

  @Test
  void parseSize_acceptsSuffixes() {
    assertThat(CacheNode.parseSize("256m")).isEqualTo(256L << 20);
    assertThat(CacheNode.parseSize("16K")).isEqualTo(16L << 10);
    assertThat(CacheNode.parseSize("1g")).isEqualTo(1L << 30);
    assertThat(CacheNode.parseSize("2MiB")).isEqualTo(2L << 20);
    assertThat(CacheNode.parseSize("1048576")).isEqualTo(1048576);
  }

  @Test
  void parseSize_garbage_isRefusedWithExample() {
    assertThatThrownBy(() -> CacheNode.parseSize("lots")).hasMessageContaining("not a size");
  }

  @Test
  void help_listsEveryOptionWithEnvironmentVariable() {
    String help = new CommandLine(new CacheNode()).getUsageMessage();
    for (String env :
        new String[] {
          "CACHE_NODE_PORT", "CACHE_NODE_BIND", "CACHE_NODE_NAME", "CACHE_NODE_ADVERTISE", "CACHE_NODE_MAX_MEMORY",
          "CACHE_NODE_THREADS", "CACHE_NODE_REQUIREPASS", "CACHE_NODE_MAX_KEY_SIZE", "CACHE_NODE_MAX_VALUE_SIZE",
          "CACHE_NODE_MAX_MULTIBULK_LENGTH", "CACHE_NODE_MAX_BULK_LENGTH", "CACHE_NODE_MAX_INLINE_LENGTH",
          "CACHE_NODE_MAX_QUERY_BUFFER", "CACHE_NODE_MAX_OUTPUT_BUFFER", "CACHE_NODE_MAX_CLIENTS", "CACHE_NODE_IDLE_TIMEOUT",
          "CACHE_NODE_OUTPUT_STALL_TIMEOUT", "CACHE_NODE_STORE", "CACHE_NODE_HANDOFF_RATE"
        }) {
      assertThat(help).contains(env);
    }
    assertThat(help).contains("Default: 7001").contains("Default: 256m").contains("Default: packed");
  }

  @Test
  void storeType_parsesEachNameInAnyCase_andRefusesOthers() {
    assertThat(NodeConfig.StoreType.parse("packed")).isEqualTo(NodeConfig.StoreType.PACKED);
    assertThat(NodeConfig.StoreType.parse("Caffeine")).isEqualTo(NodeConfig.StoreType.CAFFEINE);
    assertThat(NodeConfig.StoreType.parse("OFFHEAP")).isEqualTo(NodeConfig.StoreType.OFFHEAP);
    assertThat(NodeConfig.builder().build().store()).isEqualTo(NodeConfig.StoreType.PACKED);
    assertThatThrownBy(() -> NodeConfig.StoreType.parse("redis"))
        .hasMessage("store: redis (expected: packed, caffeine or offheap)");
  }

  @Test
  void outputStallTimeout_defaultsToSixtySeconds() {
    CacheNode node = new CacheNode();
    new CommandLine(node).parseArgs();
    assertThat(node.outputStallTimeout).isEqualTo(NodeConfig.Limits.DEFAULT_OUTPUT_STALL_SECONDS).isEqualTo(60);
    assertThat(NodeConfig.Limits.defaults().outputStallSeconds()).isEqualTo(60);
  }

  @Test
  void outputStallTimeout_negative_isRefusedBeforeTheNodeStarts() {
    CacheNode node = new CacheNode();
    new CommandLine(node).parseArgs("--port", "0", "--output-stall-timeout", "-1");
    assertThatThrownBy(node::call)
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("output-stall-timeout must not be negative (0 turns it off): -1");
    NodeConfig.Limits d = NodeConfig.Limits.defaults();
    assertThatThrownBy(() -> new NodeConfig.Limits(d.maxKeySize(), d.maxValueSize(), d.maxMultibulkLength(),
            d.maxBulkLength(), d.maxInlineLength(), d.maxQueryBuffer(), d.maxOutputBuffer(), d.maxClients(), 0, -1))
        .hasMessage("output-stall-timeout must not be negative (0 turns it off): -1");
  }

  @Test
  void handoffRate_defaultsToNoLimit_andANegativeRateIsRefusedWithExitCode2() {
    CacheNode node = new CacheNode();
    new CommandLine(node).parseArgs();
    assertThat(node.handoffRate).isZero();
    assertThat(NodeConfig.builder().build().handoffRate()).isZero();
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine cli = new CommandLine(new CacheNode());
    cli.setErr(new java.io.PrintWriter(err));
    assertThat(cli.execute("--port", "0", "--threads", "1", "--handoff-rate", "-5")).isEqualTo(2);
    assertThat(err.toString()).contains("handoff-rate must not be negative (0 means no limit): -5");
    assertThatThrownBy(() -> NodeConfig.builder().handoffRate(-1).build())
        .hasMessage("handoff-rate must not be negative (0 means no limit): -1");
  }

  @Test
  void glob_matchesAsRedis() {
    assertThat(Glob.matches(b("key:*"), b("key:123"))).isTrue();
    assertThat(Glob.matches(b("k?y"), b("kay"))).isTrue();
    assertThat(Glob.matches(b("k[a-c]y"), b("kby"))).isTrue();
    assertThat(Glob.matches(b("k[^a-c]y"), b("kby"))).isFalse();
    assertThat(Glob.matches(b("a\\*"), b("a*"))).isTrue();
    assertThat(Glob.matches(b("a\\*"), b("ab"))).isFalse();
    assertThat(Glob.matches(b("*x*y*"), b("axbxcy"))).isTrue();
    assertThat(Glob.matches(b("save"), b("appendonly"))).isFalse();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void cluster_asMemberOnNonLoopbackBindWithoutSecret_refusesToStartWithExitCode2() {
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine cli = new CommandLine(new CacheNode());
    cli.setErr(new java.io.PrintWriter(err));
    int exit = cli.execute("--bind", "0.0.0.0", "--port", "0", "--cluster", "--threads", "1");
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("needs a cluster secret", "CACHE_CLUSTER_SECRET_FILE");
  }

  @Test
  void cluster_flagAndValues_parseAsBooleans() {
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine cli = new CommandLine(new CacheNode());
    cli.setErr(new java.io.PrintWriter(err));
    assertThat(cli.execute("--bind", "0.0.0.0", "--port", "0", "--cluster=maybe")).isEqualTo(2);
    assertThat(err.toString()).contains("cluster: maybe (expected: true or false)");
    String help = new CommandLine(new CacheNode()).getUsageMessage();
    assertThat(help).contains("--cluster", "CACHE_NODE_CLUSTER", "--cluster-secret-file", "CACHE_CLUSTER_SECRET_FILE");
  }

  @Test
  void portHeldByAnotherProcess_failsInOneLineNamingThePort_withExitCode1() throws Exception {
    try (java.net.ServerSocket held = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      java.io.StringWriter err = new java.io.StringWriter();
      CommandLine cli = CacheNode.commandLine();
      cli.setErr(new java.io.PrintWriter(err));
      int exit = cli.execute("--bind", "127.0.0.1", "--port", Integer.toString(held.getLocalPort()), "--threads", "1");
      assertThat(exit).isEqualTo(1);
      assertThat(err.toString()).isEqualTo("cache-node: cannot start: cannot listen on 127.0.0.1:" + held.getLocalPort()
          + " (RESP port): address already in use (another process listens on that port)" + System.lineSeparator());
    }
  }
}
