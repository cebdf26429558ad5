package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.testkit.EmbeddedCluster;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * build(): its own per-seed timeout, independent of the command timeout (a cold JVM with a 50 ms
 * command timeout starts), and a seed that fails (refused, or accepting and never answering) hands
 * over to the next one, so a client seeded with the router and a few nodes starts while the router
 * is down.
 */
class StartupIT {

  @Test
  void build_inFreshJvms_withA50msCommandTimeout_succeeds() throws Exception {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(1).withoutRouter().start()) {
      for (int run = 0; run < 3; run++) {
        // a startup timeout above the default: on the shared 2-core machine under a load of 25, a cold
        // build() took up to 21 s; the point here is that the 50 ms command timeout does not apply
        try (JvmProcess child = JvmProcess.start(ColdBuildProgram.class, "60", cluster.nodeAddress(0))) {
          int exit = child.waitFor(Duration.ofSeconds(60));
          assertThat(exit).as(child.output()).isZero();
          System.out.println(child.awaitOutput(Pattern.compile("cold build: .*"), Duration.ofSeconds(1)).group());
        }
      }
    }
  }

  @Test
  void build_withSeedsDeadRouterThenLiveNode_startsFromTheNode() {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(2).withoutRouter().start()) {
      cluster.pushTopology(cluster.topologyOf(7, 0, 1));
      String deadRouter = "127.0.0.1:" + RedisProcess.freePort();
      long start = System.nanoTime();
      try (CacheClient cache = CacheClient.builder().seeds(deadRouter, cluster.nodeAddress(1)).build()) {
        long built = System.nanoTime() - start;
        assertThat(cache.topologyEpoch()).isEqualTo(7);
        cache.put("k", "v");
        assertThat(cache.get("k")).isEqualTo("v");
        System.out.printf("build with seeds [dead router, live node]: %.1f ms%n", built / 1e6);
        assertThat(Duration.ofNanos(built)).isLessThan(Duration.ofSeconds(5));
      }
    }
  }

  @Test
  void build_firstSeedAcceptsButNeverAnswers_movesOnAfterTheStartupTimeout() throws Exception {
    try (FakeNode hung = new FakeNode(args -> null);
        EmbeddedCluster cluster = EmbeddedCluster.builder().nodes(1).withoutRouter().start()) {
      long start = System.nanoTime();
      try (CacheClient cache =
          CacheClient.builder()
              .seeds(hung.address(), cluster.nodeAddress(0))
              .startupTimeout(Duration.ofMillis(500))
              .commandTimeout(Duration.ofMillis(50))
              .build()) {
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(500)).isLessThan(Duration.ofSeconds(5));
        cache.put("k", "v");
        assertThat(cache.get("k")).isEqualTo("v");
      }
    }
  }

  @Test
  void build_noSeedAnswers_failsNamingEachSeedAndItsReason_neverNull() throws Exception {
    try (FakeNode hung = new FakeNode(args -> null)) {
      String refused = "127.0.0.1:" + RedisProcess.freePort();
      assertThatThrownBy(() ->
              CacheClient.builder()
                  .seeds(hung.address(), refused)
                  .startupTimeout(Duration.ofMillis(300))
                  .commandTimeout(Duration.ofMillis(50))
                  .build())
          .isInstanceOf(CacheConnectionException.class)
          .hasMessageContaining(hung.address() + ": no reply to RING.TOPOLOGY from node " + hung.address() + " within 300 ms")
          .hasMessageContaining(refused + ": node " + refused + " is unreachable")
          .hasMessageNotContaining("null");
    }
  }
}
