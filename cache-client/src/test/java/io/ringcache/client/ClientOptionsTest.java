package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientOptionsTest {

  @Test
  void builder_untouched_hasTheDocumentedDefaults() {
    ClientOptions options = CacheClient.builder().options();
    assertThat(options.seeds()).containsExactly("127.0.0.1:7000");
    assertThat(options.password()).isNull();
    assertThat(options.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(options.commandTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(options.maxRedirects()).isEqualTo(5);
    assertThat(options.maxTryAgainRetries()).isEqualTo(10);
    assertThat(options.topologyRefreshPeriod()).isEqualTo(Duration.ofSeconds(5)); // was 30 s before issue 17
    assertThat(options.startupTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(options.maxKeySize()).isEqualTo(16 * 1024);
    assertThat(options.maxValueSize()).isEqualTo(16 * 1024 * 1024);
    assertThat(options.reconnectDelay()).isEqualTo(Duration.ofMillis(200));
    assertThat(options.maxInFlightPerNode()).isEqualTo(10_000);
    assertThat(options.ioThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void options_areASnapshot_laterSettersDoNotChangeThem() {
    CacheClient.Builder builder = CacheClient.builder().seeds("127.0.0.1:7001").password("secret");
    ClientOptions options = builder.options();
    builder.seeds("127.0.0.1:7002").maxRedirects(1);
    assertThat(options.seeds()).containsExactly("127.0.0.1:7001");
    assertThat(options.maxRedirects()).isEqualTo(5);
    assertThat(options.toString()).doesNotContain("secret");
  }

  @Test
  void seeds_withoutPort_isRejected() {
    assertThatThrownBy(() -> CacheClient.builder().seeds("localhost"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("host:port");
  }

  @Test
  void commandTimeout_zero_isRejected() {
    assertThatThrownBy(() -> CacheClient.builder().commandTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
