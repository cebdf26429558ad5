package io.ringcache.resp.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterAuthTest {

  private static InetSocketAddress peer(String ip) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(ip), 40000);
  }

  @Test
  void mayRunInternal_withoutSecret_allowsOnlyLoopbackPeers() throws Exception {
    assertThat(ClusterAuth.mayRunInternal(null, false, peer("127.0.0.1"))).isTrue();
    assertThat(ClusterAuth.mayRunInternal(null, false, peer("127.0.0.3"))).isTrue();
    assertThat(ClusterAuth.mayRunInternal(null, false, peer("::1"))).isTrue();
    assertThat(ClusterAuth.mayRunInternal(null, false, peer("10.1.2.3"))).isFalse();
    assertThat(ClusterAuth.mayRunInternal(null, false, peer("192.168.0.7"))).isFalse();
    assertThat(ClusterAuth.mayRunInternal(null, false, peer("fe80::1"))).isFalse();
    assertThat(ClusterAuth.mayRunInternal(null, false, null)).isFalse();
  }

  @Test
  void mayRunInternal_withSecret_needsClusterUserEvenFromLoopback() throws Exception {
    assertThat(ClusterAuth.mayRunInternal("s", false, peer("127.0.0.1"))).isFalse();
    assertThat(ClusterAuth.mayRunInternal("s", true, peer("127.0.0.1"))).isTrue();
    assertThat(ClusterAuth.mayRunInternal("s", true, peer("10.1.2.3"))).isTrue();
    assertThat(ClusterAuth.mayRunInternal("s", false, peer("10.1.2.3"))).isFalse();
  }

  @Test
  void matches_comparesExactlyAndNeverMatchesWithoutSecret() {
    assertThat(ClusterAuth.matches("abc", "abc".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(ClusterAuth.matches("abc", "abd".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(ClusterAuth.matches("abc", "ab".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(ClusterAuth.matches(null, "".getBytes(StandardCharsets.UTF_8))).isFalse();
  }

  @Test
  void secret_fromFile_isStrippedAndEmptyMeansUnset(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("secret");
    Files.writeString(file, "  t0ken\n");
    assertThat(ClusterAuth.secret("cluster-secret", null, file)).isEqualTo("t0ken");
    assertThat(ClusterAuth.secret("cluster-secret", "", null)).isNull();
    assertThat(ClusterAuth.secret("cluster-secret", "v", null)).isEqualTo("v");
    assertThatThrownBy(() -> ClusterAuth.secret("cluster-secret", "v", file)).hasMessageContaining("not both");
    assertThatThrownBy(() -> ClusterAuth.secret("cluster-secret", null, dir.resolve("missing")))
        .hasMessageContaining("cannot read --cluster-secret-file");
    Files.writeString(file, "\n");
    assertThatThrownBy(() -> ClusterAuth.secret("cluster-secret", null, file)).hasMessageContaining("is empty");
  }
}
