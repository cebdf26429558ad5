package io.ringcache.resp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/*
 * Jazzer fuzz targets for the RESP codec. Under `mvn verify` they run in regression mode: every
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
}
