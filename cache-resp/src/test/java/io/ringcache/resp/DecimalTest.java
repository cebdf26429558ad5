package io.ringcache.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecimalTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void parseLong_isStrictAsRedis() {
    assertThat(Decimal.parseLong(bytes("-9223372036854775808"))).isEqualTo(Long.MIN_VALUE);
    assertThat(Decimal.parseLong(bytes("9223372036854775807"))).isEqualTo(Long.MAX_VALUE);
    assertThat(Decimal.parseLong(bytes("0"))).isZero();
    for (String bad : List.of("", "-", "+1", " 1", "01", "1a", "9223372036854775808", "-0x1", "-0", "-01")) {
      assertThatThrownBy(() -> Decimal.parseLong(bytes(bad))).as(bad).isInstanceOf(NumberFormatException.class);
    }
  }
}
