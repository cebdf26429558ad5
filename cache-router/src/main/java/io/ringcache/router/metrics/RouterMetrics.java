package io.ringcache.router.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
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
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.Topology;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The router's metrics, read from its state when scraped: nothing runs in the background. Scale
 * events are counted from the router's event history: at each scrape, every event that has ended
 * since the last one adds 1 to ringcache_router_scale_events_total{kind,status}, and the keys every
 * event moved since the last scrape add to ringcache_router_keys_moved_total. (An event the router
 * has already dropped from its history by the next scrape is not counted.)
 *
 * Names, as Prometheus shows them:
 *   ringcache_router_topology_epoch                the epoch of the router's topology
 *   ringcache_router_nodes_in_ring                 nodes UP or DOWN (the ring)
 *   ringcache_router_node_state{node,state}        1 for the node's state (UP, DOWN, LEAVING, EJECTED), else 0
 *   ringcache_router_node_health_misses{node}      consecutive missed health checks (-1: not probed yet)
 *   ringcache_router_handoffs                      handoffs under way in the topology
 *   ringcache_router_scale_events_running          scale events running (0 or 1)
 *   ringcache_router_scale_event_keys_moved        keys moved so far by the running event
 *   ringcache_router_scale_event_keys_to_move      keys the running event has to move (a gauge may
 *                                                  not end in _total in Prometheus)
 *   ringcache_router_keys_moved_total              keys moved by handoffs since the router started
 *   ringcache_router_scale_events_total{kind,status}  events ended, by kind (JOIN, LEAVE, WEIGHT,
 *                                                  EJECT, READMIT, RESUME) and status (DONE, FAILED)
 *   jvm_*, process_*, system_* (Micrometer's JVM and process binders)
 */

/** The router's metrics, served in the Prometheus text format at {@code GET /metrics} on the admin port. */
public final class RouterMetrics implements AutoCloseable {

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Logger log = LoggerFactory.getLogger(RouterMetrics.class);

  /** A scale event as the metrics see it. */
  public record Event(String id, String kind, String status, long keysMoved, long keysTotal) {
    boolean running() {
      return status.equals("RUNNING");
    }
  }

  /** What the metrics read from the router. */
  public interface Source {
    /** The current topology. */
    Topology topology();

    /** The scale events the router remembers, running or ended. */
    List<Event> events();

    /** Consecutive missed health checks of a node, or -1 if it has not been probed yet. */
    int healthMisses(String node);
  }

  private final Source source;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final MultiGauge nodeState;
  private final MultiGauge healthMisses;
  private final Counter keysMoved;
  // refreshed at each scrape, under this object's lock
  private final Map<String, Long> movedCounted = new HashMap<>();
  private final Set<String> endedCounted = new HashSet<>();
  private volatile int running;
  private volatile long runningMoved;
  private volatile long runningTotal;

  public RouterMetrics(Source source) {
    this.source = source;
    Gauge.builder("ringcache.router.topology.epoch", this, m -> m.source.topology().epoch())
        .description("Epoch of the router's topology").register(registry);
    Gauge.builder("ringcache.router.nodes.in.ring", this, m -> m.source.topology().ring().nodeNames().size())
        .description("Nodes in the ring (UP or DOWN)").register(registry);
    Gauge.builder("ringcache.router.handoffs", this, m -> m.source.topology().handoffs().size())
        .description("Handoffs under way").register(registry);
    Gauge.builder("ringcache.router.scale.events.running", this, m -> m.running)
        .description("Scale events running").register(registry);
    Gauge.builder("ringcache.router.scale.event.keys.moved", this, m -> m.runningMoved)
        .description("Keys moved so far by the running scale event").register(registry);
    Gauge.builder("ringcache.router.scale.event.keys.to.move", this, m -> m.runningTotal)
        .description("Keys the running scale event has to move").register(registry);
    nodeState = MultiGauge.builder("ringcache.router.node.state")
        .description("1 for the node's state in the topology, 0 for the others").register(registry);
    healthMisses = MultiGauge.builder("ringcache.router.node.health.misses")
        .description("Consecutive missed health checks of the node; -1 before the first").register(registry);
    keysMoved = Counter.builder("ringcache.router.keys.moved").description("Keys moved by handoffs").register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Refreshes what is read from the router's state, then renders every metric. */
  /** Concurrent GET /metrics share renders (a flood costs one render at a time). */
  private final SingleFlight<String> coalesced = new SingleFlight<>(this::scrape);

  public synchronized String scrape() {
    refresh();
    return registry.scrape();
  }

  private void refresh() {
    Topology t = source.topology();
    List<MultiGauge.Row<?>> states = new ArrayList<>();
    List<MultiGauge.Row<?>> misses = new ArrayList<>();
    for (NodeInfo n : t.nodes()) {
      for (NodeState s : NodeState.values()) {
        states.add(MultiGauge.Row.of(Tags.of("node", n.name(), "state", s.name()), n.state() == s ? 1 : 0));
      }
      misses.add(MultiGauge.Row.of(Tags.of("node", n.name()), source.healthMisses(n.name())));
    }
    nodeState.register(states, true);
    healthMisses.register(misses, true);

    int runningNow = 0;
    long moved = 0;
    long total = 0;
    Set<String> seen = new HashSet<>();
    for (Event e : source.events()) {
      seen.add(e.id());
      long before = movedCounted.getOrDefault(e.id(), 0L);
      if (e.keysMoved() > before) {
        keysMoved.increment(e.keysMoved() - before);
        movedCounted.put(e.id(), e.keysMoved());
      }
      if (e.running()) {
        runningNow++;
        moved += e.keysMoved();
        total += e.keysTotal();
      } else if (endedCounted.add(e.id())) {
        Counter.builder("ringcache.router.scale.events").description("Scale events ended, by kind and status")
            .tags("kind", e.kind(), "status", e.status()).register(registry).increment();
      }
    }
    movedCounted.keySet().retainAll(seen); // forget events the router forgot: bounded by its history
    endedCounted.retainAll(seen);
    running = runningNow;
    runningMoved = moved;
    runningTotal = total;
  }

  /**
   * Answers {@code GET /metrics} on an admin API connection, rendering on {@code executor} (off the
   * event loop). The caller decides who may see what: with {@code nodeDetails} false, the series
   * that name nodes (label {@code node}) are left out, so a caller without the admin token learns
   * no node names or addresses.
   *
   * @return false if the request is for another path, which the caller then serves
   */
  public boolean serve(ChannelHandlerContext ctx, FullHttpRequest request, Executor executor, boolean nodeDetails) {
    if (!new QueryStringDecoder(request.uri()).path().equals("/metrics")) {
      return false;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!request.method().equals(HttpMethod.GET)) {
      send(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "use GET\n");
      return true;
    }
    try {
      executor.execute(() -> {
        try {
          String text = coalesced.get(); // one render for a flood
          send(ctx, keepAlive, HttpResponseStatus.OK, CONTENT_TYPE, nodeDetails ? text : withoutNodeSeries(text));
        } catch (RuntimeException e) {
          log.error("metrics scrape failed", e);
          send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", "scrape failed: " + e + "\n");
        }
      });
    } catch (RejectedExecutionException e) {
      send(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
          "admin API busy (too many requests queued) or stopping: retry\n");
    }
    return true;
  }

  /** The exposition text without the samples labelled with a node (their HELP and TYPE lines stay). */
  static String withoutNodeSeries(String text) {
    StringBuilder kept = new StringBuilder(text.length());
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !(line.contains("{node=\"") || line.contains(",node=\""))) {
        kept.append(line).append('\n');
      }
    }
    return kept.toString();
  }

  private static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String type, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
