package io.ringcache.router.control;

import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.Topology;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Health checks, leases and fencing (ARCHITECTURE, "Topology, membership and fencing").
 *
 * Every interval each listed node gets RING.HEARTBEAT <incarnation> <lease-ms> <name>, in parallel,
 * each with the probe timeout (another node reached at the address refuses it: a miss). The
 * heartbeat names the incarnation the topology records for the node;
 * the node renews its lease only for its own incarnation, anchored at its answer to the PREVIOUS
 * heartbeat on the same connection (ClusterState#heartbeat), an answer this router has read (a
 * connection carries one call at a time). So however late a heartbeat is read (it may wait in a
 * socket buffer while the node is paused), a node's lease ends before
 *
 *     leaseBound = (when this router last read a heartbeat answer from it) + lease
 *
 * on the router's monotonic clock, and the router ejects a member that stopped answering only once
 * that bound (plus a margin for clock rates) has passed: by then the member answers -TRYAGAIN to
 * every keyed command, so no two nodes accept writes for one key. At start the router does not
 * know what its previous process read, so every bound starts at "start + lease".
 *
 * A router that was away (paused: a long GC, SIGSTOP, a frozen VM; or starved of CPU) sees every
 * node's lease run out for want of its own renewals, not for anything the nodes did. Ejecting a
 * node then would flush it for a silence of a few seconds: a node paused for 5 s just as the router
 * came back from 18 s away missed its 3 checks and was ejected 2 s later, with every key it held
 * (found by a randomized fault run against real processes). So a round that starts much later than
 * the previous one (see beginRound), or a timer round that lasts that long (see timerRound), counts
 * as a return, and every bound starts at "return + lease",
 * as after a restart: a node is failed for silence only after a full lease of this router watching
 * it. Safety is unchanged: a bound only moves later.
 *
 * What an answer or a miss means:
 *  - the recorded incarnation is 0 (a node listed at bootstrap, never seen): the incarnation that
 *    answers is recorded, then the topology is pushed to it;
 *  - another incarnation answers: the process that held the node's data crashed and restarted; it
 *    is dead for certain, so the node is failed and ejected at once, and the new process comes back
 *    only through a flushed re-admission;
 *  - the port refuses connections: dead for certain too (nothing listens: the process is gone),
 *    ejected once `misses` misses end with a refusal (a crashed node: about 1.5-2 s by default), if
 *    the node's port refuses other nodes as well. A refusal may come from the path rather than the
 *    node: a firewall that rejects, a proxy or service in between with no ready endpoint. A node
 *    ejected for that while it runs kept serving the clients that reach it under the lease it still
 *    held, and was flushed on its return: a 2 s refused link between router and node lost 158 keys
 *    in a randomized fault run against real processes. So once the misses are in, up to two other
 *    nodes that answer this router dial the node themselves (RING.PROBE): if one of them is refused
 *    too and none reaches it, it is dead; if one reaches the process this router admitted, only
 *    this router's path is refused, and it is failed as a silent node is, once its lease ran out; if
 *    one reaches another incarnation, the old process is dead. No witness (none answers this router,
 *    none knows RING.PROBE, none gets an answer either way): it waits for the lease, as for silence;
 *  - no answer (paused, partitioned): DOWN after `misses` misses, failed and ejected once its lease
 *    certainly ran out. Every later miss checks again, so a failure is never forgotten, and two
 *    nodes failing together are both ejected.
 *  - an answer from an EJECTED node (any incarnation) re-admits it, flushed, through a normal join.
 */

/** Health checks of every node: leases, ejection and re-admission. */
public final class HealthChecker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

  /** What the last probes of one node found. */
  public record Health(int misses, Instant lastSeen, String lastError, long epoch, long leaseLeftMillis) {}

  private final TopologyStore store;
  private final NodeControl nodes;
  private final ScaleCoordinator coordinator;
  private final Duration interval;
  private final int maxMisses;
  private final long leaseNanos;
  private final long marginNanos;
  private final LongSupplier nanoTime;
  /** A gap between two rounds longer than this is this router's absence (see {@link #beginRound}). */
  private final long absenceNanos;
  /** When the last round began or ended. Written by the rounds only (one timer thread), read by the probes. */
  private volatile long lastRoundNanos;
  /** Since when this router has watched every node: its start, or its return from its last absence. */
  private volatile long watchingSince;
  private final Map<String, Health> health = new ConcurrentHashMap<>();
  /** Per node: when this router last read a heartbeat answer from it (a lease is anchored at most there). */
  private final Map<String, Long> lastAnswer = new ConcurrentHashMap<>();
  /**
   * A failed member's incarnation is fenced: its lease is never renewed again until it has been
   * ejected, re-admitted, and has adopted a topology at least as new as its re-admission
   * ({@code minEpoch}; MAX_VALUE until then). Without this, a node paused past its ejection could
   * be renewed by the next heartbeat while it still holds the topology in which it owned its
   * ranges, and accept writes its successors never see.
   */
  private record Fence(long incarnation, long minEpoch, boolean ejected) {}

  private final Map<String, Fence> fences = new ConcurrentHashMap<>();
  /** Per node: the epoch it reported last. */
  private final Map<String, Long> reportedEpoch = new ConcurrentHashMap<>();
  /** The epoch last logged per node found ahead of this router (one ERROR per node and epoch). */
  private final Map<String, Long> aheadWarned = new ConcurrentHashMap<>();
  /** Per node: whether its latest miss was a refused connection (nothing listens on its port). */
  private final Map<String, Boolean> refused = new ConcurrentHashMap<>();
  /** Per node: the last finding of its refusal's witnesses that was logged (see {@link #refusedByTheNode}). */
  private final Map<String, String> refusalFinding = new ConcurrentHashMap<>();
  /** The nodes asked to dial a node whose port refuses this router (RING.PROBE). */
  private final NodeControl probers;
  /** How many other nodes are asked to dial a refusing node, at most. */
  private static final int WITNESSES = 2;
  /** One monitor per node: its checks (a round's and checkNow's) never overlap. */
  private final Map<String, Object> checking = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ringcache-health"));
  private final ExecutorService probes = Executors.newCachedThreadPool(r -> daemon(r, "ringcache-health-probe"));
  /** The nodes whose round check runs now (see {@link #checkAll}). */
  private final java.util.Set<String> inFlight = ConcurrentHashMap.newKeySet();
  /**
   * Told of every failure of a member, as it is decided: the member's name, and whether it is dead
   * for certain (its port refuses this router and another node, or another incarnation answered)
   * rather than silent for a lease. The simulation holds each against the faults it made
   * (Simulation#checkFailure).
   */
  private volatile BiConsumer<String, Boolean> failures = (name, dead) -> {};
  /** Set by {@link #close}: from then on this checker persists nothing (see {@link #update}). */
  private volatile boolean closed;

  HealthChecker(TopologyStore store, NodeControl nodes, ScaleCoordinator coordinator, Duration interval, int maxMisses,
      Duration lease) {
    this(store, nodes, nodes, coordinator, interval, maxMisses, lease, System::nanoTime);
  }

  HealthChecker(TopologyStore store, NodeControl nodes, ScaleCoordinator coordinator, Duration interval, int maxMisses,
      Duration lease, LongSupplier nanoTime) {
    this(store, nodes, nodes, coordinator, interval, maxMisses, lease, nanoTime);
  }

  /**
   * @param nodes the heartbeats' connections (one caller per node: see ControlPlane)
   * @param probers the connections that ask other nodes to dial a node whose port refuses this router
   */
  HealthChecker(TopologyStore store, NodeControl nodes, NodeControl probers, ScaleCoordinator coordinator,
      Duration interval, int maxMisses, Duration lease, LongSupplier nanoTime) {
    this.store = store;
    this.nodes = nodes;
    this.probers = probers;
    this.coordinator = coordinator;
    this.interval = interval;
    this.maxMisses = maxMisses;
    this.leaseNanos = lease.toNanos();
    // clock rates differ by far less than 1%; 5% and 100 ms leave room for scheduling too
    this.marginNanos = leaseNanos / 20 + TimeUnit.MILLISECONDS.toNanos(100);
    this.nanoTime = nanoTime;
    long start = nanoTime.getAsLong();
    // a round is due every interval; one that comes maxMisses intervals late missed a DOWN's worth
    this.absenceNanos = interval.toNanos() * (maxMisses + 1);
    this.lastRoundNanos = start;
    this.watchingSince = start;
    coordinator.leases(this::holdsLease, this::checkNow);
  }

  /** Whether {@code name} answered its last health check holding a lease. */
  boolean holdsLease(String name) {
    Health h = health.get(name);
    return h != null && h.misses() == 0 && h.leaseLeftMillis() > 0;
  }

  void start() {
    timer.scheduleWithFixedDelay(this::checkAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  Health healthOf(String name) {
    return health.get(name);
  }

  /**
   * Whether a silent {@code name} may be failed: its lease has certainly run out by this router's
   * clock, and this router has watched it for a full lease since its own start or return.
   */
  boolean silentForALease(String name) {
    long since = watchingSince;
    long answered = lastAnswer.getOrDefault(name, since);
    long bound = (answered - since > 0 ? answered : since) + leaseNanos + marginNanos;
    return nanoTime.getAsLong() - bound > 0;
  }

  /**
   * Marks the start of a round of checks (the timer's, or a test's or the simulation's own). A round
   * that starts more than (misses + 1) intervals after the previous one ended means this router was
   * away meanwhile: it starts watching every node anew, as after a restart (see the class comment).
   */
  void beginRound() {
    stampRound();
  }

  /** Stamps a round's start or end; a stamp more than an absence after the last one means this router was away. */
  private void stampRound() {
    long now = nanoTime.getAsLong();
    long gap = now - lastRoundNanos;
    lastRoundNanos = now;
    if (gap > absenceNanos) {
      returned(gap, now);
    }
  }

  /** This router is back from an absence of {@code gapNanos}: every node gets a full lease from {@code now}. */
  private void returned(long gapNanos, long now) {
    watchingSince = now;
    log.warn("no health check ran for {} ms (this router was paused or starved): every node gets a full lease ({} ms)"
        + " from now to answer before it is failed for silence", TimeUnit.NANOSECONDS.toMillis(gapNanos),
        TimeUnit.NANOSECONDS.toMillis(leaseNanos));
  }

  /**
   * Marks the end of a round. The timer's rounds only hand their checks to probe threads, so they
   * end as they begin (endTimerRound); a round that runs its checks one after another (a unit
   * test's) takes its probes' time, which is not an absence.
   */
  void endRound() {
    lastRoundNanos = nanoTime.getAsLong();
  }

  /**
   * One round of the timer's: each node handed to {@code dispatch} (which starts its check on a
   * probe thread and returns). Such a round takes microseconds, so one that took longer than an
   * absence was this router's absence too, paused or starved between its start and its end: its end
   * was stamped after the return, and the next round, an interval later, saw no gap. A SIGSTOP
   * landed there in a CI run (FaultScenariosIT scenario 15, under the load of an image build beside
   * it): the absence went unnoticed, and a node slow to answer as the router returned was ejected at
   * its third miss, flushed.
   */
  void timerRound(java.util.function.Consumer<NodeInfo> dispatch) {
    beginRound();
    for (NodeInfo n : store.current().nodes()) {
      dispatch.accept(n);
    }
    endTimerRound();
  }

  /**
   * Ends a timer round begun by {@link #beginRound}: a round that lasted an absence was one (see
   * {@link #timerRound}). The simulation ends with it a round that a pause of its router landed in.
   */
  void endTimerRound() {
    stampRound();
  }

  /**
   * One round: each node's check on a probe thread of its own, and a node whose check of an earlier
   * round still runs is skipped. The round does not wait for its checks: a check may hold for long,
   * on a topology write that a hung disk holds (a DOWN mark, an incarnation), and the other nodes'
   * leases must still be renewed. Waiting for every check, as rounds did, let one node's DOWN mark on
   * a frozen file system (fsfreeze) stop every renewal: 4.5 s later (a 3 s lease) every healthy node
   * answered -TRYAGAIN.
   */
  private void checkAll() {
    try {
      timerRound(n -> {
        if (inFlight.add(n.name())) {
          probes.execute(() -> checkInRound(n));
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    } catch (Throwable e) {
      // an Error here would cancel the periodic task silently: health checks would stop for good
      io.ringcache.resp.net.FailStop.haltIfFatal("router health-check thread", e);
      log.error("health check round failed", e);
    }
  }

  private void checkInRound(NodeInfo node) {
    try {
      check(node);
    } catch (Throwable e) {
      io.ringcache.resp.net.FailStop.haltIfFatal("router health-check thread", e);
      log.error("health check of {} failed", node.name(), e);
    } finally {
      inFlight.remove(node.name());
    }
  }

  /**
   * Checks {@code name} now, outside the rounds: a scale event asks this of a target that holds no
   * lease yet (a joiner just admitted), rather than wait up to an interval for the next round. A
   * round's check (the same heartbeat, renewal and fencing rules), except that no answer is not
   * counted as a miss: failures are found by the rounds alone, as without this check (a joiner's
   * first heartbeat also sets up a connection, and on a loaded machine may miss the probe timeout).
   */
  void checkNow(String name) {
    store.current().node(name).ifPresent(node -> check(node, false));
  }

  /**
   * One node's health check. Checks of one node never overlap (a round's and {@link #checkNow}'s):
   * its heartbeats stay one call at a time, as the lease anchors assume.
   */
  void check(NodeInfo node) {
    check(node, true);
  }

  private void check(NodeInfo node, boolean countMiss) {
    synchronized (checking.computeIfAbsent(node.name(), n -> new Object())) {
      checkAlone(node, countMiss);
    }
  }


  private void checkAlone(NodeInfo listed, boolean countMiss) {
    // a probe may run after the round that listed the node: its state and incarnation now decide
    NodeInfo node = store.current().node(listed.name()).orElse(listed);
    long admitted = node.incarnation();
    Fence fence = fences.get(node.name());
    if (fence != null && fence.incarnation() != admitted) {
      fences.remove(node.name(), fence); // another process was admitted since: the fence was for the old one
      fence = null;
    }
    if (admitted != 0 && node.state() == NodeState.EJECTED && (fence == null || fence.minEpoch() != Long.MAX_VALUE)) {
      // an ejected node is never renewed: not by a router that restarted since (its fences are
      // gone), nor on a fence that let it be renewed before its ejection (kept as one of the last
      // nodes, see renewLastNodes; simulation seed 1756 renewed such a node after its ejection, and
      // it acknowledged writes in ranges it no longer owned). It may still hold the topology in
      // which it served its old ranges
      fence = new Fence(admitted, Long.MAX_VALUE, true);
      fences.put(node.name(), fence);
    }
    boolean renew = admitted != 0 && !ahead(node.name()) && (fence == null
        || (fence.minEpoch() != Long.MAX_VALUE && reportedEpoch.getOrDefault(node.name(), -1L) >= fence.minEpoch()));
    NodeControl.Heartbeat beat;
    long leaseMillis = TimeUnit.NANOSECONDS.toMillis(leaseNanos);
    long sent = nanoTime.getAsLong();
    try {
      beat = nodes.heartbeat(node.name(), node.address(), renew ? admitted : 0, leaseMillis);
      if (renew && beat.incarnation() == admitted && beat.leaseLeftMillis() < leaseMillis / 2) {
        // a new connection's first heartbeat renews nothing (nothing to anchor at): send the next
        // one at once rather than an interval later (after a router restart, a reconnect). The
        // next one's lease is anchored at this answer, so it counts as an answer before it is sent:
        // if the next one's reply is lost, the node still holds that lease (simulation seed 1237)
        lastAnswer.merge(node.name(), nanoTime.getAsLong(), Math::max);
        beat = nodes.heartbeat(node.name(), node.address(), admitted, leaseMillis);
      }
    } catch (IOException | RuntimeException e) {
      nodes.discard(node.address());
      if (countMiss) {
        missed(node, e, sent);
      } else {
        log.debug("node {} did not answer a check outside the rounds: {}", node.name(), e.getMessage());
      }
      return;
    }
    lastAnswer.merge(node.name(), nanoTime.getAsLong(), Math::max);
    Health before = health.put(node.name(), new Health(0, Instant.now(), null, beat.epoch(), beat.leaseLeftMillis()));
    reportedEpoch.put(node.name(), beat.epoch());
    refused.remove(node.name());
    refusalFinding.remove(node.name());
    if (before != null && before.misses() >= maxMisses) {
      log.info("node {} answers again", node.name());
    }
    Topology t = store.current();
    NodeInfo current = t.node(node.name()).orElse(null);
    if (current == null) {
      return;
    }
    if (beat.epoch() > t.epoch()) {
      aheadOfThisRouter(node.name(), beat.epoch(), t.epoch());
      return;
    }
    if (fence != null && fences.get(node.name()) != fence) {
      // loosened while the heartbeat was out: every node of the ring had failed, and another node's
      // check kept this one (renewLastNodes). Acting on the old fence would ask for its ejection
      // (simulation seed 1756); the next check acts on the new one
      return;
    }
    if (fence != null && !fenced(current, fence, beat, t)) {
      return;
    }
    if (current.state() == NodeState.EJECTED) {
      if (!coordinator.busy()) {
        try {
          coordinator.readmit(node.name(), beat.incarnation());
          log.info("node {} answers again: re-admitting it, flushed, through a handoff", node.name());
        } catch (ScaleRequestException e) {
          log.debug("re-admission of {} deferred: {}", node.name(), e.getMessage());
        }
      }
      return;
    }
    if (current.incarnation() == 0) {
      if (!beat.member()) {
        log.warn("node {} was started standalone (without --cluster): it would serve every key if it restarted;"
            + " start cluster nodes with --cluster", node.name());
      }
      recordIncarnation(node.name(), beat.incarnation());
      return;
    }
    if (beat.incarnation() != current.incarnation()) {
      if (current.state().inRing() && everyOtherRingNodeFenced(t, node.name())) {
        readmitInPlace(current, beat.incarnation(), t);
        return;
      }
      log.warn("node {} restarted (incarnation {} instead of {}): its data is gone; failing it, it comes back flushed",
          node.name(), Long.toUnsignedString(beat.incarnation(), 16), Long.toUnsignedString(current.incarnation(), 16));
      fail(current, true);
      return;
    }
    if (current.state() == NodeState.DOWN) {
      setState(node.name(), NodeState.DOWN, NodeState.UP);
    }
    if (beat.epoch() < t.epoch() && !coordinator.busy()) {
      log.info("node {} holds epoch {} < {}: pushing the topology", node.name(), beat.epoch(), t.epoch());
      coordinator.pushWithRetry(t, node.name());
    }
  }

  /**
   * Whether {@code name} last reported an epoch this router never wrote: a topology is persisted
   * before any node sees it, so a node ahead follows another router, or one whose data directory
   * this router does not have. Such a node is neither renewed nor acted on: serving on a lease from
   * a router that does not know its ranges, or being failed, flushed or pushed an older ring by it,
   * could lose what it holds. It answers -TRYAGAIN once its lease runs out, until an operator acts.
   */
  private boolean ahead(String name) {
    return reportedEpoch.getOrDefault(name, -1L) > store.current().epoch();
  }

  private void aheadOfThisRouter(String name, long nodeEpoch, long routerEpoch) {
    Long warned = aheadWarned.put(name, nodeEpoch);
    if (warned == null || warned != nodeEpoch) {
      log.error("node {} holds topology epoch {}, ahead of this router's {}: another router drives it, or this router's"
          + " data directory is not the cluster's. Not renewing its lease nor changing it: it answers -TRYAGAIN once its"
          + " lease runs out. Stop the other router, or restore the data directory's topology.json (a router started"
          + " with an empty one adopts the nodes' topology)", name, nodeEpoch, routerEpoch);
    }
  }

  /**
   * Moves a failed member's fence along: ejected, then re-admitted, then caught up with the
   * topology of its re-admission. Until it is ejected its ejection is asked for again at every
   * answer (a request lost to a finishing event is never forgotten).
   *
   * @return whether the answer may be handled as usual (false: the node is still being fenced off)
   */
  private boolean fenced(NodeInfo current, Fence fence, NodeControl.Heartbeat beat, Topology t) {
    String name = current.name();
    if (fence.minEpoch() == Long.MAX_VALUE) {
      if (current.state() == NodeState.EJECTED) {
        fences.put(name, new Fence(fence.incarnation(), Long.MAX_VALUE, true));
        return true; // the re-admission below
      }
      if (fence.ejected()) {
        // re-admitted: renew once it holds this topology or a newer one
        fences.put(name, new Fence(fence.incarnation(), t.epoch(), true));
      } else if (current.state().inRing() && !everyOtherRingNodeFenced(t, name)) {
        coordinator.eject(name);
        return false;
      } else if (current.state() == NodeState.LEAVING) {
        // its event resolves its handoffs as a failed source's and then removes it: until then it
        // is never renewed, or it would acknowledge writes that the event drops (seed 2830). That
        // event is told at every answer, as an ejection is asked for above: the failure may have
        // been found before the event began (the node failed while another event was finishing,
        // which never ejected it, and then its leave was asked for), and a leave that is never
        // told waits for the node's acknowledgement forever (simulation seed 2009)
        coordinator.nodeFailed(name);
        return false;
      } else if (current.state().inRing() && t.ring().nodeNames().size() > 1) {
        return renewLastNodes(t, name);
      } else {
        fences.remove(name); // the last node of the ring, kept DOWN: it serves again once it answers
      }
      return true;
    }
    if (beat.epoch() >= fence.minEpoch()) {
      fences.remove(name);
      log.info("node {} holds epoch {}: its lease is renewed again", name, beat.epoch());
    }
    return true;
  }

  /**
   * Whether every node of {@code t}'s ring but {@code name} is fenced: failed and not ejected yet,
   * or waiting to be renewed (kept as one of the last nodes, below, or re-admitted). None of them
   * holds a lease, so none can take {@code name}'s ranges; and the failed ones cannot be ejected:
   * the coordinator never empties the ring, it keeps its last nodes DOWN instead
   * (ScaleCoordinator#ejecting), and asking again would never end.
   */
  private boolean everyOtherRingNodeFenced(Topology t, String name) {
    for (String other : t.ring().nodeNames()) {
      if (other.equals(name)) {
        continue;
      }
      Fence f = fences.get(other);
      if (f == null || f.incarnation() != t.node(other).map(NodeInfo::incarnation).orElse(0L)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Every node of the ring failed (two nodes paused or partitioned together, say), so all are
   * kept DOWN: they serve again, keeping what they hold, as the last node of a ring does and as
   * they would under a restarted router (which has no fences). Not while an event runs or a
   * handoff is left (the failures are resolved first: a node renewed before would acknowledge
   * writes the resolution drops; the running event is told it failed, see the LEAVING branch);
   * then each is renewed once it holds this topology or a newer one. All of them at once, so that
   * the first to be renewed is not taken for a live node of the ring and the others ejected.
   *
   * @return whether the answer may be handled as usual (the topology pushed to it, marked UP)
   */
  private boolean renewLastNodes(Topology t, String name) {
    if (coordinator.busy() || !t.handoffs().isEmpty()) {
      coordinator.nodeFailed(name);
      return false;
    }
    List<String> kept = new ArrayList<>();
    for (String member : t.ring().nodeNames()) {
      long admitted = t.node(member).map(NodeInfo::incarnation).orElse(0L);
      Fence f = fences.get(member);
      if (f != null && f.incarnation() == admitted && f.minEpoch() == Long.MAX_VALUE && !f.ejected()) {
        fences.put(member, new Fence(admitted, t.epoch(), true));
        kept.add(member);
      }
    }
    if (!kept.isEmpty()) {
      log.warn("every node of the ring failed, none can be ejected: {} serve(s) again, keeping what they hold,"
          + " once they hold epoch {}", kept, t.epoch());
    }
    return true;
  }

  /**
   * A node that restarted as {@code incarnation} while no other node of the ring is left to take
   * its ranges (it is the last one, or every other one failed too). It cannot be ejected and
   * re-admitted through a handoff as usual: the ring is never emptied. Its old process's data is
   * gone and no other node holds its ranges, so the new process is admitted in place, flushed,
   * keeping them (empty) once no event runs and no handoff is left; until then it is failed as
   * usual (the running event resolves its handoffs). Without this a restarted last node would
   * stay DOWN for good: as another incarnation it is never renewed.
   */
  private void readmitInPlace(NodeInfo current, long incarnation, Topology t) {
    String name = current.name();
    if (coordinator.busy() || !t.handoffs().isEmpty()) {
      fail(current, true);
      return;
    }
    if (t.ring().nodeNames().size() > 1) {
      renewLastNodes(t, name); // the others that only stopped answering keep what they hold
    }
    try {
      coordinator.readmitInPlace(name, current.incarnation(), incarnation);
      log.warn("node {} restarted (incarnation {} instead of {}) and no live node of the ring can take its ranges:"
          + " admitting the new process in place, flushed", name, Long.toUnsignedString(incarnation, 16),
          Long.toUnsignedString(current.incarnation(), 16));
    } catch (ScaleRequestException e) {
      log.debug("in-place re-admission of {} deferred: {}", name, e.getMessage());
    }
  }

  /** The first answer of a node listed without an incarnation: record it, then push. */
  private void recordIncarnation(String name, long incarnation) {
    Topology before = store.current();
    Topology after = update(t -> {
      NodeInfo n = t.node(name).orElse(null);
      if (n == null || n.incarnation() != 0) {
        return t;
      }
      return t.next(t.nodes().stream().map(x -> x.name().equals(name) ? x.withIncarnation(incarnation) : x).toList(),
          t.handoffs());
    });
    if (after != before) {
      log.info("node {} admitted: incarnation {}", name, Long.toUnsignedString(incarnation, 16));
      pushUnlessAnEventRuns(after);
    }
  }

  /** A check begun at {@code started} (nanoTime) found {@code node} silent, or refusing. */
  private void missed(NodeInfo node, Exception error, long started) {
    String why = error.getMessage() == null ? error.toString() : error.getMessage();
    // a pooled connection to a crashed node fails first with a reset or EOF, the next dial is refused
    refused.put(node.name(), error instanceof ConnectException);
    Health h = health.merge(
        node.name(),
        new Health(1, null, why, -1, -1),
        (old, one) -> new Health(old.misses() + 1, old.lastSeen(), why, old.epoch(), old.leaseLeftMillis()));
    if (h.misses() < maxMisses) {
      return;
    }
    Topology t = store.current();
    NodeInfo current = t.node(node.name()).orElse(null);
    if (current == null || current.state() == NodeState.EJECTED) {
      return;
    }
    if (h.misses() == maxMisses) {
      log.warn("node {} at {} missed {} health checks ({})", node.name(), node.address(), h.misses(), why);
    }
    if (current.state() == NodeState.UP) {
      setState(node.name(), NodeState.UP, NodeState.DOWN);
    }
    boolean dead = refused.getOrDefault(node.name(), false) && refusedByTheNode(current);
    long now = nanoTime.getAsLong();
    if (now - started > absenceNanos && now - lastRoundNanos > absenceNanos) {
      // this check lasted an absence while no round ran: this router was away during it (its call,
      // whose timeout is one interval, or its DOWN mark's pushes, held by a pause), and it decides
      // before the timer's next round, or the end of the round the pause landed in, sees the gap.
      // It must not fail a node whose lease ran out meanwhile (simulation seed 57 failed two nodes
      // 0.5 and 1 s after a 5.9 s pause that way, once its probes ran as tasks of their own; seed 6
      // one whose DOWN mark's push the pause held). A check slow for its own reasons (a name lookup
      // that hangs, pushes to unreachable nodes) is no absence: the rounds go on beside it
      returned(now - started, now);
    }
    if (dead || silentForALease(node.name())) {
      fail(current, dead);
    } else if (h.misses() == maxMisses) {
      log.info("node {}: waiting for its lease to run out before failing it", node.name());
    }
  }

  /**
   * Whether the refusals of {@code node}'s port are the node's own: up to {@link #WITNESSES} other
   * nodes that answered their last check dial it (see the class comment). True if one is refused
   * too and none reaches it, or one reaches another incarnation than the admitted one; false if one
   * reaches the admitted process (only this router's path refuses), or none could tell.
   */
  private boolean refusedByTheNode(NodeInfo node) {
    String refusedTo = null;
    List<String> untold = new ArrayList<>();
    int asked = 0;
    for (NodeInfo prober : store.current().nodes()) {
      if (asked == WITNESSES) {
        break;
      }
      Health h = health.get(prober.name());
      if (prober.name().equals(node.name()) || h == null || h.misses() > 0) {
        continue;
      }
      asked++;
      NodeControl.Probe probe;
      try {
        probe = probers.probe(prober.address(), node.name(), node.address(), interval.toMillis());
      } catch (IOException | RuntimeException e) {
        untold.add(prober.name() + " could not probe (" + e.getMessage() + ")");
        continue;
      }
      switch (probe.reach()) {
        case ANSWERED -> {
          if (node.incarnation() != 0 && probe.incarnation() != node.incarnation()) {
            logFinding(node.name(), "restarted", () -> log.info("node {} refuses this router, and node {} reached"
                + " incarnation {} there instead of {}", node.name(), prober.name(),
                Long.toUnsignedString(probe.incarnation(), 16), Long.toUnsignedString(node.incarnation(), 16)));
            return true;
          }
          logFinding(node.name(), "path", () -> log.warn("node {} at {} refuses this router's connections, but node {}"
              + " reached it: the path from this router rejects them, not the node. It is failed only once its lease"
              + " runs out, as a silent node is", node.name(), node.address(), prober.name()));
          return false;
        }
        case REFUSED -> refusedTo = prober.name();
        case SILENT -> untold.add(prober.name() + " got no answer (" + probe.detail() + ")");
      }
    }
    if (refusedTo != null) {
      String witness = refusedTo;
      logFinding(node.name(), "dead", () -> log.info("node {} refuses node {} too: nothing listens at {}", node.name(),
          witness, node.address()));
      return true;
    }
    logFinding(node.name(), "untold", () -> log.info("node {} refuses this router's connections, and no other node"
        + " confirms it ({}): it is failed once its lease runs out, as a silent node is", node.name(),
        untold.isEmpty() ? "none answers this router" : String.join("; ", untold)));
    return false;
  }

  /** Runs {@code logging} unless {@code finding} is what was logged last for {@code name}. */
  private void logFinding(String name, String finding, Runnable logging) {
    if (!finding.equals(refusalFinding.put(name, finding))) {
      logging.run();
    }
  }

  /** Tells {@code listener} of every failure this checker decides (see {@link #failures}). */
  void onFailure(BiConsumer<String, Boolean> listener) {
    failures = listener;
  }

  /** A member that is dead, or whose lease ran out: fenced, its handoffs resolved, then ejected. */
  private void fail(NodeInfo node, boolean dead) {
    if (node.state().inRing() && store.current().ring().nodeNames().size() <= 1) {
      log.warn("node {} is the last node in the ring: not ejecting it", node.name());
      if (dead) {
        failures.accept(node.name(), true);
        // a running event still learns of a dead one (its process is gone: it can never serve
        // again as the admitted incarnation): its handoffs are resolved, the node stays DOWN in
        // the ring (see ScaleCoordinator.ejecting), instead of waiting for a push that never
        // lands (simulation seed 548). One that is only silent is not failed: it serves again
        // once it answers, and the event's pushes wait for it; failing it would let the event
        // eject it at its end after it was renewed (seed 11173)
        coordinator.nodeFailed(node.name());
      }
      return;
    }
    failures.accept(node.name(), dead);
    // a new failure fences anew, even a node re-admitted after an earlier one that has not answered
    // since (its fence still says "ejected": kept, it would pass the node's next answer for its
    // re-admission and renew it while its event ejects it, simulation seed 2734)
    fences.compute(node.name(), (name, old) -> old != null && old.incarnation() == node.incarnation()
        && old.minEpoch() == Long.MAX_VALUE && !old.ejected() ? old : new Fence(node.incarnation(), Long.MAX_VALUE, false));
    coordinator.nodeFailed(node.name());
    if (!node.state().inRing()) {
      return; // a LEAVING node: the running event resolves its handoffs
    }
    log.warn("node {} {}: ejecting it", node.name(),
        dead ? "is dead (its port refuses this router and other nodes, or it restarted)" : "lost its lease");
    coordinator.eject(node.name());
  }

  private void setState(String name, NodeState from, NodeState to) {
    Topology before = store.current();
    Topology after = update(t -> {
      NodeInfo n = t.node(name).orElse(null);
      if (n == null || n.state() != from) {
        return t; // changed meanwhile: nothing to mark
      }
      return t.next(t.nodes().stream().map(x -> x.name().equals(name) ? x.withState(to) : x).toList(), t.handoffs());
    });
    if (after != before) {
      pushUnlessAnEventRuns(after);
    }
  }

  /**
   * Pushes a change of this checker's (a mark, an incarnation) to every node, unless a scale event
   * runs: its steps push every topology they persist, this change included, in the order the
   * handoff protocol needs (an ACTIVE phase to the sources before the targets), which a push to
   * every node at once here would break.
   */
  private void pushUnlessAnEventRuns(Topology t) {
    if (!coordinator.busy()) {
      coordinator.pushAll(t);
    }
  }

  /**
   * Persists {@code change}, unless this checker is closed: then it changes nothing. A probe that
   * was answered before {@link #close} may still be handled after it (closing interrupts, it does
   * not wait), and the router's successor may already have read the store and marked the node
   * otherwise: a late DOWN or UP mark, or a first incarnation, written over it would undo what the
   * successor decided. The coordinator's writes follow the same rule. Checked inside the store's
   * update, right before the write.
   */
  private Topology update(UnaryOperator<Topology> change) {
    return store.update(t -> closed ? t : change.apply(t));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread thread = new Thread(r, name);
    thread.setDaemon(true);
    return thread;
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    probes.shutdownNow();
  }
}
