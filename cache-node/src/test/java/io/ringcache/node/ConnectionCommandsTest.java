package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The connection family's commands that need only a {@link CommandContext} (PING, ECHO, SELECT),
 * without sockets: the reply bytes a client reads.
 */
class ConnectionCommandsTest {

  private final FamilyContext c = new FamilyContext();

  @Test
  void ping_repliesPongOrItsArgumentAndRefusesTwoArguments() {
    assertThat(c.run(ConnectionCommands::ping, "PING")).isEqualTo("+PONG\r\n");
    assertThat(c.run(ConnectionCommands::ping, "PING", "hi")).isEqualTo("$2\r\nhi\r\n");
    assertThat(c.run(ConnectionCommands::ping, "PING", "a", "b")).isEqualTo("-ERR wrong number of arguments for 'ping' command\r\n");
  }

  @Test
  void echo_repliesItsArgumentAsABulkString() {
    assertThat(c.run(ConnectionCommands::echo, "ECHO", "a\r\nb")).isEqualTo("$4\r\na\r\nb\r\n");
  }

  @Test
  void select_acceptsDatabaseZeroOnly() {
    assertThat(c.run(ConnectionCommands::select, "SELECT", "0")).isEqualTo("+OK\r\n");
    assertThat(c.run(ConnectionCommands::select, "SELECT", "1")).isEqualTo("-ERR DB index is out of range\r\n");
  }
}
