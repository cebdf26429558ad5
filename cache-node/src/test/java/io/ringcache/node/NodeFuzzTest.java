package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/*
 * Jazzer fuzz target for command execution: arbitrary bytes through a node's whole pipeline. Under
 * `mvn verify` it runs in regression mode: every input committed in
 * src/test/resources/io/ringcache/node/NodeFuzzTestInputs/ (and an empty one). The codec's own
 * targets (request and reply decoding) are cache-resp's RespFuzzTest. To fuzz for longer
 * (docs/operations.md, Fuzzing):
 *
 *   JAZZER_FUZZ=1 mvn -pl cache-node -am test -Dtest=NodeFuzzTest -Djazzer.max_duration=10m
 *
 * A crash or hang found becomes a committed regression input in that folder.
 */
class NodeFuzzTest {

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
