package io.ringcache.resp.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {

  @Test
  void oneLinePerInterval_countsTheLinesLeftOut() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    LogThrottle throttle = new LogThrottle(Duration.ofMillis(200), now::get);
    assertThat(throttle.admit()).as("the first line").isZero();
    for (int i = 0; i < 1_000; i++) {
      now.addAndGet(100_000); // 0.1 ms apart: 100 ms in all
      assertThat(throttle.admit()).as("within the interval").isEqualTo(-1);
    }
    now.addAndGet(100_000_000);
    assertThat(throttle.admit()).as("the next line, once the interval passed").isEqualTo(1_000);
    assertThat(throttle.admit()).isEqualTo(-1);
    assertThat(LogThrottle.leftOut(1_000)).isEqualTo(" (1000 more like it since the last such line, not logged)");
    assertThat(LogThrottle.leftOut(0)).isEmpty();
  }
}
