package io.ringcache.resp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/*
 * Jazzer fuzz targets for the RESP codec: requests (decode) and replies (replies, typed and framed). Under `mvn verify` they run in regression mode: every
 * input committed in src/test/resources/io/ringcache/resp/RespFuzzTestInputs/<target>/ (and an
 * empty one). Command execution on a node is cache-node's NodeFuzzTest. To fuzz for longer
 * (docs/operations.md, Fuzzing):
 *
 *   JAZZER_FUZZ=1 mvn -pl cache-resp -am test -Dtest='RespFuzzTest#decode' -Djazzer.max_duration=10m
 *
 * A crash or hang found becomes a committed regression input in that folder.
 */
class RespFuzzTest {

  /** The request bounds of the node this target used to run against (small, so bounds are hit). */
  private static final RespLimits LIMITS = new RespLimits(64, 4096, 4096, 64 * 1024);

  /**
   * The decoder never throws, stops after its first protocol error, and decodes the same requests
   * (and the same kind of error) whether the bytes arrive in one piece or split at any point.
   */
  @FuzzTest(maxDuration = "30s")
  void decode(FuzzedDataProvider data) {
    int split = data.consumeInt(0, 1 << 16);
    byte[] input = data.consumeRemainingAsBytes();
    List<String> whole = decode(input, input.length);
    List<String> pieces = decode(input, Math.min(split, input.length));
    assertThat(pieces).isEqualTo(whole);
    int errors = 0;
    for (String item : whole) {
      if (item.startsWith("ERR ")) {
        errors++;
      }
    }
    assertThat(errors).isLessThanOrEqualTo(1);
    if (errors == 1) {
      assertThat(whole.get(whole.size() - 1)).startsWith("ERR ");
    }
  }

  private static List<String> decode(byte[] input, int split) {
    List<String> out = new ArrayList<>();
    RespLimits limits = LIMITS;
    EmbeddedChannel channel = new EmbeddedChannel(
        new RespDecoder(limits, () -> true),
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Request r) {
              assertThat(r.argc()).isBetween(1, limits.maxMultibulkLength());
              StringBuilder s = new StringBuilder();
              for (int i = 0; i < r.argc(); i++) {
                assertThat(r.arg(i).length).isLessThanOrEqualTo(Math.max(limits.maxBulkLength(), limits.maxInlineLength()));
                s.append(new String(r.arg(i), StandardCharsets.ISO_8859_1)).append('\u0000');
              }
              out.add(s.toString());
            } else if (msg instanceof ProtocolError e) {
              // the kind of error, not its text: the text quotes as much input as had arrived
              int colon = e.message().indexOf(':');
              out.add("ERR " + (colon < 0 ? e.message() : e.message().substring(0, colon)));
            }
          }
        });
    // copies: a handler owns the buffers it is given and may reuse their memory, as a socket's are
    channel.writeInbound(Unpooled.copiedBuffer(input, 0, split));
    if (split < input.length) {
      channel.writeInbound(Unpooled.copiedBuffer(input, split, input.length - split));
    }
    channel.finishAndReleaseAll();
    return out;
  }

  /** Small reply bounds, so that fuzzed input reaches them. */
  private static final RespLimits REPLY_LIMITS = LIMITS.withReplyBounds(256, 4096, 64, 4);

  /**
   * The reply parser never throws anything but RespProtocolException; typed and framing modes
   * accept the same input and end every reply at the same byte; and the replies (and where it
   * fails) are the same whether the bytes arrive in one piece or split at any point.
   */
  @FuzzTest(maxDuration = "30s")
  void replies(FuzzedDataProvider data) {
    int split = data.consumeInt(0, 1 << 16);
    byte[] input = data.consumeRemainingAsBytes();
    int at = Math.min(split, input.length);
    Parsed typedWhole = parseReplies(true, input, input.length);
    Parsed typedSplit = parseReplies(true, input, at);
    Parsed framedWhole = parseReplies(false, input, input.length);
    Parsed framedSplit = parseReplies(false, input, at);
    assertThat(typedSplit).isEqualTo(typedWhole);
    assertThat(framedSplit.ends()).isEqualTo(typedWhole.ends());
    assertThat(framedWhole.ends()).isEqualTo(typedWhole.ends());
    assertThat(framedWhole.failed()).isEqualTo(typedWhole.failed());
    assertThat(framedSplit.failed()).isEqualTo(typedWhole.failed());
  }

  /** Where each reply ended in the stream, the typed values rendered, and whether it failed. */
  record Parsed(List<Integer> ends, List<String> values, boolean failed) {}

  private static Parsed parseReplies(boolean typed, byte[] input, int split) {
    ReplyParser parser = typed ? ReplyParser.typed(REPLY_LIMITS) : ReplyParser.framing(REPLY_LIMITS);
    List<Integer> ends = new ArrayList<>();
    List<String> values = new ArrayList<>();
    ByteBuf buf = Unpooled.buffer(input.length);
    try {
      buf.writeBytes(input, 0, split);
      parseAvailable(parser, typed, buf, ends, values);
      buf.writeBytes(input, split, input.length - split);
      parseAvailable(parser, typed, buf, ends, values);
      return new Parsed(ends, values, false);
    } catch (RespProtocolException e) {
      assertThat(e.error().message()).isNotEmpty();
      return new Parsed(ends, values, true);
    } finally {
      buf.release();
    }
  }

  private static void parseAvailable(ReplyParser parser, boolean typed, ByteBuf buf, List<Integer> ends,
      List<String> values) {
    while (buf.isReadable()) {
      if (typed) {
        Object reply = parser.decode(buf);
        if (reply == null) {
          return;
        }
        values.add(render(reply));
      } else {
        int length = parser.frame(buf);
        if (length < 0) {
          return;
        }
        buf.skipBytes(length);
      }
      ends.add(buf.readerIndex());
    }
  }

  private static String render(Object reply) {
    if (reply instanceof byte[] bytes) {
      return "$" + new String(bytes, StandardCharsets.ISO_8859_1);
    }
    if (reply instanceof Object[] array) {
      StringBuilder s = new StringBuilder("*[");
      for (Object item : array) {
        s.append(render(item)).append(',');
      }
      return s.append(']').toString();
    }
    return reply.getClass().getSimpleName() + ":" + reply;
  }
}
