package io.ringcache.router.control;

import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The parts of the control plane, wired: one TopologyStore, three NodePools (each a NodeControl of
 * its own, so that a slow scale-event call never delays a heartbeat or an admin read), one
 * ScaleCoordinator on ControlRuntime.threads(), one HealthChecker. The router's entry point builds
 * it, starts it in two steps around the proxy port (the topology is pushed before clients are
 * served; health checks start after), and closes it; the admin API reads and asks through it.
 */

/** The router's control plane: topology store, scale coordinator and health checker, started and stopped as one. */
public final class ControlPlane implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  private final TopologyStore store;
  private final NodePool pool;
  /** The admin API's reads of a node (DBSIZE, INFO), with the health checks' timeout. */
  private final NodePool probePool;
  /** Heartbeats only: one caller per node, so each node's heartbeats share one connection (lease anchors stay fresh). */
  private final NodePool heartbeatPool;
  private final ScaleCoordinator coordinator;
  private final HealthChecker health;

  private ControlPlane(Path dataDir, Topology initial, String password, String clusterSecret, SSLSocketFactory nodeTls,
      Duration healthInterval, int healthMisses, Duration lease) {
    this.store = TopologyStore.open(dataDir, initial);
    this.pool = new NodePool(password, clusterSecret, Duration.ofSeconds(2), nodeTls);
    this.probePool = new NodePool(password, clusterSecret, healthInterval, nodeTls);
    this.coordinator = new ScaleCoordinator(store, pool);
    this.heartbeatPool = new NodePool(password, clusterSecret, healthInterval, nodeTls);
    this.health = new HealthChecker(store, heartbeatPool, pool, coordinator, healthInterval, healthMisses, lease,
        System::nanoTime);
  }

  /**
   * Opens the control plane on the topology persisted in {@code dataDir}, or, when there is none, on
   * a new cluster's: {@code initialNodes} at epoch 1, hashing keys with {@code hashTag}. Nothing is
   * dialled yet.
   *
   * @param nodeTls dials nodes with TLS; null for plaintext
   * @throws IllegalStateException if the persisted topology's hash tag is not {@code hashTag}: a
   *     cluster's placement cannot change
   */
  public static ControlPlane open(Path dataDir, List<NodeInfo> initialNodes, String hashTag, String password,
      String clusterSecret, SSLSocketFactory nodeTls, Duration healthInterval, int healthMisses, Duration lease) {
    Topology initial = TopologyStore.load(dataDir)
        .or(() -> heldByTheNodes(initialNodes, password, clusterSecret, nodeTls, healthInterval))
        .orElseGet(() -> Topology.of(1, initialNodes).withHashTag(hashTag));
    if (!java.util.Objects.equals(initial.hashTag(), hashTag)) {
      // the stored keys were placed by the persisted setting: another would move them silently
      throw new io.ringcache.resp.net.StartFailure("hash-tag " + (hashTag == null ? "(none)" : hashTag)
          + " differs from the persisted topology's " + (initial.hashTag() == null ? "(none)" : initial.hashTag())
          + " in " + dataDir + ": a cluster's placement cannot change; start with --hash-tag "
          + (initial.hashTag() == null ? "unset" : initial.hashTag()) + ", or with an empty data directory for a new cluster", null);
    }
    return new ControlPlane(dataDir, initial, password, clusterSecret, nodeTls, healthInterval, healthMisses, lease);
  }

  /**
   * How far past the highest epoch the listed nodes hold a router adopts theirs (see {@link
   * #heldByTheNodes}): a node that does not answer may hold a few epochs more, written by the router
   * before, and an epoch is never to name two different topologies.
   */
  static final long ADOPTION_EPOCH_GAP = 1024;

  /**
   * The topology the cluster follows, when a router starts without one (its data directory lost,
   * or a new router for nodes that already serve): the newest that the listed nodes that answer
   * hold and are members of, at {@link #ADOPTION_EPOCH_GAP} epochs past it; empty when none holds
   * one (a new cluster's nodes, or none answers). A router that started on its {@code --node} list instead
   * would push epochs the nodes refuse as old while renewing their leases, its health marks would
   * raise its epoch past theirs, and the nodes would then adopt its ring without the members it
   * never knew, dropping their keys.
   */
  private static java.util.Optional<Topology> heldByTheNodes(List<NodeInfo> listed, String password, String clusterSecret,
      SSLSocketFactory nodeTls, Duration timeout) {
    Topology newest = null;
    String from = null;
    try (NodePool nodes = new NodePool(password, clusterSecret, timeout, nodeTls)) {
      for (NodeInfo n : listed) {
        try {
          Topology held = nodes.topology(n.address());
          // a node's own cluster only: one that left a cluster still holds that cluster's last
          // topology, without itself, and adopting it would drive another router's nodes
          if (held.epoch() > 0 && held.node(n.name()).isPresent() && (newest == null || held.epoch() > newest.epoch())) {
            newest = held;
            from = n.name();
          }
        } catch (IOException | RuntimeException e) {
          log.debug("node {} does not say which topology it holds: {}", n.name(), e.getMessage());
        }
      }
    }
    if (newest == null) {
      return java.util.Optional.empty();
    }
    Topology adopted = new Topology(newest.epoch() + ADOPTION_EPOCH_GAP, newest.nodes(), newest.handoffs(), newest.hashTag());
    log.warn("no persisted topology, but node {} holds the cluster's at epoch {} ({}, {} handoff(s)): this router's data"
        + " directory is new or was lost; adopting that topology as epoch {} instead of starting a new cluster on the"
        + " --node list",
        from, newest.epoch(), Describe.topology(newest), newest.handoffs().size(), adopted.epoch());
    return java.util.Optional.of(adopted);
  }

  /**
   * Brings the nodes up to date: resumes the handoffs the persisted topology lists, or else records
   * the incarnations of the listed nodes that answer and pushes the topology to every node.
   */
  public void start() {
    Topology t = store.current();
    if (!t.handoffs().isEmpty()) {
      log.info("resuming {} handoff(s) from the persisted topology", t.handoffs().size());
      coordinator.resume();
    } else {
      coordinator.pushAll(admitListedNodes());
    }
  }

  /** Starts the periodic health checks (leases, ejection, re-admission). */
  public void startHealthChecks() {
    health.start();
  }

  /**
   * Records the incarnation of every listed node that answers and was never seen (a first start),
   * in one topology change, so that the first push already names each process; a node that does
   * not answer yet is admitted by the health checker when it does.
   */
  private Topology admitListedNodes() {
    Map<String, Long> seen = new LinkedHashMap<>();
    for (NodeInfo n : store.current().nodes()) {
      if (n.incarnation() == 0) {
        try {
          seen.put(n.name(), heartbeatPool.heartbeat(n.name(), n.address(), 0, 0).incarnation());
        } catch (IOException | RuntimeException e) {
          log.debug("node {} does not answer yet: {}", n.name(), e.getMessage());
        }
      }
    }
    if (seen.isEmpty()) {
      return store.current();
    }
    Topology t = store.update(cur -> cur.next(cur.nodes().stream()
        .map(n -> n.incarnation() == 0 && seen.containsKey(n.name()) ? n.withIncarnation(seen.get(n.name())) : n)
        .toList(), cur.handoffs()));
    log.info("admitted {} at epoch {}", seen.keySet(), t.epoch());
    return t;
  }

  /** The current topology. */
  public Topology topology() {
    return store.current();
  }

  /** Runs the scale events: joins, leaves and weight changes are asked of it. */
  public ScaleCoordinator coordinator() {
    return coordinator;
  }

  /** The scale events, newest first. */
  public List<ScaleEvent> events() {
    return coordinator.history();
  }

  /** What the last health checks of node {@code name} found; null before its first. */
  public HealthChecker.Health health(String name) {
    return health.healthOf(name);
  }

  /** How many keys the node at {@code address} holds. */
  public long keyCount(String address) throws IOException {
    return probePool.keyCount(address);
  }

  /** The bytes the store of the node at {@code address} uses; null if it reports none. */
  public Long usedMemory(String address) throws IOException {
    return probePool.usedMemory(address);
  }

  /** Stops the health checks and the scale events (a running one resumes at the next start), then the connections. */
  @Override
  public void close() {
    health.close();
    coordinator.close();
    pool.close();
    probePool.close();
    heartbeatPool.close();
  }
}
