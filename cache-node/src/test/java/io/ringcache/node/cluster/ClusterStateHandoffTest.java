package io.ringcache.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.store.Clock;
import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.node.store.Stores;
import io.ringcache.ring.Crc32;
import io.ringcache.ring.Handoff;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.HashRange;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.RingDiff;
import io.ringcache.ring.Topology;
import io.ringcache.ring.Transfer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** Routing while handoffs run, and purge on gain, for the three roles a node plays. */
class ClusterStateHandoffTest {

  private static final String A = "127.0.0.1:7001";
  private static final String B = "127.0.0.1:7002";
  private static final String X = "127.0.0.1:7004";
  private static final List<NodeInfo> BEFORE = List.of(NodeInfo.of(A, 1), NodeInfo.of(B, 1));
  private static final List<NodeInfo> AFTER = List.of(NodeInfo.of(A, 1), NodeInfo.of(B, 1), NodeInfo.of(X, 1));

  /** Runs background work only when asked, so a test can look at the state before a purge ends. */
  private static final class ManualExecutor implements Executor {
    final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      while (!tasks.isEmpty()) {
        tasks.poll().run();
      }
    }
  }

  private final Store store = Stores.packed(64 << 20, Clock.SYSTEM);
  private final ManualExecutor background = new ManualExecutor();

  private static List<Handoff> handoffs(HandoffPhase phase) {
    List<Handoff> handoffs = new ArrayList<>();
    int i = 0;
    for (Map.Entry<Transfer, List<HashRange>> g : RingDiff.between(HashRing.of(BEFORE), HashRing.of(AFTER)).groups().entrySet()) {
      handoffs.add(new Handoff("h" + i++, g.getKey().from(), g.getKey().to(), g.getValue(), phase));
    }
    return handoffs;
  }

  private static int movingHashFrom(String source) {
    HashRing before = HashRing.of(BEFORE);
    HashRing after = HashRing.of(AFTER);
    for (int i = 0; ; i++) {
      int h = Crc32.hash(("k" + i).getBytes(StandardCharsets.UTF_8));
      if (before.ownerOfHash(h).equals(source) && after.ownerOfHash(h).equals(X)) {
        return h;
      }
    }
  }

  /** A target dials its sources when it adopts a topology naming it (ReadThrough.dial): which are they. */
  @Test
  void importSources_areTheSourcesOfTheHandoffsToThisNodeOnly() {
    ClusterState target = new ClusterState(X, X, store, background);
    ClusterState source = new ClusterState(A, A, store, background);
    assertThat(target.importSources()).isEmpty();
    for (ClusterState node : List.of(target, source)) {
      node.adopt(Topology.of(1, BEFORE));
      assertThat(node.importSources()).isEmpty();
      node.adopt(new Topology(2, AFTER, handoffs(HandoffPhase.PREPARED)));
    }

    assertThat(target.importSources()).containsExactlyInAnyOrder(A, B);
    assertThat(source.importSources()).isEmpty();
    target.adopt(new Topology(3, AFTER, List.of()));
    assertThat(target.importSources()).isEmpty();
  }

  @Test
  void route_atTheTarget_isTryAgainUntilActive_thenImport() {
    ClusterState target = new ClusterState(X, X, store, background);
    target.adopt(Topology.of(1, BEFORE));
    int hash = movingHashFrom(A);
    target.adopt(new Topology(2, AFTER, handoffs(HandoffPhase.PREPARED)));
    ClusterState.Route prepared = target.route(hash);
    assertThat(prepared.action()).isEqualTo(ClusterState.Action.TRYAGAIN);
    assertThat(prepared.waitable()).isTrue();
    assertThat(prepared.source()).as("a GET may be answered from the source").isEqualTo(A);
    assertThat(target.route(hash)).as("one route per handoff and view: compared by identity").isSameAs(prepared);
    assertThat(target.route(movingHashFrom(B)).source()).isEqualTo(B);
    target.adopt(new Topology(3, AFTER, handoffs(HandoffPhase.SEALED)));
    assertThat(target.route(hash).action()).isEqualTo(ClusterState.Action.TRYAGAIN);
    assertThat(target.route(hash).source()).isEqualTo(A);
    assertThat(target.route(hash)).as("a new view, a new route").isNotSameAs(prepared);
    target.adopt(new Topology(4, AFTER, handoffs(HandoffPhase.ACTIVE)));
    // gained: answered TRYAGAIN until the purge pass ran, and no source to read at meanwhile
    assertThat(target.route(hash).action()).isEqualTo(ClusterState.Action.TRYAGAIN);
    assertThat(target.route(hash).waitable()).isTrue();
    assertThat(target.route(hash).source()).isNull();
    background.runAll();
    ClusterState.Route route = target.route(hash);
    assertThat(route.action()).isEqualTo(ClusterState.Action.IMPORT);
    assertThat(route.importState().handoff().from()).isEqualTo(A);
    assertThat(route.importState().sourceAddress()).isEqualTo(A);
  }

  @Test
  void adopt_targetAndBystanderGoingFromPreparedStraightToActive_purgeFirstThenImportAndRedirectToTheTarget() {
    // the coordinator pushes SEALED to the sources only: a target and the other nodes go from
    // PREPARED to ACTIVE in one adoption
    ClusterState target = new ClusterState(X, X, store, background);
    Store bystanderStore = Stores.packed(64 << 20, Clock.SYSTEM);
    ClusterState bystander = new ClusterState(B, B, bystanderStore, background);
    target.adopt(Topology.of(1, BEFORE));
    bystander.adopt(Topology.of(1, BEFORE));
    int hash = movingHashFrom(A);
    Key key = keyWithHash(hash);
    store.set(key, "stale".getBytes(StandardCharsets.UTF_8), Store.NO_TTL, false, Store.Condition.ALWAYS);
    target.adopt(new Topology(2, AFTER, handoffs(HandoffPhase.PREPARED)));
    bystander.adopt(new Topology(2, AFTER, handoffs(HandoffPhase.PREPARED)));
    assertThat(bystander.route(hash).error()).isEqualTo("MOVED 2 " + A);
    background.runAll();

    target.adopt(new Topology(4, AFTER, handoffs(HandoffPhase.ACTIVE)));
    bystander.adopt(new Topology(4, AFTER, handoffs(HandoffPhase.ACTIVE)));
    assertThat(target.route(hash).action()).as("gained: held until purged").isEqualTo(ClusterState.Action.TRYAGAIN);
    background.runAll();
    assertThat(store.contains(key)).as("an entry held from before the handoff is not served").isFalse();
    assertThat(target.route(hash).action()).isEqualTo(ClusterState.Action.IMPORT);
    assertThat(target.route(hash).importState().sourceAddress()).isEqualTo(A);
    assertThat(bystander.route(hash).error()).isEqualTo("MOVED 4 " + X);
  }

  @Test
  void route_atTheSource_servesWhilePrepared_thenRedirectsToTheTarget() {
    ClusterState source = new ClusterState(A, A, store, background);
    source.adopt(Topology.of(1, BEFORE));
    int hash = movingHashFrom(A);
    source.adopt(new Topology(2, AFTER, handoffs(HandoffPhase.PREPARED)));
    assertThat(source.route(hash)).isSameAs(ClusterState.Route.SERVE);
    source.adopt(new Topology(3, AFTER, handoffs(HandoffPhase.SEALED)));
    assertThat(source.route(hash).error()).isEqualTo("MOVED 3 " + X);
    assertThat(source.outgoing("h0") != null || source.outgoing("h1") != null).isTrue();
  }

  @Test
  void adopt_sourceWhoseSealedHandoffIsDroppedBeforeActivation_keepsTheRange() {
    ClusterState source = new ClusterState(A, A, store, background);
    source.adopt(Topology.of(1, BEFORE));
    int hash = movingHashFrom(A);
    Key key = keyWithHash(hash);
    store.set(key, "old".getBytes(StandardCharsets.UTF_8), Store.NO_TTL, false, Store.Condition.ALWAYS);
    source.adopt(new Topology(2, AFTER, handoffs(HandoffPhase.SEALED)));
    background.runAll();
    assertThat(store.contains(key)).as("a sealed source keeps entries for streaming").isTrue();

    // the target died before it was activated: nobody else accepted a write for the range, so A's
    // entries are still the newest and A serves them again (ARCHITECTURE, failure table)
    source.adopt(Topology.of(3, List.of(NodeInfo.of(A, 1), NodeInfo.of(B, 1),
        NodeInfo.of(X, 1).withState(io.ringcache.ring.NodeState.EJECTED))));
    background.runAll();
    assertThat(store.contains(key)).as("never served elsewhere: still the newest").isTrue();
    assertThat(source.route(hash)).isSameAs(ClusterState.Route.SERVE);
  }

  @Test
  void adopt_sourceWhoseActiveHandoffIsDropped_dropsTheRangeBeforeServingItAgain() {
    int hash = movingHashFrom(A);
    Key key = keyWithHash(hash);
    ClusterState source = sourceWithAnActiveHandoffOf(key);
    assertThat(store.contains(key)).as("a source keeps entries for streaming").isTrue();

    // the target died after it served the range: writes may have gone to X, so A's copy is stale
    source.adopt(Topology.of(4, List.of(NodeInfo.of(A, 1), NodeInfo.of(B, 1),
        NodeInfo.of(X, 1).withState(io.ringcache.ring.NodeState.EJECTED))));
    assertThat(source.route(hash).action()).isEqualTo(ClusterState.Action.TRYAGAIN);
    background.runAll();
    assertThat(store.contains(key)).as("stale after writes may have gone to X").isFalse();
    assertThat(source.route(hash)).isSameAs(ClusterState.Route.SERVE);
  }

  @Test
  void adopt_sourceThatGetsARangeBackAndHandsItOffAgainBeforeItsPurgeRan_dropsItsStaleCopyBeforeStreaming() {
    int hash = movingHashFrom(A);
    Key key = keyWithHash(hash);
    ClusterState source = sourceWithAnActiveHandoffOf(key); // X serves the range and takes writes

    // a paused A adopts, all at once when it resumes, X's ejection (A gets the range back, stale)
    // and a new join of X, already sealed: A hands the range off again before its purge ran
    source.adopt(Topology.of(4, List.of(NodeInfo.of(A, 1), NodeInfo.of(B, 1),
        NodeInfo.of(X, 1).withState(io.ringcache.ring.NodeState.EJECTED))));
    source.adopt(new Topology(5, AFTER, handoffs(HandoffPhase.SEALED)));
    source.adopt(new Topology(6, AFTER, handoffs(HandoffPhase.ACTIVE)));
    assertThat(source.blocks(hash)).as("not read at this source, nor streamed, until purged").isTrue();
    assertThat(source.purged()).isNotDone();

    background.runAll();
    assertThat(store.contains(key)).as("the copy from before X's writes is stale: never streamed to X again").isFalse();
    assertThat(source.blocks(hash)).isFalse();
    assertThat(source.purged()).isDone();
  }

  /** RING.READ at a source (simulation seed 16676): only for the handoff it holds as source, and not from a copy awaiting its purge. */
  @Test
  void answersReadsFor_onlyAHandoffItHoldsAsSource_andNotWhileTheRangeWaitsForItsPurge() {
    int hash = movingHashFrom(A);
    int keptHash = movingHashFrom(B);
    Key key = keyWithHash(hash);
    ClusterState source = sourceWithAnActiveHandoffOf(key); // X serves the range and takes writes
    String fromA = idOfHandoffFrom(A);
    assertThat(source.answersReadsFor(fromA, hash)).isTrue();
    assertThat(source.answersReadsFor(idOfHandoffFrom(B), keptHash)).as("B's handoff: A is not its source").isFalse();
    assertThat(source.answersReadsFor(idOfHandoffFrom(B), hash)).as("a handoff that does not cover the key").isFalse();
    assertThat(source.answersReadsFor("e9-0", hash)).as("a handoff A does not hold").isFalse();

    // X ejected: A gets the range back, its copy older than X's writes; then X's re-admission, a new handoff
    source.adopt(Topology.of(4, List.of(NodeInfo.of(A, 1), NodeInfo.of(B, 1),
        NodeInfo.of(X, 1).withState(io.ringcache.ring.NodeState.EJECTED))));
    assertThat(source.answersReadsFor(fromA, hash)).as("the handoff is gone").isFalse();
    List<Handoff> readmission = handoffs(HandoffPhase.PREPARED).stream()
        .map(h -> new Handoff("e5-" + h.id(), h.from(), h.to(), h.ranges(), h.phase())).toList();
    source.adopt(new Topology(5, AFTER, readmission));
    assertThat(source.answersReadsFor("e5-" + fromA, hash)).as("the stale copy waits for its purge").isFalse();

    background.runAll();
    assertThat(store.contains(key)).isFalse();
    assertThat(source.answersReadsFor("e5-" + fromA, hash)).as("purged: a miss now, not the stale copy").isTrue();
  }

  private static String idOfHandoffFrom(String node) {
    return handoffs(HandoffPhase.PREPARED).stream().filter(h -> h.from().equals(node)).findFirst().orElseThrow().id();
  }

  @Test
  void adopt_nodeWhoseRangesDoNotChange_doesNotScanOrBlock() {
    ClusterState bystander = new ClusterState(B, B, store, background);
    bystander.adopt(Topology.of(1, List.of(NodeInfo.of(A, 1), NodeInfo.of(B, 1))));
    background.runAll();
    bystander.adopt(Topology.of(2, List.of(NodeInfo.of(A, 1), NodeInfo.of(B, 1).withState(io.ringcache.ring.NodeState.DOWN))));
    assertThat(background.tasks).isEmpty();
    assertThat(bystander.blocks(movingHashFrom(B))).isFalse();
  }

  /** Node A with {@code key} in its store, the source of a handoff of its range to X that is ACTIVE: X serves it. */
  private ClusterState sourceWithAnActiveHandoffOf(Key key) {
    ClusterState source = new ClusterState(A, A, store, background);
    source.adopt(Topology.of(1, BEFORE));
    store.set(key, "old".getBytes(StandardCharsets.UTF_8), Store.NO_TTL, false, Store.Condition.ALWAYS);
    source.adopt(new Topology(2, AFTER, handoffs(HandoffPhase.SEALED)));
    source.adopt(new Topology(3, AFTER, handoffs(HandoffPhase.ACTIVE)));
    background.runAll();
    return source;
  }

  private static Key keyWithHash(int hash) {
    for (int i = 0; ; i++) {
      byte[] bytes = ("k" + i).getBytes(StandardCharsets.UTF_8);
      if (Crc32.hash(bytes) == hash) {
        return Key.of(bytes);
      }
    }
  }
}
