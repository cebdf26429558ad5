package io.ringcache.cli;

import static io.ringcache.cli.FaultCluster.await;
import static io.ringcache.cli.FaultCluster.hold;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringcache.client.CacheClient;
import io.ringcache.client.CacheException;
import io.ringcache.client.CacheServerException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/*
 * Faults of the failure table that FaultScenariosIT does not reach, against real processes
 * (FaultCluster: bin/cache-router, bin/cache-node --cluster), each under a live load whose every
 * acknowledged write, delete and read goes into a History:
 *
 *   1. the router killed -9 while a join's handoffs are PREPARED (and the joiner killed and
 *      restarted, a new incarnation, while the router is away), and while they are SEALED (a source
 *      paused, within its lease, holds the seal); a supervisor restarts it;
 *   2. the router killed -9 while a leave streams; restarted; the router killed -9 while a join
 *      that cachectl follows streams, restarted: cachectl follows the resumed handoffs and reports
 *      the join done; the router paused (SIGSTOP) past every node's lease while a join streams,
 *      then resumed;
 *   3. a leave and a join of the same node requested back to back (an operator's script that
 *      retries 409 until it is accepted: the node joins again right after its leave);
 *   4. a joining target paused (SIGSTOP) past its lease while ranges stream to it, then resumed:
 *      the writes queued at it meanwhile are never acknowledged, and it comes back flushed;
 *   5. a leave's target paused past its lease before the leave activates it: the leaver hands
 *      those ranges to their owner in the ring without the target, through a new handoff;
 *   6. a join's streams, the joiner's reads through its sources and the router's connections to
 *      the sources black-holed (their packets dropped, no reset) while every node answers new
 *      connections: the silent connections are closed, the streams resume on new ones and the join
 *      ends.
 *
 * The load writes through the Java client (straight to the owners, on its last topology while the
 * router is away) and through the router's proxy port, deletes now and then, and reads through
 * both. The invariant (History): a read returns the latest acknowledged write or a later one, never
 * an older value nor a deleted one; a miss only after a delete, or for a key the failure table lets
 * go (a failed target's ranges). Where the router is killed, no key may miss: no node failed.
 *
 * Each test takes 20-40 s on a loaded 2-core machine; faults are timed by what the cluster reports.
 */
class HandoffFaultsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int KEYS = 400;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;
  private FaultCluster c;
  private Load load;

  @BeforeEach
  void up() throws IOException {
    c = new FaultCluster(dir);
  }

  @AfterEach
  void down() throws InterruptedException {
    if (load != null) {
      load.close();
    }
    c.close(); // SIGCONT, then kill, every process it started
  }

  // ---- 1. the router dies mid-join ----------------------------------------------------------

  @Test
  void routerKilledNineWhileAJoinIsPrepared_andTheJoinerRestartedMeanwhile_noWriteIsLostOrReadOlder() throws Exception {
    List<String> nodes = c.launchNodes(List.of(1, 2, 3));
    String joiner = c.launchNode(4);
    c.startRouter("8s", nodes, "--health-interval-ms", "500", "--health-misses", "4");
    load = new Load("r1");
    load.awaitAcknowledged(2 * KEYS);

    c.awaitAnswering(4);
    String event = c.join(joiner);
    await(() -> !c.handoffs().isEmpty() || !"RUNNING".equals(c.eventStatus(event)), Duration.ofSeconds(20),
        "the join's handoffs persisted");
    c.kill9("router"); // the router waits up to a heartbeat for the joiner's lease: still PREPARED, mostly
    String phase = persistedPhase();
    var after = FaultCluster.ring(c.persistedTopology()); // with the joiner
    // while the router is away the joiner crashes and its supervisor restarts it (a new incarnation,
    // an empty store): the restarted router must take it for failed, never re-adopt it into the
    // handoff; in PREPARED or SEALED its sources hold every acknowledged write (the failure table)
    c.kill9(joiner);
    c.startNode(4);
    c.restartRouter();
    await(() -> c.handoffs().isEmpty() && "UP".equals(c.state(joiner)) && !busy(), Duration.ofSeconds(40),
        "the restarted router resolving the join and re-admitting " + joiner);
    load.awaitAcknowledged(load.acknowledged.get() + KEYS);
    // once the joiner served its ranges (ACTIVE on, or the join ended), what it held is lost with it
    boolean joinerServed = !List.of("PREPARED", "SEALED").contains(phase);
    load.verify("router killed in phase " + phase + ", the joiner restarted while it was away",
        k -> joinerServed && joiner.equals(after.apply(k)));
  }

  @Test
  void routerKilledNineWhileAJoinIsSealed_theRestartedRouterFinishesIt_andNoWriteIsLostOrReadOlder() throws Exception {
    List<String> nodes = c.launchNodes(List.of(1, 2, 3));
    String joiner = c.launchNode(4);
    c.startRouter("8s", nodes, "--health-interval-ms", "500", "--health-misses", "4");
    String source = nodes.get(0);
    load = new Load("r2");
    load.awaitAcknowledged(2 * KEYS);

    c.awaitAnswering(4);
    String event = c.join(joiner);
    await(() -> !c.handoffs().isEmpty() || !"RUNNING".equals(c.eventStatus(event)), Duration.ofSeconds(20),
        "the join's handoffs persisted");
    long prepared = c.topology().path("epoch").asLong();
    // the source pauses once it holds the PREPARED topology: the router then persists SEALED and
    // waits for the source's acknowledgement of the seal, and dies there
    try (RawResp conn = new RawResp(c.port(source), 5_000)) {
      await(() -> epochAt(conn) >= prepared, Duration.ofSeconds(10), source + " holding epoch " + prepared);
    }
    c.stop(source);
    try {
      long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (!"SEALED".equals(c.phase()) && System.nanoTime() < until) {
        hold(20); // SEALED within a heartbeat or so; if the source paused before it took PREPARED, it stays PREPARED
      }
      c.kill9("router");
    } finally {
      hold(1_000); // the source stays paused 1 s more (its lease is 8 s)
      c.cont(source);
    }
    String phase = persistedPhase();
    routerAwayThenBack(joiner);
    load.verify("router killed in phase " + phase + " with " + source + " paused", k -> false);
  }

  // ---- 2. the router dies mid-stream --------------------------------------------------------

  @Test
  void routerKilledNineWhileALeaveStreams_theRestartedRouterFinishesIt_andNoWriteIsLostOrReadOlder() throws Exception {
    List<String> nodes = c.launchNodes(List.of(1, 2, 3));
    c.startRouter("8s", nodes, "--health-interval-ms", "500", "--health-misses", "4");
    String leaving = nodes.get(2);
    fill("r3:fill", 60_000); // the stream lasts a while
    load = new Load("r3");
    load.awaitAcknowledged(2 * KEYS);

    String event = c.leave(leaving);
    awaitStreamingOrEnd(event);
    c.kill9("router");
    String phase = persistedPhase();
    hold(1_000); // a supervisor's restart delay: the client writes on its last topology meanwhile
    c.restartRouter();
    await(() -> c.handoffs().isEmpty() && c.state(leaving) == null && !busy(), Duration.ofSeconds(40),
        "the restarted router finishing the leave");
    load.awaitAcknowledged(load.acknowledged.get() + KEYS);
    load.verify("router killed in phase " + phase + " of a leave", k -> false);
  }

  // ---- 2c. cachectl follows a join across the router's restart -----------------------------

  @Test
  void routerKilledNineWhileCachectlFollowsAJoin_cachectlFollowsTheResumedHandoffs_andReportsTheJoinFinished() throws Exception {
    // the sources stream at most 1,000 entries/s: the join is still streaming when the router dies
    List<String> nodes = c.launchNodes(List.of(1, 2, 3), "--handoff-rate", "1000");
    String joiner = c.launchNode(4);
    c.startRouter("8s", nodes, "--health-interval-ms", "500", "--health-misses", "4");
    fill("r9:fill", 40_000); // about 10,000 entries move, 3,300 per source: 3 s or more
    load = new Load("r9");
    load.awaitAcknowledged(2 * KEYS);
    c.awaitAnswering(4);

    ExecutorService cli = Executors.newSingleThreadExecutor();
    try {
      Future<ProcessFixtures.Result> add = cli.submit(() -> ProcessFixtures.cachectl(Duration.ofSeconds(150),
          "--router", "127.0.0.1:" + c.adminPort, "add", joiner));
      String[] first = {null};
      await(() -> {
        for (JsonNode e : c.get("/handoffs").path("events")) {
          if ("RUNNING".equals(e.path("status").asText()) && "JOIN".equals(e.path("kind").asText())) {
            first[0] = e.path("id").asText();
          }
        }
        return first[0] != null && "STREAMING".equals(c.phase());
      }, Duration.ofSeconds(30), "cachectl's join streaming");
      c.kill9("router");
      hold(2_000); // a supervisor's restart delay: cachectl finds the admin API refusing meanwhile
      c.restartRouter();

      ProcessFixtures.Result result = add.get(150, TimeUnit.SECONDS);
      String said = "cachectl said: " + result.out() + result.err();
      assertThat(result.exit()).as(said).isZero();
      assertThat(result.err()).as(said).contains("connection refused").contains("the router restarted while join " + joiner);
      // its stderr is a file: progress as lines, not a bar's carriage returns
      assertThat(result.err()).as(said).contains("moving keys: ").doesNotContain("\r");
      assertThat(result.out()).as(said).contains("join " + joiner + " finished after the router's restart");
      assertThat(c.state(joiner)).isEqualTo("UP");
      assertThat(c.handoffs()).isEmpty();
      // the restarted router's events never take the ids of the first process's
      assertThat(c.send("GET", "/events/" + first[0], null).statusCode()).as("GET /events/%s", first[0]).isEqualTo(404);
    } finally {
      cli.shutdownNow();
    }
    load.awaitAcknowledged(load.acknowledged.get() + KEYS);
    load.verify("router killed while a join streamed at 1,000 entries/s", k -> false);
  }

  // ---- 2b. the router paused past every lease mid-stream -----------------------------------

  @Test
  void routerPausedPastTheLeasesWhileAJoinStreams_noNodeIsEjected_theJoinEnds_andNoWriteIsLostOrReadOlder() throws Exception {
    Join join = joinTwoUnderLoad("r6");
    List<String> nodes = join.sources();
    String joiner = join.joiner();
    String event = join.event();
    String phase = awaitStreamingOrEnd(event);
    // a long GC pause of the router: every node's lease runs out (the data path answers -TRYAGAIN),
    // and on resume the router's own clock has moved past every lease it granted: it must find the
    // nodes answering and renew them, not fail them
    c.stop("router");
    hold(7_000);
    c.cont("router");
    JsonNode end = c.awaitEvent(event, Duration.ofSeconds(40));
    assertThat(end.path("status").asText()).as("the join after the router's pause: %s", end).isEqualTo("DONE");
    for (String n : List.of(nodes.get(0), nodes.get(1), joiner)) {
      assertThat(c.state(n)).as("%s after the router's pause (topology %s)", n, c.topology()).isEqualTo("UP");
    }
    load.awaitAcknowledged(load.acknowledged.get() + KEYS);
    load.verify("the router paused 7 s (lease 5 s) in phase " + phase + " of a join", k -> false);
  }

  // ---- 3. leave and join back to back -------------------------------------------------------

  @Test
  void leaveAndJoinOfTheSameNodeRequestedBackToBack_bothComplete_andNoWriteIsLostOrReadOlder() throws Exception {
    List<String> nodes = c.launchNodes(List.of(1, 2, 3));
    c.startRouter("8s", nodes, "--health-interval-ms", "500", "--health-misses", "4");
    String node = nodes.get(2);
    fill("r4:fill", 20_000);
    load = new Load("r4");
    load.awaitAcknowledged(2 * KEYS);

    String leave = c.leave(node);
    String join = c.join(node); // refused while the leave runs (409, "under way"): asked again until accepted
    assertThat(join).isNotEqualTo(leave);
    JsonNode left = c.event(leave);
    JsonNode joined = c.awaitEvent(join, Duration.ofSeconds(40));
    assertThat(left.path("status").asText()).as("the leave: %s", left).isEqualTo("DONE");
    assertThat(joined.path("status").asText()).as("the join after it: %s", joined).isEqualTo("DONE");
    assertThat(c.state(node)).isEqualTo("UP");
    load.awaitAcknowledged(load.acknowledged.get() + KEYS);
    load.verify("leave and join back to back", k -> false);
  }

  // ---- 4. a target paused past its lease mid-stream -----------------------------------------

  @Test
  void targetPausedPastItsLeaseWhileStreaming_neverAcknowledgesTheWritesQueuedAtIt_andComesBackFlushed() throws Exception {
    List<String> nodes = c.launchNodes(List.of(1, 2));
    String joiner = c.launchNode(3);
    c.startRouter("3s", nodes, "--health-interval-ms", "500", "--health-misses", "3");
    fill("r5:fill", 40_000);
    load = new Load("r5");
    load.awaitAcknowledged(2 * KEYS);

    c.awaitAnswering(3);
    String event = c.join(joiner);
    await(() -> c.state(joiner) != null, Duration.ofSeconds(20), joiner + " listed");
    var after = FaultCluster.ring(c.topology()); // the ring with the joiner: the keys that move to it
    List<String> moving = load.keys.stream().filter(k -> joiner.equals(after.apply(k))).toList();
    assertThat(moving).hasSizeGreaterThan(20);
    String phase = awaitStreamingOrEnd(event);
    RawResp queued = new RawResp(c.port(joiner), 15_000);
    List<String> acknowledged = new ArrayList<>();
    try {
      c.stop(joiner);
      long sentAt = System.nanoTime();
      for (String k : moving) {
        queued.send("SET", k, "queued-" + k);
      }
      queued.flush(); // waits in the socket while the joiner is paused
      await(() -> !List.of("UP", "DOWN").contains(c.state(joiner)) && c.handoffs().isEmpty() && !busy(),
          Duration.ofSeconds(20), joiner + " failed and ejected while it is paused");
      load.awaitAcknowledged(load.acknowledged.get() + KEYS); // the source serves the ranges again
      c.cont(joiner);
      for (String k : moving) {
        Object reply;
        try {
          reply = queued.read();
        } catch (IOException e) {
          break; // the node closed the connection: nothing more was acknowledged
        }
        if ("OK".equals(reply)) {
          acknowledged.add(k);
          load.history.acknowledged(k, "queued-" + k, sentAt, System.nanoTime());
        }
      }
    } finally {
      c.cont(joiner);
      queued.close();
    }
    // re-admitted (flushed, joined anew) once it answers again
    await(() -> "UP".equals(c.state(joiner)) && c.handoffs().isEmpty() && !busy(), Duration.ofSeconds(40),
        joiner + " re-admitted");
    load.awaitAcknowledged(load.acknowledged.get() + KEYS);
    assertThat(acknowledged).as("writes acknowledged by %s after its lease ran out (event %s)", joiner, c.event(event)).isEmpty();
    // the failed target's ranges go to their owner without it, empty (the failure table)
    Set<String> mayMiss = Set.copyOf(moving);
    load.verify("a target paused past its lease in phase " + phase + " (" + moving.size() + " keys moving)", mayMiss::contains);
  }

  // ---- 5. a leave's target fails before activation -----------------------------------------

  @Test
  void leavesTargetPausedPastItsLeaseBeforeActivation_theLeaversKeysGoToAnotherOwner_noneIsLost() throws Exception {
    List<String> nodes = c.launchNodes(List.of(1, 2, 3, 4));
    c.startRouter("3s", nodes, "--health-interval-ms", "500", "--health-misses", "3");
    String leaving = nodes.get(3);
    String target = nodes.get(0);
    load = new Load("r7");
    load.awaitAcknowledged(2 * KEYS);
    var before = FaultCluster.ring(c.topology());
    List<String> leavers = load.keys.stream().filter(k -> leaving.equals(before.apply(k))).toList();
    assertThat(leavers).hasSizeGreaterThan(20);

    // the target pauses before the leave's first push reaches it, so the handoffs stay PREPARED
    // until its lease runs out and it fails; the failure table: the leaving source still holds
    // every acknowledged write of the ranges it was to hand the target, and hands them to their
    // owner in the ring without the target, through a new handoff
    c.stop(target);
    String event;
    try {
      event = c.leave(leaving);
      await(() -> !"RUNNING".equals(c.eventStatus(event)) && c.handoffs().isEmpty(), Duration.ofSeconds(30),
          "the leave resolved while " + target + " is paused");
    } finally {
      c.cont(target);
    }
    JsonNode end = c.event(event);
    assertThat(c.state(leaving)).as("the leaver after %s", end).isNull();
    await(() -> "UP".equals(c.state(target)) && c.handoffs().isEmpty() && !busy(), Duration.ofSeconds(40), target + " re-admitted");
    load.awaitAcknowledged(load.acknowledged.get() + KEYS);
    // only the paused target's own keys may be lost (ejected: its ranges fall to their successors, empty)
    load.verify("a leave whose target " + target + " failed before activation (" + leavers.size() + " keys of the leaver; event "
        + end + ")", k -> target.equals(before.apply(k)));
  }

  // ---- 6. a join's connections black-holed -------------------------------------------------

  @Test
  void joinsConnectionsBlackHoledWhileEveryNodeAnswersNewOnes_theJoinEnds_andNoWriteIsLostOrReadOlder()
      throws Exception {
    // a rate, so that the streams are still sending when their connections go silent
    Join join = joinTwoUnderLoad("r8", "--handoff-rate", "1500");
    List<String> nodes = join.sources();
    String joiner = join.joiner();
    String event = join.event();
    assertThat(awaitStreamingOrEnd(event)).as("the join's phase when its connections go silent").isEqualTo("STREAMING");
    JsonNode end;
    try (Blackhole hole = new Blackhole()) {
      for (String source : nodes) {
        // its stream to the joiner (each source dials its own when the router asks it to stream)
        await(() -> hole.dropEstablished(c.pid(source), c.port(joiner)) > 0, Duration.ofSeconds(10),
            "a stream from " + source + " to " + joiner);
        hole.dropEstablished(c.pid(joiner), c.port(source)); // the joiner's reads through it
        // the router's connections to it: the health checks dial again; the RING.STREAM that waits
        // for the stream's end waited for ever without keepalive (its request long acknowledged)
        hole.dropEstablished(c.pid("router"), c.port(source));
      }
      // without a reply deadline the streams waited for the kernel to give up on them (about 15 min)
      end = c.awaitEvent(event, Duration.ofSeconds(45));
    }
    assertThat(end.path("status").asText()).as("the join whose connections went silent: %s", end).isEqualTo("DONE");
    for (String n : List.of(nodes.get(0), nodes.get(1), joiner)) {
      assertThat(c.state(n)).as("%s (topology %s)", n, c.topology()).isEqualTo("UP");
    }
    load.awaitAcknowledged(load.acknowledged.get() + KEYS);
    load.verify("a join's connections black-holed", k -> false);
  }

  // ---- steps -------------------------------------------------------------------------------

  /** A join of node 3 to nodes 1 and 2, requested while they hold data and serve the load. */
  private record Join(List<String> sources, String joiner, String event) {}

  /**
   * Nodes 1 and 2 (with {@code sourceOptions}) under a router with a 5 s lease, 40,000 keys and the
   * load on keys {@code prefix}:N, then node 3's join: returned as soon as it is requested.
   */
  private Join joinTwoUnderLoad(String prefix, String... sourceOptions) throws IOException {
    List<String> nodes = c.launchNodes(List.of(1, 2), sourceOptions);
    String joiner = c.launchNode(3);
    // a 5 s lease: with 3 s, a joiner that stalled 5 s on a machine at load 30 (a fresh JVM, before
    // a fault) was ejected for it, rightly
    c.startRouter("5s", nodes, "--health-interval-ms", "500", "--health-misses", "3");
    fill(prefix + ":fill", 40_000);
    load = new Load(prefix);
    load.awaitAcknowledged(2 * KEYS);
    c.awaitAnswering(3);
    return new Join(nodes, joiner, c.join(joiner));
  }

  /** The phase of the handoffs the dead router persisted ("none" when it had finished). */
  private String persistedPhase() {
    JsonNode h = c.persistedTopology().path("handoffs");
    return h.isEmpty() ? "none" : h.get(0).path("phase").asText();
  }

  /** The router stays away 1 s (a supervisor's restart), comes back and must take the join to its end. */
  private void routerAwayThenBack(String joiner) {
    hold(1_000);
    c.restartRouter();
    await(() -> c.handoffs().isEmpty() && "UP".equals(c.state(joiner)) && !busy(), Duration.ofSeconds(40),
        "the restarted router finishing the join of " + joiner);
    load.awaitAcknowledged(load.acknowledged.get() + KEYS);
  }

  /**
   * Waits until the handoffs of {@code event} stream (the phase the fault is meant for) or the event
   * ended (on a quiet machine a small stream can end between two polls); returns what it saw.
   */
  private String awaitStreamingOrEnd(String event) {
    String[] seen = {""};
    await(() -> {
      String phase = c.phase();
      seen[0] = "STREAMING".equals(phase) ? phase : "RUNNING".equals(c.eventStatus(event)) ? "" : "after the event";
      return !seen[0].isEmpty();
    }, Duration.ofSeconds(20), "the handoffs of " + event + " streaming");
    return seen[0];
  }

  private boolean busy() {
    for (JsonNode e : c.get("/handoffs").path("events")) {
      if ("RUNNING".equals(e.path("status").asText())) {
        return true;
      }
    }
    return false;
  }

  private static long epochAt(RawResp conn) {
    try {
      return JSON.readTree(conn.call("RING.TOPOLOGY").toString()).path("epoch").asLong();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SETs {@code n} keys of 100 bytes through the proxy, pipelined, so that a stream lasts a while. */
  private void fill(String prefix, int n) throws IOException {
    String value = "f".repeat(100);
    try (RawResp proxy = new RawResp(c.base, 30_000)) {
      for (int from = 0; from < n; from += 1_000) {
        int to = Math.min(n, from + 1_000);
        for (int i = from; i < to; i++) {
          proxy.send("SET", prefix + ":" + i, value);
        }
        proxy.flush();
        for (int i = from; i < to; i++) {
          Object reply = proxy.read();
          if (!"OK".equals(reply)) {
            throw new AssertionError("SET " + prefix + ":" + i + " through the proxy: " + reply);
          }
        }
      }
    }
  }

  // ---- load --------------------------------------------------------------------------------

  /**
   * Writers and readers on {@link #KEYS} keys, every outcome recorded in a History: the Java client
   * (routing to owners itself) writes and deletes the even keys, a proxy connection the odd ones;
   * both read every key. Values are unique ("v" and a global sequence). A write refused with an
   * error reply changed nothing; one that timed out or lost its connection may have been applied.
   */
  private final class Load implements AutoCloseable {
    final History history = new History();
    final List<String> keys = new ArrayList<>();
    final AtomicLong acknowledged = new AtomicLong();
    final AtomicLong sequence = new AtomicLong();
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<Thread> threads = new ArrayList<>();
    final CacheClient client;

    Load(String prefix) throws IOException {
      Map<String, String> initial = new LinkedHashMap<>();
      for (int i = 0; i < KEYS; i++) {
        keys.add(prefix + ":" + i);
        initial.put(prefix + ":" + i, "v0-" + i);
      }
      try (RawResp proxy = new RawResp(c.base, 30_000)) {
        initial.forEach((k, v) -> send(proxy, "SET", k, v));
        proxy.flush();
        for (String k : initial.keySet()) {
          assertThat(proxy.read()).as("SET %s", k).isEqualTo("OK");
        }
      }
      initial.forEach(history::initial);
      client = CacheClient.builder().seeds("127.0.0.1:" + c.base).commandTimeout(Duration.ofMillis(1_500))
          .topologyRefreshPeriod(Duration.ofMillis(500)).build();
      threads.add(new Thread(this::writeThroughClient, "load-client-writer"));
      threads.add(new Thread(this::writeThroughProxy, "load-proxy-writer"));
      threads.add(new Thread(this::readThroughClient, "load-client-reader"));
      threads.forEach(Thread::start);
    }

    private static void send(RawResp conn, String... args) {
      try {
        conn.send(args);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    void writeThroughClient() {
      while (running.get()) {
        for (int i = 0; i < keys.size() && running.get(); i += 2) {
          String k = keys.get(i);
          boolean delete = ThreadLocalRandom.current().nextInt(10) == 0;
          String value = "v" + sequence.incrementAndGet();
          long start = System.nanoTime();
          try {
            if (delete) {
              client.delete(k);
              history.deleted(k, start, System.nanoTime());
            } else {
              client.put(k, value);
              history.acknowledged(k, value, start, System.nanoTime());
            }
            acknowledged.incrementAndGet();
          } catch (CacheServerException refused) {
            // an error reply (-TRYAGAIN, -MOVED past the bound): not applied
          } catch (CacheException unknown) {
            if (!delete) {
              history.unknown(k, value, start);
            } else {
              history.deleted(k, start, Long.MAX_VALUE);
            }
          }
        }
      }
    }

    void writeThroughProxy() {
      RawResp conn = null;
      while (running.get()) {
        for (int i = 1; i < keys.size() && running.get(); i += 2) {
          String k = keys.get(i);
          String value = "v" + sequence.incrementAndGet();
          long start = System.nanoTime();
          try {
            if (conn == null) {
              conn = new RawResp(c.base, 3_000);
            }
          } catch (IOException notConnected) {
            hold(50); // the router is away: nothing was sent
            continue;
          }
          try {
            Object reply = conn.call("SET", k, value);
            if ("OK".equals(reply)) {
              history.acknowledged(k, value, start, System.nanoTime());
              acknowledged.incrementAndGet();
            }
          } catch (IOException e) {
            history.unknown(k, value, start);
            conn.close();
            conn = null;
          }
        }
      }
      if (conn != null) {
        conn.close();
      }
    }

    void readThroughClient() {
      while (running.get()) {
        String k = keys.get(ThreadLocalRandom.current().nextInt(keys.size()));
        long start = System.nanoTime();
        try {
          String v = client.get(k);
          history.read(k, v, start, System.nanoTime());
        } catch (CacheException e) {
          // no answer: no read
        }
      }
    }

    void awaitAcknowledged(long n) {
      await(() -> acknowledged.get() >= n, Duration.ofSeconds(30), n + " acknowledged writes (" + acknowledged.get() + ")");
    }

    /** Stops the load, reads every key through the proxy once the cluster is idle, and checks the history. */
    void verify(String what, Predicate<String> mayMiss) throws Exception {
      stop();
      Map<String, Object> last = new HashMap<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      List<String> pending = new ArrayList<>(keys);
      while (!pending.isEmpty() && System.nanoTime() < deadline) {
        long start = System.nanoTime();
        List<String> failed = new ArrayList<>();
        try (RawResp proxy = new RawResp(c.base, 10_000)) {
          pending.forEach(k -> send(proxy, "GET", k));
          proxy.flush();
          for (String k : pending) {
            Object v = proxy.read();
            if (v instanceof RawResp.Err) {
              failed.add(k);
            } else {
              history.read(k, (String) v, start, System.nanoTime());
              last.put(k, v);
            }
          }
        }
        pending = failed;
        if (!pending.isEmpty()) {
          hold(100);
        }
      }
      assertThat(pending).as("keys still failing through the proxy after %s", what).isEmpty();
      List<String> violations = history.violations(mayMiss);
      if (!violations.isEmpty()) {
        throw new AssertionError(what + ": " + violations.size() + " keys read against acknowledged writes, e.g. "
            + violations.subList(0, Math.min(12, violations.size())) + "; topology " + c.topology());
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(30_000);
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop();
      client.close();
    }
  }
}
