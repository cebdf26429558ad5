package io.ringcache.resp.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guard on an EmbeddedChannel: writes that are not flushed stay in the outbound buffer, as
 * replies a client does not read do, and time is advanced by hand.
 */
class OutputGuardTest {

  private static final int LOW = 1024;
  private static final int HIGH = 4096;

  private final List<OutputGuard.Reason> closes = new ArrayList<>();
  private EmbeddedChannel ch;

  private EmbeddedChannel channel(long maxOutputBuffer, Duration stallTimeout) {
    ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(LOW, HIGH));
    ch.pipeline().addLast(new OutputGuard(maxOutputBuffer, stallTimeout, "", closes::add));
    return ch;
  }

  @AfterEach
  void finish() {
    ch.finishAndReleaseAll();
  }

  private static ByteBuf bytes(int n) {
    return Unpooled.buffer(n).writeZero(n);
  }

  @Test
  void stall_repliesNotDrainedForTheTimeout_closeAndCountOnce() {
    channel(0, Duration.ofSeconds(1));
    ByteBuf reply = bytes(HIGH + 1);
    ch.write(reply);
    assertThat(ch.isWritable()).isFalse();

    ch.advanceTimeBy(999, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isTrue();

    ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isFalse();
    assertThat(closes).containsExactly(OutputGuard.Reason.STALLED);
    assertThat(reply.refCnt()).as("the queued reply is released").isZero();

    ch.advanceTimeBy(10, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(closes).hasSize(1);
  }

  @Test
  void stall_drainedBeforeTheTimeout_cancelsTheCheck() {
    channel(0, Duration.ofSeconds(1));
    ch.write(bytes(HIGH + 1));
    ch.advanceTimeBy(500, TimeUnit.MILLISECONDS);
    ch.flush(); // the client read: the outbound buffer is empty, the channel writable
    ch.runPendingTasks();
    assertThat(ch.isWritable()).isTrue();

    assertStillOpenTenSecondsLater();
  }

  @Test
  void stall_userWritabilityBitOnly_isNotAStall() {
    channel(0, Duration.ofSeconds(1));
    ch.write(bytes(HIGH / 2));
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // the proxy's "nodes are slow"
    assertThat(ch.isWritable()).isFalse();

    assertStillOpenTenSecondsLater();
  }

  @Test
  void stall_bytesPassTheHighWatermarkWhileUserBitHeld_isAStall() {
    channel(0, Duration.ofSeconds(1));
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // unwritable already: no event follows
    ch.write(bytes(HIGH / 2));
    ch.write(bytes(HIGH / 2 + 1));

    ch.advanceTimeBy(1, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isFalse();
    assertThat(closes).containsExactly(OutputGuard.Reason.STALLED);
  }

  @Test
  void stall_userBitHeldAndBytesDrainedBelowLowWatermark_doesNotClose() {
    channel(0, Duration.ofSeconds(1));
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    ch.write(bytes(HIGH + 1));
    ch.advanceTimeBy(500, TimeUnit.MILLISECONDS);
    ch.flush(); // drained, but the user bit keeps the channel unwritable: no event
    ch.runPendingTasks();
    assertThat(ch.isWritable()).isFalse();

    assertStillOpenTenSecondsLater();
  }

  @Test
  void stall_zeroTimeout_neverCloses() {
    channel(0, Duration.ZERO);
    ch.write(bytes(HIGH * 10));
    ch.advanceTimeBy(1, TimeUnit.DAYS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isTrue();
    assertThat(closes).isEmpty();
  }

  @Test
  void limit_pendingBytesAboveMax_closeAtOnce() {
    channel(HIGH * 4, Duration.ZERO);
    ch.write(bytes(HIGH * 2));
    ch.write(bytes(HIGH * 2 - 200)); // with Netty's per-message overhead, still within the limit
    assertThat(ch.isOpen()).isTrue();

    ByteBuf over = bytes(HIGH);
    ch.write(over);
    assertThat(ch.isOpen()).isFalse();
    assertThat(closes).containsExactly(OutputGuard.Reason.OVER_LIMIT);
    assertThat(over.refCnt()).isZero();
  }

  @Test
  void limit_oneReplyLargerThanMax_closes() {
    channel(HIGH * 4, Duration.ofSeconds(1));
    ch.write(bytes(HIGH * 4 + 1));
    assertThat(ch.isOpen()).isFalse();
    assertThat(closes).containsExactly(OutputGuard.Reason.OVER_LIMIT);
  }

  @Test
  void constructor_negativeValues_areRefused() {
    ch = new EmbeddedChannel();
    assertThatThrownBy(() -> new OutputGuard(-1, Duration.ZERO, "", r -> {}))
        .hasMessage("max-output-buffer must not be negative: -1");
    assertThatThrownBy(() -> new OutputGuard(0, Duration.ofSeconds(-1), "", r -> {}))
        .hasMessage("output-stall-timeout must not be negative: PT-1S");
  }

  private void assertStillOpenTenSecondsLater() {
    ch.advanceTimeBy(10, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isTrue();
    assertThat(closes).isEmpty();
  }
}
