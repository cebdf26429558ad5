package io.ringcache.router.control;

import io.ringcache.node.cluster.ClusterState;
import io.ringcache.node.cluster.Expiry;
import io.ringcache.node.cluster.ImportState;
import io.ringcache.node.store.Clock;
import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.node.store.Stores;
import io.ringcache.ring.Crc32;
import io.ringcache.ring.Handoff;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.Topology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/*
 * A deterministic simulation of a ringcache cluster (ARCHITECTURE, "How it is proven").
 *
 * What is real: the router's ScaleCoordinator and HealthChecker (the whole control plane, with its
 * failure table, leases and fences) and each node's ClusterState, ImportState and Store (routing,
 * purge on gain, touched marks, incarnations, leases). What is simulated: the network (NodeControl
 * calls and client requests as method calls with a latency, drops and timeouts), time (one virtual
 * clock for every process), processes (crash, restart with a new incarnation, pause and resume;
 * the router too), partitions (the router cut from one node, or two nodes from each other, while
 * each still answers everyone else: a command sent meanwhile reaches its node when the cut heals if
 * that is within its sender's timeout, else never, its connection reset), refused links (the
 * router's connections to a node that runs refused, as a closed port's are), the router's disk (full
 * for a while: every topology write fails),
 * the node's command dispatch (a small model of CommandHandler: route, MOVED, TRYAGAIN,
 * read-through, touch after success) and its stream (a model of HandoffStreamer: batches applied
 * if absent and untouched).
 *
 * Everything runs on one thread. Tasks sit in a queue ordered by (virtual time, sequence); the seed
 * decides every latency, fault, client command and scale request, so a seed replays exactly. The
 * coordinator's blocking calls are where the world moves on: each call first advances the clock by
 * its latency and runs whatever background work (client commands, health checks, faults, purges)
 * became due, then reaches the node in whatever state that left it. Work sent to a paused node is
 * held and runs when it resumes (as bytes wait in a socket buffer); its sender has timed out.
 *
 * The history checker (History) holds every run to the invariants: no read returns a value older
 * than the newest write acknowledged before it started (a miss is allowed only where a node that
 * held the key failed), and nothing deleted comes back. Since a failed node's losses are allowed,
 * every failure the router decides is held to the faults made too (checkFailure): dead only if its
 * process is gone, silent never within a lease of the router's start or return from an absence.
 */

/** One simulated cluster run, from a seed. */
final class Simulation {

  static final long MS = 1_000_000L;
  static final long LEASE_MS = 3_000;
  static final long HEALTH_INTERVAL_MS = 500;
  static final long CALL_TIMEOUT_MS = 500;
  static final int MISSES = 3;
  /** A gap between health rounds that the router takes for its own absence: (misses + 1) intervals. */
  static final long ABSENCE_MS = HEALTH_INTERVAL_MS * (MISSES + 1);

  final long seed;
  final Random random;
  final History history = new History(() -> this.now);
  final List<String> log = new ArrayList<>();
  private final Map<String, SimNode> nodes = new LinkedHashMap<>();
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long now = 1_000 * MS;
  /** Past this virtual time the run is wedged: a scale event that never ends (the invariant fails). */
  private long wedgedAfter = Long.MAX_VALUE;
  private long sequence;
  private int depth;
  private int nextNodeId;
  private TopologyStore store;
  private ScaleCoordinator coordinator;
  private HealthChecker health;
  private int routerIncarnation;
  private SimControl control;
  private boolean routerUp;
  /**
   * Until when the router process is paused (SIGSTOP, a long GC): none of its threads runs. A call
   * it was making is read, and its next one sent, only after this; its health rounds, scale events
   * and timers wait for it. Its nodes go on (their leases run out), as do the clients.
   */
  private long routerPausedUntil;
  /**
   * A router pause still to come inside the next health round, between two of its checks (a SIGSTOP
   * landing while the timer hands the round's checks to probe threads), in nanoseconds; 0 if none.
   */
  private long pauseInRound;
  /** When this router's timer last began a round, or resumed one a pause had landed in. */
  private long timerRanAt;
  /** The nodes whose check by this router's probes runs now (HealthChecker's inFlight). */
  private java.util.Set<String> probing = new java.util.HashSet<>();
  /**
   * When this router process started, or came back from its last pause longer than an absence
   * (HealthChecker: (misses + 1) intervals), and how long that pause was (MAX_VALUE: the start).
   */
  private long routerBackAt;
  private long routerAwayFor;
  /** Router pauses, and the times a call or a wait of the router's was held by one (reported by SimulationTest). */
  long routerPauses;
  long routerHeld;
  /** Faults that struck two nodes at once. */
  long correlated;
  /** Until when the router's packets to a node are dropped (by address). */
  private final Map<String, Long> routerCutUntil = new HashMap<>();
  /** Until when the packets between two nodes are dropped, both ways (by the pair's addresses, sorted, joined by a space). */
  private final Map<String, Long> peerCutUntil = new HashMap<>();
  /**
   * Until when the router's connections to a node are refused (by address), while the node runs and
   * answers everyone else: a firewall that rejects, a service with no ready endpoint, a proxy
   * restarting in between. To the router it looks as a crashed node's closed port does.
   */
  private final Map<String, Long> routerRefusedUntil = new HashMap<>();
  /** Partitions: the router cut from a node, or two nodes from each other; and refusals of the router's connections. */
  long partitions;
  long refusals;
  /** How long a node's peer connection waits for a reply before it takes the connection for dead (PeerClient). */
  static final long PEER_SILENCE_MS = 5_000;
  /** Until when every write of the router's topology fails (a full disk), and how often that struck. */
  private long diskFullUntil;
  long diskFulls;
  private boolean wedged;
  private final Clock clock = new Clock() {
    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public long currentTimeMillis() {
      return now / MS;
    }

    @Override
    public long currentTimeNanos() {
      return now; // a wall offset of 0, constant as the system clock's is between steps
    }
  };

  Simulation(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  // ---- the world ---------------------------------------------------------------------------

  /** A task of the virtual world. */
  private final class Task implements Comparable<Task> {
    final long at;
    final long order = sequence++;
    final boolean event;
    final Runnable work;

    Task(long at, boolean event, Runnable work) {
      this.at = at;
      this.event = event;
      this.work = work;
    }

    @Override
    public int compareTo(Task o) {
      return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
    }
  }

  void at(long delayNanos, Runnable work) {
    queue.add(new Task(now + delayNanos, false, work));
  }

  /** Runs the background tasks due by {@code until} (not scale events), then sets the clock there. */
  private void advance(long until) {
    if (until > wedgedAfter) {
      wedged = true;
      throw new RouterCrash(); // ends the endless event; the run reports it
    }
    if (depth > 0) {
      now = Math.max(now, until);
      return; // work started by background work does not run more background work
    }
    depth++;
    try {
      while (true) {
        Task next = null;
        for (Task t : queue) {
          if (!t.event && t.at <= until && (next == null || t.compareTo(next) < 0)) {
            next = t;
          }
        }
        if (next == null) {
          break;
        }
        queue.remove(next);
        now = Math.max(now, next.at);
        next.work.run();
        observeFailures();
      }
    } finally {
      depth--;
    }
    now = Math.max(now, until);
  }

  private long latency() {
    return (1 + random.nextInt(5)) * MS / 2 + random.nextInt(1000) * 1000L;
  }

  void note(String what) {
    log.add(String.format("%8.3f %s", (now - 1_000 * MS) / 1e9, what));
  }

  /** A node process: its state as the real node classes hold it, and whether it runs. */
  final class SimNode {
    final String name;
    final boolean member;
    long incarnation;
    Store store;
    ClusterState cluster;
    boolean alive = true;
    boolean paused;
    /** Work that reached the node while it was paused; it runs at resume. */
    final List<Runnable> held = new ArrayList<>();
    /**
     * The router's idle connections to it, as NodePool keeps them: a call borrows one (or dials a
     * new one) for itself alone and gives it back only once answered; a failed call closes its own,
     * a discard closes the idle ones, a crash all of them. So two heartbeats are never in flight on
     * one connection, which the lease's anchor relies on, even when a check runs nested in another's
     * wait (everything here runs on one thread, where the health checker's per-node monitor is
     * re-entered instead of waited for).
     */
    final ArrayDeque<Integer> idle = new ArrayDeque<>();
    /** The last connection dialled; ids are never reused. */
    int dialled;
    /** Per connection: when this process answered its last heartbeat there. */
    final Map<Integer, Long> anchors = new HashMap<>();

    SimNode(String name, boolean member) {
      this.name = name;
      this.member = member;
      start();
    }

    void start() {
      incarnation = random.nextLong() | 1;
      store = Stores.packed(8L << 20, clock);
      cluster = new ClusterState(name, name, store, task -> at(random.nextInt(50) * MS, task), incarnation, member,
          () -> now);
      alive = true;
      paused = false;
      held.clear();
      anchors.clear();
      idle.clear();
    }

    boolean reachable() {
      return alive && !paused;
    }
  }

  // ---- NodeControl over the simulated network -----------------------------------------------

  private final class SimControl implements NodeControl {
    private final int generation;

    SimControl(int generation) {
      this.generation = generation;
    }

    /** Sends the router's call: latency, background work, then the node, or a failure the sender sees. */
    private <T> T call(String address, String what, NodeCall<T> work) throws IOException {
      return call(address, what, work, true);
    }

    /** A call from the router, or ({@code fromRouter} false) a source's batch to its target, which partitions of the router do not cut. */
    private <T> T call(String address, String what, NodeCall<T> work, boolean fromRouter) throws IOException {
      if (generation != routerIncarnation) {
        throw new RouterCrash();
      }
      advance(now + latency());
      waitOutRouterPause();
      if (generation != routerIncarnation) {
        throw new RouterCrash(); // the router crashed while this call was on its way
      }
      if (fromRouter && now < routerRefusedUntil.getOrDefault(address, 0L)) {
        throw new java.net.ConnectException("Connection refused (" + address + ", " + what + ": a refused link, the node runs)");
      }
      long cutUntil = fromRouter ? routerCutUntil.getOrDefault(address, 0L) : 0L;
      if (now < cutUntil) {
        if (cutUntil - now >= CALL_TIMEOUT_MS * MS) {
          // silent: the call times out, and its connection, closed with the command unanswered, is
          // reset (NodeClient): the command never reaches the node
          advance(now + CALL_TIMEOUT_MS * MS);
          waitOutRouterPause();
          if (generation != routerIncarnation) {
            throw new RouterCrash();
          }
          throw new java.net.SocketTimeoutException(what + " to " + address + " timed out (partition)");
        }
        advance(cutUntil); // retransmitted once the cut heals, within the call's timeout
        waitOutRouterPause();
        if (generation != routerIncarnation) {
          throw new RouterCrash();
        }
      }
      SimNode node = nodes.get(address);
      if (node == null || !node.alive) {
        throw new java.net.ConnectException("Connection refused (" + address + ", " + what + ")");
      }
      if (random.nextInt(100) == 0) {
        throw new IOException("connection reset before " + what + " reached " + address);
      }
      if (node.paused) {
        node.held.add(() -> {
          try {
            work.run(node);
          } catch (IOException | RuntimeException ignored) {
            // its sender gave up long ago
          }
        });
        advance(now + CALL_TIMEOUT_MS * MS);
        waitOutRouterPause();
        if (generation != routerIncarnation) {
          throw new RouterCrash(); // the router crashed while it waited
        }
        throw new java.net.SocketTimeoutException(what + " to " + address + " timed out");
      }
      T reply = work.run(node);
      advance(now + latency());
      waitOutRouterPause(); // the reply waits in the socket buffer of a paused router
      if (generation != routerIncarnation) {
        throw new RouterCrash();
      }
      if (random.nextInt(100) == 0) {
        throw new IOException("connection reset: the reply to " + what + " from " + address + " was lost");
      }
      return reply;
    }

    @Override
    public Heartbeat heartbeat(String name, String address, long incarnation, long leaseMillis) throws IOException {
      SimNode target = nodes.get(address);
      Integer pooled = target == null ? null : target.idle.pollFirst();
      int connection = pooled != null ? pooled : target == null ? 0 : ++target.dialled;
      Heartbeat reply = call(address, "RING.HEARTBEAT", n -> {
        Long anchor = n.anchors.get(connection);
        n.cluster.heartbeat(incarnation, leaseMillis * MS, anchor != null, anchor == null ? 0 : anchor);
        n.anchors.put(connection, now);
        return new Heartbeat(n.cluster.epoch(), n.cluster.incarnation(), n.member, n.cluster.leaseRemainingMillis());
      });
      if (target != null) {
        target.idle.offerFirst(connection); // answered: back to the pool (a failed call threw: closed)
      }
      return reply;
    }

    /**
     * RING.PROBE at {@code proberAddress}: the prober dials the node itself, over the nodes' network
     * (which the router's refused links and partitions do not touch): refused if its process is gone,
     * no answer if it is paused or cut from the prober (after the probe's timeout), else its incarnation.
     */
    @Override
    public Probe probe(String proberAddress, String name, String address, long timeoutMillis) throws IOException {
      Probe found = call(proberAddress, "RING.PROBE " + name, prober -> {
        SimNode target = nodes.get(address);
        if (peersCut(proberAddress, address)) {
          return new Probe(Reach.SILENT, 0, "cut from " + proberAddress);
        }
        if (target == null || !target.alive) {
          return new Probe(Reach.REFUSED, 0, "Connection refused");
        }
        if (target.paused) {
          return new Probe(Reach.SILENT, 0, "paused");
        }
        return new Probe(Reach.ANSWERED, target.cluster.incarnation(), "");
      });
      if (found.reach() == Reach.SILENT) {
        advance(now + timeoutMillis * MS); // the prober waited out its timeout before it answered
        waitOutRouterPause();
        if (generation != routerIncarnation) {
          throw new RouterCrash();
        }
      }
      return found;
    }

    @Override
    public long push(String address, Topology topology, long incarnation) throws IOException {
      return call(address, "RING.SETTOPOLOGY " + topology.epoch(), n -> {
        try {
          return n.cluster.adopt(topology, incarnation);
        } catch (ClusterState.StaleIncarnationException e) {
          throw new NodeClient.ErrorReply(address, "ERR " + e.getMessage());
        }
      });
    }

    @Override
    public long stream(String address, String id) throws IOException {
      SimNode source = nodes.get(address);
      Handoff handoff = call(address, "RING.STREAM " + id, n -> n.cluster.outgoing(id));
      if (handoff == null) {
        throw new NodeClient.ErrorReply(address, "ERR no handoff " + id + " with this node as its source");
      }
      // as RING.STREAM: the walk begins once the source's pending purge is done (ClusterState.purged)
      java.util.concurrent.CompletableFuture<Void> purged = source.cluster.purged();
      for (int waited = 0; !purged.isDone(); waited++) {
        if (waited == 5_000 || !source.reachable()) {
          throw new IOException("the source " + address + " did not finish its purge before streaming " + id);
        }
        advance(now + MS);
      }
      List<Object[]> entries = new ArrayList<>();
      // as HandoffStreamer: each entry leaves with its absolute expiry, its exact deadline rounded down
      source.store.forEachInRanges(handoff.ranges(),
          (key, value, ttl) -> entries.add(new Object[] {key, value, expireAt(source.store, ttl)}));
      String targetAddress = source.cluster.addressOf(handoff.to());
      long sent = 0;
      for (int from = 0; from < entries.size(); from += 8) {
        List<Object[]> batch = entries.subList(from, Math.min(entries.size(), from + 8));
        if (!source.reachable()) {
          throw new IOException("the source " + address + " stopped while streaming " + id);
        }
        if (peersCut(address, targetAddress)) {
          // the batch goes unanswered: the source's peer connection gives up after its silence
          // limit and is reset (PeerClient), the batch never applied; the stream fails
          advance(now + PEER_SILENCE_MS * MS);
          throw new IOException("no reply from " + targetAddress + " for " + PEER_SILENCE_MS + " ms streaming " + id);
        }
        int attempts = 0;
        while (true) {
          String result = call(targetAddress, "RING.IMPORT " + id, t -> importBatch(t, id, batch), false);
          if (result == null) {
            break;
          }
          if (!result.startsWith("TRYAGAIN") || ++attempts > 50) {
            throw new IOException("RING.IMPORT " + id + " at " + targetAddress + ": " + result);
          }
          advance(now + 10 * MS);
        }
        sent += batch.size();
      }
      return sent;
    }

    private String importBatch(SimNode target, String id, List<Object[]> batch) {
      ImportState state = target.cluster.incoming(id);
      if (state == null) {
        return "ERR not importing handoff " + id;
      }
      for (Object[] e : batch) {
        if (target.cluster.blocks(((Key) e[0]).ringHash())) {
          return "TRYAGAIN purging gained ranges";
        }
      }
      for (Object[] e : batch) {
        // as RING.IMPORTRAW applies an entry: the key borrowed, the value read from the batch's buffer
        Key key = (Key) e[0];
        byte[] value = (byte[]) e[1];
        io.netty.buffer.ByteBuf payload = io.netty.buffer.Unpooled.wrappedBuffer(value);
        state.importIfUntouched(key.bytes().clone(), key.ringHash(), target.store, payload, 0, value.length, (Long) e[2]);
      }
      return null;
    }

    @Override
    public long[] progress(String address, String id) {
      return new long[] {0, 0};
    }

    @Override
    public void flush(String name, String address) throws IOException {
      call(address, "RING.FLUSH", n -> {
        n.cluster.flush();
        return null;
      });
    }

    @Override
    public long keyCount(String address) throws IOException {
      return call(address, "DBSIZE", n -> n.store.size());
    }

    @Override
    public Long usedMemory(String address) throws IOException {
      return call(address, "INFO memory", n -> n.store.usedBytes());
    }

    @Override
    public void discard(String address) {
      SimNode node = nodes.get(address);
      if (node != null) {
        node.idle.clear(); // the router closed its idle connections: the next one starts unanchored
      }
    }
  }

  private interface NodeCall<T> {
    T run(SimNode node) throws IOException;
  }

  // ---- the control plane's runtime, virtual ------------------------------------------------

  /** Runs a task on the simulation's thread: at once ({@code event} false) or as a queued scale event. */
  private final class SimExecutor extends AbstractExecutorService implements ScheduledExecutorService {
    private final boolean events;

    SimExecutor(boolean events) {
      this.events = events;
    }

    @Override
    public void execute(Runnable command) {
      if (events) {
        queue.add(new Task(now, true, ofThisRouter(command)));
      } else {
        command.run();
      }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      queue.add(new Task(now + unit.toNanos(delay), false, ofThisRouter(command)));
      return null;
    }

    /**
     * Work a router queued runs only if that router has not crashed meanwhile (a dead process does
     * nothing), and not before a pause of it ends.
     */
    private Runnable ofThisRouter(Runnable command) {
      int generation = routerIncarnation;
      return new Runnable() {
        @Override
        public void run() {
          if (generation != routerIncarnation) {
            return;
          }
          if (now < routerPausedUntil) {
            queue.add(new Task(routerPausedUntil, events, this));
            return;
          }
          command.run();
        }
      };
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }

    @Override
    protected <T> java.util.concurrent.RunnableFuture<T> newTaskFor(Callable<T> callable) {
      return new FutureTask<>(callable);
    }
  }

  /**
   * Waits in virtual time: the clock advances and the background work due meanwhile runs. A wait
   * for the next of the coordinator's calls to end takes it at once when one has (the simulation's
   * executors run every call at once), else lets the time pass and looks again.
   */
  private final class SimSleeper implements ControlRuntime.Sleeper {
    @Override
    public void sleep(long millis) {
      advance(now + millis * MS);
      waitOutRouterPause();
    }

    @Override
    public <T> T poll(java.util.concurrent.BlockingQueue<T> queue, long millis) {
      T head = queue.poll();
      if (head != null || millis <= 0) {
        return head;
      }
      advance(now + millis * MS);
      waitOutRouterPause();
      return queue.poll();
    }
  }

  /** Thrown inside the coordinator's call when the router process crashes mid-event. */
  private static final class RouterCrash extends Error {
    private static final long serialVersionUID = 1L;

    RouterCrash() {
      super("the router crashed", null, false, false);
    }
  }

  private void startRouter() {
    routerIncarnation++;
    routerUp = true;
    routerPausedUntil = 0; // a new process
    pauseInRound = 0;
    probing = new java.util.HashSet<>();
    routerBackAt = now;
    routerAwayFor = Long.MAX_VALUE; // every bound starts at this start
    control = new SimControl(routerIncarnation);
    ControlRuntime runtime = new ControlRuntime(new SimExecutor(true), new SimExecutor(false), new SimExecutor(false),
        new SimExecutor(false), () -> now, new SimSleeper(), round -> Collections.shuffle(round, random));
    coordinator = new ScaleCoordinator(store, control, runtime, "ev-r" + routerIncarnation + "-");
    health = new HealthChecker(store, control, coordinator, Duration.ofMillis(HEALTH_INTERVAL_MS), MISSES,
        Duration.ofMillis(LEASE_MS), () -> now);
    health.onFailure(this::checkFailure);
    if (!store.current().handoffs().isEmpty()) {
      coordinator.resume();
    } else {
      coordinator.pushAll(store.current());
    }
    int generation = routerIncarnation;
    at(0, () -> healthRound(generation));
  }

  /**
   * One round, as the timer's (HealthChecker#timerRound): each node's check handed to a probe of
   * its own (a task of its own here, so the world moves between checks, as beside parallel probes),
   * unless that node's check of an earlier round still runs; then the round ends. A router pause
   * may land inside it, between two hand-offs: the rest, and the round's end, wait for its return.
   */
  private void healthRound(int generation) {
    if (generation != routerIncarnation) {
      return; // that router crashed
    }
    if (now < routerPausedUntil) {
      at(routerPausedUntil - now, () -> healthRound(generation));
      return;
    }
    health.beginRound();
    timerRanAt = now;
    List<NodeInfo> round = store.current().nodes();
    if (pauseInRound == 0) {
      probe(round, generation);
      health.endTimerRound();
      at(HEALTH_INTERVAL_MS * MS, () -> healthRound(generation));
      return;
    }
    int before = random.nextInt(round.size() + 1);
    probe(round.subList(0, before), generation);
    long pause = pauseInRound;
    pauseInRound = 0;
    note("router pause for " + pause / MS + " ms, inside a health round, after " + before + " of its " + round.size()
        + " checks");
    pauseRouter(pause);
    at(pause, () -> {
      if (generation != routerIncarnation) {
        return;
      }
      timerRanAt = now;
      probe(round.subList(before, round.size()), generation);
      health.endTimerRound();
      at(HEALTH_INTERVAL_MS * MS, () -> healthRound(generation));
    });
  }

  /** Starts each node's check on a probe of its own, unless its check of an earlier round still runs. */
  private void probe(List<NodeInfo> round, int generation) {
    for (NodeInfo n : round) {
      if (probing.add(n.name())) {
        long dispatched = now;
        at(0, () -> probeCheck(n, generation, dispatched));
      }
    }
  }

  private void probeCheck(NodeInfo n, int generation, long dispatched) {
    if (generation != routerIncarnation) {
      return;
    }
    // handed its check before a pause of the router that is over, or still on
    if (now < routerPausedUntil ? random.nextBoolean() : dispatched < routerPausedUntil && timerRanAt < routerPausedUntil) {
      // not started when the router was paused: it starts at the return (the other half, run at
      // once, were started, their calls held in flight by the pause), its call sent after the
      // timer's overdue round, which takes microseconds where a call takes a round trip. A task
      // here runs whole, its call's time included, before the next one; one held by a pause may
      // move the clock past the return before this one runs: it still waits for that round
      at(Math.max(routerPausedUntil - now, 0) + MS, () -> probeCheck(n, generation, dispatched));
      return;
    }
    try {
      health.check(n);
    } catch (RuntimeException e) { // a RouterCrash is an Error: it passes
      // as HealthChecker#checkInRound: each node's check runs apart, and a failed one is logged
      note("health check of " + n.name() + " failed: " + e.getMessage());
    } finally {
      if (generation == routerIncarnation) {
        probing.remove(n.name());
      }
    }
  }

  private void pauseRouter(long pause) {
    routerPausedUntil = now + pause;
    if (pause > ABSENCE_MS * MS) {
      routerBackAt = routerPausedUntil;
      routerAwayFor = pause;
    }
    routerPauses++;
    at(pause, () -> note("router resumes"));
  }

  /**
   * Each failure the router decides, held against the faults made: one for death only if its
   * process is gone (crashed, or restarted as another incarnation); one for silence never within a
   * lease of the router's start or of its return from a pause longer than an absence
   * (HealthChecker: such a router watches every node a full lease before it fails one for
   * silence). A healthy node failed loses what it holds; the history checker excuses every loss of
   * a failed node, so this is where such a failure is caught.
   */
  private void checkFailure(String name, boolean dead) {
    SimNode node = nodes.get(name);
    NodeInfo admitted = store.current().node(name).orElse(null);
    if (node == null || admitted == null) {
      return;
    }
    boolean gone = !node.alive || node.incarnation != admitted.incarnation();
    String what = "router " + routerIncarnation + " failed " + name;
    if (dead) {
      if (!gone) {
        history.violations.add(what + " as dead at " + now / MS + " ms, but its process "
            + Long.toHexString(node.incarnation) + " runs");
      }
      return;
    }
    if (gone) {
      return; // dead too, and found silent first
    }
    if (now - routerBackAt < LEASE_MS * MS) {
      history.violations.add(what + " for silence at " + now / MS + " ms, " + (now - routerBackAt) / MS
          + " ms after this router " + (routerAwayFor == Long.MAX_VALUE ? "started" : "returned from a "
              + routerAwayFor / MS + " ms pause") + ": less than a lease (" + LEASE_MS + " ms) of watching it");
    }
  }

  // ---- clients -----------------------------------------------------------------------------

  private final List<String> keys = new ArrayList<>();
  private Topology routed;
  private RoutingTable routing;

  /** The clients' routing: the router's current topology (clients refresh it often). */
  private RoutingTable routing() {
    Topology t = store.current();
    if (t != routed) {
      routed = t;
      routing = RoutingTable.of(t);
    }
    return routing;
  }
  private long nextValue;

  /** A client command sent to the node the client believes owns the key, following MOVED a few times. */
  private void clientCommand() {
    String key = keys.get(random.nextInt(keys.size()));
    int kind = random.nextInt(10);
    String address = routing().serverOf(key.getBytes(StandardCharsets.UTF_8));
    if (address == null) {
      return;
    }
    if (key.startsWith("c")) {
      // counters: INCR, read, and now and then deleted
      History.Kind k = kind < 5 ? History.Kind.INCR : kind < 6 ? History.Kind.GETDEL : History.Kind.GET;
      send(address, history.begin(key, k, null, now), 0);
      return;
    }
    if (kind < 3) {
      String value = key + "=" + nextValue++;
      if (random.nextInt(4) == 0) {
        mset(key, value, address);
        return;
      }
      History.Op op = random.nextInt(3) == 0
          ? history.begin(key, History.Kind.SET_EX, value, now, shortTtl())
          : history.begin(key, History.Kind.SET, value, now);
      send(address, op, 0);
    } else if (kind < 4) {
      String value = key + "=" + nextValue++;
      History.Op op = history.begin(key, random.nextBoolean() ? History.Kind.SET_NX : History.Kind.SET_XX, value, now);
      send(address, op, 0);
    } else if (kind < 5) {
      History.Op op = history.begin(key, History.Kind.DEL, null, now);
      send(address, op, 0);
    } else if (kind < 6) {
      History.Op op = history.begin(key, History.Kind.REJECTED_SET, null, now);
      send(address, op, 0);
    } else if (kind < 7 && random.nextInt(3) == 0) {
      // EXPIRE (a TTL that runs out within the run, or far beyond it) and PERSIST: writes that
      // answer whether the key exists
      History.Op op = random.nextBoolean()
          ? history.begin(key, History.Kind.EXPIRE, null, now, random.nextBoolean() ? shortTtl() : TimeUnit.HOURS.toNanos(24))
          : history.begin(key, History.Kind.PERSIST, null, now);
      send(address, op, 0);
    } else {
      History.Op op = history.begin(key, History.Kind.GET, null, now);
      send(address, op, 0);
    }
  }

  /** A TTL that runs out within the run: from a few milliseconds to a few seconds, often mid-handoff. */
  private long shortTtl() {
    return (1 + random.nextInt(4_000)) * MS;
  }

  /**
   * MSET of {@code key} and another key the client routes to the same node (as the Java client and
   * the proxy split an MSET by owner): both writes are applied, or neither.
   */
  private void mset(String key, String value, String address) {
    for (int attempt = 0; attempt < 5; attempt++) {
      String other = keys.get(random.nextInt(keys.size()));
      if (!other.equals(key) && !other.startsWith("c") && address.equals(routing().serverOf(other.getBytes(StandardCharsets.UTF_8)))) {
        List<History.Op> ops = List.of(history.begin(key, History.Kind.MSET, value, now),
            history.begin(other, History.Kind.MSET, other + "=" + nextValue++, now));
        sendMany(address, ops, 0);
        return;
      }
    }
    send(address, history.begin(key, History.Kind.SET, value, now), 0);
  }

  private void sendMany(String address, List<History.Op> ops, int redirects) {
    SimNode node = nodes.get(address);
    if (node == null || !node.alive) {
      ops.forEach(op -> history.fail(op, now));
      return;
    }
    if (node.paused) {
      node.held.add(() -> executeMany(node, ops)); // runs at resume; the client timed out
      ops.forEach(op -> history.timeout(op, now));
      return;
    }
    String moved = executeMany(node, ops);
    if (moved != null && redirects < 3) {
      sendMany(moved, ops, redirects + 1);
    }
  }

  /**
   * The node's side of a multi-key write (a model of CommandHandler.checkKeys and the import path):
   * every key must route the same way here, or the command gets -CROSSNODE; then all its keys are
   * written (blindly: MSET reads nothing through) and touched together. Returns a MOVED address, or null.
   */
  private String executeMany(SimNode node, List<History.Op> ops) {
    if (!node.alive) {
      return null;
    }
    List<Key> ks = new ArrayList<>();
    ClusterState.Route first = null;
    for (History.Op op : ops) {
      Key key = Key.of(op.key.getBytes(StandardCharsets.UTF_8));
      ks.add(key);
      ClusterState.Route route = node.cluster.route(Crc32.hash(key.bytes()));
      if (first == null) {
        first = route;
      } else if (route != first) {
        ops.forEach(op2 -> history.fail(op2, now)); // -CROSSNODE
        return null;
      }
    }
    switch (first.action()) {
      case REDIRECT -> {
        ops.forEach(op -> history.fail(op, now));
        return first.address();
      }
      case TRYAGAIN -> ops.forEach(op -> history.fail(op, now));
      case IMPORT -> {
        ImportState state = first.importState();
        ks.forEach(state::beginWrite);
        for (int i = 0; i < ops.size(); i++) {
          apply(node, ks.get(i), ops.get(i));
        }
        ks.forEach(k -> state.endWrite(k, true));
      }
      case SERVE -> {
        for (int i = 0; i < ops.size(); i++) {
          apply(node, ks.get(i), ops.get(i));
        }
      }
    }
    return null;
  }

  private void send(String address, History.Op op, int redirects) {
    SimNode node = nodes.get(address);
    if (node == null || !node.alive) {
      history.fail(op, now);
      return;
    }
    if (node.paused) {
      node.held.add(() -> execute(node, op)); // runs at resume; the client timed out
      history.timeout(op, now);
      return;
    }
    String moved = execute(node, op);
    if (moved != null && redirects < 3) {
      send(moved, op, redirects + 1);
    }
  }

  /** The node's side of a command (a model of CommandHandler); returns a MOVED address, or null. */
  private String execute(SimNode node, History.Op op) {
    if (!node.alive) {
      return null;
    }
    Key key = Key.of(op.key.getBytes(StandardCharsets.UTF_8));
    ClusterState.Route route = node.cluster.route(Crc32.hash(key.bytes()));
    switch (route.action()) {
      case REDIRECT -> {
        history.fail(op, now);
        return route.address();
      }
      case TRYAGAIN -> {
        if (op.kind == History.Kind.GET && route.source() != null) {
          readAtSource(node, op, key, route);
          return null;
        }
        history.fail(op, now);
        return null;
      }
      case IMPORT -> {
        ImportState state = route.importState();
        boolean blind = History.blind(op.kind);
        if (!blind && !state.isTouched(key) && !node.store.contains(key)) {
          SimNode source = nodes.get(state.sourceAddress());
          if (source == null || !source.reachable() || random.nextInt(50) == 0
              || !source.cluster.answersReadsFor(state.handoff().id(), key.ringHash())) {
            history.fail(op, now); // -TRYAGAIN: a failed read-through is never a miss
            return null;
          }
          byte[] value = source.store.get(key);
          long expireAt = value == null ? Expiry.NONE : expireAt(source.store, source.store.ttlNanos(key));
          if (value != null) { // RING.READ's answer carries the absolute expiry
            state.applyIfUntouched(key, () -> node.store.putIfAbsentUntil(key, value, expireAt));
          }
        }
        if (op.kind == History.Kind.GET) {
          history.read(op, node.store.get(key), node.name, now);
        } else {
          state.beginWrite(key);
          boolean ok = apply(node, key, op);
          state.endWrite(key, ok);
        }
      }
      case SERVE -> {
        if (op.kind == History.Kind.GET) {
          history.read(op, node.store.get(key), node.name, now);
        } else {
          apply(node, key, op);
        }
      }
    }
    return null;
  }

  /**
   * The absolute expiry an entry with {@code ttlNanos} left (measured now) crosses nodes with, as the
   * nodes compute it (HandoffStreamer, RING.READ): its deadline turned into Unix ms, rounded down, so
   * that no hop makes it live longer (simulation seed 40475: rounded up, as this model once did, two
   * hops kept a key readable past its expiry).
   */
  private long expireAt(Store store, long ttlNanos) {
    return Expiry.ofDeadline(ttlNanos == Store.NO_TTL ? Store.NO_DEADLINE : now + ttlNanos, store.clock().wallOffsetNanos());
  }

  /** How long a target waits for the source's answer to a GET before the activation (CommandHandler.readAtSource). */
  static final long SOURCE_READ_TIMEOUT_MS = 200;

  /** How long a source waits to hold the handoff a RING.READ names before it refuses (RingCommands.READ_WAIT_MILLIS). */
  static final long READ_WAIT_MS = 100;

  /**
   * A GET of a range {@code target} will import but does not serve yet, answered from the handoff's
   * source (a model of CommandHandler.readAtSource), with real latency: RING.READ reaches the source
   * a moment later (held while it is paused, lost if it crashes: a process restarted meanwhile
   * answers from its empty store), the answer reaches the target later still (held while the
   * target is paused), and the target uses it only if the key's route there is still the one it
   * was read for and the read did not time out; then it replies without storing anything. The read
   * is checked against every state of the key from the target's taking the request to its reply.
   * A failed read is -TRYAGAIN here (the node then waits for the activation, which the simulation
   * does not model).
   */
  private void readAtSource(SimNode target, History.Op op, Key key, ClusterState.Route route) {
    long taken = now;
    long incarnation = target.incarnation;
    long deadline = now + SOURCE_READ_TIMEOUT_MS * MS;
    boolean[] done = new boolean[1];
    Runnable timeout = () -> {
      if (!done[0]) {
        done[0] = true;
        history.fail(op, now); // timed out: waits for the range, then -TRYAGAIN; never a miss
      }
    };
    at(readLatency(), () -> {
      SimNode source = nodes.get(route.source());
      if (source == null || !source.alive || random.nextInt(50) == 0 || peersCut(target.name, route.source())) {
        return; // refused, reset or cut off: the target's timer fails the read
      }
      // RING.READ: ignores the seal, the lease and the route, but answers only while the source holds
      // the handoff as its source, the key not waiting for its purge; if not, the source waits for
      // its next change of state (or READ_WAIT_MS) and checks once more, else refuses (the target's
      // timer then fails the read)
      Runnable answer = () -> {
        byte[] value = source.store.get(key);
        long expireAt = value == null ? Expiry.NONE : expireAt(source.store, source.store.ttlNanos(key));
        at(readLatency(), () -> {
          Runnable reply = () -> {
            if (done[0]) {
              return;
            }
            done[0] = true;
            if (!target.alive || target.incarnation != incarnation) {
              history.fail(op, now); // the client's connection died with the target
              return;
            }
            if (now > deadline && random.nextBoolean()) {
              history.fail(op, now); // the timer ran first (both were due when a paused target resumed)
              return;
            }
            if (target.cluster.route(key.ringHash()) != route) {
              String moved = execute(target, op); // dispatched again under the new route
              if (moved != null) {
                send(moved, op, 1);
              }
              return;
            }
            boolean expired = expireAt != Expiry.NONE && now / MS >= expireAt;
            history.readBetween(op, expired ? null : value, target.name, taken, now);
          };
          onLoop(target, reply);
        });
      };
      Runnable read = () -> {
        if (!source.alive) {
          return;
        }
        ClusterState asked = source.cluster;
        if (asked.answersReadsFor(route.handoffId(), key.ringHash())) {
          answer.run();
          return;
        }
        boolean[] settled = new boolean[1];
        Runnable again = () -> {
          if (settled[0] || !source.alive || source.cluster != asked) {
            return;
          }
          settled[0] = true;
          if (asked.answersReadsFor(route.handoffId(), key.ringHash())) {
            answer.run();
          }
        };
        asked.nextChange().thenRun(() -> at(0, () -> onLoop(source, again)));
        at(READ_WAIT_MS * MS, () -> onLoop(source, again));
      };
      onLoop(source, read);
    });
    at(SOURCE_READ_TIMEOUT_MS * MS, () -> onLoop(target, timeout));
  }

  /** Runs {@code work} on {@code node}'s event loop: now, or when the node resumes if it is paused. */
  private static void onLoop(SimNode node, Runnable work) {
    if (node.paused) {
      node.held.add(work);
    } else {
      work.run();
    }
  }

  /**
   * A hop of a read at the source: usually the network's latency, one time in four anything up to
   * the target's timeout (a loaded loop, a GC pause), so that topology changes, writes, crashes and
   * pauses often fall between the read at the source and the target's use of its answer.
   */
  private long readLatency() {
    return random.nextInt(4) > 0 ? latency() : random.nextInt((int) (SOURCE_READ_TIMEOUT_MS * 1_000)) * 1_000L;
  }

  private boolean apply(SimNode node, Key key, History.Op op) {
    switch (op.kind) {
      case SET, MSET -> node.store.put(key, op.value.getBytes(StandardCharsets.UTF_8), Store.NO_TTL, false, Store.Condition.ALWAYS);
      case SET_EX -> node.store.put(key, op.value.getBytes(StandardCharsets.UTF_8), op.ttlNanos, false, Store.Condition.ALWAYS);
      case DEL -> node.store.remove(key);
      case SET_NX, SET_XX -> {
        Store.Condition condition = op.kind == History.Kind.SET_NX ? Store.Condition.IF_ABSENT : Store.Condition.IF_PRESENT;
        boolean stored = node.store.put(key, op.value.getBytes(StandardCharsets.UTF_8), Store.NO_TTL, false, condition);
        history.conditional(op, stored, node.name, now);
        return true; // declined is a reply, not an error: the node marks the key touched either way
      }
      case INCR -> {
        // the store's own INCR, as the node's command runs it
        long result = node.store.increment(key, 1);
        history.incremented(op, result, node.name, now);
        return true;
      }
      case EXPIRE, PERSIST -> {
        boolean present = node.store.expire(key, op.kind == History.Kind.EXPIRE ? op.ttlNanos : Store.NO_TTL);
        history.existed(op, present, node.name, now);
        return true;
      }
      case GETDEL -> {
        byte[] old = node.store.remove(key);
        history.gotAndDeleted(op, old, node.name, now);
        return true;
      }
      case REJECTED_SET -> {
        history.fail(op, now); // value over max-value-size: refused, nothing changes
        return false;
      }
      default -> throw new IllegalStateException(op.kind.toString());
    }
    history.acknowledge(op, node.name, now);
    return true;
  }

  // ---- faults and scale requests -------------------------------------------------------------

  private void fault() {
    List<SimNode> all = new ArrayList<>(nodes.values());
    SimNode node = all.get(random.nextInt(all.size()));
    int kind = random.nextInt(14);
    if (kind < 3 && node.alive && !node.paused) {
      pause(node, (200 + random.nextInt((int) (LEASE_MS * 3))) * MS);
    } else if (kind < 5 && node.alive) {
      crash(node, random.nextInt(3) > 0 ? (100 + random.nextInt(5_000)) * MS : -1);
    } else if (kind < 6 && routerUp) {
      note("router crash");
      crashRouter();
      at((200 + random.nextInt((int) LEASE_MS)) * MS, () -> {
        startRouter();
        note("router restarted");
      });
    } else if (kind < 7 && routerUp && now >= routerPausedUntil) {
      long pause = (200 + random.nextInt((int) (LEASE_MS * 3))) * MS;
      if (random.nextBoolean()) {
        pauseInRound = pause; // lands inside the next health round
      } else {
        note("router pause for " + pause / MS + " ms");
        pauseRouter(pause);
      }
    } else if (kind < 8) {
      // two nodes at the same instant (a host, a rack, a switch): both paused as long, or both
      // crashed (restarted together, or not)
      List<SimNode> up = all.stream().filter(n -> n.alive && !n.paused).toList();
      if (up.size() >= 2) {
        int first = random.nextInt(up.size());
        int second = (first + 1 + random.nextInt(up.size() - 1)) % up.size();
        boolean crash = random.nextBoolean();
        long length = crash ? (random.nextInt(3) > 0 ? (100 + random.nextInt(5_000)) * MS : -1)
            : (200 + random.nextInt((int) (LEASE_MS * 3))) * MS;
        correlated++;
        for (SimNode n : List.of(up.get(first), up.get(second))) {
          if (crash) {
            crash(n, length);
          } else {
            pause(n, length);
          }
        }
      }
    } else if (kind < 9 && now >= diskFullUntil && random.nextBoolean()) {
      // the router's disk full (or its data directory failing): every write of the topology fails
      // meanwhile, whichever step of a scale event or health round makes it
      long length = (200 + random.nextInt((int) (LEASE_MS * 3))) * MS;
      note("router's disk full for " + length / MS + " ms");
      diskFullUntil = now + length;
      diskFulls++;
      at(length, () -> note("router's disk has room again"));
    } else if (kind >= 12) {
      // a partition, while each side still answers everyone else: the router from this node, or
      // this node from another, both ways
      long length = (200 + random.nextInt((int) (LEASE_MS * 3))) * MS;
      if (kind == 12 && random.nextInt(3) == 0) {
        refusals++;
        note("refused: the router's connections to " + node.name + " refused for " + length / MS + " ms");
        routerRefusedUntil.merge(node.name, now + length, Math::max);
      } else if (kind == 12) {
        partitions++;
        note("partition: the router cut from " + node.name + " for " + length / MS + " ms");
        routerCutUntil.merge(node.name, now + length, Math::max);
      } else {
        partitions++;
        SimNode other = all.get(random.nextInt(all.size()));
        if (other != node) {
          note("partition: " + node.name + " and " + other.name + " cut from each other for " + length / MS + " ms");
          peerCutUntil.merge(pair(node.name, other.name), now + length, Math::max);
        }
      }
    } else if (routerUp && now >= routerPausedUntil) {
      scaleRequest();
    }
  }

  private static String pair(String a, String b) {
    return a.compareTo(b) < 0 ? a + " " + b : b + " " + a;
  }

  private boolean peersCut(String a, String b) {
    return now < peerCutUntil.getOrDefault(pair(a, b), 0L);
  }

  private void pause(SimNode node, long pause) {
    note("pause " + node.name + " for " + pause / MS + " ms");
    node.paused = true;
    at(pause, () -> resume(node));
  }

  /** Crashes {@code node}; restarts it as a new process after {@code restartAfter} nanoseconds, unless negative. */
  private void crash(SimNode node, long restartAfter) {
    note("crash " + node.name);
    node.alive = false;
    node.paused = false;
    node.held.clear();
    allowLossOfWhatItHolds(node);
    if (restartAfter >= 0) {
      at(restartAfter, () -> {
        if (!node.alive) {
          node.start();
          note("restart " + node.name + " as " + Long.toHexString(node.incarnation));
        }
      });
    }
  }

  /**
   * The router's thread that returns from a call or a wait stops here while the router is paused:
   * the world goes on meanwhile (the router's own queued work waits, see ofThisRouter and
   * healthRound).
   */
  private void waitOutRouterPause() {
    if (now < routerPausedUntil) {
      routerHeld++;
    }
    while (now < routerPausedUntil) {
      advance(routerPausedUntil);
    }
  }

  /** A node failed or crashed: a miss is allowed for every key whose newest value it holds. */
  private void allowLossOfWhatItHolds(SimNode node) {
    newestHeldBy(node).forEach(history::allowLoss);
  }

  private final java.util.Set<String> failuresSeen = new java.util.HashSet<>();
  private final Map<ScaleEvent, String> eventStates = new java.util.IdentityHashMap<>();
  private Topology lastTopology;

  /**
   * Failures the router decided (ejections, failed participants): a miss is allowed for what the
   * failed node held and for the keys of the handoffs it took part in (the failure table drops them).
   */
  private void observeFailures() {
    if (coordinator == null) {
      return;
    }
    Topology previous = lastTopology == null ? store.current() : lastTopology;
    for (ScaleEvent e : coordinator.history()) {
      String state = e.status + " " + e.message;
      if (!state.equals(eventStates.put(e, state))) {
        note("router " + routerIncarnation + " event " + e.id + " " + e.kind + " " + (e.node == null ? "" : e.node) + ": "
            + state + " failed=" + e.failed);
      }
      for (String name : e.failed) {
        if (!failuresSeen.add(routerIncarnation + "/" + e.id + "/" + name)) {
          continue;
        }
        SimNode node = nodes.get(name);
        note("router " + routerIncarnation + " failed " + name + " in " + e.id + " at epoch " + store.current().epoch());
        if (node != null) {
          allowLossOfWhatItHolds(node);
        }
        // and what it held at the previous check: the task that failed it may have purged it already
        heldNewest.getOrDefault(name, java.util.Set.of()).forEach(history::allowLoss);
        // what it held may be purged already, within the event that ejected it
        history.allowLossOfWritesAt(name);
        for (Topology t : List.of(previous, store.current())) {
          for (Handoff h : t.handoffs()) {
            if (h.from().equals(name) || h.to().equals(name)) {
              for (String key : history.keys()) {
                int hash = Crc32.hash(key.getBytes(StandardCharsets.UTF_8));
                if (h.ranges().stream().anyMatch(r -> r.contains(hash))) {
                  history.allowLoss(key);
                }
              }
            }
          }
        }
      }
    }
    if (lastTopology != store.current()) {
      note("epoch " + store.current().epoch() + ": " + Describe.topology(store.current()) + " "
          + store.current().handoffs().stream().map(Describe::handoff).toList() + watched());
    }
    lastTopology = store.current();
    for (SimNode n : nodes.values()) {
      heldNewest.put(n.name, newestHeldBy(n));
    }
  }

  /** Per node, the keys whose newest value it held at the last check. */
  private final Map<String, java.util.Set<String>> heldNewest = new HashMap<>();

  private java.util.Set<String> newestHeldBy(SimNode node) {
    java.util.Set<String> held = new java.util.HashSet<>();
    for (String key : history.keys()) {
      String newest = history.newest(key, now);
      byte[] value = newest == null ? null : node.store.get(Key.of(key.getBytes(StandardCharsets.UTF_8)));
      if (value != null && newest.equals(new String(value, StandardCharsets.UTF_8))) {
        held.add(key);
      }
    }
    return held;
  }

  /** With -Dsim.watch=KEY: where that key's value is held now, for the trace (debugging a seed). */
  private String watched() {
    String key = System.getProperty("sim.watch");
    if (key == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(" " + key + " newest=" + history.newest(key, now) + " held:");
    for (SimNode n : nodes.values()) {
      byte[] v = n.store.get(Key.of(key.getBytes(StandardCharsets.UTF_8)));
      if (v != null) {
        out.append(' ').append(n.name).append('=').append(new String(v, StandardCharsets.UTF_8));
      }
    }
    return out.toString();
  }

  private void crashRouter() {
    routerUp = false;
    coordinator.close();
    routerIncarnation++;
    queue.removeIf(t -> t.event);
  }

  private void resume(SimNode node) {
    if (!node.paused) {
      return;
    }
    node.paused = false;
    note("resume " + node.name);
    List<Runnable> work = new ArrayList<>(node.held);
    node.held.clear();
    work.forEach(Runnable::run);
  }

  private void scaleRequest() {
    Topology t = store.current();
    int kind = random.nextInt(3);
    try {
      if (kind == 0 && nodes.size() < 7) {
        String name = "10.0.0." + ++nextNodeId + ":7001";
        nodes.put(name, new SimNode(name, true));
        note("join " + name);
        coordinator.join(name, null, 1 + random.nextInt(2));
      } else if (kind == 1 && t.ring().nodeNames().size() > 2) {
        String name = t.ring().nodeNames().get(random.nextInt(t.ring().nodeNames().size()));
        note("leave " + name);
        coordinator.leave(name);
      } else if (!t.ring().nodeNames().isEmpty()) {
        String name = t.ring().nodeNames().get(random.nextInt(t.ring().nodeNames().size()));
        note("weight " + name);
        coordinator.reweight(name, 1 + random.nextInt(3));
      }
    } catch (ScaleRequestException e) {
      note("refused: " + e.getMessage());
    }
  }

  // ---- a run -------------------------------------------------------------------------------

  /** Runs the simulation for {@code seconds} of virtual time with faults, then heals and checks. */
  void run(int seconds) {
    for (int i = 0; i < 40; i++) {
      keys.add("k" + i);
    }
    for (int i = 0; i < 8; i++) {
      keys.add("c" + i); // counters
    }
    List<NodeInfo> initial = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String name = "10.0.0." + ++nextNodeId + ":7001";
      nodes.put(name, new SimNode(name, true));
      initial.add(NodeInfo.of(name, 1));
    }
    store = TopologyStore.inMemory(Topology.of(1, initial), () -> now < diskFullUntil);
    startRouter();
    long end = now + seconds * 1_000 * MS;
    wedgedAfter = end + 180_000 * MS; // a minute to heal, and two more: any event still going then never ends
    scheduleLoad(end);
    at((2_000 + random.nextInt(3_000)) * MS, () -> scheduleFaults(end));
    at(end - now + 60_000 * MS, this::supervisorRestart);
    runUntil(end);
    // heal: resume every paused node, restart the crashed ones, let the cluster settle
    for (SimNode n : nodes.values()) {
      if (n.paused) {
        resume(n);
      }
      if (!n.alive) {
        n.start();
        note("restart " + n.name + " as " + Long.toHexString(n.incarnation));
      }
    }
    diskFullUntil = 0;
    routerCutUntil.clear();
    routerRefusedUntil.clear();
    peerCutUntil.clear();
    note("healed");
    runUntil(now + 60_000 * MS);
    if (wedged) {
      history.violations.add("wedged: an event was still running three minutes after the faults stopped");
    }
    if (!store.current().handoffs().isEmpty() || coordinator.busy()) {
      history.violations.add("wedged: a minute after healing, handoffs are still under way: "
          + Describe.topology(store.current()) + " " + store.current().handoffs());
    }
    history.checkFinal(this::readFromOwner, now);
  }

  /**
   * A minute after the faults stopped, while an event still runs and every node's process is gone:
   * their supervisors restart them. The heal below comes only once the running event ends, and the
   * router cannot end it on its own here. A refused node is failed as dead only once another node
   * confirms the refusal. With every process gone nobody can, so each one is as silent as a node
   * behind a path that rejects the router. A silent last node of the ring keeps its event waiting
   * (HealthChecker#fail), since failing it could eject it after it was renewed. Only a restart ends
   * that wait: a new incarnation is dead for certain (seed 406186). With any process alive, nothing
   * is restarted, so an event that waits for a node the router could find dead still ends wedged.
   */
  private void supervisorRestart() {
    if (!coordinator.busy() || nodes.values().stream().anyMatch(n -> n.alive)) {
      return;
    }
    for (SimNode n : nodes.values()) {
      n.start();
      note("supervisor restarts " + n.name + " as " + Long.toHexString(n.incarnation) + " (every process gone, an event waiting)");
    }
  }

  private void scheduleLoad(long end) {
    at(random.nextInt(20) * MS, () -> {
      if (now < end) {
        clientCommand();
        scheduleLoad(end);
      }
    });
  }

  private void scheduleFaults(long end) {
    if (now >= end) {
      return;
    }
    fault();
    at((500 + random.nextInt(4_000)) * MS, () -> scheduleFaults(end));
  }

  private void runUntil(long until) {
    while (!queue.isEmpty() && queue.peek().at <= until) {
      Task task = queue.poll();
      now = Math.max(now, task.at);
      try {
        task.work.run();
      } catch (RouterCrash crash) {
        // the event died with the router
      }
      observeFailures();
    }
    now = Math.max(now, until);
  }

  /** A final read of {@code key}, as a client would after the cluster settled. */
  private History.Read readFromOwner(String key) {
    Topology t = store.current();
    String address = routing().serverOf(key.getBytes(StandardCharsets.UTF_8));
    SimNode node = nodes.get(address);
    Key k = Key.of(key.getBytes(StandardCharsets.UTF_8));
    ClusterState.Route route = node.cluster.route(Crc32.hash(k.bytes()));
    if (route.action() != ClusterState.Action.SERVE) {
      return new History.Read(null, address + " answers " + route + " at epoch " + node.cluster.epoch()
          + " (router epoch " + t.epoch() + ", handoffs " + t.handoffs().size() + ")");
    }
    byte[] value = node.store.get(k);
    return new History.Read(value == null ? null : new String(value, StandardCharsets.UTF_8), null);
  }

  String describe() {
    return "seed " + seed + ", final topology " + Describe.topology(store.current()) + "\n"
        + String.join("\n", log.subList(Math.max(0, log.size() - Integer.getInteger("sim.trace", 150)), log.size()));
  }
}
