package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.node.NodeServer;
import io.ringcache.testkit.EmbeddedCluster;
import io.ringcache.testkit.core.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client over TLS to a cluster whose nodes and router speak TLS only. */
class TlsClusterIT {

  @TempDir Path dir;
  private EmbeddedCluster cluster;
  private TestCertificates certificates;

  @BeforeEach
  void start() {
    cluster = EmbeddedCluster.builder().nodes(2).tls().start();
    certificates = cluster.certificates();
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private String seed() {
    return cluster.proxyAddress();
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
    for (int i = 0; i < cluster.nodeCount(); i++) {
      NodeServer node = cluster.node(i);
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
