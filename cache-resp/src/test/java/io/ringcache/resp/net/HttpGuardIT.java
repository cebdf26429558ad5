package io.ringcache.resp.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HttpGuard on a real socket: keep-alive, bodies, pipelining, and the request timeout. */
class HttpGuardIT {

  private EventLoopGroup group;
  private final ExecutorService workers = Executors.newFixedThreadPool(2);
  private final LongAdder timeouts = new LongAdder();
  private int port;

  @BeforeEach
  void start() {
    boolean epoll = Epoll.isAvailable();
    group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    Channel server = new ServerBootstrap()
        .group(group)
        .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
        .childOption(ChannelOption.AUTO_READ, false)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            HttpGuard.install(ch.pipeline(), 4096, Duration.ofSeconds(2), Duration.ofSeconds(30), timeouts);
            ch.pipeline().addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                String body = request.method() + " " + request.uri() + " " + request.content().toString(StandardCharsets.UTF_8);
                workers.execute(() -> { // answered from another thread, as the admin API does
                  byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                  DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                      HttpResponseStatus.BAD_REQUEST, Unpooled.wrappedBuffer(bytes));
                  response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
                  ctx.writeAndFlush(response);
                });
              }
            });
          }
        })
        .bind("127.0.0.1", 0).syncUninterruptibly().channel();
    port = ((InetSocketAddress) server.localAddress()).getPort();
  }

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownNow();
  }

  @Test
  void keptAliveConnection_requestsWithAndWithoutBodies_areAllAnsweredInOrder() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < 30; i++) {
      String method = i % 3 == 0 ? "GET" : i % 3 == 1 ? "POST" : "DELETE";
      HttpRequest.BodyPublisher body = method.equals("POST")
          ? HttpRequest.BodyPublishers.ofString("{\"n\":" + i + "}") : HttpRequest.BodyPublishers.noBody();
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/r" + i))
          .method(method, body).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.body()).isEqualTo(method + " /r" + i + (method.equals("POST") ? " {\"n\":" + i + "}" : " "));
    }
    assertThat(timeouts.sum()).isZero();
  }

  @Test
  void pipelinedRequests_areAnsweredOneAfterAnother() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
          + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String replies = read(s.getInputStream(), "GET /b ");
      assertThat(replies.indexOf("POST /a hi")).isPositive().isLessThan(replies.indexOf("GET /b "));
    }
  }

  @Test
  void halfSentHeaders_closedAfterTheRequestTimeout_whileOthersAreServed() throws Exception {
    try (Socket half = new Socket("127.0.0.1", port)) {
      half.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
      HttpResponse<String> other = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/ok")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(other.body()).isEqualTo("GET /ok ");
      half.setSoTimeout(30_000);
      assertThat(half.getInputStream().read()).isEqualTo(-1);
      assertThat(timeouts.sum()).isEqualTo(1);
    }
  }

  private static String read(InputStream in, String until) throws java.io.IOException {
    StringBuilder s = new StringBuilder();
    byte[] b = new byte[1024];
    int n;
    while (!s.toString().contains(until) && (n = in.read(b)) > 0) {
      s.append(new String(b, 0, n, StandardCharsets.US_ASCII));
    }
    return s.toString();
  }
}
