package io.ringcache.router.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
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
import io.ringcache.resp.net.HttpGuard;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import io.ringcache.router.control.ControlPlane;
import io.ringcache.router.control.NodeAllowList;
import io.ringcache.router.control.ScaleCoordinator;
import io.ringcache.router.control.ScaleEvent;
import io.ringcache.router.control.ScaleRequestException;
import io.ringcache.router.metrics.RouterMetrics;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The admin HTTP API (docs/operations.md lists it). Netty's HTTP codec and an aggregator bounded
 * at 64 KiB per request, with HttpGuard's limits: one request at a time per connection, a 10 s
 * request timeout (half a header blocks no one and is closed), a 60 s idle timeout. GET /health is
 * answered on the event loop, never queued; every other request has its token checked on the event
 * loop before any work is queued, and is then served on the router's admin executor (THREADS
 * threads, at most QUEUE requests waiting; beyond that 503 at once), since some of them ask nodes
 * (GET /nodes) or check that a node answers (POST /nodes). Every reply is JSON; errors are
 * {"error": "..."} with the status that fits: ApiException carries the admin layer's own refusals,
 * and maps the control plane's ScaleRequestExceptions (ApiException.of).
 */

/** The router's admin HTTP API. */
public final class AdminServer {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  private static final int MAX_REQUEST = 64 * 1024;
  /** How long POST /nodes waits for a join's first checks before it answers 202 with the event. */
  private static final java.time.Duration JOIN_CHECK_WAIT = java.time.Duration.ofSeconds(3);
  private static final ObjectMapper JSON = TopologyJson.mapper();
  /** Requests queued for the admin threads at most; more are answered 503 at once. */
  public static final int QUEUE = 64;
  /** Admin threads. */
  public static final int THREADS = 4;
  final java.util.concurrent.atomic.LongAdder requestTimeouts = new java.util.concurrent.atomic.LongAdder();
  final java.util.concurrent.atomic.LongAdder busy = new java.util.concurrent.atomic.LongAdder();

  private final ControlPlane control;
  private final AdminViews views;
  private final RouterMetrics metrics;
  private final String token;
  private final ExecutorService executor;
  private final NodeAllowList nodeAllow;
  private final boolean metricsRequireToken;
  private Channel channel;

  /**
   * @param nodeAllow the hosts POST /nodes may admit
   * @param metricsRequireToken with a token set: GET /metrics answers 401 without it (else it is
   *     served without the series that name nodes)
   */
  public AdminServer(ControlPlane control, RouterMetrics metrics, String token, ExecutorService executor,
      NodeAllowList nodeAllow, boolean metricsRequireToken) {
    this.control = control;
    this.views = new AdminViews(control);
    this.metrics = metrics;
    this.token = token == null || token.isEmpty() ? null : token;
    this.executor = executor;
    this.nodeAllow = nodeAllow;
    this.metricsRequireToken = metricsRequireToken;
  }

  public InetSocketAddress start(EventLoopGroup boss, EventLoopGroup workers, Class<? extends io.netty.channel.ServerChannel> type,
      String bind, int port) throws InterruptedException {
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(type)
            .childOption(io.netty.channel.ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    HttpGuard.install(ch.pipeline(), MAX_REQUEST, HttpGuard.DEFAULT_REQUEST_TIMEOUT,
                        HttpGuard.DEFAULT_IDLE_TIMEOUT, requestTimeouts);
                    ch.pipeline().addLast(new Handler());
                  }
                });
    channel = io.ringcache.resp.net.Listen.bind(bootstrap, bind, port, "admin API");
    return (InetSocketAddress) channel.localAddress();
  }

  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (!request.decoderResult().isSuccess()) {
        send(ctx, request, 400, Map.of("error", "malformed HTTP request"));
        return;
      }
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      if (uri.path().equals("/health") && request.method().equals(HttpMethod.GET)) {
        send(ctx, request, 200, views.health()); // on the event loop: cheap, and never queued behind others
        return;
      }
      // GET /metrics: Prometheus text; without the token (when one is set) no series naming nodes, or 401
      boolean tokenGiven = token == null || tokenMatches(request);
      if (metricsRequireToken && !tokenGiven && uri.path().equals("/metrics")) {
        send(ctx, request, 401, Map.of("error", "missing or wrong admin token (send Authorization: Bearer TOKEN)"));
        return;
      }
      if (metrics.serve(ctx, request, executor, tokenGiven)) {
        return;
      }
      try {
        authorize(request); // before any work is queued: a flood without the token costs one comparison each
      } catch (ApiException e) {
        send(ctx, request, e.status(), Map.of("error", e.getMessage()));
        return;
      }
      request.retain();
      try {
        executor.execute(() -> serve(ctx, request));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        request.release();
        busy.increment();
        send(ctx, request, 503, Map.of("error", "admin API busy (" + QUEUE + " requests queued) or stopping: retry"));
      }
    }

    private void serve(ChannelHandlerContext ctx, FullHttpRequest request) {
      try {
        int[] status = {200};
        Object body = route(request, status);
        send(ctx, request, status[0], body);
      } catch (ApiException e) {
        send(ctx, request, e.status(), Map.of("error", e.getMessage()));
      } catch (ScaleRequestException e) {
        ApiException refused = ApiException.of(e);
        send(ctx, request, refused.status(), Map.of("error", refused.getMessage()));
      } catch (Exception e) {
        log.error("admin {} {} failed", request.method(), request.uri(), e);
        send(ctx, request, 500, Map.of("error", "internal error: " + e));
      } finally {
        request.release();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      io.ringcache.resp.net.FailStop.haltIfFatal("router event loop (admin API connection)", cause);
      log.debug("admin connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  private Object route(FullHttpRequest request, int[] status) throws Exception {
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String path = uri.path();
    HttpMethod method = request.method();
    if (!(path.equals("/health") && method.equals(HttpMethod.GET))) {
      authorize(request);
    }
    List<String> segments = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        segments.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
      }
    }
    String first = segments.isEmpty() ? "" : segments.get(0);
    switch (first) {
      case "health":
        requireMethod(method, HttpMethod.GET);
        return views.health();
      case "topology":
        requireMethod(method, HttpMethod.GET);
        return control.topology();
      case "handoffs":
        requireMethod(method, HttpMethod.GET);
        return views.handoffs();
      case "events":
        requireMethod(method, HttpMethod.GET);
        if (segments.size() != 2) {
          throw ApiException.notFound("no such resource: " + path);
        }
        return views.event(segments.get(1));
      case "nodes":
        if (segments.size() == 1) {
          if (method.equals(HttpMethod.GET)) {
            return views.nodes();
          }
          requireMethod(method, HttpMethod.POST);
          JsonNode body = body(request);
          String name = text(body, "name", true);
          String address = text(body, "address", false);
          int weight = body.has("weight") ? weight(body.get("weight")) : 1;
          if (weight >= 1 && weight <= HashRing.MAX_WEIGHT) { // a bad weight is refused by join, before it dials
            requireAllowed(name, address);
          }
          boolean alreadyJoining = control.coordinator().joining(name);
          ScaleEvent event = control.coordinator().join(name, address, weight);
          if (alreadyJoining) { // 200: the join of this node that is under way, to follow
            Map<String, Object> json = AdminViews.eventJson(event);
            json.put("alreadyRunning", true);
            return json;
          }
          // the event resolves and pings the node off this thread; a check that fails at once (a
          // refused port, an unknown name) is still answered as a bad request
          String failed = ScaleCoordinator.awaitChecks(event, JOIN_CHECK_WAIT);
          if (failed != null) {
            throw ApiException.badRequest(failed);
          }
          status[0] = 202;
          return AdminViews.eventJson(event);
        }
        String name = segments.get(1);
        if (segments.size() == 2) {
          if (method.equals(HttpMethod.GET)) {
            return views.node(name);
          }
          requireMethod(method, HttpMethod.DELETE);
          status[0] = 202;
          return AdminViews.eventJson(control.coordinator().leave(name));
        }
        if (segments.size() == 3 && segments.get(2).equals("weight")) {
          requireMethod(method, HttpMethod.PUT);
          JsonNode body = body(request);
          if (!body.has("weight")) {
            throw ApiException.badRequest("missing field: weight");
          }
          status[0] = 202;
          return AdminViews.eventJson(control.coordinator().reweight(name, weight(body.get("weight"))));
        }
        throw ApiException.notFound("no such resource: " + path);
      default:
        throw ApiException.notFound("no such resource: " + path);
    }
  }

  private void authorize(FullHttpRequest request) {
    if (token != null && !tokenMatches(request)) {
      throw new ApiException(401, "missing or wrong admin token (send Authorization: Bearer TOKEN)");
    }
  }

  /** Whether the request carries the token (constant-time comparison); false when no token is set. */
  private boolean tokenMatches(FullHttpRequest request) {
    if (token == null) {
      return false;
    }
    String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    String given = header != null && header.startsWith("Bearer ") ? header.substring(7) : request.headers().get("X-Admin-Token");
    return given != null
        && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Refuses (400) a joining node whose address is not allowed, before anything dials it: the router
   * would otherwise authenticate to whatever listens there.
   */
  private void requireAllowed(String name, String address) {
    String addr = address == null || address.isBlank() ? name : address;
    try {
      if (nodeAllow.allows(addr)) {
        return;
      }
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid address for node " + name + ": " + e.getMessage());
    }
    throw ApiException.badRequest("address " + addr + " is not allowed to join: its host matches none of --node-allow "
        + nodeAllow + " (CACHE_ROUTER_NODE_ALLOW); allow it on the router first");
  }

  private static void requireMethod(HttpMethod actual, HttpMethod expected) {
    if (!actual.equals(expected)) {
      throw new ApiException(405, "method " + actual + " not allowed here (expected " + expected + ")");
    }
  }

  private static JsonNode body(FullHttpRequest request) {
    String text = request.content().toString(StandardCharsets.UTF_8);
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || !node.isObject()) {
        throw ApiException.badRequest("request body must be a JSON object");
      }
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
    }
  }

  private static String text(JsonNode body, String field, boolean required) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw ApiException.badRequest("missing field: " + field);
      }
      return null;
    }
    if (!value.isTextual()) {
      throw ApiException.badRequest("field " + field + " must be a string");
    }
    return value.asText();
  }

  private static int weight(JsonNode value) {
    if (!value.isInt()) {
      throw ApiException.badRequest("weight must be an integer between 1 and " + HashRing.MAX_WEIGHT + ": " + value);
    }
    return value.asInt();
  }

  private static void send(ChannelHandlerContext ctx, FullHttpRequest request, int status, Object body) {
    byte[] bytes;
    try {
      bytes = body instanceof Topology t ? TopologyJson.writeBytes(t) : JSON.writeValueAsBytes(body);
    } catch (Exception e) {
      bytes = ("{\"error\":\"cannot render reply\"}").getBytes(StandardCharsets.UTF_8);
      status = 500;
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
