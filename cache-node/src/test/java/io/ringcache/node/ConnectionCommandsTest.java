package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.resp.command.Handshake;
import org.junit.jupiter.api.Test;

/** The handshake family (cache-resp's Handshake) on a node's ConnectionContext, without sockets, on a node that requires a password: the reply bytes a client reads. */
class ConnectionCommandsTest {

  private final FamilyContext c = new FamilyContext();

  @Test
  void ping_repliesPongOrItsArgumentAndRefusesTwoArguments() {
    assertThat(c.run(Handshake::ping, "PING")).isEqualTo("+PONG\r\n");
    assertThat(c.run(Handshake::ping, "PING", "hi")).isEqualTo("$2\r\nhi\r\n");
    assertThat(c.run(Handshake::ping, "PING", "a", "b")).isEqualTo("-ERR wrong number of arguments for 'ping' command\r\n");
  }

  @Test
  void echo_repliesItsArgumentAsABulkString() {
    assertThat(c.run(Handshake::echo, "ECHO", "a\r\nb")).isEqualTo("$4\r\na\r\nb\r\n");
  }

  @Test
  void select_acceptsDatabaseZeroOnly() {
    assertThat(c.run(Handshake::select, "SELECT", "0")).isEqualTo("+OK\r\n");
    assertThat(c.run(Handshake::select, "SELECT", "1")).isEqualTo("-ERR DB index is out of range\r\n");
  }

  @Test
  void auth_withAWrongPasswordRepliesWrongpassAndWithTheRightOneAuthenticates() {
    assertThat(c.run(Handshake::auth, "AUTH", "nope"))
        .isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    assertThat(c.authenticated).isFalse();
    assertThat(c.run(Handshake::auth, "AUTH", "default", FamilyContext.PASSWORD)).isEqualTo("+OK\r\n");
    assertThat(c.authenticated).isTrue();
    assertThat(c.clusterUser).isFalse();
  }

  @Test
  void clientSetname_thenGetname_repliesTheNameAndRefusesASpace() {
    assertThat(c.run(Handshake::client, "CLIENT", "SETNAME", "worker-1")).isEqualTo("+OK\r\n");
    assertThat(c.run(Handshake::client, "CLIENT", "GETNAME")).isEqualTo("$8\r\nworker-1\r\n");
    assertThat(c.run(Handshake::client, "CLIENT", "SETNAME", "a b"))
        .isEqualTo("-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
    assertThat(c.run(Handshake::client, "CLIENT", "NOSUCH")).isEqualTo("-ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.\r\n");
  }

  @Test
  void configGet_repliesMatchingPairs() {
    assertThat(c.run(Handshake::config, "CONFIG", "GET", "databases")).isEqualTo("*2\r\n$9\r\ndatabases\r\n$1\r\n1\r\n");
  }

  @Test
  void quit_repliesOkAndClosesAfterTheReply() {
    assertThat(c.run(Handshake::quit, "QUIT")).isEqualTo("+OK\r\n");
    assertThat(c.closing).isTrue();
  }
}
