package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RespRequestEncoderTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String encode(Request<?> request) {
    EmbeddedChannel channel = new EmbeddedChannel(new RespRequestEncoder());
    channel.writeOutbound(request);
    ByteBuf out = channel.readOutbound();
    String wire = out.toString(StandardCharsets.UTF_8);
    out.release();
    assertThat(channel.<Object>readOutbound()).isNull();
    channel.finishAndReleaseAll();
    return wire;
  }

  @Test
  void get_isAnArrayOfTwoBulkStrings() {
    assertThat(encode(Request.of(CommandType.GET, b("user:1"), r -> r)))
        .isEqualTo("*2\r\n$3\r\nGET\r\n$6\r\nuser:1\r\n");
  }

  @Test
  void set_withoutTtl_hasThreeArguments() {
    assertThat(encode(new Request<>(CommandType.SET, b("k"), b("v\r\n"), 0, null, r -> r)))
        .isEqualTo("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r\n\r\n");
  }

  @Test
  void set_withTtl_addsPxMillis() {
    assertThat(encode(new Request<>(CommandType.SET, b("k"), b("v"), 300000, null, r -> r)))
        .isEqualTo("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nPX\r\n$6\r\n300000\r\n");
  }

  @Test
  void incrBy_negativeDelta_isWrittenInDecimal() {
    assertThat(encode(new Request<>(CommandType.INCRBY, b("n"), null, -42, null, r -> r)))
        .isEqualTo("*3\r\n$6\r\nINCRBY\r\n$1\r\nn\r\n$3\r\n-42\r\n");
  }

  @Test
  void mget_andRingTopology_writeEveryArgument() {
    assertThat(encode(Request.keyless(CommandType.MGET, new byte[][] {b("a"), b("bb")}, r -> r)))
        .isEqualTo("*3\r\n$4\r\nMGET\r\n$1\r\na\r\n$2\r\nbb\r\n");
    assertThat(encode(Request.keyless(CommandType.RING_TOPOLOGY, null, r -> r)))
        .isEqualTo("*1\r\n$13\r\nRING.TOPOLOGY\r\n");
  }

  @Test
  void set_withOptions_sendsThemAfterTheValue() {
    assertThat(encode(new Request<>(CommandType.SET, b("k"), b("v"), 0, new byte[][] {CommandType.NX, b("PX"), b("5")}, r -> r)))
        .isEqualTo("*6\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nNX\r\n$2\r\nPX\r\n$1\r\n5\r\n");
  }

  @Test
  void del_withoutKeyAndWithArgs_isTheMultiKeyForm() {
    assertThat(encode(Request.keyless(CommandType.DEL, new byte[][] {b("a"), b("b")}, r -> r)))
        .isEqualTo("*3\r\n$3\r\nDEL\r\n$1\r\na\r\n$1\r\nb\r\n");
  }

  @Test
  void getdelPersistDecrby_singleKeyForms() {
    assertThat(encode(Request.of(CommandType.GETDEL, b("k"), r -> r))).isEqualTo("*2\r\n$6\r\nGETDEL\r\n$1\r\nk\r\n");
    assertThat(encode(Request.of(CommandType.PERSIST, b("k"), r -> r))).isEqualTo("*2\r\n$7\r\nPERSIST\r\n$1\r\nk\r\n");
    assertThat(encode(new Request<>(CommandType.DECRBY, b("k"), null, -3, null, r -> r)))
        .isEqualTo("*3\r\n$6\r\nDECRBY\r\n$1\r\nk\r\n$2\r\n-3\r\n");
  }
}
