package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The cluster family (RING.*) on a real store and cluster state, without sockets: the reply bytes a peer reads. */
class RingCommandsTest {

  private final FamilyContext c = new FamilyContext();

  @Test
  void ringRead_repliesValueAndNoExpiryOrANullArrayForAnAbsentKey() {
    c.run(KeyCommands::set, "SET", "k", "v");
    assertThat(c.run(RingCommands::ringRead, "RING.READ", "k")).isEqualTo("*2\r\n$1\r\nv\r\n:-1\r\n");
    assertThat(c.run(RingCommands::ringRead, "RING.READ", "absent")).isEqualTo("*-1\r\n");
  }

  @Test
  void ringEpoch_beforeAnyTopology_repliesZero() {
    assertThat(c.run(RingCommands::ringEpoch, "RING.EPOCH")).isEqualTo(":0\r\n");
  }

  @Test
  void ringHeartbeat_withALeaseOutOfRange_repliesTheBoundAndAnswersNothing() {
    assertThat(c.run(RingCommands::ringHeartbeat, "RING.HEARTBEAT", "1", "3600001"))
        .isEqualTo("-ERR lease must be between 0 and 3600000 ms: 3600001\r\n");
    assertThat(c.run(RingCommands::ringHeartbeat, "RING.HEARTBEAT", "x", "10"))
        .isEqualTo("-ERR value is not an integer or out of range\r\n");
    assertThat(c.heartbeatAnswered()).isFalse();
  }

  @Test
  void ringHeartbeatAndFlush_namingAnotherNode_areRefusedAndChangeNothing() {
    // the router dials a node by address; a name that resolves to this node's address for a while
    // (a stale DNS entry, a recreated container given a reused address) must not be answered as
    // that node: the router took such an answer for the named node restarted, and flushed this one
    c.run(KeyCommands::set, "SET", "k", "v");
    String refusal = "-ERR wrong node: this is 127.0.0.1:1, not node2:7001 (a stale DNS entry or an address another node"
        + " had led here, or this node was started with another --name)\r\n";
    assertThat(c.run(RingCommands::ringHeartbeat, "RING.HEARTBEAT", "0", "10000", "node2:7001")).isEqualTo(refusal);
    assertThat(c.heartbeatAnswered()).isFalse();
    assertThat(c.run(RingCommands::ringFlush, "RING.FLUSH", "node2:7001")).isEqualTo(refusal);
    assertThat(c.run(KeyCommands::get, "GET", "k")).isEqualTo("$1\r\nv\r\n");
    // a target's read through its source: another node must not answer with what it holds (a miss)
    assertThat(c.run(RingCommands::ringRead, "RING.READ", "k", "node2:7001")).isEqualTo(refusal);
    assertThat(c.run(RingCommands::ringRead, "RING.READ", "k", "127.0.0.1:1")).isEqualTo("*2\r\n$1\r\nv\r\n:-1\r\n");

    assertThat(c.run(RingCommands::ringHeartbeat, "RING.HEARTBEAT", "0", "10000", "127.0.0.1:1")).startsWith("*4\r\n:0\r\n");
    assertThat(c.heartbeatAnswered()).isTrue();
    assertThat(c.run(RingCommands::ringHeartbeat, "RING.HEARTBEAT", "0", "10000", "127.0.0.1:1", "x"))
        .isEqualTo("-ERR wrong number of arguments for 'ring.heartbeat' command\r\n");
    assertThat(c.run(RingCommands::ringFlush, "RING.FLUSH", "127.0.0.1:1")).isEqualTo("+OK\r\n");
    assertThat(c.run(KeyCommands::get, "GET", "k")).isEqualTo("$-1\r\n");
  }

  @Test
  void ringImport_forAHandoffNotInProgress_repliesNotImporting() {
    assertThat(c.run(RingCommands::ringImport, "RING.IMPORT", "h1", "k", "-1", "v"))
        .isEqualTo("-ERR not importing handoff h1 at epoch 0\r\n");
    assertThat(c.run(KeyCommands::get, "GET", "k")).isEqualTo("$-1\r\n");
  }
}
