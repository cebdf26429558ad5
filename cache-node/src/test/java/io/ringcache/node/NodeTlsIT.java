package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringcache.testkit.core.TestCertificates;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node with a keystore speaks TLS only: redis-cli --tls is served, plaintext and untrusted peers are not. */
class NodeTlsIT {

  @TempDir Path dir;
  private TestCertificates certificates;
  private NodeServer node;

  @BeforeEach
  void start() throws Exception {
    certificates = TestCertificates.create(dir.resolve("node"));
    node = NodeServer.start(NodeConfig.builder().port(0).threads(1)
        .tls(certificates.keystore(), certificates.password())
        .tlsCaCert(certificates.caCert())
        .build());
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void redisCliOverTls_isServed() throws Exception {
    assumeTrue(new File("/usr/bin/redis-cli").canExecute(), "redis-cli is not installed (Debian package redis-tools)");
    String out = redisCli(certificates.caCert(), "PING\nSET tls:key secret\nGET tls:key\n");
    assertThat(out.lines()).containsExactly("PONG", "OK", "secret");
  }

  @Test
  void plaintextClient_isRefused() throws Exception {
    assertThat(TestCertificates.plaintextPing(node.port())).doesNotContain("PONG");
    // and the node keeps serving TLS clients
    assumeTrue(new File("/usr/bin/redis-cli").canExecute(), "redis-cli is not installed (Debian package redis-tools)");
    assertThat(redisCli(certificates.caCert(), "PING\n").trim()).isEqualTo("PONG");
  }

  @Test
  void clientThatDoesNotTrustTheCertificate_cannotConnect() throws Exception {
    assumeTrue(new File("/usr/bin/redis-cli").canExecute(), "redis-cli is not installed (Debian package redis-tools)");
    TestCertificates other = TestCertificates.create(dir.resolve("other"));
    String out = redisCli(other.caCert(), "PING\n");
    assertThat(out).doesNotContain("PONG").containsIgnoringCase("certificate");
  }

  @Test
  void keystoreThatCannotBeRead_failsTheStartClearly() {
    NodeConfig config = NodeConfig.builder().port(0).threads(1).tls(dir.resolve("missing.p12"), "x").build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeServer.start(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot load the TLS keystore")
        .hasMessageContaining("missing.p12");
  }

  private String redisCli(Path caCert, String commands) throws Exception {
    Process p = new ProcessBuilder("redis-cli", "--tls", "--cacert", caCert.toString(), "-h", "127.0.0.1",
        "-p", String.valueOf(node.port()))
        .redirectErrorStream(true).start();
    p.getOutputStream().write(commands.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }
}
