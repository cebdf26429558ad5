package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.resp.net.EmptyEnvAsUnset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EmptyEnvAsUnsetTest {

  private static CacheNode parse(Map<String, String> env, String... args) {
    CacheNode node = new CacheNode();
    new CommandLine(node).setDefaultValueProvider(new EmptyEnvAsUnset(env::get)).parseArgs(args);
    return node;
  }

  @Test
  void emptyVariables_takeTheFallbackOrNoValue() {
    CacheNode node = parse(Map.of(
        "CACHE_NODE_METRICS_PORT", "", "CACHE_NODE_PORT", "", "CACHE_NODE_MAX_MEMORY", "",
        "CACHE_NODE_REQUIREPASS", "", "CACHE_NODE_TLS_KEYSTORE", "", "CACHE_NODE_TLS_KEYSTORE_PASSWORD", ""));
    assertThat(node.metricsPort).isZero();
    assertThat(node.port).isEqualTo(7001);
    assertThat(node.maxMemory).isEqualTo(256L << 20);
    assertThat(node.requirepass).isEmpty(); // its declared fallback; NodeConfig reads "" as no password
    assertThat(node.tlsKeystore).isNull();
    assertThat(node.tlsKeystorePassword).isNull();
  }

  @Test
  void defaultValue_answersOnlyForSetButEmptyVariables() {
    CommandLine.Model.CommandSpec spec = new CommandLine(new CacheNode()).getCommandSpec();
    CommandLine.Model.OptionSpec port = spec.findOption("--port");
    CommandLine.Model.OptionSpec keystore = spec.findOption("--tls-keystore");
    assertThat(new EmptyEnvAsUnset(Map.of("CACHE_NODE_PORT", "")::get).defaultValue(port)).isEqualTo("7001");
    assertThat(new EmptyEnvAsUnset(Map.of("CACHE_NODE_TLS_KEYSTORE", "")::get).defaultValue(keystore)).isEqualTo("_NULL_");
    // unset or set to a value: picocli's own interpolation of ${env:...} applies, as before
    assertThat(new EmptyEnvAsUnset(Map.of("CACHE_NODE_PORT", "7005")::get).defaultValue(port)).isNull();
    assertThat(new EmptyEnvAsUnset(Map.<String, String>of()::get).defaultValue(port)).isNull();
    assertThat(new EmptyEnvAsUnset(Map.of("CACHE_NODE_PORT", "")::get).defaultValue(spec.findOption("--help"))).isNull();
  }

  @Test
  void emptyRequirepass_meansNoPasswordInTheConfig() {
    NodeConfig config = NodeConfig.builder().requirepass("").build();
    assertThat(config.requirepass()).isNull();
  }

  @Test
  void flagsGivenOnTheCommandLine_winOverEmptyVariables() {
    CacheNode node = parse(Map.of("CACHE_NODE_METRICS_PORT", ""), "--metrics-port", "9100");
    assertThat(node.metricsPort).isEqualTo(9100);
  }
}
