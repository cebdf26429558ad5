package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.NodeConfig;
import io.ringcache.node.NodeServer;
import io.ringcache.ring.NodeInfo;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** The proxy port with a keystore speaks TLS only: a TLS client is served, a plaintext one refused. */
class ProxyTlsIT {

  private static final String PASSWORD = "changeit";

  @TempDir Path dir;
  private NodeServer node;
  private Router router;
  private Path keystore;

  @BeforeEach
  void start() throws Exception {
    keystore = dir.resolve("proxy.p12");
    Process keytool = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias", "ringcache",
        "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
        "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();

    node = NodeServer.start(NodeConfig.builder().port(0).threads(1).build());
    router = Router.start(RouterConfig.builder().port(0).adminPort(0).dataDir(dir.resolve("router"))
        .initialNodes(List.of(NodeInfo.of(node.cluster().name(), 1)))
        .tls(keystore, PASSWORD)
        .build());
  }

  @AfterEach
  void stop() {
    router.close();
    node.close();
  }

  @Test
  void tlsClient_isServed() throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      trusted.load(in, PASSWORD.toCharArray());
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", router.port()),
        DefaultJedisClientConfig.builder().ssl(true).sslSocketFactory(context.getSocketFactory())
            .hostnameVerifier((host, session) -> true).build())) {
      assertThat(jedis.ping()).isEqualTo("PONG");
      assertThat(jedis.set("tls:key", "secret")).isEqualTo("OK");
      assertThat(jedis.get("tls:key")).isEqualTo("secret");
    }
  }

  @Test
  void plaintextClient_isRefused() throws Exception {
    try (Socket plain = new Socket("127.0.0.1", router.port())) {
      plain.setSoTimeout(5_000);
      plain.getOutputStream().write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
      plain.getOutputStream().flush();
      byte[] reply = new byte[64];
      int read;
      try {
        read = plain.getInputStream().read(reply);
      } catch (SocketException reset) {
        read = -1;
      }
      // the handshake fails on the first plaintext bytes and the connection closes: never a +PONG
      String answer = read < 0 ? "" : new String(reply, 0, read, StandardCharsets.ISO_8859_1);
      assertThat(answer).doesNotContain("PONG");
      assertThat(plain.getInputStream().read()).isEqualTo(-1);
    }
  }
}
