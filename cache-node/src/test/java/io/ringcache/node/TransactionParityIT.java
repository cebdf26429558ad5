package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringcache.testkit.core.Await;
import io.ringcache.testkit.core.LaunchedCluster;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH on a node against a real Redis 7.0: every reply and error
 * path, and what makes a WATCH abort an EXEC, with two connections on each side (one runs the
 * transaction, the other writes meanwhile). Replies must be the same bytes.
 */
class TransactionParityIT {

  private static RedisServer redis;
  private static LaunchedCluster<NodeServer, Void> nodes;
  private static NodeServer node;
  private static RedisServer.Conn redisA;
  private static RedisServer.Conn redisB;
  private static RedisServer.Conn nodeA;
  private static RedisServer.Conn nodeB;

  @BeforeAll
  static void start() throws IOException {
    assumeTrue(RedisServer.installed(), "redis-server is not installed at " + RedisServer.BINARY + " (.ci/run installs it)");
    redis = RedisServer.start();
    nodes = Nodes.standalone().start();
    node = nodes.node(0);
    redisA = redis.connect();
    redisB = redis.connect();
    nodeA = RedisServer.Conn.tcp(node.port());
    nodeB = RedisServer.Conn.tcp(node.port());
  }

  @AfterAll
  static void stop() throws IOException {
    for (AutoCloseable c : new AutoCloseable[] {nodeA, nodeB, redisA, redisB}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IOException(e);
        }
      }
    }
    if (nodes != null) {
      nodes.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void reset() throws IOException {
    // leave any transaction and watch a failed test may have left open
    redisA.call("discard");
    nodeA.call("discard");
    same("unwatch");
    same("flushall");
  }

  /** Sends {@code args} on connection A of both and asserts the same reply bytes. */
  private static String same(String... args) throws IOException {
    String expected = redisA.call(args);
    String actual = nodeA.call(args);
    assertThat(printable(actual)).as("reply to %s", String.join(" ", args)).isEqualTo(printable(expected));
    return actual;
  }

  /** As {@link #same}, on connection B (the other client). */
  private static String sameOnB(String... args) throws IOException {
    String expected = redisB.call(args);
    String actual = nodeB.call(args);
    assertThat(printable(actual)).as("other client's reply to %s", String.join(" ", args)).isEqualTo(printable(expected));
    return actual;
  }

  private static String printable(String raw) {
    return raw.replace("\r", "\\r").replace("\n", "\\n");
  }

  @Test
  void smallTransactionGrowingAKeyItAlsoCompares_runsAsInRedis_notRefusedForItsWeight() throws IOException {
    // the fuzzer's: the weight once counted LCS's table at the grown 16 MiB, beyond what LCS may build
    same("multi");
    same("del", "b", "c");
    same("lcs", "a", "b");
    same("setbit", "a", "134217727", "1");
    same("append", "b", "x");
    assertThat(same("exec")).isEqualTo("*4\r\n:0\r\n$0\r\n\r\n:0\r\n:1\r\n");
  }

  @Test
  void execAndDiscard_withoutMulti_answerRedisErrors() throws IOException {
    assertThat(same("exec")).isEqualTo("-ERR EXEC without MULTI\r\n");
    assertThat(same("discard")).isEqualTo("-ERR DISCARD without MULTI\r\n");
    same("exec", "extra");
    same("discard", "extra");
    same("multi", "extra");
    same("unwatch", "extra");
    same("watch");
  }

  @Test
  void multi_queuesAndExecRunsInOrder_withRuntimeErrorsInTheArray() throws IOException {
    same("set", "s", "abc");
    assertThat(same("multi")).isEqualTo("+OK\r\n");
    assertThat(same("set", "a", "1")).isEqualTo("+QUEUED\r\n");
    same("incr", "a");
    same("incr", "s"); // not an integer: an error inside EXEC's reply, the rest still runs
    same("get", "a");
    same("set", "b", "x", "ex", "-5"); // invalid expire time: runtime error
    same("mget", "a", "b", "s");
    same("del", "s");
    String reply = same("exec");
    assertThat(reply).startsWith("*7\r\n+OK\r\n:2\r\n-ERR value is not an integer or out of range\r\n");
    same("get", "a");
    same("exists", "s");
  }

  @Test
  void exec_emptyTransaction_answersEmptyArray() throws IOException {
    same("multi");
    assertThat(same("exec")).isEqualTo("*0\r\n");
  }

  @Test
  void multi_nestedOrWatchInside_areRefusedWithoutAbortingTheTransaction() throws IOException {
    same("multi");
    assertThat(same("multi")).isEqualTo("-ERR MULTI calls can not be nested\r\n");
    assertThat(same("watch", "a")).isEqualTo("-ERR WATCH inside MULTI is not allowed\r\n");
    same("set", "a", "1");
    assertThat(same("exec")).isEqualTo("*1\r\n+OK\r\n");
    same("get", "a");
  }

  @Test
  void exec_afterArityOrUnknownCommandErrors_answersExecAbortAndRunsNothing() throws IOException {
    same("multi");
    same("set", "a", "1");
    same("get");
    same("exec");
    same("get", "a");

    same("multi");
    same("set", "a", "1");
    same("nosuchcommand", "x", "y");
    assertThat(same("exec")).isEqualTo("-EXECABORT Transaction discarded because of previous errors.\r\n");
    same("get", "a");

    same("multi");
    same("exec", "extra"); // EXEC's own arity error while queuing flags the transaction too
    same("exec");
  }

  @Test
  void multi_subcommandErrors_areCheckedAtQueueTime() throws IOException {
    for (String[] bad : new String[][] {{"client", "foo"}, {"client", "setname"}, {"config", "foo"}, {"config", "get"},
        {"command", "foo"}}) {
      same("multi");
      same("set", "a", "1");
      same(bad);
      same("exec");
      same("get", "a");
    }
    same("multi");
    same("client", "setname", "x");
    same("config", "get", "maxclients-nosuch");
    same("client", "getname");
    same("exec");
  }

  @Test
  void discard_dropsQueuedCommandsAndUnwatches() throws IOException {
    same("watch", "a");
    same("multi");
    same("set", "a", "1");
    assertThat(same("discard")).isEqualTo("+OK\r\n");
    same("get", "a");
    same("exec");
    sameOnB("set", "a", "2"); // no longer watched: the next transaction runs
    same("multi");
    same("get", "a");
    same("exec");
  }

  @Test
  void unwatch_insideMultiIsQueued_andAnswersOkInExec() throws IOException {
    same("watch", "a");
    same("multi");
    assertThat(same("unwatch")).isEqualTo("+QUEUED\r\n");
    same("ping");
    assertThat(same("exec")).isEqualTo("*2\r\n+OK\r\n+PONG\r\n");
  }

  @Test
  void watch_otherClientsWrite_abortsExecWithNullArray() throws IOException {
    same("set", "k", "1");
    same("watch", "k");
    sameOnB("incr", "k");
    same("multi");
    same("set", "k", "100");
    assertThat(same("exec")).isEqualTo("*-1\r\n");
    same("get", "k");
    // the failed EXEC unwatched: the next transaction runs
    same("multi");
    same("set", "k", "100");
    same("exec");
  }

  /** One WATCH case: setup on A, WATCH k, the other client's requests on B, then MULTI PING EXEC. */
  private static void watchCase(String[][] setup, String[][] other) throws IOException {
    same("flushall");
    for (String[] s : setup) {
      same(s);
    }
    same("watch", "k", "j");
    for (String[] o : other) {
      sameOnB(o);
    }
    same("multi");
    same("ping");
    same("exec");
  }

  private static String[][] of(String... commands) {
    String[][] out = new String[commands.length][];
    for (int i = 0; i < commands.length; i++) {
      out[i] = commands[i].isEmpty() ? new String[0] : commands[i].split(" ", -1);
    }
    return out;
  }

  @Test
  void watch_abortsExactlyWhenRedisDoes() throws IOException {
    watchCase(of("set k 1"), of());
    watchCase(of("set k 1"), of("set k 1")); // same value: still a write
    watchCase(of("set k 1"), of("set k 2 nx"));
    watchCase(of(), of("del k"));
    watchCase(of(), of("set k 1"));
    watchCase(of("set x 1"), of("flushall")); // watched keys absent: not modified
    watchCase(of("set k 1"), of("flushall"));
    watchCase(of(), of("expire k 10"));
    watchCase(of("set k 1"), of("expire k 100"));
    watchCase(of("set k 1"), of("expire k 100 xx"));
    watchCase(of("set k 1 ex 100"), of("expire k 100 nx"));
    watchCase(of("set k 1"), of("persist k"));
    watchCase(of("set k 1 ex 100"), of("persist k"));
    watchCase(of("set k 1"), of("getex k"));
    watchCase(of("set k 1"), of("getex k persist"));
    watchCase(of("set k 1 ex 100"), of("getex k persist"));
    watchCase(of("set k 1"), of("getex k ex 100"));
    watchCase(of("set k 1"), of("append k "));
    watchCase(of("set k 1"), of("setrange k 0 "));
    watchCase(of("set k 1"), of("setrange k 0 x"));
    watchCase(of("set k 1"), of("incrby k 0"));
    watchCase(of("set k 1"), of("incrbyfloat k 0"));
    watchCase(of("set k 1"), of("get k", "exists k", "ttl k", "strlen k", "touch k", "type k"));
    watchCase(of("set k 1"), of("rename k k"));
    watchCase(of("set k 1"), of("rename k x"));
    watchCase(of("set x 1"), of("rename x k"));
    watchCase(of("set x 1"), of("copy x k"));
    watchCase(of("set x 1", "set k 2"), of("copy x k"));
    watchCase(of("set x 1", "set k 2"), of("copy x k replace"));
    watchCase(of("set k 1"), of("msetnx k 2 x 3"));
    watchCase(of(), of("msetnx k 2 x 3"));
    watchCase(of(), of("mset x 1 k 2"));
    watchCase(of("set k 1"), of("set k 2 nx get"));
    watchCase(of("set k 1"), of("set k 2 xx get"));
    watchCase(of("set k 1"), of("expire k -1"));
    watchCase(of(), of("getdel k"));
    watchCase(of("set k 1"), of("getdel k"));
    watchCase(of("set k 1"), of("getset k 1"));
    watchCase(of(), of("setnx k 1"));
    watchCase(of("set k 1"), of("setnx k 1"));
    watchCase(of(), of("incr k"));
    watchCase(of("set j 1"), of("decr j"));
    watchCase(of(), of("unlink k"));
    watchCase(of("set k 1"), of("unlink k"));
    watchCase(of("set k 1"), of("psetex k 100000 2"));
  }

  @Test
  void watch_keyThatExpiresBeforeExec_abortsAsRedis() throws IOException {
    same("set", "k", "1", "px", "200");
    same("watch", "k");
    Await.until(() -> {
      try {
        return redisB.call("pttl", "k").equals(":-2\r\n") && nodeB.call("pttl", "k").equals(":-2\r\n");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, Duration.ofSeconds(10), "k expired at redis-server and at the node");
    same("multi");
    same("ping");
    assertThat(same("exec")).isEqualTo("*-1\r\n");
  }

  @Test
  void watch_ownWriteBeforeMulti_abortsExec() throws IOException {
    same("watch", "k");
    same("set", "k", "1");
    same("multi");
    same("get", "k");
    same("exec");
  }

  @Test
  void watch_manyKeysAndRepeatedWatch_onlyTheWrittenOneMatters() throws IOException {
    same("watch", "a", "b", "c");
    same("watch", "a", "d");
    sameOnB("set", "e", "1");
    same("multi");
    same("get", "e");
    same("exec");
    same("watch", "a", "b", "c");
    same("watch", "d");
    sameOnB("set", "d", "1");
    same("multi");
    same("get", "e");
    same("exec");
  }

  @Test
  void ringCommands_insideMulti_areNotAllowedAndAbortTheTransaction() throws IOException {
    nodeA.call("multi");
    assertThat(nodeA.call("ring.epoch")).isEqualTo("-ERR Command not allowed inside a transaction\r\n");
    assertThat(nodeA.call("exec")).isEqualTo("-EXECABORT Transaction discarded because of previous errors.\r\n");
  }

  @Test
  void clientReplyOff_insideMulti_keepsExecsReplyWholeAndSilencesWhatFollows() throws IOException {
    // Redis 7.0 sends a truncated EXEC array here (docs/protocol.md); a node sends it whole
    nodeA.call("multi");
    nodeA.call("client", "reply", "off");
    nodeA.call("set", "a", "1");
    nodeA.send("exec");
    assertThat(nodeA.reply()).isEqualTo("*2\r\n+OK\r\n+OK\r\n");
    nodeA.send("get", "a"); // silenced
    assertThat(nodeA.call("client", "reply", "on")).isEqualTo("+OK\r\n");
    assertThat(nodeA.call("get", "a")).isEqualTo("$1\r\n1\r\n");
  }

  @Test
  void clientList_showsAClientInsideMultiAsRedisDoes() throws IOException {
    nodeA.call("multi");
    nodeA.call("set", "a", "1");
    nodeA.call("get", "a");
    String id = nodeA.call("client", "id"); // queued too
    assertThat(nodeB.call("client", "list")).contains(" flags=x db=0 sub=0 psub=0 ssub=0 multi=3 ");
    nodeA.call("discard");
    assertThat(nodeB.call("client", "list")).doesNotContain("flags=x").doesNotContain("multi=3");
    assertThat(id).isEqualTo("+QUEUED\r\n");
  }

  @Test
  void quit_insideMulti_runsAtOnce() throws IOException {
    try (RedisServer.Conn r = redis.connect(); RedisServer.Conn n = RedisServer.Conn.tcp(node.port())) {
      assertThat(n.call("multi")).isEqualTo(r.call("multi"));
      assertThat(n.call("quit")).isEqualTo(r.call("quit"));
    }
  }
}
