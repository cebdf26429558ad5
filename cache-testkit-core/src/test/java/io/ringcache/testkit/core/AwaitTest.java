package io.ringcache.testkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {

  @Test
  void until_conditionBecomesTrue_returnsAfterPolling() {
    AtomicInteger checks = new AtomicInteger();
    Await.until(() -> checks.incrementAndGet() >= 3, Duration.ofSeconds(5), "three checks");
    assertThat(checks).hasValue(3);
  }

  @Test
  void until_conditionNeverTrue_failsAtTheDeadlineSayingWhat() {
    long start = System.nanoTime();
    assertThatThrownBy(() -> Await.until(() -> false, Duration.ofMillis(200), "the impossible"))
        .isInstanceOf(AssertionError.class)
        .hasMessage("not within 0.2 s: the impossible");
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
  }

  @Test
  void until_conditionThrows_propagatesAtOnce() {
    assertThatThrownBy(() -> Await.until(() -> {
      throw new IllegalStateException("broken");
    }, Duration.ofSeconds(5), "anything"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("broken");
  }

  @Test
  void untilIgnoringExceptions_conditionThrowsThenHolds_returns() {
    AtomicInteger checks = new AtomicInteger();
    Await.untilIgnoringExceptions(() -> {
      if (checks.incrementAndGet() < 3) {
        throw new IllegalStateException("not up yet");
      }
      return true;
    }, Duration.ofSeconds(5), "up");
    assertThat(checks).hasValue(3);
  }

  @Test
  void untilIgnoringExceptions_conditionKeepsThrowing_failsWithTheLastExceptionAsCause() {
    assertThatThrownBy(() -> Await.untilIgnoringExceptions(() -> {
      throw new IllegalStateException("connection refused");
    }, Duration.ofMillis(100), "the router answering"))
        .isInstanceOf(AssertionError.class)
        .hasMessage("not within 0.1 s: the router answering")
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasRootCauseMessage("connection refused");
  }

  @Test
  void holdsFor_conditionAlwaysTrue_returnsAfterThePeriod() {
    AtomicInteger checks = new AtomicInteger();
    long start = System.nanoTime();
    Await.holdsFor(() -> checks.incrementAndGet() > 0, Duration.ofMillis(50), "always");
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(50_000_000L);
    assertThat(checks.get()).isGreaterThan(1);
  }

  @Test
  void holdsFor_conditionTurnsFalse_failsSayingWhat() {
    AtomicInteger checks = new AtomicInteger();
    assertThatThrownBy(
            () -> Await.holdsFor(() -> checks.incrementAndGet() < 3, Duration.ofSeconds(10), "the link up"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no longer after")
        .hasMessageContaining("the link up");
    assertThat(checks.get()).isEqualTo(3);
  }
}
