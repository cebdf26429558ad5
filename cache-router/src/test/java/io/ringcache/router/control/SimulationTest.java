package io.ringcache.router.control;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Runs the deterministic simulation (see Simulation) over many seeds, one per core at a time. By
 * default seeds 1..2000 within 150 s of wall time (CI's budget, see docs/testing.md):
 * {@code -Dsim.seeds=N} and {@code -Dsim.budget=SECONDS} change them, {@code -Dsim.first=F} starts
 * elsewhere for long runs, {@code -Dsim.seed=S} replays one seed (with {@code -Dsim.log=true}, its
 * event log). A seed's run depends on nothing but the seed, whichever thread runs it.
 */
class SimulationTest {

  private static final Logger ROOT = (Logger) LoggerFactory.getLogger("io.ringcache");
  private static Level before;

  @BeforeAll
  static void quiet() {
    before = ROOT.getLevel();
    // thousands of runs: the control plane's own logs would drown everything, unless asked for (one seed)
    ROOT.setLevel(Boolean.getBoolean("sim.log") ? Level.DEBUG : Level.OFF);
  }

  @AfterAll
  static void restore() {
    ROOT.setLevel(before);
  }

  @Test
  void simulation_manySeeds_keepEveryInvariant() throws InterruptedException {
    String one = System.getProperty("sim.seed");
    long first = one != null ? Long.parseLong(one) : Long.getLong("sim.first", 1);
    long count = one != null ? 1 : Long.getLong("sim.seeds", 2_000);
    int seconds = Integer.getInteger("sim.seconds", 60);
    // -Dsim.budget=SECONDS: stop starting seeds once that much wall time has passed
    long budgetNanos = TimeUnit.SECONDS.toNanos(Long.getLong("sim.budget", 150));
    // each seed is a world of its own on one thread: seeds run side by side, one per core
    int threads = Integer.getInteger("sim.threads", Runtime.getRuntime().availableProcessors());
    long started = System.nanoTime();
    AtomicLong next = new AtomicLong(first);
    AtomicLong ran = new AtomicLong();
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    AtomicLong sourceReads = new AtomicLong();
    AtomicLong routerPauses = new AtomicLong();
    AtomicLong routerHeld = new AtomicLong();
    AtomicLong correlated = new AtomicLong();
    AtomicLong diskFulls = new AtomicLong();
    AtomicLong partitions = new AtomicLong();
    AtomicLong refusals = new AtomicLong();
    ConcurrentSkipListMap<Long, AssertionError> failures = new ConcurrentSkipListMap<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        long seed;
        while (failures.isEmpty() && System.nanoTime() - started < budgetNanos
            && (seed = next.getAndIncrement()) < first + count) {
          Simulation sim = new Simulation(seed);
          try {
            sim.run(seconds);
          } catch (RuntimeException | AssertionError e) {
            failures.put(seed, new AssertionError("seed " + seed + " threw " + e + " (replay: mvn -pl cache-router -am test"
                + " -Dtest=SimulationTest -Dsim.seed=" + seed + ")\n" + sim.describe(), e));
            return;
          }
          if (!sim.history.violations.isEmpty()) {
            failures.put(seed, new AssertionError("seed " + seed + " (replay: -Dtest=SimulationTest -Dsim.seed=" + seed + ")\n"
                + String.join("\n", sim.history.violations) + "\n" + sim.describe()));
            return;
          }
          ran.incrementAndGet();
          acknowledged.addAndGet(sim.history.acknowledged);
          reads.addAndGet(sim.history.reads);
          sourceReads.addAndGet(sim.history.sourceReads);
          routerPauses.addAndGet(sim.routerPauses);
          routerHeld.addAndGet(sim.routerHeld);
          correlated.addAndGet(sim.correlated);
          diskFulls.addAndGet(sim.diskFulls);
          partitions.addAndGet(sim.partitions);
          refusals.addAndGet(sim.refusals);
        }
      }, "simulation-" + t);
      worker.start();
      workers.add(worker);
    }
    for (Thread worker : workers) {
      worker.join();
    }
    System.out.printf("simulation: %d seeds passed from %d (%d asked, %d s budget, %d threads), %d s of virtual time each,"
        + " %d writes acknowledged, %d reads checked (%d of them answered from a source before the activation),"
        + " %d router pauses (%d calls or waits of the router held by one), %d faults of two nodes at once, %d full disks at the router, %d partitions, %d refused links, in %.1f s%n",
        ran.get(), first, count, TimeUnit.NANOSECONDS.toSeconds(budgetNanos), threads, seconds, acknowledged.get(), reads.get(),
        sourceReads.get(), routerPauses.get(), routerHeld.get(), correlated.get(), diskFulls.get(),
        partitions.get(), refusals.get(), (System.nanoTime() - started) / 1e9);
    if (!failures.isEmpty()) {
      throw failures.firstEntry().getValue(); // the lowest failing seed (others may have failed too)
    }
    assertThat(ran.get()).as("seeds run").isPositive();
  }
}
