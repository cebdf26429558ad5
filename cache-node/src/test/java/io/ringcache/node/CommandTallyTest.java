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
    tally.end(counter, tally.begin(counter), error);
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
    tally.end(exec, start, false);
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

  @Test
  void begin_ofTheFirstCommandAfterAPublish_readsTheClock() throws Exception {
    run(get, false);
    tally.publish();
    long before = System.nanoTime();
    assertThat(tally.begin(get)).isGreaterThanOrEqualTo(before);
  }
}
