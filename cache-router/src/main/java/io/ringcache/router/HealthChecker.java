package io.ringcache.router;

import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.Topology;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Every interval, each listed node is asked RING.EPOCH (in parallel, each with the probe timeout).
 * An answer resets its miss count, brings a DOWN node back UP, re-pushes the topology to a node
 * that holds an older epoch (it restarted, or missed a push) and re-admits an EJECTED node through
 * a normal handoff. After `misses` consecutive misses a node is marked DOWN and ejected from the
 * ring; a running scale event that involves it ends early and ejects it. With the defaults (500 ms
 * interval and probe timeout, 3 misses) a dead node is ejected within about 2 seconds.
 */

/** Health checks of every node, with ejection and re-admission. */
final class HealthChecker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

  /** What the last probes of one node found. */
  record Health(int misses, Instant lastSeen, String lastError, long epoch) {}

  private final TopologyStore store;
  private final NodePool pool;
  private final ScaleCoordinator coordinator;
  private final Duration interval;
  private final int maxMisses;
  private final Map<String, Health> health = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ringcache-health"));
  private final ExecutorService probes = Executors.newCachedThreadPool(r -> daemon(r, "ringcache-health-probe"));

  HealthChecker(TopologyStore store, NodePool pool, ScaleCoordinator coordinator, Duration interval, int maxMisses) {
    this.store = store;
    this.pool = pool;
    this.coordinator = coordinator;
    this.interval = interval;
    this.maxMisses = maxMisses;
  }

  void start() {
    timer.scheduleWithFixedDelay(this::checkAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  Health healthOf(String name) {
    return health.get(name);
  }

  private void checkAll() {
    try {
      Topology t = store.current();
      List<Future<?>> running = t.nodes().stream().<Future<?>>map(n -> probes.submit(() -> check(n))).toList();
      for (Future<?> f : running) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable e) {
      // an Error here would cancel the periodic task silently: health checks would stop for good
      io.ringcache.node.FailStop.haltIfFatal("router health-check thread", e);
      log.error("health check round failed", e);
    }
  }

  private void check(NodeInfo node) {
    long epoch;
    try {
      epoch = (Long) pool.call(node.address(), "RING.EPOCH");
    } catch (IOException | ClassCastException e) {
      pool.discard(node.address());
      missed(node, e.getMessage());
      return;
    }
    Health before = health.put(node.name(), new Health(0, Instant.now(), null, epoch));
    if (before != null && before.misses() >= maxMisses) {
      log.info("node {} answers again", node.name());
    }
    Topology t = store.current();
    NodeInfo current = t.node(node.name()).orElse(null);
    if (current == null) {
      return;
    }
    if (current.state() == NodeState.DOWN) {
      setState(node.name(), NodeState.DOWN, NodeState.UP);
    } else if (current.state() == NodeState.EJECTED && !coordinator.busy()) {
      try {
        coordinator.readmit(node.name());
        log.info("node {} answers again: re-admitting it, flushed, through a handoff", node.name());
        return;
      } catch (ApiException e) {
        log.debug("re-admission of {} deferred: {}", node.name(), e.getMessage());
      }
    }
    if (epoch < t.epoch() && !coordinator.busy()) {
      log.info("node {} holds epoch {} < {}: pushing the topology", node.name(), epoch, t.epoch());
      coordinator.pushWithRetry(t, node.name());
    }
  }

  private void missed(NodeInfo node, String error) {
    Health h = health.merge(
        node.name(),
        new Health(1, null, error, -1),
        (old, one) -> new Health(old.misses() + 1, old.lastSeen(), error, old.epoch()));
    if (h.misses() != maxMisses) {
      return;
    }
    Topology t = store.current();
    NodeInfo current = t.node(node.name()).orElse(null);
    if (current == null || !current.state().inRing()) {
      return;
    }
    log.warn("node {} at {} missed {} health checks ({}): marking it DOWN and ejecting it", node.name(), node.address(), h.misses(), error);
    setState(node.name(), NodeState.UP, NodeState.DOWN);
    coordinator.nodeFailed(node.name());
    if (store.current().ring().nodeNames().size() <= 1) {
      log.warn("node {} is the last node in the ring: not ejecting it", node.name());
      return;
    }
    coordinator.eject(node.name());
  }

  private void setState(String name, NodeState from, NodeState to) {
    Topology before = store.current();
    Topology after = store.update(t -> {
      NodeInfo n = t.node(name).orElse(null);
      if (n == null || n.state() != from) {
        return t; // changed meanwhile: nothing to mark
      }
      return t.next(t.nodes().stream().map(x -> x.name().equals(name) ? x.withState(to) : x).toList(), t.handoffs());
    });
    if (after != before) {
      coordinator.pushAll(after);
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread thread = new Thread(r, name);
    thread.setDaemon(true);
    return thread;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    probes.shutdownNow();
  }
}
