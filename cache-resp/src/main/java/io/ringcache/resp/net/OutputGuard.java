package io.ringcache.resp.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Closes a connection whose client does not read its replies, after Redis's
 * client-output-buffer-limit. Backpressure (the RespDecoder stops reading a channel that is not
 * writable) keeps such a client from making the server buffer without bound, but on its own it
 * would hold the connection, and what it queued, forever.
 *
 * Two limits, each off when 0:
 *
 *  - stall (the soft limit): the channel has been unwritable because of its bytes for stallTimeout.
 *    "Because of its bytes": the outbound buffer is above the high watermark, not merely a
 *    user-defined writability bit (the proxy sets one while the nodes are slow; that client reads
 *    fine and must not be closed). The check is scheduled when the channel turns unwritable with
 *    its bytes above the high watermark, or, since a channel already unwritable through a user bit
 *    fires no event when its bytes cross the watermark, when a write finds it so; it is cancelled
 *    when the channel turns writable again. When it fires and the bytes are still above the low
 *    watermark (Netty's hysteresis: the client has not drained them) and the channel is still
 *    unwritable, the connection is closed. A client that reads, however slowly, drains below the
 *    low watermark now and then, which makes the channel writable and cancels the check; so only a
 *    client that drained less than high - low bytes in stallTimeout is closed. With a user bit held
 *    throughout, a drain below the low watermark fires no event: the check then finds the bytes low
 *    and does nothing, and a later write schedules the next one (if they refilled above the low
 *    watermark meanwhile, without passing the high one, the check cannot tell and closes).
 *
 *  - hard: after each write, the outbound buffer's pending bytes (Netty's totalPendingWriteBytes,
 *    which also counts what an SslHandler holds before encrypting) above maxOutputBuffer close the
 *    connection at once: one enormous reply, or replies that keep arriving for requests already
 *    read while the client does not read.
 *
 * Cost: a write reads totalPendingWriteBytes once and compares it with two fields; nothing is
 * allocated. A check is scheduled at most once per stall episode, and at most one is pending.
 *
 * Closing: one WARN line (the remote address, the bytes, the option that set the limit), one count,
 * then ctx.close(). Netty fails and releases the queued writes; the handlers that hold buffers of
 * their own (the node's Connection, the proxy's ClientHandler) release them in channelInactive.
 * The guard must sit between those handlers and the transport (or an SslHandler), so that it sees
 * their writes, and ahead of the RespDecoder for the writability events.
 *
 * Confined to the channel's event loop; one instance per channel.
 */

/**
 * Closes a connection whose client does not read: after its replies stayed above the write-buffer
 * high watermark for a stall timeout, or at once when they exceed a byte limit. One per channel.
 */
public final class OutputGuard extends ChannelDuplexHandler {

  private static final Logger log = LoggerFactory.getLogger(OutputGuard.class);

  /** Why a connection was closed. */
  public enum Reason {
    /** Its replies were not drained for the stall timeout. */
    STALLED,
    /** Its replies exceeded the byte limit. */
    OVER_LIMIT
  }

  /** Counts the closes of a server's guards; called on the channel's event loop. */
  @FunctionalInterface
  public interface Closes {
    void closed(Reason reason);
  }

  private final long maxOutputBuffer;
  private final long stallTimeoutNanos;
  private final String optionPrefix;
  private final Closes closes;
  private final Runnable checkStall = this::checkStall;
  private ChannelHandlerContext ctx;
  private long highWatermark;
  private ScheduledFuture<?> stallCheck;
  private boolean closed;
  private ClientMemory.Tracked memory;

  /**
   * @param maxOutputBuffer bytes queued beyond which the connection is closed at once; 0 for no limit
   * @param stallTimeout how long the replies may stay undrained; {@link Duration#ZERO}: no limit
   * @param optionPrefix what the option names in the log line begin with ({@code ""} on a node,
   *     {@code "proxy-"} on the router), so that they read {@code max-output-buffer} and
   *     {@code output-stall-timeout}
   * @param closes counts the connections closed, by reason
   */
  public OutputGuard(long maxOutputBuffer, Duration stallTimeout, String optionPrefix, Closes closes) {
    if (maxOutputBuffer < 0) {
      throw new IllegalArgumentException("max-output-buffer must not be negative: " + maxOutputBuffer);
    }
    if (stallTimeout.isNegative()) {
      throw new IllegalArgumentException("output-stall-timeout must not be negative: " + stallTimeout);
    }
    this.maxOutputBuffer = maxOutputBuffer;
    this.stallTimeoutNanos = stallTimeout.toNanos();
    this.optionPrefix = Objects.requireNonNull(optionPrefix, "optionPrefix");
    this.closes = Objects.requireNonNull(closes, "closes");
  }

  /** Reports this connection's queued replies to the process's cap on all clients' buffers. */
  public OutputGuard track(ClientMemory.Tracked memory) {
    this.memory = memory;
    return this;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.highWatermark = ctx.channel().config().getWriteBufferHighWaterMark();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.highWatermark = ctx.channel().config().getWriteBufferHighWaterMark();
    ctx.fireChannelActive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancelStallCheck();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelStallCheck();
    ctx.fireChannelInactive();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    ctx.write(msg, promise);
    if (closed) {
      return;
    }
    ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
    if (buffer == null) {
      return; // closed
    }
    long pending = buffer.totalPendingWriteBytes();
    if (memory != null) {
      memory.output(pending);
    }
    if (maxOutputBuffer > 0 && pending > maxOutputBuffer) {
      close(Reason.OVER_LIMIT, pending);
    } else if (pending > highWatermark && stallCheck == null && stallTimeoutNanos > 0 && !buffer.isWritable()) {
      scheduleStallCheck();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (memory != null) {
      memory.output(pendingBytes());
    }
    if (ctx.channel().isWritable()) {
      cancelStallCheck();
    } else if (stallCheck == null && stallTimeoutNanos > 0 && !closed && pendingBytes() > highWatermark) {
      scheduleStallCheck();
    }
    ctx.fireChannelWritabilityChanged();
  }

  /** Closes the connection if its replies are still not drained. */
  private void checkStall() {
    stallCheck = null;
    Channel ch = ctx.channel();
    if (closed || !ch.isActive() || ch.isWritable()) {
      return;
    }
    long pending = pendingBytes();
    if (pending > ch.config().getWriteBufferLowWaterMark()) {
      close(Reason.STALLED, pending);
    }
  }

  private void scheduleStallCheck() {
    stallCheck = ctx.executor().schedule(checkStall, stallTimeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void cancelStallCheck() {
    if (stallCheck != null) {
      stallCheck.cancel(false);
      stallCheck = null;
    }
  }

  private long pendingBytes() {
    ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }

  private void close(Reason reason, long pending) {
    closed = true;
    cancelStallCheck();
    if (reason == Reason.STALLED) {
      log.warn("closing client {}: {} bytes of replies not drained below {} for {} ms ({}output-stall-timeout)",
          ctx.channel().remoteAddress(), pending, ctx.channel().config().getWriteBufferLowWaterMark(),
          TimeUnit.NANOSECONDS.toMillis(stallTimeoutNanos), optionPrefix);
    } else {
      log.warn("closing client {}: {} bytes of replies queued (expected: <= {}, {}max-output-buffer)",
          ctx.channel().remoteAddress(), pending, maxOutputBuffer, optionPrefix);
    }
    closes.closed(reason);
    ctx.close();
  }
}
