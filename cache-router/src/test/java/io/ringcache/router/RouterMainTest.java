package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.resp.net.EmptyEnvAsUnset;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RouterMainTest {

  private static RouterConfig parse(String... args) {
    RouterMain main = new RouterMain();
    new CommandLine(main).parseArgs(args);
    return main.config();
  }

  @Test
  void hashTag_offByDefault_setByOption_badValueRefusedWithTheOptionsName() {
    assertThat(parse().hashTag()).isNull();
    assertThat(parse("--hash-tag", "{}").hashTag()).isEqualTo("{}");
    assertThat(parse("--hash-tag", "").hashTag()).isNull();
    assertThatThrownBy(() -> parse("--hash-tag", "{"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageStartingWith("invalid --hash-tag: hash tag must be two distinct printable ASCII characters");
  }

  @Test
  void proxyOutputLimits_defaultTo64MiBAnd60Seconds() {
    RouterConfig config = parse();
    assertThat(config.proxyMaxOutputBuffer()).isEqualTo(64L << 20);
    assertThat(config.proxyOutputStallTimeout()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void proxyOutputLimits_acceptSizeSuffixesAndSeconds() {
    RouterConfig config = parse("--proxy-max-output-buffer", "1m", "--proxy-output-stall-timeout", "0");
    assertThat(config.proxyMaxOutputBuffer()).isEqualTo(1L << 20);
    assertThat(config.proxyOutputStallTimeout()).isZero();
  }

  @Test
  void proxyOutputLimits_outOfRange_areRefusedWithTheirName() {
    assertThatThrownBy(() -> parse("--proxy-output-stall-timeout", "-1"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("--proxy-output-stall-timeout must not be negative (0 turns it off): -1");
    assertThatThrownBy(() -> parse("--proxy-max-output-buffer", "0"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("--proxy-max-output-buffer must be positive: 0");
    assertThatThrownBy(() -> RouterConfig.builder().proxyOutputStallTimeout(Duration.ofSeconds(-1)).build())
        .hasMessage("proxy-output-stall-timeout must not be negative (0 turns it off): PT-1S");
  }

  @Test
  void proxyThreads_defaultToOnePerCore_setByOption_negativeRefusedWithTheOptionsName() {
    RouterConfig config = parse();
    assertThat(config.proxyThreads()).isZero();
    assertThat(config.effectiveProxyThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(parse("--proxy-threads", "3").effectiveProxyThreads()).isEqualTo(3);
    assertThatThrownBy(() -> parse("--proxy-threads", "-1"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("--proxy-threads must not be negative (0 picks one per core): -1");
    assertThatThrownBy(() -> RouterConfig.builder().proxyThreads(-2).build())
        .hasMessage("proxy-threads must not be negative (0 picks one per core): -2");
    assertThat(new CommandLine(new RouterMain()).getUsageMessage()).contains("--proxy-threads", "CACHE_ROUTER_PROXY_THREADS");
  }

  @Test
  void help_namesTheProxyOutputLimitsWithTheirEnvironmentVariables() {
    String help = new CommandLine(new RouterMain()).getUsageMessage();
    assertThat(help).contains("--proxy-max-output-buffer", "CACHE_ROUTER_PROXY_MAX_OUTPUT_BUFFER",
        "--proxy-output-stall-timeout", "CACHE_ROUTER_PROXY_OUTPUT_STALL_TIMEOUT");
  }

  @Test
  void secretFiles_areReadAndNeverNeedTheCommandLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path token = dir.resolve("admin-token");
    java.nio.file.Path secret = dir.resolve("cluster-secret");
    java.nio.file.Files.writeString(token, "t0ken\n");
    java.nio.file.Files.writeString(secret, "s3cret\n");
    RouterConfig config = parse("--admin-token-file", token.toString(), "--cluster-secret-file", secret.toString());
    assertThat(config.adminToken()).isEqualTo("t0ken");
    assertThat(config.clusterSecret()).isEqualTo("s3cret");
    assertThatThrownBy(() -> parse("--admin-token-file", dir.resolve("missing").toString()))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("cannot read --admin-token-file");
    assertThatThrownBy(() -> parse("--cluster-secret", "x", "--cluster-secret-file", secret.toString()))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("not both");
  }

  @Test
  void nodeAllow_isParsedAndCheckedUpFront() {
    assertThat(parse().nodeAllow()).isNull();
    assertThat(parse("--node-allow", "loopback,10.0.0.0/8").nodeAllow()).containsExactly("loopback", "10.0.0.0/8");
    assertThatThrownBy(() -> parse("--node-allow", "10.0.0.0/99"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("invalid --node-allow");
  }

  private static RouterConfig parseWithEnv(Map<String, String> env, String... args) {
    RouterMain main = new RouterMain();
    new CommandLine(main).setDefaultValueProvider(new EmptyEnvAsUnset(env::get)).parseArgs(args);
    return main.config();
  }

  @Test
  void emptyTokenPasswordAndOtherVariables_meanUnset() {
    RouterConfig config = parseWithEnv(Map.of("CACHE_ADMIN_TOKEN", "", "CACHE_PASSWORD", "", "CACHE_ROUTER_PORT", "",
        "CACHE_ROUTER_NODES", "", "CACHE_TLS_KEYSTORE", "", "CACHE_ROUTER_HEALTH_INTERVAL_MS", ""));
    assertThat(config.adminToken()).isNull();
    assertThat(config.password()).isNull();
    assertThat(config.port()).isEqualTo(7000);
    assertThat(config.initialNodes()).isEmpty();
    assertThat(config.tlsKeystore()).isNull();
    assertThat(config.healthInterval()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void emptyTokenAndPasswordFlags_meanNone() {
    RouterConfig config = parse("--admin-token", "", "--requirepass", "");
    assertThat(config.adminToken()).isNull();
    assertThat(config.password()).isNull();
  }

  @Test
  void exposureWarning_publicBindWithEmptyTokenAndPassword_namesBoth() {
    RouterConfig config = parseWithEnv(Map.of("CACHE_ADMIN_TOKEN", "", "CACHE_PASSWORD", ""), "--bind", "0.0.0.0");
    assertThat(Router.exposureWarning(config))
        .startsWith("listening on 0.0.0.0 (not loopback) without a password (--requirepass)")
        .contains("without an admin token (--admin-token)");
  }

  @Test
  void exposureWarning_publicBindWithPasswordOnly_namesTheMissingToken() {
    String warning = Router.exposureWarning(parse("--bind", "0.0.0.0", "--requirepass", "s", "--admin-token", ""));
    assertThat(warning).contains("without an admin token").doesNotContain("password");
  }

  @Test
  void exposureWarning_loopbackOrFullyProtected_isNone() {
    assertThat(Router.exposureWarning(parse("--bind", "127.0.0.1"))).isNull();
    assertThat(Router.exposureWarning(parse("--bind", "0.0.0.0", "--requirepass", "s", "--admin-token", "t"))).isNull();
  }

  @Test
  void portHeldByAnotherProcess_failsInOneLineNamingThePort_withExitCode1(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    try (java.net.ServerSocket held = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      java.io.StringWriter err = new java.io.StringWriter();
      CommandLine cli = RouterMain.commandLine();
      cli.setErr(new java.io.PrintWriter(err));
      int exit = cli.execute("--bind", "127.0.0.1", "--port", Integer.toString(held.getLocalPort()), "--admin-port", "0",
          "--data-dir", dir.toString(), "--node", "127.0.0.1:1");
      assertThat(exit).isEqualTo(1);
      assertThat(err.toString()).isEqualTo("cache-router: cannot start: cannot listen on 127.0.0.1:" + held.getLocalPort()
          + " (RESP proxy port): address already in use (another process listens on that port)" + System.lineSeparator());
    }
  }

  @Test
  void corruptTopologyFile_failsInOneLineSayingWhatToDo_withExitCode1(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Files.writeString(dir.resolve("topology.json"), "{\"epoch\":7,\"nodes\":[{\"na");
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine cli = RouterMain.commandLine();
    cli.setErr(new java.io.PrintWriter(err));
    int exit = cli.execute("--bind", "127.0.0.1", "--port", "0", "--admin-port", "0", "--data-dir", dir.toString(),
        "--node", "127.0.0.1:1");
    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).startsWith("cache-router: cannot start: " + dir.resolve("topology.json") + " is not a valid"
        + " topology document (").contains("move it aside: a router without one adopts the topology its nodes hold")
        .doesNotContain("\tat ");
  }
}
