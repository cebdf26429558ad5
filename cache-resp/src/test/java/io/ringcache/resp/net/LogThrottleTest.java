package io.ringcache.resp.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogThrottleTest {

  @Test
  void oneLinePerInterval_countsTheLinesLeftOut() throws InterruptedException {
    LogThrottle throttle = new LogThrottle(Duration.ofMillis(200));
    assertThat(throttle.admit()).as("the first line").isZero();
    for (int i = 0; i < 1_000; i++) {
      assertThat(throttle.admit()).as("within the interval").isEqualTo(-1);
    }
    Thread.sleep(250);
    assertThat(throttle.admit()).as("the next line, after the interval").isEqualTo(1_000);
    assertThat(throttle.admit()).isEqualTo(-1);
    assertThat(LogThrottle.leftOut(1_000)).isEqualTo(" (1000 more like it since the last such line, not logged)");
    assertThat(LogThrottle.leftOut(0)).isEmpty();
  }
}
