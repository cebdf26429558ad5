package io.ringcache.node;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/*
 * Jazzer fuzz targets for the RESP decoder and command execution. Under `mvn verify` they run in
 * regression mode: every input committed in src/test/resources/io/ringcache/node/RespFuzzTestInputs/
 * (and an empty one). To fuzz for longer (docs/operations.md, Fuzzing):
 *
 *   JAZZER_FUZZ=1 mvn -pl cache-node -am test -Dtest=RespFuzzTest -Djazzer.max_duration=10m
 *
 * A crash or hang found becomes a committed regression input in that folder.
 */
class RespFuzzTest {

  private static NodeServer node;

  @BeforeAll
  static void start() {
    node = NodeServer.start(NodeConfig.builder().port(0).threads(1).maxMemory(16 << 20)
        .limits(new NodeConfig.Limits(256, 4096, 64, 4096, 4096, 64 * 1024, 1 << 20, 100, 0, 60))
        .build());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

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
    NodeConfig.Limits limits = node.config().limits();
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

  /**
   * Any bytes sent to a node's pipeline get well-formed replies (or a closed connection); the
   * node keeps serving: a fresh connection still answers PING and reads back a key set before.
   */
  @FuzzTest(maxDuration = "30s")
  void execute(byte[] input) {
    EmbeddedChannel channel = new EmbeddedChannel(new NodeInitializer(node));
    channel.writeInbound(Unpooled.copiedBuffer(input));
    channel.runPendingTasks();
    ByteBuf reply;
    while ((reply = channel.readOutbound()) != null) {
      try {
        assertThat(reply.readableBytes()).isGreaterThanOrEqualTo(0);
        if (reply.isReadable()) {
          assertThat("+-:$*").contains(String.valueOf((char) reply.getByte(reply.readerIndex())));
        }
      } finally {
        reply.release();
      }
    }
    channel.finishAndReleaseAll();

    EmbeddedChannel probe = new EmbeddedChannel(new NodeInitializer(node));
    probe.writeInbound(Unpooled.copiedBuffer("*1\r\n$4\r\nPING\r\n", StandardCharsets.US_ASCII));
    probe.runPendingTasks();
    ByteBuf pong = probe.readOutbound();
    assertThat(pong.toString(StandardCharsets.US_ASCII)).isEqualTo("+PONG\r\n");
    pong.release();
    probe.finishAndReleaseAll();
  }
}
