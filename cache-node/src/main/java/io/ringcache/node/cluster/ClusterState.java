package io.ringcache.node.cluster;

import io.ringcache.node.store.Clock;
import io.ringcache.node.store.Store;
import io.ringcache.node.store.Stores;
import io.ringcache.ring.Handoff;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.HashRange;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.HashTag;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.RangeIndex;
import io.ringcache.ring.RingDiff;
import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The node's view of the cluster: the one seam that decides, for a key's ring hash, what this node
 * does with a request for it.
 *
 *  - Standalone (no topology ever adopted): every key is served. The fast path is one volatile read
 *    and a null test.
 *  - With a topology, RoutingTable's rule (shared with clients and the router) names the node that
 *    serves the key. For this node that is SERVE; for a range it imports (it is the target of a
 *    handoff in phase ACTIVE or STREAMING) it is IMPORT, carrying the ImportState; a range it will
 *    import but may not serve yet (PREPARED, SEALED) is a waitable TRYAGAIN, one per handoff, naming
 *    its source (a plain GET is answered from there meanwhile: CommandHandler); anything else is
 *    REDIRECT, a precomputed "MOVED <epoch> <address>" per node. Routes are built once per topology
 *    and compared by identity, so a multi-key command spans owners iff two of its keys get different
 *    routes (two waitable TRYAGAIN routes count as one: the command waits either way).
 *  - Adoption is monotonic in the epoch, and the view is replaced whole (an immutable View in a
 *    volatile field), so a reader sees one epoch consistently.
 *
 * Purge on gain: when a new view makes this node serve key hashes that an earlier view did not
 * (activation as a target, an aborted handoff whose ranges fall back to it, the ranges of an
 * ejected neighbour), any entries it still holds there may be older than writes that went to
 * another node meanwhile. They are deleted before those hashes are served, and requests for them
 * get -TRYAGAIN until then. The same background pass drops entries the node no longer needs (not
 * served, not being handed off by it). Views adopted during a pass join its baseline and the pass
 * starts over, so a hash counts as kept only if every view since the last completed pass served it.
 * The affected hash ranges are computed first from the views' breakpoints; a node whose ranges did
 * not change (most nodes at most steps of a handoff) does not scan its store at all.
 */

/** Decides which keys this node serves, from the latest topology it adopted. */
public final class ClusterState {

  private static final Logger log = LoggerFactory.getLogger(ClusterState.class);

  /** What to do with a request for a key. */
  public enum Action {
    /** This node owns the key: execute the command. */
    SERVE,
    /** This node imports the key's range: execute with read-through and touched marks (see ImportState). */
    IMPORT,
    /** Another node owns the key: answer {@code -MOVED <epoch> <address>}. */
    REDIRECT,
    /** No node can serve the key right now: answer {@code -TRYAGAIN}. */
    TRYAGAIN
  }

  /** A routing decision; instances are shared per view, compare them by identity. */
  public static final class Route {
    /** Serve here. */
    public static final Route SERVE = new Route(Action.SERVE, null, null, null, false);

    private final Action action;
    private final String address;
    private final String error;
    private final ImportState importState;
    private final boolean waitable;
    private final String source;
    private final String sourceName;
    private final String handoffId;

    private Route(Action action, String address, String error, ImportState importState, boolean waitable) {
      this(action, address, error, importState, waitable, null, null, null);
    }

    private Route(Action action, String address, String error, ImportState importState, boolean waitable, String source,
        String sourceName, String handoffId) {
      this.action = action;
      this.address = address;
      this.error = error;
      this.importState = importState;
      this.waitable = waitable;
      this.source = source;
      this.sourceName = sourceName;
      this.handoffId = handoffId;
    }

    /**
     * For {@link Action#TRYAGAIN}: whether the range is moving to this node (it will serve it once
     * the handoff activates or its purge ends), so a request may wait here for the next change of
     * state (see {@link ClusterState#nextChange()}) instead of sending the client away to retry.
     */
    public boolean waitable() {
      return waitable;
    }

    /**
     * For a waitable {@link Action#TRYAGAIN} of a range this node will import (its handoff is
     * PREPARED or SEALED here): the address of the handoff's source, where a plain read of the key
     * may be answered from (RING.READ, not stored here: see docs/architecture.md, "Reads before
     * activation"). Null for every other route, a range being purged among them.
     */
    public String source() {
      return source;
    }

    /** The name of the node at {@link #source()} (RING.READ names it: another node at that address refuses). */
    public String sourceName() {
      return sourceName;
    }

    /**
     * The id of the handoff {@link #source()} is read for (RING.READ names it: the source answers
     * only while it holds that handoff as its source, see {@link ClusterState#answersReadsFor}).
     */
    public String handoffId() {
      return handoffId;
    }

    public Action action() {
      return action;
    }

    /** The owner's advertised address for {@link Action#REDIRECT}, else null. */
    public String address() {
      return address;
    }

    /** The error reply without its leading '-', e.g. {@code MOVED 3 127.0.0.1:7002}; null to serve. */
    public String error() {
      return error;
    }

    /** The import this route serves for {@link Action#IMPORT}, else null. */
    public ImportState importState() {
      return importState;
    }

    @Override
    public String toString() {
      return action == Action.SERVE ? "SERVE" : action == Action.IMPORT ? "IMPORT " + importState.handoff().id() : error;
    }
  }

  /** One adopted topology with everything routing needs, precomputed. */
  private final class View {
    final Topology topology;
    final RoutingTable table;
    final HashRing ring;
    final Route[] ringRoutes;
    final Map<String, Route> redirects = new HashMap<>();
    final Map<String, Route> handoffRoutes = new HashMap<>();
    final Map<String, ImportState> imports = new HashMap<>();
    final Route tryAgain;
    final Route noOwner;

    View(Topology topology, Map<String, ImportState> previousImports) {
      this.topology = topology;
      this.table = RoutingTable.of(topology);
      this.ring = table.ring();
      this.tryAgain = new Route(Action.TRYAGAIN, null, "TRYAGAIN range moving at epoch " + topology.epoch() + ", retry", null, true);
      this.noOwner = new Route(Action.TRYAGAIN, null, "TRYAGAIN no node owns this key at epoch " + topology.epoch(), null, false);
      List<String> owners = ring.nodeNames();
      ringRoutes = new Route[owners.size()];
      for (int i = 0; i < ringRoutes.length; i++) {
        ringRoutes[i] = owners.get(i).equals(name) ? Route.SERVE : redirect(owners.get(i));
      }
      for (Handoff h : topology.handoffs()) {
        Route route;
        if (h.to().equals(name)) {
          if (h.phase() == HandoffPhase.PREPARED || h.phase() == HandoffPhase.SEALED) {
            // as tryAgain, with the source a plain read may be answered from (one route per
            // handoff: a read checks, when the source answers, that its route is still this one)
            route = new Route(Action.TRYAGAIN, null, tryAgain.error, null, true, table.addressOf(h.from()), h.from(), h.id());
          } else {
            ImportState state = previousImports.get(h.id());
            if (state == null) {
              state = new ImportState(h, table.addressOf(h.from()));
            }
            imports.put(h.id(), state);
            route = new Route(Action.IMPORT, null, null, state, false);
          }
        } else if (h.from().equals(name) && h.phase() == HandoffPhase.PREPARED) {
          route = Route.SERVE;
        } else {
          route = redirect(h.phase() == HandoffPhase.PREPARED ? h.from() : h.to());
        }
        handoffRoutes.put(h.id(), route);
      }
    }

    private Route redirect(String node) {
      return redirects.computeIfAbsent(node, n -> {
        String address = table.addressOf(n);
        return new Route(Action.REDIRECT, address, "MOVED " + topology.epoch() + " " + address, null, false);
      });
    }

    Route route(int hash) {
      if (!topology.handoffs().isEmpty()) {
        Handoff h = table.handoffCovering(hash);
        if (h != null) {
          return handoffRoutes.get(h.id());
        }
      }
      if (ring.isEmpty()) {
        return noOwner;
      }
      return ringRoutes[ring.ownerIndexOfHash(hash)];
    }

    boolean serves(int hash) {
      Action a = route(hash).action;
      return a == Action.SERVE || a == Action.IMPORT;
    }

    /**
     * Whether no other node can have accepted a write for {@code hash} in this view: this node
     * serves it, or it is the source of a handoff of it that is not yet ACTIVE (sealed: nobody serves it).
     */
    boolean owns(int hash) {
      if (serves(hash)) {
        return true;
      }
      Handoff h = topology.handoffs().isEmpty() ? null : table.handoffCovering(hash);
      return h != null && h.from().equals(name)
          && (h.phase() == HandoffPhase.PREPARED || h.phase() == HandoffPhase.SEALED);
    }

    /** Whether this node must keep an entry: it serves it, or hands it off and may be asked for it. */
    boolean needs(int hash) {
      if (serves(hash)) {
        return true;
      }
      Handoff h = topology.handoffs().isEmpty() ? null : table.handoffCovering(hash);
      return h != null && h.from().equals(name);
    }
  }

  private final String name;
  private final String advertisedAddress;
  private final Store store;
  private final Executor background;
  private final long incarnation;
  private final boolean member;
  private final LongSupplier nanoTime;
  /** A throwaway instance of {@link #warmUp()}: it logs nothing. */
  private final boolean warmUp;
  private volatile View view;

  /** When the lease runs out, on {@link #nanoTime}; meaningful once {@link #leased}. */
  private volatile long leaseExpiresNanos;
  /** Whether a router ever granted this process a lease: from then on (for a member, always) keys are served only under one. */
  private volatile boolean leased;
  private final Route notAdmitted =
      new Route(Action.TRYAGAIN, null, "TRYAGAIN this node has not been admitted to the cluster yet, retry", null, false);
  private final Route leaseExpired = new Route(Action.TRYAGAIN, null,
      "TRYAGAIN this node's lease expired (it lost contact with the router), retry", null, false);

  /** Completed (and replaced) whenever routing may have changed: a topology adopted, a purge done. */
  private volatile CompletableFuture<Void> changed = new CompletableFuture<>();

  /** Views since the last completed purge pass (null: none pending); guarded by this. */
  private List<View> purgeBaseline;
  /** Hashes this node serves now but not in every view of the baseline: -TRYAGAIN until purged. */
  private volatile RangeIndex blocked;
  private boolean purgeScheduled;

  /**
   * @param name this node's ring identity (its name in topologies)
   * @param advertisedAddress where clients reach this node, {@code host:port}
   * @param store the node's entries, purged when ranges are gained
   * @param background where the purge scan runs (not an event loop)
   */
  public ClusterState(String name, String advertisedAddress, Store store, Executor background) {
    this(name, advertisedAddress, store, background, newIncarnation(), false, System::nanoTime);
  }

  /**
   * @param incarnation this process's random identity (never 0), see {@link #newIncarnation()}
   * @param member whether this node is a cluster member ({@code --cluster}): it serves nothing
   *     until it holds a topology naming its incarnation and a lease, and is never standalone
   * @param nanoTime the monotonic clock leases are measured on
   */
  public ClusterState(String name, String advertisedAddress, Store store, Executor background, long incarnation,
      boolean member, LongSupplier nanoTime) {
    this(name, advertisedAddress, store, background, incarnation, member, nanoTime, false);
  }

  private ClusterState(String name, String advertisedAddress, Store store, Executor background, long incarnation,
      boolean member, LongSupplier nanoTime, boolean warmUp) {
    this.warmUp = warmUp;
    this.name = Objects.requireNonNull(name, "name");
    this.advertisedAddress = Objects.requireNonNull(advertisedAddress, "advertisedAddress");
    this.store = Objects.requireNonNull(store, "store");
    this.background = Objects.requireNonNull(background, "background");
    if (incarnation == 0) {
      throw new IllegalArgumentException("incarnation must not be 0 (0 means unknown in a topology)");
    }
    this.incarnation = incarnation;
    this.member = member;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /**
   * Runs a join's adoptions once, on a throwaway instance with a store of its own, so that the code
   * a member's first RING.SETTOPOLOGY runs (the JSON mapper, the ring, routing and range classes) is
   * loaded and initialised before a router pushes one. Cold, that first push costs about 300 ms of
   * CPU (250 of it in the JSON mapper's start), against about 3 ms warm, and it runs on the event
   * loop that also answers heartbeats: on a loaded machine a joiner then answered nothing for
   * seconds and was ejected for missed health checks (docs/benchmarks.md). A member calls this off
   * its event loops at start.
   */
  public static void warmUp() {
    List<NodeInfo> three = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      three.add(new NodeInfo("127.0.0.1:" + i, "127.0.0.1:" + i, 1, NodeState.UP, i));
    }
    List<NodeInfo> four = new ArrayList<>(three);
    four.add(new NodeInfo("127.0.0.1:4", "127.0.0.1:4", 1, NodeState.UP, 4));
    List<Handoff> handoffs = new ArrayList<>();
    RingDiff.between(HashRing.of(three), HashRing.of(four)).groups().forEach((transfer, ranges) ->
        handoffs.add(new Handoff("w" + handoffs.size(), transfer.from(), transfer.to(), ranges, HandoffPhase.PREPARED)));
    Topology before = Topology.of(1, three);
    Topology prepared = before.next(four, handoffs);
    Topology active = prepared.next(four, handoffs.stream().map(h -> h.withPhase(HandoffPhase.ACTIVE)).toList());
    Topology done = active.next(four, List.of());
    ClusterState joiner = new ClusterState("127.0.0.1:4", "127.0.0.1:4", Stores.packed(1 << 20, Clock.SYSTEM), Runnable::run, 4, true, System::nanoTime, true);
    for (Topology t : List.of(before, prepared, active, done)) {
      joiner.adopt(TopologyJson.read(TopologyJson.writeBytes(t)), 4);
      joiner.route(12345);
    }
  }

  /** A fresh random incarnation, never 0. */
  public static long newIncarnation() {
    long value;
    do {
      value = new java.security.SecureRandom().nextLong();
    } while (value == 0);
    return value;
  }

  /** This process's incarnation: drawn at start, reported in every heartbeat, required in every push. */
  public long incarnation() {
    return incarnation;
  }

  /** Whether this node was started as a cluster member. */
  public boolean member() {
    return member;
  }

  /**
   * A heartbeat from the router (RING.HEARTBEAT). When it names this process's incarnation, the
   * lease is renewed until {@code anchorNanos + leaseNanos}, where the anchor is when this node
   * answered the PREVIOUS heartbeat on the same connection: the router sent this one only after it
   * read that answer, so the lease can only end before the router's own bound (the send time of its
   * last heartbeat plus the lease). A heartbeat that waited in a socket buffer during a pause is
   * anchored at the answer before the pause, so it cannot stretch the lease past what the router
   * counts on.
   *
   * @param expectedIncarnation the incarnation the router admitted (0: none yet)
   * @param anchored whether this connection answered a heartbeat before (its first renews nothing)
   * @param anchorNanos when this node answered the previous heartbeat on this connection
   * @return whether the lease was renewed
   */
  public boolean heartbeat(long expectedIncarnation, long leaseNanos, boolean anchored, long anchorNanos) {
    if (expectedIncarnation != incarnation || !anchored || leaseNanos <= 0) {
      return false;
    }
    long until = anchorNanos + leaseNanos;
    synchronized (this) {
      long now = nanoTime.getAsLong();
      boolean wasValid = leased && leaseExpiresNanos - now > 0;
      if (!leased || until - leaseExpiresNanos > 0) {
        leaseExpiresNanos = until;
      }
      leased = true;
      if (!wasValid && leaseExpiresNanos - now > 0) {
        log.info("lease {} ({} ms left)", wasValid ? "renewed" : "granted", (leaseExpiresNanos - now) / 1_000_000);
        signalChange();
      }
    }
    return true;
  }

  /** The clock leases are measured on. */
  public long nanoTime() {
    return nanoTime.getAsLong();
  }

  /** Whether keys may be served as far as the lease goes: none is required, or it has not run out. */
  public boolean leaseValid() {
    if (!leased) {
      return !member; // a member serves only under a lease; a node started standalone until it is given one
    }
    return leaseExpiresNanos - nanoTime.getAsLong() > 0;
  }

  /** Milliseconds of lease left; -1 if none was ever granted. */
  public long leaseRemainingMillis() {
    return !leased ? -1 : Math.max(0, (leaseExpiresNanos - nanoTime.getAsLong()) / 1_000_000);
  }

  /** This node's name. */
  public String name() {
    return name;
  }

  /** This node's advertised address. */
  public String advertisedAddress() {
    return advertisedAddress;
  }

  /** Whether no topology was ever adopted and the node is no cluster member (it owns every key). */
  public boolean isStandalone() {
    return view == null && !member;
  }

  /** The epoch of the topology held; 0 when standalone. */
  public long epoch() {
    View v = view;
    return v == null ? 0 : v.topology.epoch();
  }

  /** The topology held; when standalone, a topology of epoch 0 with this node alone (weight 1, up). */
  public Topology topology() {
    View v = view;
    if (v == null) {
      return Topology.of(0, List.of(new NodeInfo(name, advertisedAddress, 1, NodeState.UP)));
    }
    return v.topology;
  }

  /**
   * How keys are hashed for placement: the hash tag of the topology held (none when standalone).
   * A cluster's tag never changes (the router refuses to), and a member holds no key before its first
   * topology, so every key the store holds was hashed with this one.
   */
  public HashTag hashTag() {
    View v = view;
    return v == null ? HashTag.NONE : v.table.hashTag();
  }

  /** The decision for a key whose placement hash ({@link #hashTag()}) is {@code keyHash}. Allocation-free. */
  public Route route(int keyHash) {
    View v = view;
    if (v == null) {
      return member ? notAdmitted : Route.SERVE;
    }
    if (!leased) {
      if (member) {
        return notAdmitted; // a topology, but no lease yet: admitted a moment from now
      }
    } else if (leaseExpiresNanos - nanoTime.getAsLong() <= 0) {
      return leaseExpired;
    }
    RangeIndex b = blocked;
    if (b != null && b.contains(keyHash)) {
      return v.tryAgain;
    }
    return v.route(keyHash);
  }

  /** The handoff {@code id} of the topology held, if this node is its source. */
  public Handoff outgoing(String id) {
    View v = view;
    if (v == null) {
      return null;
    }
    for (Handoff h : v.topology.handoffs()) {
      if (h.id().equals(id) && h.from().equals(name)) {
        return h;
      }
    }
    return null;
  }

  /**
   * Whether this node may answer a target's read of a key of handoff {@code id} (RING.READ) from its
   * store: the topology held names that handoff, with this node as its source and the key's hash
   * among its ranges, and the hash is not waiting for its purge. Only then is what the store holds
   * for the key its newest state, or older than the newest only by writes lost with a crashed node.
   * A source that has not adopted the handoff may still hold a copy it is about to purge: it had
   * handed the range to a node that took writes, and got it back in a topology it has not adopted yet
   * (cut off from the router meanwhile). Answering from that copy served a value older than one
   * acknowledged before (simulation seed 16676).
   */
  public boolean answersReadsFor(String id, int keyHash) {
    View v = view;
    if (v == null || v.topology.handoffs().isEmpty()) {
      return false;
    }
    Handoff h = v.table.handoffCovering(keyHash);
    if (h == null || !h.id().equals(id) || !h.from().equals(name)) {
      return false;
    }
    return !blocks(keyHash);
  }

  /** The import of handoff {@code id}, if this node serves it as the target now. */
  public ImportState incoming(String id) {
    View v = view;
    return v == null ? null : v.imports.get(id);
  }

  /**
   * Counts every key of each handoff this node imports now as written here (see {@link
   * ImportState#flushAll()}); FLUSHALL calls it before it clears the store.
   */
  public void flushImports() {
    View v = view;
    if (v != null) {
      for (ImportState state : v.imports.values()) {
        state.flushAll();
      }
    }
  }

  /** The addresses of the sources of every handoff this node is the target of, per the topology held. */
  public Set<String> importSources() {
    View v = view;
    if (v == null) {
      return Set.of();
    }
    Set<String> sources = new HashSet<>();
    for (Handoff h : v.topology.handoffs()) {
      if (h.to().equals(name)) {
        sources.add(v.table.addressOf(h.from()));
      }
    }
    return sources;
  }

  /** Where node {@code nodeName} is reached, per the topology held. */
  public String addressOf(String nodeName) {
    View v = view;
    return v == null ? nodeName : v.table.addressOf(nodeName);
  }

  /** A future completed the next time this node's routing may change (an adoption, a finished purge). */
  public CompletableFuture<Void> nextChange() {
    return changed;
  }

  private void signalChange() {
    CompletableFuture<Void> previous = changed;
    changed = new CompletableFuture<>();
    previous.complete(null);
  }

  /**
   * A future completed once no range this node gained is waiting for its purge (at once if none
   * is). A source streams only then: the entries of a range it gained back and has not purged yet
   * are older than what another node acknowledged for them meanwhile (simulation seed 3770: a paused
   * source adopted its regaining and a new handoff of the range together, and streamed its stale
   * copy to the new target, which served it).
   */
  public CompletableFuture<Void> purged() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    awaitPurged(done);
    return done;
  }

  private void awaitPurged(CompletableFuture<Void> done) {
    CompletableFuture<Void> next;
    synchronized (this) {
      if (blocked == null) {
        done.complete(null);
        return;
      }
      next = changed;
    }
    next.whenComplete((v, e) -> awaitPurged(done));
  }

  /** Whether {@code keyHash} was gained and is waiting for its purge (requests get -TRYAGAIN). */
  public boolean blocks(int keyHash) {
    RangeIndex b = blocked;
    return b != null && b.contains(keyHash);
  }

  /** A topology addressed to another process of this node (one that ran before a restart). */
  public static final class StaleIncarnationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    StaleIncarnationException(String message) {
      super(message);
    }
  }

  /**
   * Adopts {@code topology} if its epoch is newer than the one held and it is meant for this
   * process: a topology that lists this node must name its incarnation, and {@code addressedTo}
   * (the incarnation the sender meant, 0 for none given) must be this one's. A member accepts
   * nothing that names neither (a topology from a router that has not admitted this process); a
   * node started standalone still adopts a topology that carries no incarnation (set by hand).
   *
   * @return the epoch held afterwards
   * @throws StaleIncarnationException if the topology is for another process of this node
   */
  public long adopt(Topology topology, long addressedTo) {
    Objects.requireNonNull(topology, "topology");
    if (addressedTo != 0 && addressedTo != incarnation) {
      throw new StaleIncarnationException("STALE topology epoch " + topology.epoch() + " is addressed to incarnation "
          + Long.toUnsignedString(addressedTo, 16) + " of " + name + ", which restarted as " + Long.toUnsignedString(incarnation, 16));
    }
    NodeInfo self = topology.node(name).orElse(null);
    long listed = self == null ? 0 : self.incarnation();
    if (listed != 0 && listed != incarnation) {
      throw new StaleIncarnationException("STALE topology epoch " + topology.epoch() + " names incarnation "
          + Long.toUnsignedString(listed, 16) + " of " + name + ", which restarted as " + Long.toUnsignedString(incarnation, 16));
    }
    if (member && listed == 0 && addressedTo == 0) {
      throw new StaleIncarnationException("STALE topology epoch " + topology.epoch() + " does not name this process ("
          + name + ", incarnation " + Long.toUnsignedString(incarnation, 16) + "): a member adopts only what its router addressed to it");
    }
    return adopt(topology);
  }

  /**
   * Adopts {@code topology} if its epoch is newer than the one held, without checking whom it is
   * for (tests, and {@link #adopt(Topology, long)} after its checks).
   *
   * @return the epoch held afterwards
   */
  public synchronized long adopt(Topology topology) {
    Objects.requireNonNull(topology, "topology");
    View current = view;
    long held = current == null ? 0 : current.topology.epoch();
    if (topology.epoch() <= held) {
      return held;
    }
    View next = new View(topology, current == null ? Map.of() : current.imports);
    List<View> baseline = purgeBaseline == null ? new ArrayList<>() : new ArrayList<>(purgeBaseline);
    baseline.add(current); // null stands for standalone: it served and needed every hash
    List<View> views = new ArrayList<>(baseline);
    views.add(next);
    long[] breakpoints = breakpoints(views);
    // gained: served now, or needed (streamed, read at this source) after this node got it back
    List<HashRange> gainedRanges = rangesWhere(breakpoints, hash -> next.needs(hash) && regained(baseline, next, hash));
    List<HashRange> doomedRanges = rangesWhere(breakpoints, hash -> doomed(next, baseline, hash));
    blocked = gainedRanges.isEmpty() ? null : RangeIndex.of(gainedRanges);
    view = next;
    if (doomedRanges.isEmpty()) {
      purgeBaseline = null; // nothing to delete: no pass needed
    } else {
      purgeBaseline = java.util.Collections.unmodifiableList(baseline);
      schedulePurge();
    }
    if (!warmUp) {
      log.info("adopted topology epoch {} ({} node(s), {} handoff(s))", topology.epoch(), topology.nodes().size(), topology.handoffs().size());
    }
    signalChange();
    return topology.epoch();
  }

  /**
   * Drops every entry and every import's marks (RING.FLUSH): once it returns, no entry written
   * before the call is readable, and each import starts again with no touched key and no tombstone.
   * The store is cleared without this object's monitor, which heartbeats and adoptions take: the
   * clear takes time in proportion to the store (a second for a million keys in the Caffeine store),
   * and a node must go on answering heartbeats meanwhile. Only the swap of the view (time in
   * proportion to the topology) holds it, and it swaps whichever view is held by then, so an
   * adoption during the clear is kept. The imports are stopped before the clear starts (as FLUSHALL
   * stops them): a batch applied while the clear runs could otherwise land behind it and outlive
   * the flush.
   */
  public void flush() {
    if (member) {
      forgetTopology();
    }
    flushImports();
    store.clear();
    synchronized (this) {
      View v = view;
      if (v != null) {
        view = new View(v.topology, Map.of());
      }
    }
  }

  /**
   * A member flushed by RING.FLUSH is being admitted anew by the router that flushed it (a join, a
   * re-admission): the topology it held goes, as its data goes, and it serves nothing until that
   * router's push. The topology may be another cluster's (a node that left one and is added to
   * another): its epoch belongs to another lineage, and the new router's pushes, whose epochs need
   * not pass it, were refused as old while that router took the node for a member; the node went
   * on redirecting clients to the other cluster's nodes. Done before the clear, so that a push
   * adopted while the clear runs is kept. A standalone node keeps its topology: without one it
   * would own every key.
   */
  private synchronized void forgetTopology() {
    if (view == null) {
      return;
    }
    view = null;
    purgeBaseline = null; // nothing left to purge: the clear follows (a scan under way stops at its end)
    blocked = null;
    signalChange();
  }

  /**
   * {@link #flush()} on the background executor, for a caller on an event loop (RING.FLUSH), which
   * must not stall the loop's other connections, heartbeats among them, for as long as a clear takes.
   *
   * @return completes once {@link #flush()} has returned
   */
  public CompletableFuture<Void> flushInBackground() {
    return CompletableFuture.runAsync(this::flush, background);
  }

  private synchronized void schedulePurge() {
    if (purgeScheduled) {
      return;
    }
    purgeScheduled = true;
    background.execute(this::purgeLoop);
  }

  private void purgeLoop() {
    while (true) {
      List<View> baseline;
      View target;
      synchronized (this) {
        baseline = purgeBaseline;
        target = view;
        if (baseline == null) {
          purgeScheduled = false;
          return;
        }
      }
      long removed = purge(target, baseline);
      synchronized (this) {
        if (purgeBaseline == baseline && view == target) {
          purgeBaseline = null;
          blocked = null;
          purgeScheduled = false;
          signalChange();
          if (removed > 0) {
            log.info("epoch {}: dropped {} entries this node no longer serves or may hold stale", target.topology.epoch(), removed);
          }
          return;
        }
        // a newer view arrived during the scan: its baseline already includes ours; purge again
      }
    }
  }

  /** Deletes the entries in gained hashes and in hashes no longer needed; scans only if there are such hashes. */
  private long purge(View target, List<View> baseline) {
    List<View> views = new ArrayList<>(baseline == null ? List.of() : baseline);
    views.add(target);
    List<HashRange> affected = rangesWhere(breakpoints(views), hash -> doomed(target, baseline, hash));
    if (affected.isEmpty()) {
      return 0;
    }
    // affected is exactly where doomed holds (see rangesWhere): the store removes by range, under
    // its own locks, without a copy and a second lookup of each entry
    return store.removeInRanges(affected);
  }

  /**
   * Whether some view of {@code baseline} (oldest first) did not own {@code hash} and a later one,
   * or {@code current}, did:
   * another node may have accepted writes for it in between, so every entry this node held for it
   * from before is stale, even where the newest view only hands the hash off (a source that got a
   * range back and, before its purge ran, became the source of a new handoff of it streamed its stale
   * copy: simulation seed 3770). Null (standalone) owned every hash.
   */
  private static boolean regained(List<View> baseline, View current, int hash) {
    boolean lost = false;
    for (View v : baseline) {
      if (v != null && !v.owns(hash)) {
        lost = true;
      } else if (lost) {
        return true;
      }
    }
    return lost && current.owns(hash);
  }

  /** An entry must go if this node no longer needs it, or it got its hash back after some earlier view did not own it. */
  private static boolean doomed(View target, List<View> baseline, int hash) {
    if (!target.needs(hash)) {
      // not needed now; only worth a scan where some earlier view needed it (or the node was standalone)
      if (baseline == null) {
        return false;
      }
      for (View old : baseline) {
        if (old == null || old.needs(hash)) {
          return true;
        }
      }
      return false;
    }
    return baseline != null && regained(baseline, target, hash);
  }

  /*
   * The ranges where test holds. Routing in every view is constant between consecutive
   * breakpoints (ring points, handoff range bounds), so testing each elementary interval
   * (u[i-1], u[i]] at u[i] is exact: the same argument as RingDiff's.
   *
   * An adoption runs this on an event loop, and a node adopts a few topologies per scale event, so
   * it runs cold: the breakpoints are a sorted primitive array, built once per adoption (a boxed
   * TreeSet took about 90% of an adoption's 1-2 ms of CPU, measured with JFR, issue 16).
   */
  /** The sorted, distinct breakpoints of {@code views} (unsigned 32-bit values). */
  private static long[] breakpoints(List<View> views) {
    int n = 0;
    for (View v : views) {
      if (v != null) {
        n += v.ring.pointCount();
        for (Handoff h : v.topology.handoffs()) {
          n += 2 * h.ranges().size();
        }
      }
    }
    long[] points = new long[n];
    int k = 0;
    for (View v : views) {
      if (v == null) {
        continue;
      }
      for (int i = 0; i < v.ring.pointCount(); i++) {
        points[k++] = Integer.toUnsignedLong(v.ring.pointAt(i));
      }
      for (Handoff h : v.topology.handoffs()) {
        for (HashRange r : h.ranges()) {
          points[k++] = r.start();
          points[k++] = r.end();
        }
      }
    }
    java.util.Arrays.sort(points);
    int distinct = 0;
    for (int i = 0; i < n; i++) {
      if (distinct == 0 || points[i] != points[distinct - 1]) {
        points[distinct++] = points[i];
      }
    }
    return java.util.Arrays.copyOf(points, distinct);
  }

  /** The elementary intervals (u[i-1], u[i]] of the sorted breakpoints {@code u} where {@code test} holds at u[i]. */
  private static List<HashRange> rangesWhere(long[] u, java.util.function.IntPredicate test) {
    List<HashRange> ranges = new ArrayList<>();
    if (u.length == 0) {
      if (test.test(0)) {
        ranges.add(HashRange.all());
      }
      return ranges;
    }
    for (int i = 0; i < u.length; i++) {
      if (test.test((int) u[i])) {
        long start = u[(i - 1 + u.length) % u.length];
        ranges.add(u.length == 1 ? HashRange.all() : new HashRange(start, u[i]));
      }
    }
    return ranges;
  }
}
