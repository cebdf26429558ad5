package io.ringcache.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** ClockStore's own arithmetic; its behaviour as a store is {@link ClockStoreContractTest}'s. */
class ClockStoreTest {

  @Test
  void mix_isInvertedByUnmix() {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 100_000; i++) {
      int h = random.nextInt();
      assertThat(ClockStore.unmix(ClockStore.mix(h))).isEqualTo(h);
    }
    assertThat(ClockStore.unmix(ClockStore.mix(0))).isZero();
    assertThat(ClockStore.unmix(ClockStore.mix(-1))).isEqualTo(-1);
  }
}
