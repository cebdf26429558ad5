package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.metrics.NodeMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommandTallyTest {

  private final NodeMetrics metrics = new NodeMetrics();
  private final NodeMetrics.CommandCounter get = metrics.command("get");
  private final NodeMetrics.CommandCounter set = metrics.command("set");
  private final NodeMetrics.CommandCounter exec = metrics.command("exec");
  private final CommandTally tally = new CommandTally();

  @AfterEach
  void close() {
    metrics.close();
  }

  private void run(NodeMetrics.CommandCounter counter, boolean error) {
    tally.end(counter, tally.begin(counter), error, false);
  }

  @Test
  void publish_afterARunOfOneCommand_addsEveryCallOnce() {
    for (int i = 0; i < 16; i++) {
      run(get, false);
    }
    assertThat(get.calls()).isZero();
    tally.publish();
    assertThat(get.calls()).isEqualTo(16);
    tally.publish();
    assertThat(get.calls()).isEqualTo(16);
  }

  @Test
  void begin_ofAnotherCommand_publishesThePendingRunFirst() {
    run(set, false);
    run(set, false);
    tally.begin(get);
    assertThat(set.calls()).isEqualTo(2);
    assertThat(get.calls()).isZero();
  }

  @Test
  void end_ofACommandThatRanOthers_countsItAndThemOnce() {
    long start = tally.begin(exec);
    run(set, false);
    run(get, false);
    tally.end(exec, start, false, false);
    tally.publish();
    assertThat(exec.calls()).isEqualTo(1);
    assertThat(set.calls()).isEqualTo(1);
    assertThat(get.calls()).isEqualTo(1);
  }

  @Test
  void end_withAnErrorReply_countsTheFailureAtOnce() {
    run(get, true);
    assertThat(get.failed()).isEqualTo(1);
    tally.publish();
    assertThat(get.calls()).isEqualTo(1);
  }

  /** A command that keeps its thread busy for {@code millis}: its time is known from below. */
  private void runBusy(NodeMetrics.CommandCounter counter, boolean quick, long millis) {
    long start = tally.begin(counter);
    long until = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    tally.end(counter, start, false, quick);
  }

  @Test
  void quickCommands_leaveTheClockUnread_andTheNextReadingCountsAllTheirTime() {
    for (int i = 0; i < 3; i++) {
      runBusy(get, true, 2);
    }
    assertThat(tally.turnNanos()).as("no reading since the first command began").isZero();
    tally.publish();
    assertThat(get.calls()).isEqualTo(3);
    assertThat(get.micros()).as("the three commands' 6 ms, read at the publish").isGreaterThanOrEqualTo(6_000);
  }

  @Test
  void aCommandThatIsNotQuick_readsTheClock_forItAndTheQuickOnesBefore() {
    runBusy(set, true, 2);
    runBusy(set, true, 2);
    runBusy(set, false, 2);
    assertThat(tally.turnNanos()).isGreaterThanOrEqualTo(6_000_000);
    runBusy(get, true, 2); // the switch publishes set's run
    assertThat(set.calls()).isEqualTo(3);
    assertThat(set.micros()).isGreaterThanOrEqualTo(6_000);
    tally.publish();
    assertThat(get.micros()).as("get's own time only").isGreaterThanOrEqualTo(2_000).isLessThan(set.micros());
  }

  @Test
  void quickCommands_readTheClockAtLeastEveryMaxUnread() {
    for (int i = 0; i < CommandTally.MAX_UNREAD; i++) {
      tally.end(get, tally.begin(get), false, true);
    }
    assertThat(tally.turnNanos()).isZero();
    runBusy(get, true, 1);
    assertThat(tally.turnNanos()).as("the one past MAX_UNREAD read it").isGreaterThanOrEqualTo(1_000_000);
  }

  @Test
  void small_boundsTheRequestsArguments() {
    assertThat(CommandTally.small(io.ringcache.resp.Request.of("SET".getBytes(), "k".getBytes(), new byte[100]))).isTrue();
    assertThat(CommandTally.small(io.ringcache.resp.Request.of("SET".getBytes(), "k".getBytes(),
        new byte[CommandTally.MAX_UNREAD_BYTES]))).isFalse();
  }

  @Test
  void begin_ofTheFirstCommandAfterAPublish_readsTheClock() throws Exception {
    run(get, false);
    tally.publish();
    long before = System.nanoTime();
    assertThat(tally.begin(get)).isGreaterThanOrEqualTo(before);
  }
}
