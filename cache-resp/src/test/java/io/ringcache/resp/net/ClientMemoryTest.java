package io.ringcache.resp.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class ClientMemoryTest {

  private final LongAdder closes = new LongAdder();
  private final ClientMemory memory = new ClientMemory(1000, "max-clients-memory", closes);

  @Test
  void query_totalOverCap_closesLargestFirstUntilUnderCap() {
    EmbeddedChannel small = new EmbeddedChannel();
    EmbeddedChannel medium = new EmbeddedChannel();
    EmbeddedChannel large = new EmbeddedChannel();
    ClientMemory.Tracked s = memory.track(small);
    ClientMemory.Tracked m = memory.track(medium);
    ClientMemory.Tracked l = memory.track(large);
    s.query(100);
    m.query(400);
    assertThat(memory.used()).isEqualTo(500);
    l.query(700); // 1200 > 1000: closing the largest (700) is enough
    assertThat(large.isOpen()).isFalse();
    assertThat(medium.isOpen()).isTrue();
    assertThat(small.isOpen()).isTrue();
    assertThat(memory.used()).isEqualTo(500);
    assertThat(closes.sum()).isEqualTo(1);
  }

  @Test
  void query_evictedConnection_stopsCountingAndItsCloseDoesNotSubtractTwice() {
    EmbeddedChannel a = new EmbeddedChannel();
    EmbeddedChannel b = new EmbeddedChannel();
    ClientMemory.Tracked ta = memory.track(a);
    ClientMemory.Tracked tb = memory.track(b);
    ta.query(900);
    tb.query(200);
    assertThat(a.isOpen()).isFalse();
    ta.query(5000); // a late report of the evicted connection
    ta.close();
    assertThat(memory.used()).isEqualTo(200);
    tb.close();
    assertThat(memory.used()).isZero();
  }

  /**
   * A connection of another event loop grows while a pass runs (its report finds the pass running and
   * leaves the eviction to it). The pass used to go on closing in the order of the sizes it had read
   * before, against the live total: it closed the small clients after the large ones it knew, though
   * the newcomer alone was the excess (RouterAttacksIT in CI closed a client holding 0 bytes).
   */
  @Test
  void query_connectionGrowingDuringAPass_isClosedInsteadOfTheSmallClients() {
    EmbeddedChannel small = new EmbeddedChannel();
    EmbeddedChannel first = new EmbeddedChannel();
    EmbeddedChannel second = new EmbeddedChannel();
    EmbeddedChannel newcomer = new EmbeddedChannel();
    ClientMemory.Tracked s = memory.track(small);
    ClientMemory.Tracked f = memory.track(first);
    ClientMemory.Tracked c = memory.track(second);
    ClientMemory.Tracked n = memory.track(newcomer);
    s.query(10);
    f.query(600);
    boolean[] grown = new boolean[1];
    memory.afterSnapshot = () -> {
      if (!grown[0]) {
        grown[0] = true;
        n.query(2000); // another loop's report, in the middle of the pass
      }
    };
    c.query(500); // 1110 > 1000: a pass starts
    assertThat(first.isOpen()).as("the largest the pass knew").isFalse();
    assertThat(newcomer.isOpen()).as("the newcomer, over the cap by itself").isFalse();
    assertThat(small.isOpen()).isTrue();
    assertThat(second.isOpen()).isTrue();
    assertThat(memory.used()).isEqualTo(510);
    assertThat(closes.sum()).isEqualTo(2);
  }

  @Test
  void query_shrinkingBelowCap_closesNothing() {
    EmbeddedChannel a = new EmbeddedChannel();
    ClientMemory.Tracked ta = memory.track(a);
    ta.query(999);
    ta.query(10);
    ta.output(900);
    assertThat(a.isOpen()).isTrue();
    assertThat(memory.used()).isEqualTo(910);
    assertThat(closes.sum()).isZero();
  }
}
