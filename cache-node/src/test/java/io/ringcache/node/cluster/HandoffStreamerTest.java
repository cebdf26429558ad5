package io.ringcache.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The progress estimate of a stream before its walk has counted (its total once done is exact). */
class HandoffStreamerTest {

  @Test
  void aSourceOfThree_streamingAQuarterOfTheCircle_expectsThreeQuartersOfItsEntries() {
    // a source that held a third of the circle (1.2M entries), a join taking a quarter of the circle from it
    assertThat(HandoffStreamer.estimate(1_200_000, 0.25, 1 / 3.0)).isEqualTo(900_000);
  }

  @Test
  void aLeavingNodeStreamingAllItHolds_expectsAllItsEntries_neverMore() {
    assertThat(HandoffStreamer.estimate(500_000, 0.2, 0.2)).isEqualTo(500_000);
    assertThat(HandoffStreamer.estimate(500_000, 0.21, 0.2)).isEqualTo(500_000); // rounding of shares: capped
  }

  @Test
  void withoutWhatTheStoreHolds_theShareOfTheCircleIsTheEstimate() {
    assertThat(HandoffStreamer.estimate(1_000_000, 0.1, 0)).isEqualTo(100_000);
  }
}
