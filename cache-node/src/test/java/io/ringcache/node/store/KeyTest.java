package io.ringcache.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.ring.Crc32;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void ringHash_isCrc32OfBytes() {
    assertThat(Key.of(bytes("foo")).ringHash()).isEqualTo(Crc32.hash(bytes("foo")));
    assertThat(Key.of(bytes("foo"))).isEqualTo(Key.of(bytes("foo"))).isNotEqualTo(Key.of(bytes("bar")));
  }
}
