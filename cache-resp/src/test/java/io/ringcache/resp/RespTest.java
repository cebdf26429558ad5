package io.ringcache.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RespTest {

  private static String written(java.util.function.Consumer<ByteBuf> writer) {
    return new String(Resp.toBytes(writer), StandardCharsets.UTF_8);
  }

  @Test
  void decimal_extremes_matchLongToString() {
    for (long v : new long[] {0, 9, 10, -1, -10, 123456789012L, Long.MAX_VALUE, Long.MIN_VALUE}) {
      ByteBuf buf = Unpooled.buffer();
      Resp.decimal(buf, v);
      assertThat(buf.toString(StandardCharsets.US_ASCII)).isEqualTo(Long.toString(v));
      assertThat(Resp.digits(v)).isEqualTo(Long.toString(v).length());
      buf.release();
    }
  }

  @Test
  void bulkDecimal_extremes_areBulkStringsOfTheirDigits() {
    for (long v : new long[] {0, 7, 10, -1, 1500, Long.MAX_VALUE, Long.MIN_VALUE}) {
      String digits = Long.toString(v);
      assertThat(written(b -> Resp.bulkDecimal(b, v))).isEqualTo("$" + digits.length() + "\r\n" + digits + "\r\n");
    }
  }

  @Test
  void command_bytesAndStrings_writeTheSameMultibulk() {
    String expected = "*3\r\n$3\r\nSET\r\n$3\r\nk\u00e9\r\n$0\r\n\r\n"; // \u00e9 is two bytes in UTF-8
    assertThat(written(b -> Resp.command(b, "SET", "k\u00e9", ""))).isEqualTo(expected);
    assertThat(written(b -> Resp.command(b, "SET".getBytes(StandardCharsets.UTF_8),
        "k\u00e9".getBytes(StandardCharsets.UTF_8), new byte[0]))).isEqualTo(expected);
  }

  @Test
  void command_noArguments_isAnEmptyArray() {
    assertThat(written(b -> Resp.command(b, new byte[0][]))).isEqualTo("*0\r\n");
  }

  @Test
  void command_intoABufferHoldingData_appendsAfterIt() {
    ByteBuf buf = Unpooled.buffer(4);
    buf.writeByte('x');
    Resp.command(buf, "PING");
    assertThat(buf.toString(StandardCharsets.US_ASCII)).isEqualTo("x*1\r\n$4\r\nPING\r\n");
    buf.release();
  }
}
