package io.ringcache.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The helpers that look into a framed reply (the framing itself is cache-resp's RespReplyFramerTest). */
class RawReplyTest {

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  @Test
  void helpers_readIntegersErrorsAndArrayHeaders() {
    assertThat(RawReply.integer(bytes(":-12\r\n"))).isEqualTo(-12);
    assertThat(RawReply.text(bytes("-MOVED 7 127.0.0.1:7002\r\n"))).isEqualTo("MOVED 7 127.0.0.1:7002");
    ByteBuf array = bytes("*2\r\n$1\r\na\r\n$-1\r\n");
    assertThat(RawReply.arrayLength(array)).isEqualTo(2);
    assertThat(RawReply.firstElement(array)).isEqualTo(4);
    assertThat(RawReply.startsWith(bytes("-TRYAGAIN importing\r\n"), "-TRYAGAIN".getBytes(StandardCharsets.US_ASCII))).isTrue();
  }
}
