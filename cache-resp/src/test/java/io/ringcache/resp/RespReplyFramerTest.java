package io.ringcache.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespReplyFramerTest {

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  private static List<String> frames(EmbeddedChannel ch) {
    List<String> out = new ArrayList<>();
    ByteBuf b;
    while ((b = ch.readInbound()) != null) {
      out.add(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return out;
  }

  @Test
  void decode_everyReplyType_leavesAsItsRawBytes_andNothingIsLeftOver() {
    EmbeddedChannel ch = new EmbeddedChannel(new RespReplyFramer());
    String replies = "+OK\r\n-ERR no\r\n:42\r\n$3\r\nabc\r\n$-1\r\n*2\r\n$1\r\na\r\n*1\r\n:1\r\n*-1\r\n$0\r\n\r\n";
    ch.writeInbound(bytes(replies));
    assertThat(frames(ch)).containsExactly("+OK\r\n", "-ERR no\r\n", ":42\r\n", "$3\r\nabc\r\n", "$-1\r\n",
        "*2\r\n$1\r\na\r\n*1\r\n:1\r\n", "*-1\r\n", "$0\r\n\r\n");
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void decode_replySplitAtEveryByte_isFramedOnceComplete() {
    String reply = "*3\r\n$5\r\nhello\r\n$-1\r\n:7\r\n";
    EmbeddedChannel ch = new EmbeddedChannel(new RespReplyFramer());
    for (int i = 0; i < reply.length(); i++) {
      ch.writeInbound(bytes(reply.substring(i, i + 1)));
      if (i < reply.length() - 1) {
        assertThat(frames(ch)).isEmpty();
      }
    }
    assertThat(frames(ch)).containsExactly(reply);
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void decode_bulkLongerThanTheBound_failsWithTheValueAndTheBound() {
    EmbeddedChannel ch = new EmbeddedChannel(new RespReplyFramer());
    assertThatThrownBy(() -> ch.writeInbound(bytes("$999999999999\r\n")))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("bulk length: 999999999999 (expected: <= " + RespLimits.DEFAULT_MAX_REPLY_BULK_LENGTH + ")");
  }

  @Test
  void decode_unknownType_fails() {
    EmbeddedChannel ch = new EmbeddedChannel(new RespReplyFramer());
    assertThatThrownBy(() -> ch.writeInbound(bytes("?x\r\n"))).isInstanceOf(DecoderException.class)
        .hasMessageContaining("reply type");
  }
}
