package io.ringcache.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SystemClockTest {

  @Test
  void wallOffset_ofANewClock_mapsTheMonotonicClockToTheWallClockWithinTheStepThreshold() {
    SystemClock clock = new SystemClock();
    long before = System.nanoTime();
    long wall = clock.currentTimeNanos();
    long after = System.nanoTime();
    // the true offset lies in [wall - after, wall - before]; the sample may err by its spread
    assertThat(clock.wallOffsetNanos())
        .isBetween(wall - after - SystemClock.STEP_THRESHOLD, wall - before + SystemClock.STEP_THRESHOLD);
  }

  @Test
  void resync_withoutAStepOfTheWallClock_keepsTheOffsetAsIs() {
    SystemClock clock = new SystemClock();
    long offset = clock.wallOffsetNanos();
    for (int i = 0; i < 100; i++) {
      assertThat(clock.resync()).isZero();
    }
    assertThat(clock.wallOffsetNanos()).isEqualTo(offset);
  }
}
