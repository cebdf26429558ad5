package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The server family on a real store, without sockets: the reply bytes a client reads. */
class ServerCommandsTest {

  private final FamilyContext c = new FamilyContext();

  @Test
  void dbsize_countsTheKeysAndFlushallEmptiesTheStore() {
    c.run(KeyCommands::mset, "MSET", "a", "1", "b", "2");
    assertThat(c.run(ServerCommands::dbsize, "DBSIZE")).isEqualTo(":2\r\n");
    assertThat(c.run(ServerCommands::flushall, "FLUSHALL", "ASYNC")).isEqualTo("+OK\r\n");
    assertThat(c.run(ServerCommands::dbsize, "DBSIZE")).isEqualTo(":0\r\n");
  }

  @Test
  void flushallWithAnUnknownMode_repliesSyntaxErrorAndKeepsTheKeys() {
    c.run(KeyCommands::set, "SET", "a", "1");
    assertThat(c.run(ServerCommands::flushall, "FLUSHALL", "LATER")).isEqualTo("-ERR syntax error\r\n");
    assertThat(c.run(ServerCommands::dbsize, "DBSIZE")).isEqualTo(":1\r\n");
  }

  @Test
  void time_repliesSecondsAndMicrosecondsAsBulkStrings() {
    assertThat(c.run(ServerCommands::time, "TIME")).matches("\\*2\r\n\\$\\d+\r\n\\d+\r\n\\$\\d+\r\n\\d{1,6}\r\n");
  }
}
