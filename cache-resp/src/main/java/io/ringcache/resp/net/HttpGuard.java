package io.ringcache.resp.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The limits every HTTP port of ours (the router's admin API, a node's metrics) puts on a
 * connection, so that no client can hold the server or other clients up:
 *
 *  - one request at a time per connection: autoRead is off, and the socket is read again only once
 *    the response has been written. Requests decoded from the same read wait in order (at most
 *    MAX_PIPELINED, bounded anyway by one read's bytes). A client that pipelines 1,000 requests
 *    holds one slot, not 1,000 queued tasks; its later requests wait in its own socket. (Netty
 *    4.2's FlowControlHandler does not fit: it counts a read cycle that produced no message, such
 *    as a request's headers read apart from its body, as the read it was asked for.)
 *  - a request timeout: from the first byte of a request to its last, at most requestTimeout (a
 *    client sending half its headers, or a body byte a second, is closed).
 *  - an idle timeout: a kept-alive connection with no request for idleTimeout is closed.
 *  - bounded sizes: request line and headers 8 KiB, body (aggregated) maxBody.
 *
 * Two handlers share one state: `front` sits before the codec and sees the raw bytes (the start of
 * a request), `back` sits after the aggregator and sees the whole request and the response. All on
 * the channel's event loop.
 */

/** Per-connection limits of an HTTP port: one request at a time, request and idle timeouts. */
public final class HttpGuard {

  private static final Logger log = LoggerFactory.getLogger(HttpGuard.class);

  /** Default time from a request's first byte to its last: 10 s. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** Default time a kept-alive connection may wait for its next request: 60 s. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  /** Request line and each header at most this long; all headers together twice this. */
  static final int MAX_HEADER = 8192;
  /** Requests decoded from one read while another is served, kept in order; beyond, the connection is closed. */
  static final int MAX_PIPELINED = 128;

  private static final int IDLE = 0;
  private static final int READING = 1;
  private static final int SERVING = 2;

  private final long requestTimeoutNanos;
  private final long idleTimeoutNanos;
  private final LongAdder timeouts;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> timer;
  private int state = IDLE;

  private HttpGuard(Duration requestTimeout, Duration idleTimeout, LongAdder timeouts) {
    this.requestTimeoutNanos = requestTimeout.toNanos();
    this.idleTimeoutNanos = idleTimeout.toNanos();
    this.timeouts = timeouts;
  }

  /**
   * Adds the HTTP codec, an aggregator bounded at {@code maxBody} bytes and the guard's two
   * handlers to {@code pipeline}; the application's handler goes after them. The channel must have
   * autoRead off (the guard reads one request at a time).
   *
   * @param timeouts counts the connections closed by a timeout
   */
  public static void install(ChannelPipeline pipeline, int maxBody, Duration requestTimeout, Duration idleTimeout,
      LongAdder timeouts) {
    HttpGuard guard = new HttpGuard(requestTimeout, idleTimeout, timeouts);
    pipeline.addLast("http-guard-front", guard.new Front());
    pipeline.addLast("http", new HttpServerCodec(MAX_HEADER, 2 * MAX_HEADER, MAX_HEADER));
    pipeline.addLast("http-aggregator", new HttpObjectAggregator(maxBody));
    pipeline.addLast("http-guard-back", guard.new Back());
  }

  private void arm(long nanos, int newState) {
    cancel();
    state = newState;
    if (nanos > 0) {
      timer = ctx.executor().schedule(this::expired, nanos, TimeUnit.NANOSECONDS);
    }
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void expired() {
    timer = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    if (state == READING) {
      timeouts.increment();
      log.debug("closing HTTP connection {}: request not complete within {} ms", ctx.channel().remoteAddress(),
          TimeUnit.NANOSECONDS.toMillis(requestTimeoutNanos));
    } else {
      log.debug("closing idle HTTP connection {}", ctx.channel().remoteAddress());
    }
    ctx.close();
  }

  /** Before the codec: starts the request timer on a request's first bytes. */
  private final class Front extends ChannelInboundHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext context) {
      ctx = context;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
      arm(idleTimeoutNanos, IDLE);
      context.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
      if (state == IDLE && msg instanceof ByteBuf b && b.isReadable()) {
        arm(requestTimeoutNanos, READING);
      }
      context.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
      cancel();
      context.fireChannelInactive();
    }
  }

  /**
   * After the aggregator: passes on one request at a time (later ones decoded from the same read
   * wait here, at most {@link #MAX_PIPELINED}), stops the timer while a request is served, and
   * after its response passes on the next request or reads the socket again.
   */
  private final class Back extends ChannelDuplexHandler {
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();

    @Override
    public void channelActive(ChannelHandlerContext context) {
      context.fireChannelActive();
      context.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
      if (!(msg instanceof FullHttpRequest request)) {
        context.fireChannelRead(msg);
        return;
      }
      if (state != SERVING) {
        serve(context, request);
      } else if (waiting.size() < MAX_PIPELINED) {
        waiting.add(request);
      } else {
        request.release();
        log.debug("closing HTTP connection {}: more than {} requests pipelined", context.channel().remoteAddress(),
            MAX_PIPELINED);
        context.close();
      }
    }

    private void serve(ChannelHandlerContext context, FullHttpRequest request) {
      cancel();
      state = SERVING;
      context.fireChannelRead(request);
    }

    @Override
    public void write(ChannelHandlerContext context, Object msg, ChannelPromise promise) {
      if (msg instanceof LastHttpContent) { // a FullHttpResponse too: the response is complete
        promise = promise.unvoid();
        promise.addListener(f -> {
          if (!f.isSuccess() || !context.channel().isActive() || state != SERVING) {
            return;
          }
          FullHttpRequest next = waiting.poll();
          if (next != null) {
            serve(context, next);
          } else {
            arm(idleTimeoutNanos, IDLE);
            context.read();
          }
        });
      }
      context.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
      FullHttpRequest r;
      while ((r = waiting.poll()) != null) {
        r.release();
      }
      context.fireChannelInactive();
    }
  }
}
