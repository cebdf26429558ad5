package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH without sockets, on a {@link FamilyContext}: commands run
 * from the node's own table, queued as the dispatcher queues them inside MULTI; the reply bytes a
 * client reads.
 */
class TransactionTest {

  private static final CommandTable TABLE = Commands.table();

  private final FamilyContext c = new FamilyContext();

  /** Runs a command as the dispatcher runs it outside MULTI (or MULTI, EXEC, DISCARD, WATCH inside). */
  private String run(String... args) {
    CommandTable.Spec spec = spec(args[0]);
    return c.run((ctx, r) -> spec.command().execute(ctx, r), args);
  }

  /** Hands a command to the transaction as the dispatcher does inside MULTI. */
  private String queue(String... args) {
    CommandTable.Spec spec = spec(args[0]);
    return c.run((ctx, r) -> ctx.transaction().queue(ctx, spec, r), args);
  }

  private static CommandTable.Spec spec(String name) {
    CommandTable.Spec spec = TABLE.lookup(name.getBytes(StandardCharsets.US_ASCII));
    assertThat(spec).as(name).isNotNull();
    return spec;
  }

  @Test
  void exec_runsTheQueuedCommandsInOrder_theirRepliesErrorsIncludedInOneArray() {
    assertThat(run("MULTI")).isEqualTo("+OK\r\n");
    assertThat(queue("SET", "k", "v")).isEqualTo("+QUEUED\r\n");
    assertThat(queue("GET", "k")).isEqualTo("+QUEUED\r\n");
    assertThat(queue("INCR", "k")).isEqualTo("+QUEUED\r\n");
    assertThat(run("EXEC")).isEqualTo("*3\r\n+OK\r\n$1\r\nv\r\n-ERR value is not an integer or out of range\r\n");
    assertThat(c.executing).isFalse();
    assertThat(c.transaction().open()).isFalse();
  }

  @Test
  void exec_afterAWatchedKeyChanged_repliesANullArrayAndRunsNothing() {
    assertThat(run("WATCH", "k")).isEqualTo("+OK\r\n");
    run("SET", "k", "other");
    run("MULTI");
    queue("SET", "k", "mine");
    assertThat(run("EXEC")).isEqualTo("*-1\r\n");
    assertThat(run("GET", "k")).isEqualTo("$5\r\nother\r\n");
  }

  @Test
  void exec_whenAWatchedKeyDidNotChange_runs() {
    run("SET", "k", "before");
    run("WATCH", "k");
    run("SET", "unrelated", "x");
    run("MULTI");
    queue("SET", "k", "mine");
    assertThat(run("EXEC")).isEqualTo("*1\r\n+OK\r\n");
    assertThat(run("GET", "k")).isEqualTo("$4\r\nmine\r\n");
  }

  @Test
  void unwatchAndDiscard_forgetTheWatchedKeys() {
    run("WATCH", "k");
    assertThat(run("UNWATCH")).isEqualTo("+OK\r\n");
    run("SET", "k", "other");
    run("MULTI");
    queue("SET", "k", "mine");
    assertThat(run("DISCARD")).isEqualTo("+OK\r\n");
    assertThat(run("GET", "k")).isEqualTo("$5\r\nother\r\n");
    run("MULTI");
    queue("SET", "k", "mine");
    assertThat(run("EXEC")).isEqualTo("*1\r\n+OK\r\n");
  }

  @Test
  void execAfterARefusedCommand_isExecabort_andTheTransactionIsGone() {
    run("MULTI");
    queue("SET", "k", "v");
    c.transaction().flagError(); // as the dispatcher does for a command it refused while queuing
    assertThat(run("EXEC")).isEqualTo("-EXECABORT Transaction discarded because of previous errors.\r\n");
    assertThat(run("EXEC")).isEqualTo("-ERR EXEC without MULTI\r\n");
    assertThat(run("GET", "k")).isEqualTo("$-1\r\n");
  }

  @Test
  void outOfPlace_execDiscardWithoutMulti_nestedMulti_watchInsideMulti_areRedisErrors() {
    assertThat(run("EXEC")).isEqualTo("-ERR EXEC without MULTI\r\n");
    assertThat(run("DISCARD")).isEqualTo("-ERR DISCARD without MULTI\r\n");
    run("MULTI");
    assertThat(run("MULTI")).isEqualTo("-ERR MULTI calls can not be nested\r\n");
    assertThat(run("WATCH", "k")).isEqualTo("-ERR WATCH inside MULTI is not allowed\r\n");
    assertThat(run("EXEC")).isEqualTo("*0\r\n");
  }
}
