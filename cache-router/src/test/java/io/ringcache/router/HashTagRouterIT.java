package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --hash-tag is written into the persisted topology once, and a router never changes it. */
class HashTagRouterIT {

  @TempDir Path dataDir;

  private RouterConfig config(String hashTag) {
    return RouterConfig.builder().port(0).adminPort(0).dataDir(dataDir).hashTag(hashTag).build();
  }

  @Test
  void start_persistedTopologyWithAnotherHashTag_isRefused_theSameOneRestarts() throws Exception {
    try (Router router = Router.start(config("{}"))) {
      assertThat(router.topology().hashTag()).isEqualTo("{}");
    }
    assertThatThrownBy(() -> Router.start(config(null)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hash-tag (none) differs from the persisted topology's {}");
    try (Router router = Router.start(config("{}"))) {
      assertThat(router.topology().hashTag()).isEqualTo("{}");
    }
  }

  @Test
  void start_withoutHashTag_persistsNone() throws Exception {
    try (Router router = Router.start(config(null))) {
      assertThat(router.topology().hashTag()).isNull();
    }
    assertThatThrownBy(() -> Router.start(config("{}")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hash-tag {} differs from the persisted topology's (none)");
  }
}
