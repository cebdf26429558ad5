package io.ringcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.ring.Handoff;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.HashRange;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.RingDiff;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import io.ringcache.ring.Transfer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/*
 * A GET at the target of a handoff that is PREPARED or SEALED there (it will import the key's range
 * but does not serve it yet) is answered from the handoff's source (RING.READ), not stored, instead
 * of waiting for the activation; a source that does not answer (paused with SIGSTOP, killed) gives
 * -TRYAGAIN after the usual wait, never a miss. Two real node processes (bin/cache-node --cluster);
 * the test plays the router by hand: heartbeats for the leases, RING.SETTOPOLOGY for each phase, so
 * a phase lasts as long as the test wants (no router would hold one for seconds).
 */
class ReadBeforeActivationIT {

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;
  private FaultCluster c;
  private String s;
  private String t;
  private RawResp source;
  private RawResp target;
  private long sourceIncarnation;
  private long targetIncarnation;
  private List<NodeInfo> after;
  private List<Handoff> handoffs;
  /** Keys of the moving range, set to "old" at the source before the handoff. */
  private final List<String> moving = new ArrayList<>();

  @BeforeEach
  void up() throws IOException {
    c = new FaultCluster(dir);
    List<String> names = c.startNodes(List.of(1, 2));
    s = names.get(0);
    t = names.get(1);
    source = new RawResp(c.port(s), 10_000);
    target = new RawResp(c.port(t), 10_000);
    sourceIncarnation = lease(source, 60_000);
    targetIncarnation = lease(target, 60_000);
    push(source, Topology.of(1, List.of(new NodeInfo(s, s, 1, NodeState.UP, sourceIncarnation))), sourceIncarnation);
    after = List.of(new NodeInfo(s, s, 1, NodeState.UP, sourceIncarnation), new NodeInfo(t, t, 1, NodeState.UP, targetIncarnation));
    handoffs = new ArrayList<>();
    for (Map.Entry<Transfer, List<HashRange>> g : RingDiff.between(HashRing.of(List.of(NodeInfo.of(s, 1))),
        HashRing.of(after)).groups().entrySet()) {
      handoffs.add(new Handoff("h" + handoffs.size(), g.getKey().from(), g.getKey().to(), g.getValue(), HandoffPhase.PREPARED));
    }
    assertThat(handoffs).hasSize(1);
    for (int i = 0; moving.size() < 3; i++) {
      String key = "k" + i;
      if (HashRing.of(after).ownerOf(key.getBytes(StandardCharsets.UTF_8)).equals(t)) {
        assertThat(source.call("SET", key, "old")).isEqualTo("OK");
        moving.add(key);
      }
    }
  }

  @AfterEach
  void down() {
    try {
      source.close();
      target.close();
    } finally {
      c.close(); // SIGCONT, then kill, every process it started
    }
  }

  @Test
  void getAtAPreparedOrSealedTarget_isAnsweredFromTheSource_andNothingIsStoredThere() throws IOException {
    String key = moving.get(0);
    String absent = moving.get(1);
    assertThat(source.call("DEL", absent)).isEqualTo(1L);
    pushToBoth(phase(2, HandoffPhase.PREPARED));

    long start = System.nanoTime();
    long dialFailures = firstRead(target, key);
    long micros = (System.nanoTime() - start) / 1_000;
    assertThat(target.call("GET", absent)).as("absent at the source").isNull();
    // PREPARED: the source still serves the range, and its newest value is what the target answers
    assertThat(source.call("SET", key, "new")).isEqualTo("OK");
    assertThat(target.call("GET", key)).as("not a copy stored at the first read").isEqualTo("new");
    assertThat(target.call("DBSIZE")).as("the target stores nothing before its activation").isEqualTo(0L);
    assertThat(target.call("RING.READ", key)).isNull();

    // SEALED (pushed to the source alone, as the router does): the source redirects, the target reads it
    push(source, phase(3, HandoffPhase.SEALED), sourceIncarnation);
    assertThat(source.call("GET", key)).isEqualTo(new RawResp.Err("MOVED 3 " + t));
    assertThat(target.call("GET", key)).isEqualTo("new");
    push(target, phase(3, HandoffPhase.SEALED), targetIncarnation);
    assertThat(target.call("GET", key)).isEqualTo("new");
    assertThat(target.call("GET", absent)).isNull();
    assertThat(target.call("DBSIZE")).isEqualTo(0L);
    // writes and read-modify-writes still wait for the activation (then -TRYAGAIN: nothing activates here)
    assertThat(target.call("INCR", moving.get(2))).asString().startsWith("-TRYAGAIN range moving");
    assertThat(target.call("SET", key, "x")).asString().startsWith("-TRYAGAIN range moving");
    assertThat(source.call("GET", key)).isEqualTo(new RawResp.Err("MOVED 3 " + t));
    assertThat(target.call("GET", key)).isEqualTo("new");
    assertThat((String) target.call("INFO", "ring")).contains("ring_source_reads:7", "ring_source_read_failures:" + dialFailures);
    System.out.printf("first GET at the prepared target: %d us%n", micros);

    // activated: the import path reads it through and keeps it, as before
    pushToBoth(phase(4, HandoffPhase.ACTIVE));
    assertThat(target.call("GET", key)).isEqualTo("new");
    assertThat(target.call("DBSIZE")).isEqualTo(1L);
  }

  @Test
  void sourcePausedOrKilledMidRead_getsTryAgain_neverAMiss() throws Exception {
    String key = moving.get(0);
    pushToBoth(phase(2, HandoffPhase.PREPARED));
    long dialFailures = firstRead(target, key);

    c.stop(s); // its kernel takes the RING.READ; the process answers it only after SIGCONT
    long start = System.nanoTime();
    assertThat(target.call("GET", key)).asString().startsWith("-TRYAGAIN range moving");
    long waited = (System.nanoTime() - start) / 1_000_000;
    assertThat(waited).as("the read timed out, then the GET waited for the range as before").isGreaterThanOrEqualTo(700);
    assertThat((String) target.call("INFO", "ring")).contains("ring_source_read_failures:" + (dialFailures + 1));
    c.cont(s);
    // the source's late answer to the abandoned read is not taken for the next one's
    assertThat(source.call("SET", key, "after the pause")).isEqualTo("OK");
    assertThat(target.call("GET", key)).isEqualTo("after the pause");
    assertThat(target.call("DBSIZE")).isEqualTo(0L);

    c.kill9(s);
    assertThat(target.call("GET", key)).as("a source that is gone is not a miss").asString().startsWith("-TRYAGAIN range moving");
    assertThat((String) target.call("INFO", "ring")).contains("ring_source_read_failures:" + (dialFailures + 2));
  }

  @Test
  void targetWhoseLeaseExpired_answersTryAgain_withoutReadingTheSource() throws Exception {
    String key = moving.get(0);
    push(source, phase(2, HandoffPhase.PREPARED), sourceIncarnation);
    // the fixture's target holds a 60 s lease, which only grows: start it again, leased for 6 s
    c.kill9(t);
    String again = c.startNode(2);
    try (RawResp fresh = new RawResp(c.port(again), 10_000)) {
      long incarnation = lease(fresh, 6_000);
      List<NodeInfo> nodes = List.of(after.get(0), new NodeInfo(again, again, 1, NodeState.UP, incarnation));
      push(fresh, new Topology(2, nodes, handoffs), incarnation);
      lease(fresh, 6_000); // from now: the first push may have taken a while on a loaded machine
      firstRead(fresh, key);
      FaultCluster.hold(6_300);
      assertThat(fresh.call("GET", key)).asString().startsWith("-TRYAGAIN this node's lease expired");
      String info = (String) fresh.call("INFO", "ring");
      long reads = Long.parseLong(info.replaceAll("(?s).*ring_source_reads:(\\d+).*", "$1"));
      assertThat(reads).as("one GET answered from the source, none after the lease ran out").isEqualTo(1L);
    }
  }

  /**
   * Simulation seed 16676, with real processes: the source handed the range to the target, which took
   * a write and was killed -9; the router gave the range back to the source (a push the source never
   * got: cut off from the router), then re-admitted the target's new process with a new handoff
   * from the source. The re-admitted target, PREPARED, read the key at the source, which still held
   * its copy from before the first handoff and answered it: a value older than one acknowledged
   * (the allowed answers are that write, or a miss: it was lost with the killed target). The source
   * now answers only while it holds the handoff the read names; once it has adopted it, the range it
   * got back is purged first, and the read is a miss.
   */
  @Test
  void sourceThatHasNotAdoptedTheHandoff_doesNotAnswerFromItsStaleCopy() throws Exception {
    String key = moving.get(0);
    // epoch 2: the range streams to the target, which serves it and takes a write; the source keeps "old"
    pushToBoth(new Topology(2, after, handoffs.stream().map(h -> h.withPhase(HandoffPhase.STREAMING)).toList()));
    assertThat(target.call("SET", key, "new")).isEqualTo("OK");
    assertThat(source.call("RING.READ", key)).as("the source's copy").isEqualTo(List.of("old", -1L));

    c.kill9(t);
    // epoch 3 (the range back at the source) never reaches it; epoch 4 re-admits the target's new process
    String again = c.startNode(2);
    try (RawResp fresh = new RawResp(c.port(again), 10_000)) {
      long incarnation = lease(fresh, 60_000);
      List<NodeInfo> nodes = List.of(after.get(0), new NodeInfo(again, again, 1, NodeState.UP, incarnation));
      List<Handoff> readmission = handoffs.stream()
          .map(h -> new Handoff("e4-0", h.from(), again, h.ranges(), HandoffPhase.PREPARED)).toList();
      Topology four = new Topology(4, nodes, readmission);
      push(fresh, four, incarnation);
      for (int i = 0; i < 3; i++) {
        assertThat(fresh.call("GET", key)).as("the source holds no handoff e4-0: not read").asString()
            .startsWith("-TRYAGAIN range moving");
      }
      assertThat(source.call("RING.READ", key, s, "e4-0")).asString()
          .startsWith("-TRYAGAIN not the source of handoff e4-0 for this key at epoch 2");

      push(source, four, sourceIncarnation); // it gets the range back: its copy is purged before it is read
      Object read = "none yet";
      for (int i = 0; i < 5 && read != null; i++) {
        read = fresh.call("GET", key);
        assertThat(read).as("never the stale copy").isNotEqualTo("old");
        if (read != null) {
          assertThat(read).asString().as("a read that failed (its purge, a slow dial)").startsWith("-TRYAGAIN range moving");
        }
      }
      assertThat(read).as("a miss: the write was lost with the killed target").isNull();
      assertThat(source.call("RING.READ", key, s, "e4-0")).isNull();
    }
  }

  /**
   * The first GET of {@code key} ("old" at the source) at a target that will import it: its read dials
   * the source from a process that never did, which on a loaded machine can take more than the read's
   * 200 ms; the GET then waits and gets -TRYAGAIN (never a miss), so it is tried again, a few times.
   *
   * @return how many tries failed so
   */
  private static long firstRead(RawResp conn, String key) throws IOException {
    for (int failed = 0; failed < 5; failed++) {
      Object answer = conn.call("GET", key);
      if ("old".equals(answer)) {
        return failed;
      }
      assertThat(answer).asString().as("before the source was first reached").startsWith("-TRYAGAIN range moving");
    }
    throw new AssertionError("the target never read " + key + " at the source");
  }

  /** Two heartbeats on {@code conn} (the first tells the incarnation, the second is anchored): a lease of {@code millis}. */
  private static long lease(RawResp conn, long millis) throws IOException {
    List<?> first = (List<?>) conn.call("RING.HEARTBEAT", "0", Long.toString(millis));
    long incarnation = (Long) first.get(1);
    List<?> second = (List<?>) conn.call("RING.HEARTBEAT", Long.toString(incarnation), Long.toString(millis));
    assertThat((Long) second.get(3)).as("lease granted").isPositive();
    return incarnation;
  }

  private Topology phase(long epoch, HandoffPhase phase) {
    return new Topology(epoch, after, handoffs.stream().map(h -> h.withPhase(phase)).toList());
  }

  private void pushToBoth(Topology topology) throws IOException {
    push(source, topology, sourceIncarnation);
    push(target, topology, targetIncarnation);
  }

  private static void push(RawResp conn, Topology topology, long incarnation) throws IOException {
    assertThat(conn.call("RING.SETTOPOLOGY", TopologyJson.write(topology), Long.toString(incarnation))).isEqualTo(topology.epoch());
  }
}
