package io.ringcache.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The expected bytes are redis-server 7.0.15's RESP3 replies, copied from a HELLO 3 session. */
class Resp3Test {

  private static String inPlace(String resp2, Resp3.Shape shape) {
    ByteBuf out = Unpooled.buffer();
    out.writeCharSequence("+before\r\n", StandardCharsets.ISO_8859_1);
    int mark = out.writerIndex();
    out.writeCharSequence(resp2, StandardCharsets.ISO_8859_1);
    Resp3.convert(out, mark, shape);
    String s = out.toString(StandardCharsets.ISO_8859_1);
    out.release();
    assertThat(s).startsWith("+before\r\n");
    return s.substring("+before\r\n".length());
  }

  private static String copied(String resp2, Resp3.Shape shape) {
    ByteBuf in = Unpooled.copiedBuffer(resp2, StandardCharsets.ISO_8859_1);
    ByteBuf out = Resp3.convert(in, shape, ByteBufAllocator.DEFAULT);
    String s = out.toString(StandardCharsets.ISO_8859_1);
    out.release();
    assertThat(in.refCnt()).isZero();
    return s;
  }

  /** Both ways of converting give {@code resp3}. */
  private static void converts(String resp2, Resp3.Shape shape, String resp3) {
    assertThat(inPlace(resp2, shape)).isEqualTo(resp3);
    assertThat(copied(resp2, shape)).isEqualTo(resp3);
  }

  private static Resp3.Shape shape(String... args) {
    byte[][] bytes = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      bytes[i] = args[i].getBytes(StandardCharsets.US_ASCII);
    }
    return Resp3.shape(Request.of(bytes));
  }

  @Test
  void plain_nullsAtAnyDepth_becomeResp3Null() {
    converts("$-1\r\n", Resp3.Shape.PLAIN, "_\r\n");
    converts("*-1\r\n", Resp3.Shape.PLAIN, "_\r\n");
    converts("*2\r\n$1\r\n1\r\n$-1\r\n", Resp3.Shape.PLAIN, "*2\r\n$1\r\n1\r\n_\r\n");
    converts("*2\r\n$-1\r\n*2\r\n$1\r\nx\r\n$-1\r\n", Resp3.Shape.PLAIN, "*2\r\n_\r\n*2\r\n$1\r\nx\r\n_\r\n");
  }

  @Test
  void plain_withoutNulls_isLeftAlone() {
    ByteBuf reply = Unpooled.copiedBuffer("$3\r\n$-1\r\n", StandardCharsets.ISO_8859_1); // a value that looks like a null
    assertThat(Resp3.convert(reply, Resp3.Shape.PLAIN, ByteBufAllocator.DEFAULT)).isSameAs(reply);
    reply.release();
    converts("*3\r\n:1\r\n+OK\r\n$0\r\n\r\n", Resp3.Shape.PLAIN, "*3\r\n:1\r\n+OK\r\n$0\r\n\r\n");
    converts("-ERR x\r\n", Resp3.Shape.MAP, "-ERR x\r\n");
  }

  @Test
  void plain_overConvertedParts_passesResp3Through() {
    // a node's EXEC: its elements were converted as each command ran
    String exec = "*5\r\n$1\r\n1\r\n%1\r\n$4\r\nport\r\n$1\r\n0\r\n_\r\n=4\r\ntxt:\r\n*2\r\n$1\r\n1\r\n$-1\r\n";
    converts(exec, Resp3.Shape.PLAIN, "*5\r\n$1\r\n1\r\n%1\r\n$4\r\nport\r\n$1\r\n0\r\n_\r\n=4\r\ntxt:\r\n*2\r\n$1\r\n1\r\n_\r\n");
  }

  @Test
  void exec_onlyItsOwnNullArray_becomesResp3Null() {
    converts("*-1\r\n", Resp3.Shape.EXEC, "_\r\n");
    // a HELLO 2 inside the transaction: the GET after it answered in RESP2, as Redis 7.0.15's does
    converts("*2\r\n*0\r\n$-1\r\n", Resp3.Shape.EXEC, "*2\r\n*0\r\n$-1\r\n");
  }

  @Test
  void verbatim_bulk_becomesTxtVerbatimString() {
    converts("$0\r\n\r\n", Resp3.Shape.VERBATIM, "=4\r\ntxt:\r\n");
    converts("$5\r\nid=3\n\r\n", Resp3.Shape.VERBATIM, "=9\r\ntxt:id=3\n\r\n");
  }

  @Test
  void map_pairs_becomeAMap() {
    converts("*0\r\n", Resp3.Shape.MAP, "%0\r\n");
    converts("*4\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n$4\r\nport\r\n$1\r\n0\r\n", Resp3.Shape.MAP,
        "%2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n$4\r\nport\r\n$1\r\n0\r\n");
  }

  @Test
  void commandInfo_flagsAndCategoriesAreSets_emptyListsAreEmptySets_unknownIsNull() {
    String entry2 = "*10\r\n$14\r\nclient|setname\r\n:3\r\n*3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n"
        + "*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n";
    String entry3 = "*10\r\n$14\r\nclient|setname\r\n:3\r\n~3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n"
        + "~2\r\n+@slow\r\n+@connection\r\n~0\r\n~0\r\n~0\r\n";
    converts("*2\r\n" + entry2 + "*-1\r\n", Resp3.Shape.COMMAND_INFO, "*2\r\n" + entry3 + "_\r\n");
    String container2 = "*10\r\n$6\r\nclient\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*1\r\n" + entry2;
    String container3 = "*10\r\n$6\r\nclient\r\n:-2\r\n~0\r\n:0\r\n:0\r\n:0\r\n~1\r\n+@slow\r\n~0\r\n~0\r\n*1\r\n" + entry3;
    converts("*1\r\n" + container2, Resp3.Shape.COMMAND_INFO, "*1\r\n" + container3);
  }

  @Test
  void commandDocs_mapsOfMaps() {
    converts("*2\r\n$3\r\nget\r\n*2\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n", Resp3.Shape.COMMAND_DOCS,
        "%1\r\n$3\r\nget\r\n%1\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n");
    converts("*2\r\n$1\r\nc\r\n*2\r\n$11\r\nsubcommands\r\n*2\r\n$3\r\nc|x\r\n*0\r\n", Resp3.Shape.COMMAND_DOCS,
        "%1\r\n$1\r\nc\r\n%1\r\n$11\r\nsubcommands\r\n%1\r\n$3\r\nc|x\r\n%0\r\n");
  }

  @Test
  void shape_byCommandAndSubcommand() {
    assertThat(shape("GET", "k")).isEqualTo(Resp3.Shape.PLAIN);
    assertThat(shape("info")).isEqualTo(Resp3.Shape.VERBATIM);
    assertThat(shape("INFO", "keyspace")).isEqualTo(Resp3.Shape.VERBATIM);
    assertThat(shape("client", "INFO")).isEqualTo(Resp3.Shape.VERBATIM);
    assertThat(shape("client", "list")).isEqualTo(Resp3.Shape.VERBATIM);
    assertThat(shape("client", "getname")).isEqualTo(Resp3.Shape.PLAIN);
    assertThat(shape("config", "get", "*")).isEqualTo(Resp3.Shape.MAP);
    assertThat(shape("command")).isEqualTo(Resp3.Shape.COMMAND_INFO);
    assertThat(shape("command", "info")).isEqualTo(Resp3.Shape.COMMAND_INFO);
    assertThat(shape("command", "docs")).isEqualTo(Resp3.Shape.COMMAND_DOCS);
    assertThat(shape("command", "list")).isEqualTo(Resp3.Shape.PLAIN);
    assertThat(shape("hello", "3")).isEqualTo(Resp3.Shape.AS_IS);
  }
}
