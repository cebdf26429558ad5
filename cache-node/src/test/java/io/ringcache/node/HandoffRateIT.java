package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RespTestClient;
import org.junit.jupiter.api.Test;

/**
 * {@code --handoff-rate}: a source's stream sends at most that many entries per second, paced per
 * batch, and still delivers every moving key.
 */
class HandoffRateIT {

  private static final int KEYS = 12_000;
  private static final String VALUE = "v".repeat(64);
  private static final long RATE = 4_000;

  @Test
  void stream_withARate_takesAtLeastItsEntriesOverTheRate_andTheTargetHoldsEveryMovingKey() throws Exception {
    try (LaunchedCluster<NodeServer, Void> pair = Nodes.standalone().nodes(2).maxMemory(256L << 20)
            .nodeArgs("--handoff-rate", Long.toString(RATE)).start();
        RespTestClient s = pair.connectToNode(0);
        RespTestClient t = pair.connectToNode(1)) {
      SecondNodeJoins join = new SecondNodeJoins(pair.node(0), pair.node(1), KEYS);
      SecondNodeJoins.fill(s, KEYS, VALUE);
      String streaming = join.streaming(pair.nodeAddress(1));
      assertThat(s.call("RING.SETTOPOLOGY", streaming)).isEqualTo(2L);
      assertThat(t.call("RING.SETTOPOLOGY", streaming)).isEqualTo(2L);

      long started = System.nanoTime();
      assertThat(s.call("RING.STREAM", "h0")).isEqualTo((long) join.moving.size());
      long tookMillis = (System.nanoTime() - started) / 1_000_000;

      // unpaced, these entries stream in tens of milliseconds; paced, every batch after the first
      // waits for its share: a batch holds at most 32 KiB of entries (about 385 of these)
      long floorMillis = (join.moving.size() - 32 * 1024 / (VALUE.length() + 16)) * 1000L / RATE;
      assertThat(join.moving.size()).as("entries that move").isGreaterThan(4_000);
      assertThat(tookMillis).as("the stream of %d entries at %d entries/s", join.moving.size(), RATE)
          .isGreaterThanOrEqualTo(floorMillis);

      assertThat(s.call("RING.SETTOPOLOGY", join.done())).isEqualTo(3L);
      assertThat(t.call("RING.SETTOPOLOGY", join.done())).isEqualTo(3L);
      assertThat(join.missingAt(t, VALUE)).as("moving keys the target does not hold").isEmpty();
    }
  }
}
