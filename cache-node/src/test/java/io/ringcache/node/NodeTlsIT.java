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

  /**
   * The cluster reserve's wait counts from the end of the TLS handshake: a router whose handshake
   * is slow (a loaded machine) is still admitted beyond max-clients. Here the ClientHello comes
   * 800 ms after the connect, past the 500 ms wait.
   */
  @Test
  void clusterUserBeyondMaxClients_slowToShakeHands_isAdmitted() throws Exception {
    node.close();
    node = NodeServer.start(NodeConfig.builder().port(0).threads(1)
        .tls(certificates.keystore(), certificates.password())
        .limits(NodeConfig.Limits.defaults().withMaxClients(1))
        .clusterSecret("s3cret")
        .build());
    javax.net.ssl.SSLSocketFactory factory = certificates.clientContext().getSocketFactory();
    try (javax.net.ssl.SSLSocket held = (javax.net.ssl.SSLSocket) factory.createSocket("127.0.0.1", node.port())) {
      assertThat(call(held, "PING")).isEqualTo("+PONG");
      java.net.Socket plain = new java.net.Socket("127.0.0.1", node.port());
      Thread.sleep(ClusterReserve.WAIT_MILLIS + 300); // the fault itself: a ClientHello that late, not a wait for a condition
      try (javax.net.ssl.SSLSocket router = (javax.net.ssl.SSLSocket) factory.createSocket(plain, "127.0.0.1", node.port(), true)) {
        router.setSoTimeout(10_000);
        router.startHandshake();
        assertThat(call(router, "AUTH", "ringcache-cluster", "s3cret")).isEqualTo("+OK");
        assertThat(call(router, "PING")).isEqualTo("+PONG");
      }
    }
  }

  /** Sends one command and reads its one-line reply. */
  private static String call(java.net.Socket socket, String... args) throws java.io.IOException {
    StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      request.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
    }
    socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
    java.io.InputStream in = socket.getInputStream();
    StringBuilder line = new StringBuilder();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        throw new java.io.EOFException("closed after " + line);
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
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
