package io.ringcache.router.control;

import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import io.ringcache.testkit.core.Await;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The health checker's rounds on their real timer and probe threads, with a topology store whose
 * writes can hang, as on a frozen or stalled disk.
 */
class HealthRoundsTest {

  /**
   * A node stops answering; its DOWN mark is a topology write, and the disk holds it. The other
   * node's lease must still be renewed: rounds used to wait for every check, so that one write held
   * every renewal, and on a frozen file system (fsfreeze) every healthy node answered -TRYAGAIN
   * once its lease ran out.
   */
  @Test
  void aCheckHeldByAHungTopologyWrite_neverStopsTheOtherNodesRenewals() throws Exception {
    AtomicBoolean diskHangs = new AtomicBoolean();
    CountDownLatch diskBack = new CountDownLatch(1);
    AtomicBoolean writeHeld = new AtomicBoolean();
    TopologyStore store = TopologyStore.inMemory(
        Topology.of(1, List.of(NodeInfo.of("a:1", 1).withIncarnation(11), NodeInfo.of("b:1", 1).withIncarnation(22))),
        () -> {
          if (diskHangs.get()) {
            writeHeld.set(true);
            try {
              diskBack.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return false;
        });
    AtomicInteger beatsOfA = new AtomicInteger();
    Nodes nodes = new Nodes(beatsOfA);
    ScaleCoordinator coordinator = new ScaleCoordinator(store, nodes);
    HealthChecker health = new HealthChecker(store, nodes, coordinator, Duration.ofMillis(50), 3, Duration.ofSeconds(3));
    try {
      health.start();
      Await.until(() -> beatsOfA.get() >= 3, Duration.ofSeconds(10), "a renewed");
      diskHangs.set(true);
      nodes.bSilent.set(true); // b's third miss marks it DOWN: a write the disk holds
      Await.until(writeHeld::get, Duration.ofSeconds(10), "b's DOWN mark held by the disk");
      int before = beatsOfA.get();
      Await.until(() -> beatsOfA.get() >= before + 10, Duration.ofSeconds(10),
          "ten more renewals of a while the write of b's DOWN mark hangs");
    } finally {
      diskBack.countDown();
      health.close();
      coordinator.close();
    }
  }

  /** a:1 answers every heartbeat as its own process with a lease; b:1 times out once silent. */
  private static final class Nodes implements NodeControl {
    final AtomicBoolean bSilent = new AtomicBoolean();
    private final AtomicInteger beatsOfA;

    Nodes(AtomicInteger beatsOfA) {
      this.beatsOfA = beatsOfA;
    }

    @Override
    public Heartbeat heartbeat(String name, String address, long incarnation, long leaseMillis) throws IOException {
      if (name.equals("b:1")) {
        if (bSilent.get()) {
          throw new SocketTimeoutException("Read timed out");
        }
        return new Heartbeat(1, 22, true, leaseMillis);
      }
      beatsOfA.incrementAndGet();
      return new Heartbeat(1, 11, true, leaseMillis);
    }

    @Override
    public Probe probe(String proberAddress, String name, String address, long timeoutMillis) {
      if (name.equals("b:1")) {
        return bSilent.get() ? new Probe(Reach.SILENT, 0, "no answer") : new Probe(Reach.ANSWERED, 22, "");
      }
      return new Probe(Reach.ANSWERED, 11, "");
    }

    @Override
    public long push(String address, Topology topology, long incarnation) {
      return topology.epoch();
    }

    @Override
    public long stream(String address, String id) {
      return 0;
    }

    @Override
    public long[] progress(String address, String id) {
      return new long[] {0, 0};
    }

    @Override
    public void flush(String name, String address) {}

    @Override
    public long keyCount(String address) {
      return 0;
    }

    @Override
    public Long usedMemory(String address) {
      return null;
    }

    @Override
    public void discard(String address) {}
  }
}
