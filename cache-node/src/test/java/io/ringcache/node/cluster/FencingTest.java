package io.ringcache.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.node.store.Clock;
import io.ringcache.node.store.Stores;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.Topology;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Incarnations and leases at the node: what a restarted or paused process may serve. */
class FencingTest {

  private static final String A = "127.0.0.1:7001";
  private static final String B = "127.0.0.1:7002";
  private static final long INCARNATION = 42;
  private static final long LEASE = TimeUnit.SECONDS.toNanos(2);

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private ClusterState node(boolean member) {
    return new ClusterState(A, A, Stores.packed(1 << 20, Clock.SYSTEM), Runnable::run, INCARNATION, member, now::get);
  }

  private static Topology topology(long epoch, long incarnationOfA) {
    return Topology.of(epoch, List.of(new NodeInfo(A, A, 1, NodeState.UP, incarnationOfA), NodeInfo.of(B, 1)));
  }

  @Test
  void route_memberNotYetAdmitted_isTryAgain() {
    ClusterState member = node(true);
    assertThat(member.isStandalone()).isFalse();
    assertThat(member.route(7).error()).startsWith("TRYAGAIN this node has not been admitted");
  }

  @Test
  void adopt_topologyNamingAnotherIncarnation_isRefused() {
    ClusterState member = node(true);
    assertThatThrownBy(() -> member.adopt(topology(5, 41), 0)).isInstanceOf(ClusterState.StaleIncarnationException.class);
    assertThatThrownBy(() -> member.adopt(topology(5, INCARNATION), 41)).isInstanceOf(ClusterState.StaleIncarnationException.class);
    assertThat(member.epoch()).isZero();
  }

  @Test
  void adopt_memberGivenATopologyThatDoesNotNameIt_isRefused() {
    ClusterState member = node(true);
    assertThatThrownBy(() -> member.adopt(topology(5, 0), 0)).isInstanceOf(ClusterState.StaleIncarnationException.class);
    assertThat(member.adopt(topology(5, INCARNATION), INCARNATION)).isEqualTo(5);
  }

  @Test
  void flush_ofAMemberThatLeftAnotherCluster_letsItAdoptItsNewRoutersTopology_whateverTheEpochs() {
    ClusterState member = node(true);
    member.adopt(topology(7, INCARNATION), INCARNATION);
    // it left that cluster: its router's last topology does not list it
    member.adopt(Topology.of(8, List.of(NodeInfo.of(B, 1))), INCARNATION);
    assertThat(member.epoch()).isEqualTo(8);

    // another cluster's router adds it: RING.FLUSH, then its topology, at an epoch of its own
    member.flush();
    assertThat(member.epoch()).as("after the flush").isZero();
    assertThat(member.route(7).error()).startsWith("TRYAGAIN this node has not been admitted");
    assertThat(member.adopt(topology(3, INCARNATION), INCARNATION)).isEqualTo(3);
    assertThat(member.topology().node(A)).isPresent();
  }

  @Test
  void flush_ofAStandaloneNode_keepsItsTopology() {
    ClusterState standalone = node(false);
    standalone.adopt(topology(5, 0), 0);
    standalone.flush();
    assertThat(standalone.epoch()).isEqualTo(5);
  }

  @Test
  void adopt_standaloneNodeGivenATopologyWithoutIncarnations_adoptsIt() {
    ClusterState standalone = node(false);
    assertThat(standalone.adopt(topology(5, 0), 0)).isEqualTo(5);
  }

  @Test
  void heartbeat_firstOnAConnection_grantsNoLease_theSecondIsAnchoredAtTheFirstAnswer() {
    ClusterState member = node(true);
    member.adopt(topology(5, INCARNATION), INCARNATION);
    assertThat(member.heartbeat(INCARNATION, LEASE, false, 0)).isFalse();
    long firstAnswer = now.get();
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
    assertThat(member.heartbeat(INCARNATION, LEASE, true, firstAnswer)).isTrue();
    assertThat(member.route(7).action()).isNotEqualTo(ClusterState.Action.TRYAGAIN);
    // the lease runs from the first answer, not from when the second heartbeat was read
    now.set(firstAnswer + LEASE - 1);
    assertThat(member.leaseValid()).isTrue();
    now.set(firstAnswer + LEASE);
    assertThat(member.leaseValid()).isFalse();
    assertThat(member.route(7).error()).startsWith("TRYAGAIN this node's lease expired");
  }

  @Test
  void heartbeat_forAnotherIncarnation_renewsNothing() {
    ClusterState member = node(true);
    member.adopt(topology(5, INCARNATION), INCARNATION);
    assertThat(member.heartbeat(41, LEASE, true, now.get())).isFalse();
    assertThat(member.leaseValid()).isFalse();
  }

  @Test
  void heartbeat_olderAnchor_neverShortensTheLease() {
    ClusterState member = node(true);
    member.adopt(topology(5, INCARNATION), INCARNATION);
    long t0 = now.get();
    member.heartbeat(INCARNATION, LEASE, true, t0 + 100);
    member.heartbeat(INCARNATION, LEASE, true, t0);
    now.set(t0 + LEASE + 50);
    assertThat(member.leaseValid()).isTrue();
  }

  @Test
  void route_standaloneNodeNeverLeased_servesWithoutALease() {
    ClusterState standalone = node(false);
    standalone.adopt(topology(5, 0), 0);
    now.addAndGet(TimeUnit.HOURS.toNanos(1));
    assertThat(standalone.leaseValid()).isTrue();
  }
}
