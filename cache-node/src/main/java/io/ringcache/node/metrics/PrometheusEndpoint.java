package io.ringcache.node.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.ringcache.resp.net.FailStop;
import io.ringcache.resp.net.HttpGuard;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * A node's HTTP endpoint for Prometheus: GET /metrics answers the text exposition, anything else
 * 404 or 405. Netty's HTTP codec on one event loop of its own (off the node's loops), with the
 * limits of HttpGuard: one request at a time per connection, a request timeout (a client sending
 * half its headers is closed after 10 s and blocks no one meanwhile: nothing waits on its socket),
 * an idle timeout. Scrapes render on one thread, single-flight: the requests that arrive while a
 * scrape renders share the next one, which starts when it ends, so every answer is rendered after
 * its request arrived, at most one scrape runs at a time however many clients ask (700 pipelining
 * clients cost one render at a time, not 700 queued), and a request waits at most two renders.
 * Each connection has at most one request waiting (HttpGuard), so the waiters are bounded by the
 * connections.
 */

/** The node's {@code GET /metrics} HTTP endpoint. */
final class PrometheusEndpoint implements AutoCloseable {

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Logger log = LoggerFactory.getLogger(PrometheusEndpoint.class);
  private static final int MAX_BODY = 4096;

  private final EventLoopGroup group;
  private final ThreadPoolExecutor scrapes;
  private final Supplier<String> scrape;
  private List<Waiter> next = new ArrayList<>();
  private boolean rendering;
  private final Channel channel;
  final LongAdder timeouts = new LongAdder();

  private PrometheusEndpoint(String bind, int port, Supplier<String> scrape) {
    group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("ringcache-metrics-http", true),
        NioIoHandler.newFactory());
    this.scrape = scrape;
    scrapes = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1),
        new DefaultThreadFactory("ringcache-metrics", true));
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.AUTO_READ, false)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            HttpGuard.install(ch.pipeline(), MAX_BODY, HttpGuard.DEFAULT_REQUEST_TIMEOUT,
                HttpGuard.DEFAULT_IDLE_TIMEOUT, timeouts);
            ch.pipeline().addLast(new Handler());
          }
        });
    try {
      channel = io.ringcache.resp.net.Listen.bind(bootstrap, bind, port, "metrics, --metrics-port");
    } catch (io.ringcache.resp.net.StartFailure e) {
      scrapes.shutdownNow();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  static PrometheusEndpoint start(String bind, int port, Supplier<String> scrape) {
    PrometheusEndpoint endpoint = new PrometheusEndpoint(bind, port, scrape);
    log.info("metrics on http://{}:{}/metrics", bind, endpoint.port());
    return endpoint;
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (!request.decoderResult().isSuccess()) {
        reply(ctx, false, false, HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8", "malformed HTTP request\n");
        return;
      }
      boolean head = request.method().equals(HttpMethod.HEAD);
      if (!new QueryStringDecoder(request.uri()).path().equals("/metrics")) {
        reply(ctx, keepAlive, head, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", "not found: try /metrics\n");
      } else if (!request.method().equals(HttpMethod.GET) && !head) {
        reply(ctx, keepAlive, false, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
            "method not allowed: use GET\n");
      } else {
        requested(new Waiter(ctx, keepAlive, head));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      FailStop.haltIfFatal("node metrics HTTP event loop", cause);
      log.debug("metrics connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  /** A request waiting for the next scrape. */
  private record Waiter(ChannelHandlerContext ctx, boolean keepAlive, boolean head) {}

  private void requested(Waiter waiter) {
    synchronized (this) {
      next.add(waiter);
      if (rendering) {
        return;
      }
      rendering = true;
    }
    try {
      scrapes.execute(this::render);
    } catch (RejectedExecutionException e) { // closing
      waiter.ctx().close();
    }
  }

  /** Renders for the waiters gathered so far, again while more arrived meanwhile. */
  private void render() {
    while (true) {
      List<Waiter> batch;
      synchronized (this) {
        if (next.isEmpty()) {
          rendering = false;
          return;
        }
        batch = next;
        next = new ArrayList<>();
      }
      String text;
      try {
        text = scrape.get();
      } catch (RuntimeException e) {
        log.warn("metrics request failed", e);
        for (Waiter w : batch) {
          reply(w.ctx(), false, false, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
              "scrape failed: " + e + "\n");
        }
        continue;
      }
      for (Waiter w : batch) {
        reply(w.ctx(), w.keepAlive(), w.head(), HttpResponseStatus.OK, CONTENT_TYPE, text);
      }
    }
  }

  private static void reply(ChannelHandlerContext ctx, boolean keepAlive, boolean head, HttpResponseStatus status,
      String type, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    scrapes.shutdownNow();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
