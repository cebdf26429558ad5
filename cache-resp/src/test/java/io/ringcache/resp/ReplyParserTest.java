package io.ringcache.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reply state machine itself: both modes, the bounds they share, the one error type. */
class ReplyParserTest {

  private static final RespLimits SMALL = RespLimits.defaults().withReplyBounds(64, 1024, 16, 3);

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  /** The end offsets of the replies in {@code wire}, by a typed or a framing parser. */
  private static List<Integer> ends(boolean typed, String wire) {
    ReplyParser parser = typed ? ReplyParser.typed(SMALL) : ReplyParser.framing(SMALL);
    ByteBuf in = bytes(wire);
    List<Integer> ends = new ArrayList<>();
    while (in.isReadable()) {
      if (typed) {
        if (parser.decode(in) == null) {
          break;
        }
      } else {
        int length = parser.frame(in);
        if (length < 0) {
          break;
        }
        in.skipBytes(length);
      }
      ends.add(in.readerIndex());
    }
    in.release();
    return ends;
  }

  @Test
  void typedAndFraming_endEveryReplyAtTheSameByte() {
    String wire = "+OK\r\n-ERR x\r\n:-3\r\n$3\r\nabc\r\n$-1\r\n*-1\r\n*0\r\n*2\r\n*1\r\n:1\r\n$0\r\n\r\n$2\r\nab";
    assertThat(ends(false, wire)).isEqualTo(ends(true, wire)).containsExactly(5, 13, 18, 27, 32, 37, 41, 59);
  }

  @Test
  void framing_keepsItsPlaceInAPartialReply_andConsumesNothing() {
    ReplyParser parser = ReplyParser.framing(SMALL);
    ByteBuf in = Unpooled.buffer();
    in.writeBytes(bytes("*2\r\n$3\r\nab"));
    assertThat(parser.frame(in)).isEqualTo(-1);
    assertThat(parser.inReply()).isTrue();
    assertThat(in.readerIndex()).isZero();
    in.writeBytes(bytes("c\r\n:7\r\n"));
    assertThat(parser.frame(in)).isEqualTo(in.readableBytes());
    in.release();
  }

  @Test
  void integer_theFull64BitRange_inBothModes() {
    String wire = ":-9223372036854775808\r\n:9223372036854775807\r\n:-0\r\n";
    assertThat(ends(false, wire)).isEqualTo(ends(true, wire)).containsExactly(23, 45, 50);
    ByteBuf in = bytes(wire);
    ReplyParser parser = ReplyParser.typed(SMALL);
    assertThat(parser.decode(in)).isEqualTo(Long.MIN_VALUE);
    assertThat(parser.decode(in)).isEqualTo(Long.MAX_VALUE);
    assertThat(parser.decode(in)).isEqualTo(0L);
    in.release();
  }

  @Test
  void arrayCount_withinTheBound_isNotAllocatedBeforeItsElementsArrive() {
    ReplyParser parser = ReplyParser.typed(RespLimits.defaults());
    ByteBuf in = bytes("*16777216\r\n:1\r\n");
    assertThat(parser.decode(in)).isNull(); // waits for the other 16,777,215 elements, holding one
    assertThat(in.isReadable()).isFalse();
    in.release();
  }

  @Test
  void malformedInput_isOneErrorType_inBothModes_namingValueAndBound() {
    String[][] cases = {
      {":12x\r\n", "integer: 12x (expected: a decimal number)"},
      {":99999999999999999999\r\n", "integer: 99999999999999999999 (expected: a 64-bit decimal number)"},
      {":9223372036854775808\r\n", "integer: 9223372036854775808 (expected: a 64-bit decimal number)"},
      {":-9223372036854775809\r\n", "integer: -9223372036854775809 (expected: a 64-bit decimal number)"},
      {":+1\r\n", "integer: +1 (expected: a decimal number)"},
      {"$-2\r\n", "bulk length: -2 (expected: -1 for null, else >= 0)"},
      {"*-7\r\n", "array length: -7 (expected: -1 for null, else >= 0)"},
      {"$1025\r\n", "bulk length: 1025 (expected: <= 1024)"},
      {"*17\r\n", "array length: 17 (expected: <= 16)"},
      {"*1\r\n*1\r\n*1\r\n*1\r\n", "array nesting: 4 (expected: <= 3)"},
      {"?\r\n", "reply type byte: 0x3f (expected: one of + - : $ *)"},
      {"+a\n", "reply line does not end with CRLF"},
      {"+" + "x".repeat(70), "reply line length: more than 64 bytes (expected: <= 64)"},
    };
    for (String[] c : cases) {
      for (boolean typed : new boolean[] {true, false}) {
        assertThatThrownBy(() -> ends(typed, c[0]))
            .as("%s (typed: %s)", c[0], typed)
            .isInstanceOfSatisfying(RespProtocolException.class,
                e -> assertThat(e.error().message()).startsWith(c[1]));
      }
    }
  }

  @Test
  void afterAnError_theParserStartsAfresh() {
    ReplyParser parser = ReplyParser.typed(SMALL);
    ByteBuf bad = bytes("*2\r\n:1\r\n!\r\n");
    assertThatThrownBy(() -> parser.decode(bad)).isInstanceOf(RespProtocolException.class);
    bad.release();
    ByteBuf good = bytes(":5\r\n");
    assertThat(parser.decode(good)).isEqualTo(5L);
    good.release();
  }

  @Test
  void framedElementEnd_isFoundByTheSameStateMachine() {
    ByteBuf frame = bytes("*2\r\n$3\r\nabc\r\n*1\r\n:1\r\n");
    assertThat(RespReplyFramer.end(frame, 4)).isEqualTo(13);
    assertThat(RespReplyFramer.end(frame, 13)).isEqualTo(frame.writerIndex());
    frame.release();
  }
}
