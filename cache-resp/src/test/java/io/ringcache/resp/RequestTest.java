package io.ringcache.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void of_moreArgumentsThanTheInitialCapacity_readsEveryArgumentInPlaceAndCopied() {
    byte[][] args = new byte[12][];
    args[0] = b("CLIENT");
    for (int i = 1; i < args.length; i++) {
      args[i] = b("arg" + i);
    }
    Request r = Request.of(args);
    assertThat(r.argc()).isEqualTo(12);
    assertThat(r.argEqualsIgnoreCase(0, b("client"))).isTrue();
    for (int i = 1; i < args.length; i++) {
      assertThat(r.argLength(i)).as("length of %d", i).isEqualTo(args[i].length);
      assertThat(r.argByte(i, 0)).isEqualTo((byte) 'a');
      assertThat(r.arg(i)).isEqualTo(args[i]);
    }
    Request copy = r.copy();
    assertThat(copy.argc()).isEqualTo(12);
    assertThat(copy.arg(11)).isEqualTo(b("arg11"));
    assertThat(copy.argLength(11)).isEqualTo(5);
  }

  @Test
  void of_noArguments_isEmpty() {
    Request r = Request.of();
    assertThat(r.argc()).isZero();
    assertThat(r.copy().argc()).isZero();
  }
}
