package io.ringcache.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Codec tests in the style of Redis's tests/unit/protocol.tcl, through an EmbeddedChannel. */
class RespDecoderTest {

  private final List<Object> decoded = new ArrayList<>();
  private boolean authenticated = true;
  private RespLimits limits = RespLimits.defaults();
  private RespDecoder decoder;
  private EmbeddedChannel channel;

  private EmbeddedChannel channel() {
    if (channel == null) {
      decoder = new RespDecoder(limits, () -> authenticated);
      channel = new EmbeddedChannel(decoder, recordingInto(decoded));
    }
    return channel;
  }

  /** A handler that adds each request's arguments (a list of strings), or "ERR " and a protocol error's message, to {@code out}. */
  private static ChannelInboundHandlerAdapter recordingInto(List<Object> out) {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Request r) {
          List<String> args = new ArrayList<>();
          for (int i = 0; i < r.argc(); i++) {
            args.add(new String(r.arg(i), StandardCharsets.ISO_8859_1));
          }
          out.add(args);
        } else if (msg instanceof ProtocolError e) {
          out.add("ERR " + e.message());
        }
      }
    };
  }

  private void feed(String s) {
    channel().writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
  }

  private String onlyError() {
    assertThat(decoded).hasSize(1);
    assertThat(decoded.get(0)).isInstanceOf(String.class);
    return (String) decoded.get(0);
  }

  /**
   * Feeds {@code input} in pieces of {@code piece} bytes to a decoder whose handler keeps each
   * request's raw bytes (a retained slice) and its arguments read in place (argByte, not arg); the
   * raw slices are read only after everything was fed, so they must have survived every later read.
   */
  private static List<String> rawAndInPlace(String input, int piece) {
    List<io.netty.buffer.ByteBuf> raws = new ArrayList<>();
    List<String> inPlace = new ArrayList<>();
    EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder(RespLimits.defaults(), () -> true),
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Request r = (Request) msg;
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < r.argc(); i++) {
              for (int j = 0; j < r.argLength(i); j++) {
                s.append((char) (r.argByte(i, j) & 0xFF));
              }
              s.append(i < r.argc() - 1 ? " " : "");
            }
            inPlace.add(s.toString());
            raws.add(r.retainedRaw());
          }
        });
    byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < bytes.length; i += piece) {
      ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(piece, bytes.length - i)));
      ch.pipeline().fireChannelReadComplete(); // the end of a read: the decoder compacts its buffer here
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < raws.size(); i++) {
      out.add(inPlace.get(i) + " | " + raws.get(i).toString(StandardCharsets.ISO_8859_1));
      raws.get(i).release();
    }
    assertThat(ch.finish()).isFalse();
    for (io.netty.buffer.ByteBuf raw : raws) {
      assertThat(raw.refCnt()).as("every buffer freed once the slices and the decoder let go").isZero();
    }
    return out;
  }

  @Test
  void inPlaceArgumentsAndRawBytes_surviveRequestsSplitAcrossReadsAtEveryBoundary() {
    String set = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\ne\r\n";
    String get = "*2\r\n$3\r\nget\r\n$3\r\nkey\r\n";
    List<String> expected = List.of("SET key va\r\ne | " + set, "get key | " + get, "SET key va\r\ne | " + set);
    for (int piece : new int[] {1, 2, 3, 5, 7, 16, 1000}) {
      assertThat(rawAndInPlace(set + get + set, piece)).as("pieces of %s bytes", piece).isEqualTo(expected);
    }
  }

  @Test
  void argBufferAndArgBytes_readEachArgumentInPlace_splitAcrossReads_andNoBufferForInlineOrCopy() {
    String input = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\ne\r\nGET inline\r\n";
    for (int piece : new int[] {1, 3, 7, 1000}) {
      List<String> seen = new ArrayList<>();
      EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder(RespLimits.defaults(), () -> true),
          new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
              Request r = (Request) msg;
              StringBuilder s = new StringBuilder();
              for (int i = 0; i < r.argc(); i++) {
                byte[] copied = new byte[r.argLength(i)];
                r.argBytes(i, copied);
                io.netty.buffer.ByteBuf buffer = r.argBuffer(i);
                s.append(new String(copied, StandardCharsets.ISO_8859_1)).append('=')
                    .append(buffer == null ? "array" : buffer.toString(r.argIndex(i), r.argLength(i), StandardCharsets.ISO_8859_1))
                    .append(r.copy().argBuffer(i) == null ? "" : " (a copy kept a buffer)").append(';');
              }
              assertThatThrownBy(() -> r.argBytes(0, new byte[r.argLength(0) + 1])).isInstanceOf(IllegalArgumentException.class);
              seen.add(s.toString());
            }
          });
      byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
      for (int i = 0; i < bytes.length; i += piece) {
        ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(piece, bytes.length - i)));
        ch.pipeline().fireChannelReadComplete();
      }
      assertThat(ch.finish()).isFalse();
      assertThat(seen).as("pieces of %s bytes", piece)
          .containsExactly("SET=SET;key=key;va\r\ne=va\r\ne;", "GET=array;inline=array;");
    }
  }

  @Test
  void retainedRaw_isNullForAnInlineRequestAndACopy_whoseArgumentsAreArrays() {
    List<Object> seen = new ArrayList<>();
    EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder(RespLimits.defaults(), () -> true),
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Request r = (Request) msg;
            seen.add(r.retainedRaw() == null ? "no raw" : "raw");
            Request copy = r.copy();
            seen.add(copy.retainedRaw() == null ? "copy: no raw" : "copy: raw");
            seen.add(copy.string(1));
          }
        });
    ch.writeInbound(Unpooled.copiedBuffer("GET inline\r\n", StandardCharsets.ISO_8859_1));
    assertThat(seen).containsExactly("no raw", "copy: no raw", "inline");
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void multibulk_decodesArgumentsAndLeavesNothingOver() {
    feed("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
    assertThat(decoded).containsExactly(List.of("SET", "key", "value"));
    assertThat(decoder.bufferedBytes()).isZero();
  }

  @Test
  void multibulk_splitIntoSingleBytes_decodesOnceComplete() {
    String request = "*2\r\n$3\r\nGET\r\n$10\r\nkey:000001\r\n";
    for (char c : request.toCharArray()) {
      assertThat(decoded).isEmpty();
      feed(String.valueOf(c));
    }
    assertThat(decoded).containsExactly(List.of("GET", "key:000001"));
    assertThat(decoder.bufferedBytes()).isZero();
  }

  @Test
  void pipelinedRequests_allDecodedInOrder() {
    feed("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n");
    assertThat(decoded)
        .containsExactly(List.of("PING"), List.of("GET", "a"), List.of("PING"), List.of("ECHO", ""));
    assertThat(decoder.bufferedBytes()).isZero();
  }

  @Test
  void bulk_withCrlfAndNulInside_isBinarySafe() {
    feed("*2\r\n$4\r\nECHO\r\n$6\r\na\r\n\0\r\n\r\n");
    assertThat(decoded).containsExactly(List.of("ECHO", "a\r\n\0\r\n"));
  }

  @Test
  void emptyRequests_areIgnored() {
    feed("*0\r\n*-1\r\n\r\n\n   \r\nPING\r\n");
    assertThat(decoded).containsExactly(List.of("PING"));
  }

  /** As redis-server 7.0.15 answers them (checked side by side): the first two ignored, the third an error. */
  @Test
  void theMostNegativeCounts_areEmptyRequests_notAWaitForMoreInput() {
    feed("*-9223372036854775807\r\n*-9223372036854775808\r\n*1\r\n$4\r\nPING\r\n");
    assertThat(decoded).containsExactly(List.of("PING"));
    decoded.clear();
    feed("*-9223372036854775809\r\n*1\r\n$4\r\nPING\r\n");
    assertThat(decoded).singleElement().asString().startsWith("ERR invalid multibulk length: -9223372036854775809");
  }

  @Test
  void inline_splitsOnSpacesAndHonoursQuotes() {
    feed("set \"a b\" 'c d' \"\\x41\\n\"  e\r\n");
    assertThat(decoded).containsExactly(List.of("set", "a b", "c d", "A\n", "e"));
  }

  @Test
  void inline_withLfOnly_isAccepted() {
    feed("PING\nPING\n");
    assertThat(decoded).containsExactly(List.of("PING"), List.of("PING"));
  }

  @Test
  void inline_unbalancedQuotes_isProtocolError() {
    feed("set \"\"\"test-key\"\"\" test-value\r\nping\r\n");
    assertThat(onlyError()).contains("unbalanced quotes");
  }

  @Test
  void multibulkLength_outOfRange_namesValueAndBound() {
    feed("*3000000000\r\n");
    assertThat(onlyError()).isEqualTo("ERR invalid multibulk length: 3000000000 (expected: <= 1048576)");
  }

  @Test
  void multibulkLength_notANumber_isProtocolError() {
    feed("*blabla\r\n");
    assertThat(onlyError()).startsWith("ERR invalid multibulk length: blabla");
  }

  @Test
  void bulkLength_outOfRange_namesValueAndBound() {
    feed("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2000000000\r\n");
    assertThat(onlyError()).isEqualTo("ERR invalid bulk length: 2000000000 (expected: <= 33554432)");
  }

  @Test
  void bulkLength_negative_isProtocolError() {
    feed("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n");
    assertThat(onlyError()).startsWith("ERR invalid bulk length: -10");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"*01\r\n$4\r\nPING\r\n", "*00\r\n", "*-0\r\n", "*+1\r\n$4\r\nPING\r\n",
      "*0001\r\n$4\r\nPING\r\n", "*1\r\n$04\r\nPING\r\n", "*1\r\n$-0\r\n\r\n", "*1\r\n$00\r\n\r\n", "*1\r\n$+4\r\nPING\r\n"})
  void headerNumbers_withLeadingZerosSignsOrMinusZero_areInvalid_asRedisString2ll(String input) {
    feed(input);
    assertThat(onlyError()).matches("ERR invalid (multibulk|bulk) length: .*");
  }

  @Test
  void headerNumbers_zeroAndMinusOne_areEmptyRequests_andZeroLengthArgumentsDecode() {
    feed("*0\r\n*-1\r\n*-5\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n");
    assertThat(decoded).containsExactly(List.of("ECHO", ""));
  }

  @Test
  void bulkLength_notANumber_isProtocolError() {
    feed("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$blabla\r\n");
    assertThat(onlyError()).startsWith("ERR invalid bulk length: blabla");
  }

  @Test
  void bulkHeader_missingDollar_isProtocolError() {
    feed("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n");
    assertThat(onlyError()).isEqualTo("ERR expected '$', got 'f'");
  }

  @Test
  void multibulk_notFollowedByBulk_isProtocolError() {
    feed("*1\r\nfoo\r\n");
    assertThat(onlyError()).isEqualTo("ERR expected '$', got 'f'");
  }

  @Test
  void bulk_notFollowedByCrlf_isProtocolError() {
    feed("*1\r\n$4\r\nPINGxx");
    assertThat(onlyError()).contains("expected CRLF after a bulk of 4 bytes");
  }

  @Test
  void inline_nulDesyncWithoutNewline_isProtocolErrorAtTheInlineBound() {
    feed("\0");
    StringBuilder payload = new StringBuilder();
    while (payload.length() <= 70_000) {
      payload.append("payload");
    }
    feed(payload.toString());
    assertThat(onlyError()).startsWith("ERR too big inline request").contains("(expected: <= 65536)");
  }

  @Test
  void multibulkCount_nulDesync_isProtocolError() {
    feed("*\0payloadpayloadpayloadpayloadpayload");
    assertThat(onlyError()).startsWith("ERR invalid multibulk length: \\x00payload");
  }

  @Test
  void bulkCount_nulDesync_isProtocolError() {
    feed("*1\r\n$\0payloadpayloadpayloadpayloadpayload");
    assertThat(onlyError()).startsWith("ERR invalid bulk length: \\x00payload");
  }

  @Test
  void afterProtocolError_furtherInputIsDropped() {
    feed("*1\r\nfoo\r\n");
    feed("*1\r\n$4\r\nPING\r\n");
    assertThat(decoded).hasSize(1);
    assertThat(decoder.bufferedBytes()).isZero();
  }

  @Test
  void unauthenticated_multibulkAboveTen_isRefused() {
    authenticated = false;
    feed("*11\r\n");
    assertThat(onlyError()).isEqualTo("ERR unauthenticated multibulk length");
  }

  @Test
  void unauthenticated_largeBulk_isRefusedBeforeItArrives() {
    authenticated = false;
    feed("*2\r\n$4\r\nAUTH\r\n$16385\r\n");
    assertThat(onlyError()).isEqualTo("ERR unauthenticated bulk length");
  }

  @Test
  void unauthenticated_headersAboveOurLimitsButWithinRedis_areUnauthenticatedAsRedis() {
    authenticated = false;
    feed("*1\r\n$100000000\r\n"); // above max-bulk-length (32 MiB), within Redis's 512 MiB
    assertThat(onlyError()).isEqualTo("ERR unauthenticated bulk length");
  }

  @Test
  void unauthenticated_bulkAboveRedisProtoMaxBulkLen_isInvalid() {
    authenticated = false;
    feed("*1\r\n$536870913\r\n");
    assertThat(onlyError()).startsWith("ERR invalid bulk length: 536870913");
  }

  @Test
  void requestBytes_aboveQueryBuffer_isRefused() {
    limits = new RespLimits(1024, 6000, 65536, 8192);
    feed("*3\r\n$3\r\nSET\r\n$4000\r\n");
    assertThat(decoded).isEmpty();
    feed(new String(new char[4000]).replace('\0', 'k') + "\r\n$5000\r\n");
    assertThat(onlyError()).isEqualTo("ERR query buffer: 9099 bytes in one request (expected: <= 8192)");
  }

  @Test
  void twentyThousandArguments_decodeAsOneRequest() {
    StringBuilder s = new StringBuilder("*20001\r\n$4\r\nMSET\r\n");
    for (int i = 0; i < 10_000; i++) {
      s.append("$1\r\nk\r\n$1\r\nv\r\n");
    }
    feed(s.toString());
    assertThat(decoded).hasSize(1);
    @SuppressWarnings("unchecked")
    List<String> args = (List<String>) decoded.get(0);
    assertThat(args).hasSize(20_001);
    assertThat(decoder.bufferedBytes()).isZero();
  }

  @Test
  void yieldAfterRequest_decodesTheRestOnlyInTheLoopsNextTask_inOrder_andTurnsAutoReadBackOn() {
    List<String> seen = new ArrayList<>();
    int[] readCompletes = {0};
    RespDecoder yielding = new RespDecoder(RespLimits.defaults(), () -> true);
    EmbeddedChannel ch = new EmbeddedChannel(yielding, new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Request r = (Request) msg;
        seen.add(r.string(0) + " " + r.string(1));
        if (r.string(0).equals("IMPORT")) {
          yielding.yieldAfterRequest();
        }
      }

      @Override
      public void channelReadComplete(ChannelHandlerContext ctx) {
        readCompletes[0]++;
      }
    });
    // the pipeline's events, not writeInbound: that also runs the loop's tasks, the yield's resume among them
    ch.pipeline().fireChannelRead(Unpooled.copiedBuffer("IMPORT a\r\nGET b\r\nIMPORT c\r\n", StandardCharsets.ISO_8859_1));
    ch.pipeline().fireChannelReadComplete();
    assertThat(seen).containsExactly("IMPORT a");
    assertThat(ch.config().isAutoRead()).as("the read loop stops at a yield").isFalse();
    // input that arrives meanwhile waits behind what was read before it
    ch.pipeline().fireChannelRead(Unpooled.copiedBuffer("GET d\r\n", StandardCharsets.ISO_8859_1));
    ch.pipeline().fireChannelReadComplete();
    assertThat(seen).containsExactly("IMPORT a");

    ch.runScheduledPendingTasks();
    assertThat(seen).containsExactly("IMPORT a", "GET b", "IMPORT c");
    assertThat(ch.config().isAutoRead()).isFalse();
    ch.runScheduledPendingTasks();
    assertThat(seen).containsExactly("IMPORT a", "GET b", "IMPORT c", "GET d");
    assertThat(ch.config().isAutoRead()).as("reading again once nothing yields").isTrue();
    assertThat(readCompletes[0]).as("two reads, and the end of each resumed run (the handler flushes)").isEqualTo(4);
    ch.runScheduledPendingTasks();
    assertThat(seen).hasSize(4);
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void yieldAfterRequest_thenTheConnectionEnds_decodesNothingMore() {
    List<String> seen = new ArrayList<>();
    RespDecoder yielding = new RespDecoder(RespLimits.defaults(), () -> true);
    EmbeddedChannel ch = new EmbeddedChannel(yielding, new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        seen.add(((Request) msg).string(0));
        yielding.yieldAfterRequest();
      }
    });
    ch.pipeline().fireChannelRead(Unpooled.copiedBuffer("A\r\nB\r\n", StandardCharsets.ISO_8859_1));
    assertThat(seen).containsExactly("A");
    ch.pipeline().fireChannelInactive(); // (EmbeddedChannel.close would run the loop's tasks first)
    ch.runScheduledPendingTasks();
    assertThat(seen).containsExactly("A");
  }

  // ---- lookahead: the keys of a pipelined read, told before its requests run ----

  private static String get(String key) {
    return "*2\r\n$3\r\nGET\r\n$" + key.length() + "\r\n" + key + "\r\n";
  }

  private static String set(String key, String value) {
    return "*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + value.length() + "\r\n" + value + "\r\n";
  }

  /** What a lookahead was told, one list of keys per call, and the requests decoded, in order. */
  private final List<Object> told = new ArrayList<>();

  private void lookaheadRecorded() {
    channel();
    decoder.lookahead((in, offsets, lengths, count) -> {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        keys.add(in.toString(offsets[i], lengths[i], StandardCharsets.ISO_8859_1));
      }
      told.add(keys);
      told.add("decoded so far: " + decoded.size());
    });
  }

  @Test
  void lookahead_aPipelinedReadsKeys_areToldBeforeItsFirstRequestRuns() {
    lookaheadRecorded();
    feed(get("a") + get("b")); // a read of one connection's first requests: not yet known to pipeline
    assertThat(told).isEmpty();
    feed(get("k1") + set("k2", "value") + "*3\r\n$6\r\nEXPIRE\r\n$2\r\nk3\r\n$2\r\n10\r\n" + get("k4").substring(0, 10));
    assertThat(told).containsExactly(List.of("k1", "k2", "k3"), "decoded so far: 2");
    assertThat(decoded).hasSize(5);
    // the read completes a request: the scan starts after it
    feed(get("k4").substring(10) + get("k5") + get("k6"));
    assertThat(told).hasSize(4).endsWith(List.of("k5", "k6"), "decoded so far: 6");
    assertThat(decoded).hasSize(8).endsWith(List.of("GET", "k6"));
  }

  @Test
  void lookahead_oneRequestPerRead_isNotScanned() {
    lookaheadRecorded();
    feed(get("a") + get("b"));
    feed(get("c"));
    feed(get("d"));
    feed(get("e") + get("f"));
    assertThat(told).as("only the read after one that brought two or more").isEmpty();
    assertThat(decoded).hasSize(6);
  }

  @Test
  @SuppressWarnings("unchecked")
  void lookahead_isToldAgainEverySixteenRequests() {
    lookaheadRecorded();
    feed(get("a") + get("b"));
    StringBuilder batch = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      batch.append(get("k" + i));
    }
    feed(batch.toString());
    assertThat(told).hasSize(6);
    assertThat((List<Object>) told.get(0)).hasSize(RespDecoder.LOOKAHEAD).startsWith("k0");
    assertThat(told.get(1)).isEqualTo("decoded so far: 2");
    assertThat((List<Object>) told.get(2)).hasSize(RespDecoder.LOOKAHEAD).startsWith("k16");
    assertThat((List<Object>) told.get(4)).containsExactly("k32", "k33", "k34", "k35", "k36", "k37", "k38", "k39");
    assertThat(decoded).hasSize(42);
  }

  /**
   * The one-pass header read stands in for findHeaderEnd and parseNumber only where they agree:
   * over every line of up to seven bytes after the type byte, drawn from the bytes that matter
   * (digits, a sign, CR, LF, another byte), with the input ending right after the line or going on,
   * wherever it reads a line, the two give the same end and value; everything else it leaves to them.
   */
  @Test
  void plainHeader_readsOnlyLinesTheTwoPassReadAccepts_withTheirEndAndValue() {
    byte[] alphabet = "019-\r\nx".getBytes(StandardCharsets.ISO_8859_1);
    byte[] buf = new byte[12];
    int read = 0;
    int[] combinations = {1, 7, 49, 343, 2401, 16807, 117649, 823543};
    for (int length = 0; length <= 7; length++) {
      for (int c = 0; c < combinations[length]; c++) {
        buf[0] = '$';
        for (int i = 0, rest = c; i < length; i++, rest /= alphabet.length) {
          buf[1 + i] = alphabet[rest % alphabet.length];
        }
        java.util.Arrays.fill(buf, 1 + length, buf.length, (byte) '*'); // the next request's first bytes
        for (int available : new int[] {1 + length, buf.length}) {
          io.netty.buffer.ByteBuf in = Unpooled.wrappedBuffer(buf, 0, available);
          long plain = RespDecoder.plainHeader(in, 0);
          if (plain >= 0) {
            int eol = RespDecoder.findHeaderEnd(in);
            String line = new String(buf, 0, available, StandardCharsets.ISO_8859_1);
            assertThat((long) eol).as(line).isEqualTo(plain >>> 32);
            assertThat(RespDecoder.parseNumber(in, 1, eol)).as(line).isEqualTo((int) plain);
            read++;
          }
        }
      }
    }
    assertThat(read).as("lines read in one pass").isPositive();
    for (String line : new String[] {"0", "1", "19", "910", "10000", "99999"}) {
      io.netty.buffer.ByteBuf in = Unpooled.copiedBuffer("$" + line + "\r\n****", StandardCharsets.ISO_8859_1);
      assertThat(RespDecoder.plainHeader(in, 0)).as(line).isEqualTo((long) (1 + line.length()) << 32 | Integer.parseInt(line));
    }
    for (String line : new String[] {"", "01", "-1", "+1", "100000", "1\n", "1\rx", "1x"}) {
      io.netty.buffer.ByteBuf in = Unpooled.copiedBuffer("$" + line + "\r\n********", StandardCharsets.ISO_8859_1);
      assertThat(RespDecoder.plainHeader(in, 0)).as(line).isEqualTo(-1);
    }
    io.netty.buffer.ByteBuf in = Unpooled.copiedBuffer("*3\r\n$3\r\nSET\r\n$64\r\n" + "v".repeat(64) + "\r\n*2\r\n$1",
        StandardCharsets.ISO_8859_1);
    assertThat(RespDecoder.plainHeader(in, 0)).isEqualTo(2L << 32 | 3);
    assertThat(RespDecoder.plainHeader(in, 13)).isEqualTo(16L << 32 | 64);
    assertThat(RespDecoder.plainHeader(in, 84)).as("fewer than 8 bytes left").isEqualTo(-1);
  }

  private static int scan(String input, List<String> keys) {
    int[] offsets = new int[RespDecoder.LOOKAHEAD];
    int[] lengths = new int[RespDecoder.LOOKAHEAD];
    io.netty.buffer.ByteBuf in = Unpooled.copiedBuffer("xx" + input, StandardCharsets.ISO_8859_1);
    in.readerIndex(2);
    int n = RespDecoder.scanKeys(in, offsets, lengths);
    for (int i = 0; i < n; i++) {
      keys.add(in.toString(offsets[i], lengths[i], StandardCharsets.ISO_8859_1));
    }
    in.release();
    return n;
  }

  @Test
  void scanKeys_stopsAtWhatItDoesNotReadAhead() {
    List<String> keys = new ArrayList<>();
    assertThat(scan(get("a") + set("b", "") + get("c").substring(0, 15), keys)).as("an incomplete request").isEqualTo(2);
    assertThat(keys).containsExactly("a", "b");
    keys.clear();
    assertThat(scan(get("a") + "GET b\r\n" + get("c"), keys)).as("an inline request").isEqualTo(1);
    assertThat(scan(get("a") + "*1\r\n$4\r\nPING\r\n" + get("c"), keys)).as("no key argument").isEqualTo(1);
    assertThat(scan(get("a") + "*9\r\n$4\r\nMSET\r\n" + get("c"), keys)).as("more than eight arguments").isEqualTo(1);
    assertThat(scan(get("a") + "*2\r\n$3\r\nGET\r\n$-1\r\n" + get("c"), keys)).as("a negative length").isEqualTo(1);
    assertThat(scan(get("a") + "*2\r\n$3\r\nGET\r\n$9999999999\r\nk\r\n", keys)).as("ten digits").isEqualTo(1);
    assertThat(scan(get("a") + "*2\r\n$3\r\nGET\r\n$999999999\r\nk\r\n", keys)).as("a length past the input").isEqualTo(1);
    assertThat(scan(get("a") + "*2\n$3\r\nGET\r\n" + get("c"), keys)).as("a header without CR").isEqualTo(1);
    assertThat(scan("*2\r\n$3\r\nGET\r\n$0\r\n\r\n", keys)).as("an empty key").isEqualTo(1);
  }

  /**
   * Mangled pipelines (bytes flipped, cut, duplicated), fed in random pieces: the scan never reads
   * outside the input, tells only keys that lie inside it, and the decoder decodes exactly what a
   * decoder without a lookahead decodes.
   */
  @Test
  void lookahead_onMangledInput_neverReadsOutsideIt_andChangesNothingDecoded() {
    java.util.Random random = new java.util.Random(2026_12_05);
    told.clear();
    byte[] alphabet = "*$\r\n0123456789-GETSkv ".getBytes(StandardCharsets.ISO_8859_1);
    for (int round = 0; round < 2000; round++) {
      StringBuilder valid = new StringBuilder();
      for (int r = 0, n = 2 + random.nextInt(20); r < n; r++) {
        valid.append(random.nextBoolean() ? get("k" + random.nextInt(100)) : set("k" + random.nextInt(100), "v".repeat(random.nextInt(40))));
      }
      byte[] input = valid.toString().getBytes(StandardCharsets.ISO_8859_1);
      for (int m = random.nextInt(4); m > 0; m--) {
        input[random.nextInt(input.length)] = alphabet[random.nextInt(alphabet.length)];
      }
      List<Integer> pieces = new ArrayList<>();
      for (int at = 0; at < input.length; ) {
        int piece = 1 + random.nextInt(random.nextInt(4) == 0 ? 8 : input.length);
        pieces.add(Math.min(piece, input.length - at));
        at += piece;
      }
      assertThat(decodeInPieces(input, pieces, told)).as("round %d: %s", round, new String(input, StandardCharsets.ISO_8859_1))
          .isEqualTo(decodeInPieces(input, pieces, null));
    }
    assertThat(told).as("reads the lookahead was told of").hasSizeGreaterThan(500);
  }

  /**
   * What a fresh decoder decodes of {@code input} fed in these pieces: with a lookahead that checks
   * its keys' bounds and adds each call's count to {@code told}, or without one (null).
   */
  private static List<Object> decodeInPieces(byte[] input, List<Integer> pieces, List<Object> told) {
    List<Object> out = new ArrayList<>();
    RespDecoder decoder = new RespDecoder(RespLimits.defaults(), () -> true);
    if (told != null) {
      decoder.lookahead((in, offsets, lengths, count) -> {
        told.add(count);
        assertThat(count).isBetween(2, RespDecoder.LOOKAHEAD);
        for (int i = 0; i < count; i++) {
          assertThat(offsets[i]).isGreaterThanOrEqualTo(in.readerIndex());
          assertThat(offsets[i] + lengths[i]).isLessThanOrEqualTo(in.writerIndex());
        }
      });
    }
    EmbeddedChannel ch = new EmbeddedChannel(decoder, recordingInto(out));
    int at = 0;
    for (int piece : pieces) {
      ch.writeInbound(Unpooled.copiedBuffer(input, at, piece)); // a copy: the decoder compacts what it holds in place
      at += piece;
    }
    ch.finishAndReleaseAll();
    return out;
  }
}
