package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.node.NodeConfig;
import io.ringcache.node.NodeServer;
import io.ringcache.node.TestCertificates;
import io.ringcache.ring.NodeInfo;
import io.ringcache.router.Router;
import io.ringcache.router.RouterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client over TLS to a cluster whose nodes and router speak TLS only. */
class TlsClusterIT {

  @TempDir Path dir;
  private TestCertificates certificates;
  private final List<NodeServer> nodes = new ArrayList<>();
  private Router router;

  @BeforeEach
  void start() throws Exception {
    certificates = TestCertificates.create(dir.resolve("tls"));
    List<NodeInfo> initial = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      NodeServer node = NodeServer.start(NodeConfig.builder().port(0).threads(1)
          .tls(certificates.keystore(), certificates.password()).tlsCaCert(certificates.caCert()).build());
      nodes.add(node);
      initial.add(NodeInfo.of(node.cluster().name(), 1));
    }
    router = Router.start(RouterConfig.builder().port(0).adminPort(0).dataDir(dir.resolve("router"))
        .initialNodes(initial)
        .healthInterval(Duration.ofMillis(300))
        .healthMisses(5)
        .tls(certificates.keystore(), certificates.password())
        .nodeTls(true)
        .tlsCaCert(certificates.caCert())
        .build());
  }

  @AfterEach
  void stop() {
    if (router != null) {
      router.close();
    }
    nodes.forEach(NodeServer::close);
  }

  private String seed() {
    return "127.0.0.1:" + router.port();
  }

  @Test
  void clientTrustingTheCertificate_readsAndWritesOnEveryNode() {
    try (CacheClient cache = CacheClient.builder().seeds(seed()).tlsCaCert(certificates.caCert()).build()) {
      Map<String, String> written = new HashMap<>();
      for (int i = 0; i < 1_000; i++) {
        written.put("tls:" + i, "value-" + i);
      }
      cache.putAll(written);
      assertThat(cache.getAll(written.keySet())).containsExactlyInAnyOrderEntriesOf(written);
      cache.put("tls:one", "1");
      assertThat(cache.get("tls:one")).isEqualTo("1");
    }
    for (NodeServer node : nodes) {
      assertThat(node.store().size()).as("keys on %s, written over TLS", node.cluster().name()).isPositive();
    }
  }

  @Test
  void clientTrustingOnlyTheJdkAuthorities_failsWithTheCertificateError() {
    assertThatThrownBy(() -> CacheClient.builder().seeds(seed()).tls(true).build().close())
        .isInstanceOf(CacheConnectionException.class)
        .hasMessageContaining("TLS handshake failed")
        .hasMessageContaining("certification path");
  }

  @Test
  void plaintextClient_isRefused() {
    assertThatThrownBy(() -> CacheClient.builder().seeds(seed()).connectTimeout(Duration.ofSeconds(1))
            .commandTimeout(Duration.ofSeconds(2)).build().close())
        .isInstanceOf(CacheException.class);
  }

  @Test
  void unreadableCertificateFile_isAClearError() {
    assertThatThrownBy(() -> CacheClient.builder().seeds(seed()).tlsCaCert(dir.resolve("missing.pem")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot load the trusted TLS certificates")
        .hasMessageContaining("missing.pem");
  }
}
