package io.ringcache.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RedirectTest {

  @Test
  void parse_wellFormedMoved_givesEpochAndAddress() {
    assertThat(Redirect.parse("MOVED 12 127.0.0.1:7002")).isEqualTo(Redirect.moved(12, "127.0.0.1:7002"));
  }

  @Test
  void parse_movedToIpv6Literal_keepsTheBracketedAddress() {
    assertThat(Redirect.parse("MOVED 3 [::1]:7001")).isEqualTo(Redirect.moved(3, "[::1]:7001"));
  }

  @Test
  void parse_movedWithLargestEpoch_givesIt() {
    assertThat(Redirect.parse("MOVED 9223372036854775807 n:1").epoch()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void parse_redisClusterSlot_readsAsTheEpoch() {
    assertThat(Redirect.parse("MOVED 3999 127.0.0.1:6381")).isEqualTo(Redirect.moved(3999, "127.0.0.1:6381"));
  }

  @Test
  void parse_tryAgainAndCrossNode_areRedirectsWithoutEpochOrAddress() {
    assertThat(Redirect.parse("TRYAGAIN this node's lease expired (it lost contact with the router), retry"))
        .isEqualTo(new Redirect(Redirect.Kind.TRYAGAIN, -1, null));
    assertThat(Redirect.parse("TRYAGAIN")).isEqualTo(new Redirect(Redirect.Kind.TRYAGAIN, -1, null));
    assertThat(Redirect.parse("CROSSNODE keys in request are owned by different nodes"))
        .isEqualTo(new Redirect(Redirect.Kind.CROSSNODE, -1, null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ERR syntax error", "MOVEDX 3 127.0.0.1:1", "ERR MOVED 3 127.0.0.1:1", "TRYAGAINX", "",
      "moved 3 127.0.0.1:1", "ASK 3 127.0.0.1:1"})
  void parse_otherError_isNull(String message) {
    assertThat(Redirect.parse(message)).isNull();
    assertThat(Redirect.kindOf(message)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"MOVED", "MOVED 3", "MOVED 3 ", "MOVED x 127.0.0.1:7002", "MOVED -1 127.0.0.1:7002",
      "MOVED 9223372036854775808 127.0.0.1:7002", "MOVED 3 nohostport", "MOVED 3 :7002", "MOVED 3 host:",
      "MOVED 3 host:0", "MOVED 3 host:65536", "MOVED 3 host:port", "MOVED  3 host:1", "MOVED 3 host:1 extra"})
  void parse_malformedMoved_failsNamingTheReplyAndTheExpectedForm(String message) {
    assertThatThrownBy(() -> Redirect.parse(message))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-" + message)
        .hasMessageContaining("expected: MOVED <epoch> <host>:<port>");
    assertThat(Redirect.kindOf(message)).isEqualTo(Redirect.Kind.MOVED);
  }

  @Test
  void parse_hugeMalformedMoved_quotesOnlyItsStart() {
    String message = "MOVED " + "9".repeat(100_000) + " n:1";
    assertThatThrownBy(() -> Redirect.parse(message))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("an epoch from 0 to")
        .message().hasSizeLessThan(400);
  }
}
