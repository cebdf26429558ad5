package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Runs the deterministic simulation (see Simulation) over many seeds. By default seeds 1..N with N
 * from {@code -Dsim.seeds} (CI's budget, see docs/operations.md); {@code -Dsim.seed=S} replays one
 * seed with its event log; {@code -Dsim.first=F} starts elsewhere for long runs.
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
  void simulation_manySeeds_keepEveryInvariant() {
    String one = System.getProperty("sim.seed");
    long first = one != null ? Long.parseLong(one) : Long.getLong("sim.first", 1);
    long count = one != null ? 1 : Long.getLong("sim.seeds", 100);
    int seconds = Integer.getInteger("sim.seconds", 60);
    long started = System.nanoTime();
    long acknowledged = 0;
    long reads = 0;
    // -Dsim.budget=SECONDS: stop starting seeds once that much wall time has passed (a long run)
    long budgetNanos = TimeUnit.SECONDS.toNanos(Long.getLong("sim.budget", Long.MAX_VALUE / 2_000_000_000L));
    long ran = 0;
    for (long seed = first; seed < first + count && System.nanoTime() - started < budgetNanos; seed++, ran++) {
      Simulation sim = new Simulation(seed);
      try {
        sim.run(seconds);
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError("seed " + seed + " threw " + e + " (replay: mvn -pl cache-router -am verify"
            + " -Dtest=SimulationTest -Dsim.seed=" + seed + ")\n" + sim.describe(), e);
      }
      assertThat(sim.history.violations)
          .as("seed %s (replay: -Dtest=SimulationTest -Dsim.seed=%s)%n%s", seed, seed, sim.describe())
          .isEmpty();
      acknowledged += sim.history.acknowledged;
      reads += sim.history.reads;
    }
    System.out.printf("simulation: %d seeds from %d, %d s of virtual time each, %d writes acknowledged, %d reads checked, in %.1f s%n",
        ran, first, seconds, acknowledged, reads, (System.nanoTime() - started) / 1e9);
  }
}
