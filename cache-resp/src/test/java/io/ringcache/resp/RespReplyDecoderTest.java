package io.ringcache.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RespReplyDecoderTest {

  private EmbeddedChannel channel = new EmbeddedChannel(new RespReplyDecoder(RespLimits.defaults().withReplyBounds(64, 1024, 16, RespLimits.DEFAULT_MAX_REPLY_DEPTH)));

  @AfterEach
  void nothingLeftOver() {
    assertThat(channel.<Object>readInbound()).isNull();
    channel.finishAndReleaseAll();
  }

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  private Object decode(String wire) {
    channel.writeInbound(bytes(wire));
    return channel.readInbound();
  }

  @Test
  void simpleString_ok_isTheSharedConstant() {
    assertThat(decode("+OK\r\n")).isSameAs(RespReply.OK);
    assertThat(decode("+PONG\r\n")).isEqualTo("PONG");
  }

  @Test
  void error_keepsTheTextWithoutTheDash() {
    assertThat(decode("-MOVED 3 127.0.0.1:7002\r\n")).isEqualTo(new RespReply.Error("MOVED 3 127.0.0.1:7002"));
  }

  @Test
  void integer_parsesNegativeAndLarge() {
    assertThat(decode(":-2\r\n")).isEqualTo(-2L);
    assertThat(decode(":9223372036854775807\r\n")).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void bulk_binarySafeWithCrlfInside() {
    assertThat((byte[]) decode("$4\r\na\r\nb\r\n")).isEqualTo("a\r\nb".getBytes(StandardCharsets.UTF_8));
    assertThat((byte[]) decode("$0\r\n\r\n")).isEmpty();
  }

  @Test
  void nullBulkAndNullArray_areNil() {
    assertThat(decode("$-1\r\n")).isSameAs(RespReply.NIL);
    assertThat(decode("*-1\r\n")).isSameAs(RespReply.NIL);
  }

  @Test
  void array_nestedAndMixed_isOneMessage() {
    Object reply = decode("*3\r\n$1\r\na\r\n$-1\r\n*2\r\n:1\r\n+x\r\n");
    assertThat(reply).isInstanceOf(Object[].class);
    Object[] array = (Object[]) reply;
    assertThat((byte[]) array[0]).isEqualTo(new byte[] {'a'});
    assertThat(array[1]).isSameAs(RespReply.NIL);
    assertThat((Object[]) array[2]).containsExactly(1L, "x");
    assertThat((Object[]) decode("*0\r\n")).isEmpty();
  }

  @Test
  void decode_oneByteAtATime_yieldsTheSameReplies() {
    String wire = "+OK\r\n$5\r\nhello\r\n*2\r\n$1\r\nk\r\n:7\r\n-ERR no\r\n";
    for (byte b : wire.getBytes(StandardCharsets.UTF_8)) {
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    assertThat(channel.<Object>readInbound()).isSameAs(RespReply.OK);
    assertThat((byte[]) channel.readInbound()).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
    assertThat((Object[]) channel.readInbound()).hasSize(2);
    assertThat(channel.<Object>readInbound()).isEqualTo(new RespReply.Error("ERR no"));
  }

  @Test
  void manyRepliesInOneBuffer_allEmittedInOrder() {
    channel.writeInbound(bytes(":1\r\n:2\r\n:3\r\n"));
    assertThat(channel.<Object>readInbound()).isEqualTo(1L);
    assertThat(channel.<Object>readInbound()).isEqualTo(2L);
    assertThat(channel.<Object>readInbound()).isEqualTo(3L);
  }

  @Test
  void bulkLength_aboveTheBound_failsNamingValueAndBound() {
    assertThatThrownBy(() -> channel.writeInbound(bytes("$2000\r\n")))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("bulk length: 2000 (expected: <= 1024)");
  }

  @Test
  void arrayLength_aboveTheBound_fails() {
    assertThatThrownBy(() -> channel.writeInbound(bytes("*17\r\n")))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("array length: 17 (expected: <= 16)");
  }

  @Test
  void line_longerThanTheBoundWithoutEnd_fails() {
    assertThatThrownBy(() -> channel.writeInbound(bytes("+" + "x".repeat(100))))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("reply line length");
  }

  @Test
  void unknownTypeByte_failsAndTheDecoderResets() {
    assertThatThrownBy(() -> channel.writeInbound(bytes("*2\r\n:1\r\n!oops\r\n")))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("reply type byte: 0x21");
    assertThat(decode(":5\r\n")).isEqualTo(5L);
  }

  @Test
  void nonNumericLength_fails() {
    assertThatThrownBy(() -> channel.writeInbound(bytes("$abc\r\n")))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("bulk length: abc");
  }

  @Test
  void bulkWithoutTrailingCrlf_fails() {
    assertThatThrownBy(() -> channel.writeInbound(bytes("$1\r\nabc\r\n")))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("not followed by CRLF");
  }

  @Test
  void nesting_deeperThanTheBound_fails() {
    assertThatThrownBy(() -> channel.writeInbound(bytes("*1\r\n".repeat(RespLimits.DEFAULT_MAX_REPLY_DEPTH + 1))))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("array nesting");
  }
}
