package io.ringcache.router.control;

import io.ringcache.resp.net.HostPort;
import io.ringcache.ring.Handoff;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.HashRange;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.RingDiff;
import io.ringcache.ring.Topology;
import io.ringcache.ring.Transfer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Scale events, one at a time, each a successor-range handoff (docs/architecture.md):
 *
 *   start    the new membership and one handoff per (from, to) group of RingDiff(old, new), all
 *            PREPARED, persisted as one topology and pushed to every node; targets answer
 *            -TRYAGAIN for their incoming ranges.
 *   seal     phase SEALED, pushed to every source at once (each must acknowledge): sources stop
 *            serving the ranges and redirect them. The others learn it with the activation.
 *   activate phase ACTIVE, pushed to every target at once, and once they all acknowledged, to the
 *            rest at once: targets serve the ranges, reading through to the source on a miss. Every
 *            seal is acknowledged before ACTIVE is persisted, so no two nodes accept writes for one
 *            key at once.
 *   stream   phase STREAMING, pushed as ACTIVE is; every source streams its ranges to its target,
 *            in parallel, entries applied at the target only where it holds neither a value nor a
 *            tombstone. The event's thread wakes when a stream ends, not at a poll.
 *   finish   the membership without LEAVING nodes and without handoffs, pushed to every node (and
 *            the departed ones) at once; nodes drop tombstones and the entries they no longer serve.
 *
 * A step's pushes run at once on the runtime's push executor (the last on the event's own thread),
 * so a step costs one round of round trips, not one per node; the step waits for every one of them, and on every other path (an
 * exception, the router stopping) cancels those still running (NodeCalls), so no push outlives its
 * step. Every step is a topology persisted before it is pushed, and every step is idempotent, so a
 * restarted router resumes from the persisted phase. A participant that stops answering is
 * recorded as failed; the next step prunes: one topology change ejects it and drops the handoffs it
 * takes part in, and the handoffs between live nodes go on from their phase to the end (so a join
 * whose source dies still receives every other source's keys). A failed source's ranges fall to
 * their new owner empty; a failed target's ranges to their successors, and a source whose sealed
 * handoff disappears drops those ranges rather than serve data that may be stale. Health-check
 * ejections and re-admissions are events too, so they never interleave with a handoff.
 */

/** Runs joins, leaves, weight changes, ejections and re-admissions, one at a time. */
public final class ScaleCoordinator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ScaleCoordinator.class);
  private static final int HISTORY = 32;
  private static final int PUSH_ATTEMPTS = 3;
  /** How long a join waits for its node's name to resolve, retrying every {@link #RESOLVE_RETRY}. */
  static final Duration RESOLVE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration RESOLVE_RETRY = Duration.ofSeconds(1);

  private static final long RETRY_MIN_MILLIS = 100;
  private static final long RETRY_MAX_MILLIS = 5_000;

  private final TopologyStore store;
  private final NodeControl pool;
  private final ControlRuntime runtime;
  private final ExecutorService resolver = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "ringcache-resolve");
    thread.setDaemon(true);
    return thread;
  });
  private volatile Lookup lookup = InetAddress::getAllByName;
  private volatile Duration resolveTimeout = RESOLVE_TIMEOUT;
  private final Deque<ScaleEvent> history = new ArrayDeque<>();
  private ScaleEvent running;
  /**
   * Starts every event id of this router process ({@code ev-3f9c2a-}, then a count from 1): a
   * restarted router's events never take the ids of its previous process's, so a client that
   * follows an event across a restart finds it gone (404) instead of another event of that id.
   */
  private final String idPrefix;
  private long nextId = 1;
  private volatile boolean closing;

  /** How a joining node's host name is looked up (the JDK's resolver, or a test's stand-in for DNS). */
  public interface Lookup {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /** Replaces the name lookup and its time bound: tests stand in for a slow or failing DNS with it. */
  public void resolveWith(Lookup lookup, Duration timeout) {
    this.lookup = lookup;
    this.resolveTimeout = timeout;
  }

  ScaleCoordinator(TopologyStore store, NodeControl pool) {
    this(store, pool, ControlRuntime.threads());
  }

  ScaleCoordinator(TopologyStore store, NodeControl pool, ControlRuntime runtime) {
    this(store, pool, runtime, "ev-" + HexFormat.of().toHexDigits(new SecureRandom().nextInt()).substring(2) + "-");
  }

  /** With the given {@link #idPrefix} (the simulation names each router process's events after it). */
  ScaleCoordinator(TopologyStore store, NodeControl pool, ControlRuntime runtime, String idPrefix) {
    this.store = store;
    this.pool = pool;
    this.runtime = runtime;
    this.idPrefix = idPrefix;
  }

  // ---- requests ---------------------------------------------------------------------------

  /**
   * Adds a node: its address is resolved and must answer as a cluster member (its incarnation is
   * recorded), then it is flushed and receives its
   * ranges from their current owners. Only cheap checks run here, on the caller's thread (the admin
   * API's request); resolving the name (bounded by {@link #RESOLVE_TIMEOUT}) and the first PING run
   * as the event's first step, so a slow DNS never holds the request or this coordinator's lock. A
   * join of a node whose own join is running returns that event, so a repeated {@code cachectl add}
   * follows it.
   *
   * @throws InvalidScaleRequestException for a blank name, an address that is not host:port, a weight out of range
   * @throws ScaleConflictException while another event runs, or if the name or address is already listed
   */
  public synchronized ScaleEvent join(String name, String address, int weight) {
    if (running != null && running.status == ScaleEvent.Status.RUNNING && running.kind == ScaleEvent.Kind.JOIN
        && running.node.equals(name)) {
      return running;
    }
    requireIdle();
    if (name == null || name.isBlank()) {
      throw new InvalidScaleRequestException("node name must not be blank");
    }
    String addr = address == null || address.isBlank() ? name : address;
    HostPort hostPort;
    try {
      hostPort = HostPort.parse(addr);
    } catch (IllegalArgumentException e) {
      throw new InvalidScaleRequestException("invalid address for node " + name + ": " + e.getMessage());
    }
    requireWeight(weight);
    Topology t = store.current();
    t.node(name).ifPresent(existing -> {
      throw new ScaleConflictException("node " + name + " is already in the topology (state " + existing.state() + ")");
    });
    for (NodeInfo n : t.nodes()) {
      if (n.address().equals(addr)) {
        throw new ScaleConflictException("address " + addr + " is already used by node " + n.name());
      }
    }
    return submit(ScaleEvent.Kind.JOIN, name, event -> {
      NodeInfo joining;
      try {
        resolve(hostPort.host(), name);
        long incarnation = requireMember(addr, name);
        requireAdmitted();
        joining = new NodeInfo(name, addr, weight, NodeState.UP, incarnation);
      } catch (RuntimeException e) {
        event.checked.complete(e.getMessage());
        throw e;
      }
      event.checked.complete(null);
      flush(name, addr);
      changeMembership(event, nodes -> {
        List<NodeInfo> next = new ArrayList<>(nodes);
        next.add(joining);
        return next;
      });
    });
  }

  /**
   * Waits at most {@code timeout} for a join's first checks (name resolved, node answers): the
   * reason they failed, or null when they passed or are still running at the deadline.
   */
  public static String awaitChecks(ScaleEvent event, Duration timeout) throws InterruptedException {
    try {
      return event.checked.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return null;
    } catch (ExecutionException e) {
      return e.getCause().toString();
    }
  }

  /**
   * Removes a node: its ranges go to their successors.
   *
   * @throws UnknownNodeException if no node is called {@code name}
   * @throws ScaleConflictException while another event runs, or if it is the last node of the ring
   */
  public synchronized ScaleEvent leave(String name) {
    requireIdle();
    NodeInfo node = requireNode(name);
    Topology t = store.current();
    if (node.state().inRing() && t.ring().nodeNames().size() == 1) {
      throw new ScaleConflictException("cannot remove " + name + ": it is the last node in the ring");
    }
    requireAdmitted();
    return submit(ScaleEvent.Kind.LEAVE, name, event -> {
      if (!node.state().inRing()) {
        // an ejected node holds nothing: just forget it
        update(cur -> cur.next(without(cur.nodes(), name), cur.handoffs()));
        pushAll(store.current());
        return;
      }
      changeMembership(event, nodes -> replace(nodes, name, n -> n.withState(NodeState.LEAVING)));
    });
  }

  /**
   * Changes a node's weight: only the ranges whose owner changes move.
   *
   * @throws UnknownNodeException if no node is called {@code name}
   * @throws InvalidScaleRequestException for a weight out of range
   * @throws ScaleConflictException while another event runs, or if the node already has that weight
   */
  public synchronized ScaleEvent reweight(String name, int weight) {
    requireIdle();
    NodeInfo node = requireNode(name);
    requireWeight(weight);
    if (node.weight() == weight) {
      throw new ScaleConflictException("node " + name + " already has weight " + weight);
    }
    requireAdmitted();
    return submit(ScaleEvent.Kind.WEIGHT, name,
        event -> changeMembership(event, nodes -> replace(nodes, name, n -> n.withWeight(weight))));
  }

  /** Takes a node that is down out of the ring; its ranges fall to their successors, empty. */
  synchronized ScaleEvent eject(String name) {
    if (running != null && running.status == ScaleEvent.Status.RUNNING) {
      // the running event prunes or ejects it; if it finished before it saw this, the health
      // checker's next miss asks again, so no failure is lost
      running.failed.add(name);
      return running;
    }
    if (!store.current().handoffs().isEmpty()) {
      // handoffs an event left when it failed (its topology could not be persisted, say), before
      // their RESUME began: they are resolved as a RESUME resolves them, the failure table
      // deciding. finish() would drop them, and the ranges of a LEAVING node with them, unstreamed:
      // the writes it acknowledged until then lost (simulation seed 495 of the full-disk fault)
      return submit(ScaleEvent.Kind.RESUME, null, event -> {
        event.failed.add(name);
        drive(event);
      });
    }
    return submit(ScaleEvent.Kind.EJECT, name, event -> {
      Topology t = store.current();
      NodeInfo node = t.node(name).orElse(null);
      if (node == null || !node.state().inRing()) {
        event.message = "nothing to do: " + name + " is not in the ring";
        return;
      }
      if (!t.handoffs().isEmpty()) {
        throw new IllegalStateException("handoffs appeared while the ejection of " + name + " began: " + t.handoffs());
      }
      event.failed.add(name);
      finish(event);
    });
  }

  /**
   * Brings an ejected node that answers again back, flushed, through a normal handoff, as the
   * process {@code incarnation} (a restarted process is admitted anew, never re-adopted).
   */
  synchronized ScaleEvent readmit(String name, long incarnation) {
    requireIdle();
    NodeInfo node = requireNode(name);
    if (node.state() != NodeState.EJECTED) {
      throw new ScaleConflictException("node " + name + " is not ejected (state " + node.state() + ")");
    }
    return submit(ScaleEvent.Kind.READMIT, name, event -> {
      flush(node.name(), node.address());
      changeMembership(event, nodes -> replace(nodes, name, n -> n.withState(NodeState.UP).withIncarnation(incarnation)));
    });
  }

  /**
   * Admits {@code incarnation}, the restarted process of ring node {@code name} (admitted as {@code
   * old}), in place: flushed, keeping its ranges, DOWN until the health checker renews it. Only for
   * a node that cannot be ejected and re-admitted through a handoff because no live node of the
   * ring is left to take its ranges (HealthChecker#readmitInPlace): its old process's data is gone
   * and no other node holds those ranges, so there is nothing to hand over. Nothing changes if the
   * node was admitted anew, left the ring, or a handoff began meanwhile.
   */
  synchronized ScaleEvent readmitInPlace(String name, long old, long incarnation) {
    requireIdle();
    NodeInfo node = requireNode(name);
    return submit(ScaleEvent.Kind.READMIT, name, event -> {
      flush(node.name(), node.address());
      Topology before = store.current();
      Topology t = update(cur -> {
        boolean still = cur.handoffs().isEmpty()
            && cur.node(name).filter(n -> n.incarnation() == old && n.state().inRing()).isPresent();
        return still ? cur.next(replace(cur.nodes(), name, n -> n.withState(NodeState.DOWN).withIncarnation(incarnation)),
            cur.handoffs()) : cur;
      });
      if (t == before) {
        event.message = "nothing to do: " + name + " changed meanwhile";
        return;
      }
      pushAll(t, List.of());
    });
  }

  /** Resumes the handoffs of a persisted topology, after a router restart or a failed event. */
  synchronized ScaleEvent resume() {
    requireIdle();
    return submit(ScaleEvent.Kind.RESUME, null, this::drive);
  }

  /** Records that a node failed its health checks; a running event that involves it ends early. */
  void nodeFailed(String name) {
    ScaleEvent event;
    synchronized (this) {
      event = running;
    }
    if (event != null && event.status == ScaleEvent.Status.RUNNING && participants(store.current()).contains(name)) {
      event.failed.add(name);
    }
  }

  /** Whether a join of {@code name} is under way. */
  public synchronized boolean joining(String name) {
    return running != null && running.status == ScaleEvent.Status.RUNNING && running.kind == ScaleEvent.Kind.JOIN
        && name != null && name.equals(running.node);
  }

  public synchronized boolean busy() {
    return running != null && running.status == ScaleEvent.Status.RUNNING;
  }

  public synchronized List<ScaleEvent> history() {
    return List.copyOf(history);
  }

  public synchronized ScaleEvent event(String id) {
    for (ScaleEvent e : history) {
      if (e.id.equals(id)) {
        return e;
      }
    }
    return null;
  }

  // ---- the event runner -------------------------------------------------------------------

  private interface Step {
    void run(ScaleEvent event) throws Exception;
  }

  private ScaleEvent submit(ScaleEvent.Kind kind, String node, Step step) {
    ScaleEvent event = new ScaleEvent(idPrefix + nextId++, kind, node);
    running = event;
    history.addFirst(event);
    while (history.size() > HISTORY) {
      history.removeLast();
    }
    log.info("scale event {} started: {} {}", event.id, kind, node == null ? "" : node);
    runtime.events().execute(() -> {
      try {
        step.run(event);
        if (event.aborted) {
          event.end(ScaleEvent.Status.FAILED, "node(s) taking part failed and were ejected: " + String.join(", ", event.failed));
        } else if (event.kind == ScaleEvent.Kind.EJECT) {
          event.end(ScaleEvent.Status.DONE, "ejected " + String.join(", ", event.failed));
        } else if (!event.failed.isEmpty()) {
          event.end(ScaleEvent.Status.DONE, "done; also ejected, having failed meanwhile: " + String.join(", ", event.failed));
        } else {
          event.end(ScaleEvent.Status.DONE, event.message.isEmpty() ? "done" : event.message);
        }
      } catch (Exception | Error e) {
        if (closing) {
          log.info("scale event {} interrupted: the router is stopping; its next start resumes the handoffs", event.id);
          event.end(ScaleEvent.Status.FAILED, "interrupted: the router stopped; it resumes on restart");
          return;
        }
        if (e instanceof ScaleRequestException) { // a refused check (a join's node does not resolve or answer)
          log.warn("scale event {} failed: {}", event.id, e.getMessage());
        } else if (e instanceof IOException) { // a node that did not answer a step: a fault, not a bug
          log.warn("scale event {} ({} {}) failed: {}", event.id, kind, node == null ? "" : node, e.toString());
        } else {
          log.error("scale event {} failed", event.id, e);
        }
        event.end(ScaleEvent.Status.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        resumeLater();
      }
      log.info("scale event {} {}: {} (moved {} of {} keys)", event.id, event.status, event.message, event.keysMoved(), event.keysTotal());
    });
    return event;
  }

  /**
   * No event may end with handoffs persisted and nobody driving them: if one failed with handoffs
   * left, a RESUME event takes them on after a pause (and again, until they are resolved).
   */
  private void resumeLater() {
    if (closing || store.current().handoffs().isEmpty()) {
      return;
    }
    runtime.schedule(() -> {
      if (closing || store.current().handoffs().isEmpty()) {
        return;
      }
      try {
        resume();
        log.info("resuming the handoffs left by a failed event");
      } catch (ScaleConflictException busy) {
        log.debug("resume deferred: {}", busy.getMessage());
        resumeLater();
      }
    }, 1, TimeUnit.SECONDS);
  }

  /** Starts the handoffs from the current membership to {@code change(nodes)}, then drives them. */
  private void changeMembership(ScaleEvent event, UnaryOperator<List<NodeInfo>> change) throws Exception {
    update(t -> {
      if (!t.handoffs().isEmpty()) {
        throw new IllegalStateException("handoffs already under way: " + t.handoffs());
      }
      List<NodeInfo> during = change.apply(t.nodes());
      RingDiff diff = RingDiff.between(t.ring(), HashRing.of(during));
      List<Handoff> handoffs = new ArrayList<>();
      int i = 0;
      for (Map.Entry<Transfer, List<HashRange>> group : diff.groups().entrySet()) {
        String id = "e" + (t.epoch() + 1) + "-" + i++;
        handoffs.add(new Handoff(id, group.getKey().from(), group.getKey().to(), group.getValue(), HandoffPhase.PREPARED));
      }
      return t.next(during, handoffs);
    });
    drive(event);
  }

  /**
   * Takes the persisted handoffs from whatever phase they are in to the end. When a participant
   * fails, only the handoffs it takes part in are dropped (prune); the others go on to the end, so
   * the keys of live nodes are never left behind.
   */
  private void drive(ScaleEvent event) throws Exception {
    Topology t = store.current();
    if (!t.handoffs().isEmpty()) {
      log.info("handoffs: {}", t.handoffs().stream().map(Describe::handoff).toList());
    }
    Set<String> streamed = new HashSet<>();
    while (!(t = store.current()).handoffs().isEmpty()) {
      if (!ok(event)) {
        prune(event);
        continue;
      }
      switch (t.handoffs().get(0).phase()) {
        case PREPARED -> {
          pushAll(t, participants(t), event);
          if (ok(event)) {
            awaitLeases(targets(t), event); // the sources go on serving meanwhile
          }
          if (ok(event)) {
            advance(HandoffPhase.SEALED);
          }
        }
        case SEALED -> {
          // seal before activate: every source acknowledges the seal. The targets and the other
          // nodes get it with the activation (the ACTIVE step pushes to everyone): a target answers
          // a sealed range as a prepared one (it waits, then -TRYAGAIN), and the others send it to
          // the source, which now redirects it to the target; pushing it to them here only kept
          // readers of the moving ranges waiting longer (docs/benchmarks.md, "The seal-to-activation
          // window")
          pushToEach(t, sources(t), Set.of(), sources(t), event); // at once; every one acknowledges
          if (ok(event)) {
            advance(HandoffPhase.ACTIVE);
          }
        }
        case ACTIVE -> {
          // the sources first, every one acknowledging, then the targets: a target serves (and may
          // take writes for) its ranges only once each source holds a view in which it no longer
          // owns them. If the target then fails, the source that gets a range back purges it
          // (ClusterState: gained after a view in which it did not own it), as the failure table
          // says. Targets first, a source that missed the activation (paused, its push lost, the
          // router gone) got the range back straight from its sealed view, kept its copy and
          // served it, older than what the target had acknowledged (simulation seed 17487)
          pushOrdered(t, sources(t), event);
          if (ok(event)) {
            advance(HandoffPhase.STREAMING);
          }
        }
        case STREAMING -> {
          pushOrdered(t, targets(t), event);
          if (ok(event)) {
            stream(t, event, streamed);
          }
          if (ok(event)) {
            finish(event);
            return;
          }
        }
      }
    }
    finish(event);
  }

  /**
   * Resolves the handoffs of the participants that failed, as one topology change, exactly as the
   * failure table says (ARCHITECTURE, "When a participant fails"):
   *
   *   S failed, any phase             the handoff is dropped: R goes to its owner in the ring
   *                                   without S, empty (a joiner already is that owner).
   *   T failed, ACTIVE or STREAMING   dropped: R goes to its owner without T, empty; a source that
   *                                   gets R back purges it (ClusterState: gained after a view in
   *                                   which it did not own R), since T may have taken writes.
   *   T failed, PREPARED or SEALED    T never served R, so S holds every acknowledged write: the
   *                                   parts of R that S owns in the ring without T stay with S (it
   *                                   held them sealed, so it keeps its entries), and each other
   *                                   part moves to its owner U in that ring through a new handoff
   *                                   S -> U in the same phase (a leaving S, or a weight change
   *                                   that took those points from S).
   *
   * The failed nodes are ejected; the handoffs between live nodes stay in their phase and go on.
   */
  private void prune(ScaleEvent event) throws InterruptedException {
    Set<String> failed = Set.copyOf(event.failed);
    List<Handoff> retargeted = new ArrayList<>();
    Set<String> staying = new LinkedHashSet<>();
    Topology t = update(cur -> {
      retargeted.clear();
      staying.clear();
      List<NodeInfo> ejected = ejecting(cur.nodes(), failed);
      HashRing before = HashRing.of(ejected);
      // a leaving source whose ranges would have no live owner without its failed target stays in
      // the ring instead (its leave is cancelled; no handoff of it was activated, phases move together)
      for (Handoff h : cur.handoffs()) {
        boolean notActivated = h.phase() == HandoffPhase.PREPARED || h.phase() == HandoffPhase.SEALED;
        if (notActivated && failed.contains(h.to()) && !failed.contains(h.from())
            && cur.node(h.from()).map(n -> n.state() == NodeState.LEAVING).orElse(false)
            && h.ranges().stream().anyMatch(r -> ownersWithin(before, r).keySet().stream().anyMatch(failed::contains))) {
          staying.add(h.from());
        }
      }
      List<NodeInfo> nodes = staying.isEmpty() ? ejected
          : ejected.stream().map(n -> staying.contains(n.name()) ? n.withState(NodeState.UP) : n).toList();
      HashRing ring = staying.isEmpty() ? before : HashRing.of(nodes);
      List<Handoff> handoffs = new ArrayList<>();
      for (Handoff h : cur.handoffs()) {
        boolean sourceFailed = failed.contains(h.from());
        boolean targetFailed = failed.contains(h.to());
        if (staying.contains(h.from())) {
          continue; // its leave is cancelled: it keeps all its ranges
        }
        if (!sourceFailed && !targetFailed) {
          handoffs.add(h);
        } else if (!sourceFailed && (h.phase() == HandoffPhase.PREPARED || h.phase() == HandoffPhase.SEALED)) {
          Map<String, List<HashRange>> owners = new TreeMap<>();
          for (HashRange r : h.ranges()) {
            ownersWithin(ring, r).forEach((owner, parts) -> owners.computeIfAbsent(owner, o -> new ArrayList<>()).addAll(parts));
          }
          int i = 0;
          for (Map.Entry<String, List<HashRange>> e : owners.entrySet()) {
            // never to a node that failed too (the ring keeps its last nodes DOWN rather than empty):
            // that part has no live owner to move to, and re-targeting it again at every step never ends
            if (!e.getKey().equals(h.from()) && !failed.contains(e.getKey())) {
              Handoff again = new Handoff(h.id() + "r" + i++, h.from(), e.getKey(), e.getValue(), h.phase());
              handoffs.add(again);
              retargeted.add(again);
            }
          }
        }
      }
      return cur.next(nodes, handoffs);
    });
    event.pruned = true;
    if (!staying.isEmpty()) {
      log.warn("scale event {}: the leave of {} is cancelled: its ranges have no live owner without the failed {}",
          event.id, staying, failed);
    }
    if (!retargeted.isEmpty()) {
      log.warn("scale event {}: a target failed before activation; its source hands those ranges to their new owners: {}",
          event.id, retargeted.stream().map(Describe::handoff).toList());
    }
    log.warn("scale event {}: {} failed; resolved its handoffs, the others go on: {}", event.id, failed,
        t.handoffs().stream().map(Describe::handoff).toList());
    pushAll(t, participants(t), event);
  }

  /** The parts of {@code range} by their owner on {@code ring}. */
  static Map<String, List<HashRange>> ownersWithin(HashRing ring, HashRange range) {
    Map<String, List<HashRange>> owners = new LinkedHashMap<>();
    if (ring.isEmpty()) {
      return owners;
    }
    // the ring's points inside the range, in order from its start; each closes a part it owns
    List<long[]> points = new ArrayList<>(); // {distance from start, point, index}
    for (int i = 0; i < ring.pointCount(); i++) {
      int p = ring.pointAt(i);
      long point = Integer.toUnsignedLong(p);
      if (range.contains(p) && point != range.end()) {
        long distance = (point - range.start()) & HashRange.MAX;
        points.add(new long[] {distance == 0 ? HashRange.MAX + 1 : distance, point, i});
      }
    }
    points.sort((a, b) -> Long.compare(a[0], b[0]));
    long previous = range.start();
    for (long[] p : points) {
      owners.computeIfAbsent(ring.ownerOfPoint((int) p[2]), o -> new ArrayList<>()).add(new HashRange(previous, p[1]));
      previous = p[1];
    }
    owners.computeIfAbsent(ring.ownerOfHash((int) range.end()), o -> new ArrayList<>()).add(new HashRange(previous, range.end()));
    return owners;
  }

  /** {@code nodes} with the failed ones in the ring ejected, unless that would leave the ring empty. */
  private static List<NodeInfo> ejecting(List<NodeInfo> nodes, Set<String> failed) {
    List<NodeInfo> next = nodes.stream()
        .map(n -> failed.contains(n.name()) && n.state().inRing() ? n.withState(NodeState.EJECTED) : n)
        .toList();
    if (HashRing.of(next).isEmpty()) {
      // never eject the last nodes of the ring: keep them DOWN, so keys still have an owner to wait for
      next = nodes.stream()
          .map(n -> failed.contains(n.name()) && n.state().inRing() ? n.withState(NodeState.DOWN) : n)
          .toList();
    }
    return next;
  }

  /**
   * Waits until every target has been granted a lease by the health checker (at most {@link
   * #LEASE_WAIT}): a node serves nothing before it holds one, so a target activated without one
   * (a joiner the health checker has not reached yet) would leave its new ranges unserved, the
   * sources sealed and the target answering -TRYAGAIN, until its first renewal. A target without
   * one is checked at once (the health checker's own check, which grants it), instead of waiting
   * for the next round: up to a health interval (500 ms by default) before the seal.
   */
  private void awaitLeases(Set<String> targets, ScaleEvent event) throws InterruptedException {
    long deadline = runtime.nanoTime().getAsLong() + LEASE_WAIT.toNanos();
    for (String name : targets) {
      if (!leased.test(name) && ok(event) && !closing) {
        checkNow.accept(name);
      }
      while (!leased.test(name) && ok(event) && !closing) {
        if (runtime.nanoTime().getAsLong() - deadline >= 0) {
          log.warn("node {} holds no lease yet after {} s: activating its handoffs anyway; it serves once renewed",
              name, LEASE_WAIT.toSeconds());
          return;
        }
        runtime.sleeper().sleep(20);
      }
    }
  }

  /** How long a step waits for a target's first lease. */
  private static final Duration LEASE_WAIT = Duration.ofSeconds(5);

  /** Whether a node holds a lease, as the health checker last heard; every node does until one is set. */
  private volatile Predicate<String> leased = name -> true;

  /** Checks one node's health now, outside the health checker's rounds (see awaitLeases). */
  private volatile Consumer<String> checkNow = name -> { };

  /** The health checker's view of which nodes hold a lease, and its check of one node now (see awaitLeases). */
  void leases(Predicate<String> view, Consumer<String> check) {
    leased = view;
    checkNow = check;
  }

  /** Whether no participant of the handoffs under way has failed (other failed nodes are only ejected at the end). */
  private boolean ok(ScaleEvent event) {
    if (event.failed.isEmpty()) {
      return true;
    }
    Set<String> participants = participants(store.current());
    return event.failed.stream().noneMatch(participants::contains);
  }

  private Topology advance(HandoffPhase phase) {
    return update(t -> t.next(t.nodes(), t.handoffs().stream().map(h -> h.withPhase(phase)).toList()));
  }

  /** The final membership: LEAVING nodes gone, failed nodes ejected, no handoff; pushed to all. */
  private void finish(ScaleEvent event) {
    Set<String> failed = Set.copyOf(event.failed);
    if (event.kind != ScaleEvent.Kind.EJECT) {
      event.aborted = event.node == null ? event.pruned : failed.contains(event.node);
    }
    Topology before = store.current();
    Topology t = update(cur -> cur.next(
        ejecting(cur.nodes().stream().filter(n -> n.state() != NodeState.LEAVING).toList(), failed), List.of()));
    // nodes that left are no longer listed: tell them too, in the same round, so that they drop what they handed off
    pushAll(t, before.nodes().stream().filter(gone -> t.node(gone.name()).isEmpty()).toList());
    for (String name : failed) {
      t.node(name).filter(n -> n.state() == NodeState.EJECTED)
          .ifPresent(n -> log.warn("node {} ejected: it failed during scale event {}", name, event.id));
    }
  }

  /**
   * Streams every handoff of {@code t} not in {@code streamed}, in parallel; adds those that finish
   * to it. A stream that fails between two live nodes (the target refused the connection, say) is
   * sent again after a back-off, for as long as it takes: a handoff is never given up while both
   * ends live. Only the failure of a participant (found by the health checker: dead, or lease run
   * out) ends it, and then the failure table decides (see prune). The coordinator's thread wakes as
   * soon as a stream ends (or fails); between times it looks at the failures every {@link
   * #FAILURE_CHECK_MILLIS} and polls the sources' progress every {@link #PROGRESS_POLL_MILLIS}.
   */
  private void stream(Topology t, ScaleEvent event, Set<String> streamed) throws InterruptedException {
    Map<Handoff, Integer> attempts = new HashMap<>();
    Map<Handoff, Long> retryAt = new HashMap<>();
    try (NodeCalls<Handoff, Long> running = new NodeCalls<>(runtime.streams())) {
      for (Handoff h : t.handoffs()) {
        if (!streamed.contains(h.id())) {
          running.start(h, () -> streamOne(t, h));
          attempts.put(h, 1);
        }
      }
      long nextPoll = runtime.nanoTime().getAsLong();
      while (!running.isEmpty() || !retryAt.isEmpty()) {
        if (closing) {
          throw new InterruptedException("the router is stopping");
        }
        for (Handoff h : running.keys()) {
          if (event.failed.contains(h.from()) || event.failed.contains(h.to())) {
            running.cancel(h);
          }
        }
        retryAt.keySet().removeIf(h -> event.failed.contains(h.from()) || event.failed.contains(h.to()));
        long now = runtime.nanoTime().getAsLong();
        long wait = FAILURE_CHECK_MILLIS;
        for (var it = retryAt.entrySet().iterator(); it.hasNext(); ) {
          var entry = it.next();
          Handoff h = entry.getKey();
          long left = entry.getValue() - now;
          if (left <= 0) {
            it.remove();
            attempts.merge(h, 1, Integer::sum);
            running.start(h, () -> streamOne(t, h));
          } else {
            wait = Math.min(wait, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          }
        }
        if (running.isEmpty()) {
          if (!retryAt.isEmpty()) {
            runtime.sleeper().sleep(wait);
          }
          continue;
        }
        NodeCalls<Handoff, Long>.Call ended = running.next(wait);
        if (ended != null) {
          Handoff h = ended.key;
          try {
            long moved = ended.outcome();
            ScaleEvent.Progress before = event.progress.get(h.id());
            event.progress.put(h.id(), new ScaleEvent.Progress(moved, Math.max(moved, before == null ? 0 : before.total())));
            log.info("handoff {} streamed {} entries {} -> {}", h.id(), moved, h.from(), h.to());
            streamed.add(h.id());
          } catch (InterruptedException e) {
            throw e;
          } catch (Exception e) { // an I/O error or an error reply: sent again, resuming where it stopped
            int attempt = attempts.get(h);
            long backoff = Math.min(RETRY_MAX_MILLIS, RETRY_MIN_MILLIS << Math.min(attempt - 1, 10));
            log.warn("handoff {} {} -> {}: streaming failed (attempt {}), again in {} ms unless a participant failed: {}",
                h.id(), h.from(), h.to(), attempt, backoff, e.getMessage());
            event.streamRetries.incrementAndGet();
            retryAt.put(h, runtime.nanoTime().getAsLong() + TimeUnit.MILLISECONDS.toNanos(backoff));
          }
        }
        if (runtime.nanoTime().getAsLong() - nextPoll >= 0) {
          nextPoll = runtime.nanoTime().getAsLong() + TimeUnit.MILLISECONDS.toNanos(PROGRESS_POLL_MILLIS);
          for (Handoff h : running.keys()) {
            pollProgress(t, h, event);
          }
        }
      }
    }
  }

  /** How often a step that waits on node calls looks at the participants' failures (and at the router's stopping). */
  private static final long FAILURE_CHECK_MILLIS = 20;
  /** How often the sources' streaming progress is asked for. */
  private static final long PROGRESS_POLL_MILLIS = 250;

  private long streamOne(Topology t, Handoff h) throws IOException {
    return pool.stream(addressOf(t, h.from()), h.id());
  }

  private void pollProgress(Topology t, Handoff h, ScaleEvent event) {
    String source = addressOf(t, h.from());
    try {
      long[] p = pool.progress(source, h.id());
      event.progress.put(h.id(), new ScaleEvent.Progress(p[0], p[1]));
    } catch (IOException | RuntimeException e) {
      log.debug("progress of {} from {}: {}", h.id(), source, e.getMessage());
    }
  }

  private static String addressOf(Topology t, String name) {
    return t.node(name).map(NodeInfo::address).orElse(name);
  }

  // ---- pushes -----------------------------------------------------------------------------
  //
  // A step's pushes run at once on the runtime's push executor and the step waits for all of them:
  // one round of round trips per step, not one per node. Each group of calls is closed on every
  // path (an exception, the router stopping), which cancels whatever still runs, so no push of a
  // step outlives it.

  /** Pushes to {@code first} at once (each must acknowledge, unless it failed), then to everyone else at once. */
  private void pushOrdered(Topology t, Set<String> first, ScaleEvent event) throws InterruptedException {
    pushToEach(t, first, Set.of(), first, event);
    if (ok(event)) {
      pushToEach(t, participants(t), first, null, event);
    }
  }

  /** Pushes to every node at once; each of {@code required} must acknowledge, unless it failed. */
  private void pushAll(Topology t, Set<String> required, ScaleEvent event) throws InterruptedException {
    pushToEach(t, required, Set.of(), null, event);
  }

  /**
   * Pushes {@code t} at once to the nodes listed in it ({@code only} of them, or all when null),
   * except {@code skip}, and to the departed nodes {@code gone}; returns when every push ended.
   * Each of {@code required} is pushed until it acknowledges or fails (see pushToParticipant); the
   * other nodes a few times (pushWithRetry); a node down or ejected once, off the step (it may hang
   * until a timeout and is never waited for).
   */
  private void pushToEach(Topology t, Set<String> required, Set<String> skip, Set<String> only, ScaleEvent event)
      throws InterruptedException {
    pushToEach(t, required, skip, only, List.of(), event);
  }

  private void pushToEach(Topology t, Set<String> required, Set<String> skip, Set<String> only, List<NodeInfo> gone,
      ScaleEvent event) throws InterruptedException {
    // the round in the nodes' order: a push to wait for (a key and its call), or one never waited
    // for (a runnable); the last push to wait for runs on this thread, which would only wait
    // meanwhile: a round of one push (a join's one target) costs no hand-off between threads, and a
    // round of several ends without a wake-up when the others are done first
    List<Push> round = new ArrayList<>();
    try (NodeCalls<String, Boolean> pushes = new NodeCalls<>(runtime.pushes())) {
      for (NodeInfo node : t.nodes()) {
        if (skip.contains(node.name()) || (only != null && !only.contains(node.name()))) {
          continue;
        }
        if (node.incarnation() == 0 && !required.contains(node.name())) {
          continue; // never answered yet: the health checker records its incarnation, then pushes
        }
        if (required.contains(node.name())) {
          round.add(Push.awaited(node.name(), () -> {
            pushToParticipant(t, node.name(), event);
            return true;
          }));
        } else if (node.state() == NodeState.DOWN || node.state() == NodeState.EJECTED) {
          round.add(Push.once(() -> pushOnce(t, node))); // never a participant; it may hang until a timeout
        } else {
          round.add(Push.awaited(node.name(), () -> pushWithRetry(t, node.name())));
        }
      }
      for (NodeInfo departed : gone) {
        round.add(Push.awaited(departed.name(), () -> {
          try {
            pool.push(departed.address(), t, departed.incarnation());
          } catch (IOException e) {
            log.debug("cannot tell departed node {}: {}", departed.name(), e.getMessage());
          }
          return true;
        }));
      }
      runtime.roundOrder().accept(round);
      long awaited = round.stream().filter(push -> push.call() != null).count();
      for (Push push : round) {
        if (push.call() == null) {
          runtime.pushes().execute(push.once());
        } else if (--awaited > 0) {
          pushes.start(push.node(), push.call());
        } else {
          pushes.runHere(push.node(), push.call());
        }
      }
      while (!pushes.isEmpty()) {
        NodeCalls<String, Boolean>.Call ended = pushes.next(FAILURE_CHECK_MILLIS);
        if (ended != null) {
          try {
            ended.outcome();
          } catch (InterruptedException | RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new IllegalStateException("push of epoch " + t.epoch() + " to " + ended.key + " failed", e);
          }
        } else if (closing) {
          throw new InterruptedException("the router is stopping");
        }
      }
    }
  }

  /** A push of a step's round: one to wait for ({@code call}), or one sent once and never waited for. */
  private record Push(String node, Callable<Boolean> call, Runnable once) {
    static Push awaited(String node, Callable<Boolean> call) {
      return new Push(node, call, null);
    }

    static Push once(Runnable once) {
      return new Push(null, null, once);
    }
  }

  /**
   * Pushes {@code t} to a participant of the event until it acknowledges, or until the health
   * checker finds it failed (dead, or its lease certainly run out). The coordinator never declares
   * a participant failed on its own: one that misses a push (paused, say) may still hold its lease
   * and acknowledge writes, and handing its ranges to others then would lose them. A push the step
   * cancelled (interrupted) ends at its next wait.
   */
  private void pushToParticipant(Topology t, String name, ScaleEvent event) throws InterruptedException {
    long backoff = 50;
    while (!event.failed.contains(name) && !pushWithRetry(t, name)) {
      if (closing) {
        throw new InterruptedException("the router is stopping");
      }
      if (event.failed.contains(name)) {
        return;
      }
      if (Thread.interrupted()) {
        throw new InterruptedException("the push of epoch " + t.epoch() + " to " + name + " was cancelled");
      }
      runtime.sleeper().sleep(backoff);
      backoff = Math.min(1_000, backoff * 2);
    }
  }

  /** Pushes to every node listed, ejected ones included (so that they stop serving), at once; failures are left to the health checker. */
  void pushAll(Topology t) {
    pushAll(t, List.of());
  }

  /** As {@link #pushAll(Topology)}, and to the departed nodes {@code gone} in the same round, so that they drop what they handed off. */
  private void pushAll(Topology t, List<NodeInfo> gone) {
    try {
      pushToEach(t, Set.of(), Set.of(), null, gone, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the router is stopping: whoever runs this sees it next
    }
  }

  private void pushOnce(Topology t, NodeInfo node) {
    try {
      pool.push(node.address(), t, node.incarnation());
    } catch (IOException e) {
      pool.discard(node.address());
      log.debug("cannot push epoch {} to {} ({}): {}", t.epoch(), node.name(), node.state(), e.getMessage());
    }
  }

  /** Pushes {@code t} to one node; false when it cannot be reached after a few attempts. */
  boolean pushWithRetry(Topology t, String name) {
    NodeInfo node = t.node(name).orElse(null);
    String address = node == null ? name : node.address();
    long incarnation = node == null ? 0 : node.incarnation();
    IOException last = null;
    for (int attempt = 0; attempt < PUSH_ATTEMPTS; attempt++) {
      try {
        pool.push(address, t, incarnation);
        return true;
      } catch (NodeClient.ErrorReply e) {
        log.warn("node {} refused topology epoch {}: {}", name, t.epoch(), e.getMessage());
        return false;
      } catch (IOException e) {
        last = e;
        pool.discard(address);
      }
    }
    log.debug("cannot push epoch {} to {} at {}: {}", t.epoch(), name, address, last.getMessage());
    return false;
  }

  private void flush(String name, String address) throws IOException {
    try {
      pool.flush(name, address);
    } catch (IOException e) {
      throw new IOException("flushing " + name + " at " + address + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Resolves {@code host} on a resolver thread, retrying until {@link #RESOLVE_TIMEOUT} (a name that
   * was just created, as a new container's, may take a while to appear in DNS).
   */
  private void resolve(String host, String name) throws InterruptedException {
    Duration timeout = resolveTimeout;
    Lookup how = lookup;
    long deadline = System.nanoTime() + timeout.toNanos();
    String why = "no answer";
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      Future<InetAddress[]> answer = resolver.submit(() -> how.resolve(host));
      try {
        answer.get(left, TimeUnit.NANOSECONDS);
        return;
      } catch (TimeoutException e) {
        answer.cancel(true);
        if (why.equals("no answer")) { // a retry cut short by the deadline keeps the first answer's reason
          why = "the lookup did not answer";
        }
        break;
      } catch (ExecutionException e) {
        why = e.getCause() instanceof UnknownHostException ? "unknown host" : e.getCause().toString();
      }
      Thread.sleep(Math.min(RESOLVE_RETRY.toMillis(), Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
    }
    throw new InvalidScaleRequestException("cannot resolve " + host + " (node " + name + ") within " + timeout.toMillis() / 1000.0
        + " s: " + why + "; check the name, or add it again once it resolves");
  }

  /**
   * The incarnation of the process answering at {@code address}; a clear 400 if none answers, or if
   * it was started standalone (it would own every key again after a restart).
   */
  private long requireMember(String address, String name) {
    NodeControl.Heartbeat beat;
    try {
      beat = pool.heartbeat(name, address, 0, 0);
    } catch (NodeClient.ErrorReply e) {
      String fix = e.getMessage().startsWith("ERR wrong node") ? "; start the node with --name " + name + ", or add it by the name it has" : "";
      throw new InvalidScaleRequestException("node " + name + " at " + address + " refused the router's check: " + e.getMessage() + fix);
    } catch (IOException e) {
      throw new InvalidScaleRequestException("node " + name + " at " + address + " does not answer: " + e.getMessage());
    }
    if (!beat.member()) {
      throw new InvalidScaleRequestException("node " + name + " at " + address + " was started standalone: restart it with --cluster"
          + " (CACHE_NODE_CLUSTER=true) to add it; a standalone node would serve every key again after a restart");
    }
    return beat.incarnation();
  }

  /**
   * Refuses a scale event while a node of the ring has not answered the router yet: until its
   * incarnation is recorded it gets no topology, and every participant must acknowledge each step.
   */
  private void requireAdmitted() {
    for (NodeInfo n : store.current().nodes()) {
      if (n.incarnation() == 0 && (n.state() == NodeState.UP || n.state() == NodeState.LEAVING)) {
        throw new ScaleConflictException("node " + n.name() + " has not answered the router yet; try again in a moment");
      }
    }
  }

  // ---- node calls run at once ---------------------------------------------------------------

  /**
   * Node calls (pushes, streams) started at once on one of the runtime's executors, keyed by what
   * they are for. Each signals its end on a queue the coordinator's thread waits on, so the thread
   * wakes as soon as any call ends instead of looking at each in turn. Closing the group cancels
   * (interrupts) every call still running: whoever starts calls closes the group on every path, so
   * no call outlives the step that started it. In the simulation the executors run a call at once,
   * on its one thread, and the sleeper's poll advances the virtual clock (ControlRuntime.Sleeper).
   */
  private final class NodeCalls<K, V> implements AutoCloseable {
    private final ExecutorService executor;
    private final BlockingQueue<Call> ended = new LinkedBlockingQueue<>();
    private final Map<K, Call> running = new LinkedHashMap<>();

    NodeCalls(ExecutorService executor) {
      this.executor = executor;
    }

    /** One call: its key, and the outcome once it ended. */
    final class Call extends FutureTask<V> {
      final K key;

      Call(K key, Callable<V> work) {
        super(work);
        this.key = key;
      }

      @Override
      protected void done() {
        ended.add(this);
      }

      /** The call's result, or what it threw (an Error as it is: the simulation's router crash is never a failed call). */
      V outcome() throws Exception {
        try {
          return get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Error error) {
            throw error;
          }
          throw e.getCause() instanceof Exception cause ? cause : e;
        }
      }
    }

    void start(K key, Callable<V> work) {
      Call call = new Call(key, work);
      Call before = running.put(key, call);
      if (before != null) {
        before.cancel(true);
      }
      executor.execute(call);
    }

    /** Runs a call on this thread (it ends, and signals its end, before this returns). */
    void runHere(K key, Callable<V> work) {
      Call call = new Call(key, work);
      Call before = running.put(key, call);
      if (before != null) {
        before.cancel(true);
      }
      call.run();
    }

    boolean isEmpty() {
      return running.isEmpty();
    }

    /** The keys of the calls still running (a copy). */
    List<K> keys() {
      return new ArrayList<>(running.keySet());
    }

    void cancel(K key) {
      Call call = running.remove(key);
      if (call != null) {
        call.cancel(true);
      }
    }

    /** The next call to end, waiting at most {@code millis} for it; null if none did. A cancelled call never shows. */
    Call next(long millis) throws InterruptedException {
      long deadline = runtime.nanoTime().getAsLong() + TimeUnit.MILLISECONDS.toNanos(millis);
      while (true) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - runtime.nanoTime().getAsLong());
        Call call = runtime.sleeper().poll(ended, Math.max(0, left));
        if (call == null) {
          return null;
        }
        if (running.remove(call.key, call)) {
          return call;
        }
      }
    }

    @Override
    public void close() {
      running.values().forEach(call -> call.cancel(true));
      running.clear();
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  static Set<String> participants(Topology t) {
    Set<String> names = new LinkedHashSet<>();
    for (Handoff h : t.handoffs()) {
      names.add(h.from());
      names.add(h.to());
    }
    return names;
  }

  private static Set<String> sources(Topology t) {
    Set<String> names = new LinkedHashSet<>();
    t.handoffs().forEach(h -> names.add(h.from()));
    return names;
  }

  private static Set<String> targets(Topology t) {
    Set<String> names = new LinkedHashSet<>();
    t.handoffs().forEach(h -> names.add(h.to()));
    return names;
  }

  private void requireIdle() {
    if (running != null && running.status == ScaleEvent.Status.RUNNING) {
      throw new ScaleConflictException(
          "scale event " + running.id + " (" + running.kind + (running.node == null ? "" : " " + running.node)
              + ") is under way; try again when it finishes");
    }
  }

  private NodeInfo requireNode(String name) {
    return store.current().node(name).orElseThrow(() -> new UnknownNodeException("no such node: " + name));
  }

  private static void requireWeight(int weight) {
    if (weight < 1 || weight > HashRing.MAX_WEIGHT) {
      throw new InvalidScaleRequestException("weight must be between 1 and " + HashRing.MAX_WEIGHT + ": " + weight);
    }
  }

  private static List<NodeInfo> replace(List<NodeInfo> nodes, String name, UnaryOperator<NodeInfo> change) {
    return nodes.stream().map(n -> n.name().equals(name) ? change.apply(n) : n).toList();
  }

  private static List<NodeInfo> without(List<NodeInfo> nodes, String name) {
    return nodes.stream().filter(n -> !n.name().equals(name)).toList();
  }

  /**
   * Persists {@code change}, unless this router is stopping: then the event ends here and writes
   * nothing. What an event knows only in memory (the failures it recorded, above all) dies with its
   * router, and its successor may already have read the store and acted on it: it may have renewed
   * a node this event had failed (a DOWN node that answers again), and a prune or finish written
   * after that would eject the node while it holds its lease, losing the writes it acknowledged
   * (simulation seed 3187). Checked inside the store's update, right before the write.
   */
  private Topology update(UnaryOperator<Topology> change) {
    return store.update(cur -> {
      if (closing) {
        throw new CancellationException("the router is stopping: it persists no more topology changes");
      }
      return change.apply(cur);
    });
  }


  @Override
  public void close() {
    closing = true;
    runtime.shutdownNow();
    resolver.shutdownNow();
  }
}
