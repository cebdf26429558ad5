package io.ringcache.resp.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ringcache.resp.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The handshake family without sockets, on a session over a heap buffer: the reply bytes a client
 * reads, and what the commands change in the session. Two servers: one like a node (every CLIENT
 * and CONFIG subcommand, a password and a cluster secret), one like the proxy (fewer subcommands,
 * no cluster user). Texts are Redis 7.0.15's where Redis has the command.
 */
class HandshakeTest {

  private static final String WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

  private static final Handshake.Server EVERYTHING = new Handshake.Server(
      CommandIntrospection.of(List.of(CommandCatalogue.get("ping"), CommandCatalogue.get("client")), Map.of()),
      CommandCatalogue.get("client").subcommandArity(null), CommandCatalogue.get("config").subcommandArity(null),
      "ERR CONFIG SET is not supported here");

  private static final Handshake.Server FEWER = new Handshake.Server(
      CommandIntrospection.of(List.of(CommandCatalogue.get("ping")), Map.of()),
      CommandCatalogue.get("client").subcommandArity(List.of("setname", "getname", "id", "reply")),
      CommandCatalogue.get("config").subcommandArity(List.of("get", "set")), "ERR CONFIG SET is not supported by this one");

  /** A session of a server with {@code password} and {@code clusterSecret} (null: none), serving {@code server}. */
  static final class FakeSession implements HandshakeSession {
    final ByteBuf out = Unpooled.buffer();
    final long id;
    final String password;
    final String clusterSecret;
    final Handshake.Server server;
    final List<FakeSession> clients = new ArrayList<>();
    boolean authenticated;
    boolean clusterUser;
    String name;
    String libName;
    String libVersion;
    String lastCommand;
    String replyMode = "on";
    boolean closing;
    int protocol = 2;

    FakeSession(long id, String password, String clusterSecret, Handshake.Server server) {
      this.id = id;
      this.password = password;
      this.clusterSecret = clusterSecret;
      this.server = server;
      this.authenticated = password == null;
      clients.add(this);
    }

    /** Runs {@code command} on {@code args} and returns what it replied, as text (ISO-8859-1). */
    String run(java.util.function.BiConsumer<HandshakeSession, Request> command, String... args) {
      byte[][] bytes = new byte[args.length][];
      for (int i = 0; i < args.length; i++) {
        bytes[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
      }
      command.accept(this, Request.of(bytes));
      String reply = out.toString(StandardCharsets.ISO_8859_1);
      out.clear();
      return reply;
    }

    @Override
    public ByteBuf out() {
      return out;
    }

    @Override
    public long id() {
      return id;
    }

    @Override
    public boolean authenticated() {
      return authenticated;
    }

    @Override
    public int protocol() {
      return protocol;
    }

    @Override
    public void protocol(int version) {
      protocol = version;
    }

    @Override
    public void authenticatedAs(boolean clusterUser) {
      authenticated = true;
      this.clusterUser = clusterUser;
    }

    @Override
    public String password() {
      return password;
    }

    @Override
    public String clusterSecret() {
      return clusterSecret;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void name(String value) {
      name = value;
    }

    @Override
    public void libName(String value) {
      libName = value;
    }

    @Override
    public void libVersion(String value) {
      libVersion = value;
    }

    @Override
    public void lastCommand(String command) {
      lastCommand = command;
    }

    @Override
    public void replyMode(String mode) {
      replyMode = mode;
    }

    @Override
    public void closeAfterReplies() {
      closing = true;
    }

    @Override
    public Handshake.Server server() {
      return server;
    }

    @Override
    public String[][] configParameters() {
      return new String[][] {{"save", ""}, {"databases", "1"}, {"port", "6380"}};
    }

    @Override
    public String clientInfo() {
      return "id=" + id + " name=" + (name == null ? "" : name) + " lib-name=" + (libName == null ? "" : libName);
    }

    @Override
    public List<FakeSession> clients() {
      return clients;
    }
  }

  private final FakeSession node = new FakeSession(7, "s3cret", "cluster-secret", EVERYTHING);
  private final FakeSession proxy = new FakeSession(9, "s3cret", null, FEWER);
  private final FakeSession open = new FakeSession(3, null, null, EVERYTHING);

  @Test
  void ping_repliesPongOrItsArgument() {
    assertThat(node.run(Handshake::ping, "PING")).isEqualTo("+PONG\r\n");
    assertThat(node.run(Handshake::ping, "PING", "hi")).isEqualTo("$2\r\nhi\r\n");
    assertThat(node.run(Handshake::ping, "PING", "a", "b")).isEqualTo("-ERR wrong number of arguments for 'ping' command\r\n");
  }

  @Test
  void quit_repliesOkThenAsksToClose() {
    assertThat(node.run(Handshake::quit, "QUIT")).isEqualTo("+OK\r\n");
    assertThat(node.closing).isTrue();
  }

  @Test
  void select_zeroIsOk_otherIndexOutOfRange_notAnIntRefusedAsRedis() {
    assertThat(node.run(Handshake::select, "SELECT", "0")).isEqualTo("+OK\r\n");
    assertThat(node.run(Handshake::select, "SELECT", "1")).isEqualTo("-ERR DB index is out of range\r\n");
    assertThat(node.run(Handshake::select, "SELECT", "-1")).isEqualTo("-ERR DB index is out of range\r\n");
    assertThat(node.run(Handshake::select, "SELECT", "abc")).isEqualTo("-ERR value is not an integer or out of range\r\n");
    assertThat(node.run(Handshake::select, "SELECT", "00")).isEqualTo("-ERR value is not an integer or out of range\r\n");
    assertThat(node.run(Handshake::select, "SELECT", "2147483648"))
        .isEqualTo("-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");
  }

  @Test
  void auth_password_rightAuthenticatesAsDefault_wrongLeavesTheSessionAsItWas() {
    assertThat(node.run(Handshake::auth, "AUTH", "nope")).isEqualTo(WRONGPASS);
    assertThat(node.authenticated).isFalse();
    assertThat(node.run(Handshake::auth, "AUTH", "s3cret")).isEqualTo("+OK\r\n");
    assertThat(node.authenticated).isTrue();
    assertThat(node.clusterUser).isFalse();
    assertThat(node.run(Handshake::auth, "AUTH", "a", "b", "c")).isEqualTo("-ERR syntax error\r\n");
  }

  @Test
  void auth_userNames_areCaseSensitiveAndAnUnknownOneIsWrongpass() {
    assertThat(node.run(Handshake::auth, "AUTH", "DEFAULT", "s3cret")).isEqualTo(WRONGPASS);
    assertThat(node.run(Handshake::auth, "AUTH", "bob", "s3cret")).isEqualTo(WRONGPASS);
    assertThat(node.authenticated).isFalse();
    assertThat(node.run(Handshake::auth, "AUTH", "default", "s3cret")).isEqualTo("+OK\r\n");
  }

  @Test
  void auth_clusterUser_withTheSecretWhereThereIsOne_elseWrongpass() {
    assertThat(node.run(Handshake::auth, "AUTH", "ringcache-cluster", "s3cret")).isEqualTo(WRONGPASS);
    assertThat(node.run(Handshake::auth, "AUTH", "ringcache-cluster", "cluster-secret")).isEqualTo("+OK\r\n");
    assertThat(node.clusterUser).isTrue();
    assertThat(proxy.run(Handshake::auth, "AUTH", "ringcache-cluster", "cluster-secret")).isEqualTo(WRONGPASS);
    assertThat(proxy.authenticated).isFalse();
  }

  @Test
  void auth_withoutAPassword_refusesAPasswordAloneButAcceptsTheDefaultUserWithAny() {
    assertThat(open.run(Handshake::auth, "AUTH", "x")).isEqualTo("-ERR AUTH <password> called without any password "
        + "configured for the default user. Are you sure your configuration is correct?\r\n");
    assertThat(open.run(Handshake::auth, "AUTH", "default", "x")).isEqualTo("+OK\r\n");
    assertThat(open.run(Handshake::auth, "AUTH", "bob", "x")).isEqualTo(WRONGPASS);
  }

  @Test
  void hello_withAuthAndSetname_authenticatesNamesAndRepliesTheServerMap() {
    assertThat(node.run(Handshake::hello, "HELLO", "2", "AUTH", "default", "s3cret", "SETNAME", "me")).isEqualTo(
        "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.0.0\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:7\r\n"
            + "$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n");
    assertThat(node.authenticated).isTrue();
    assertThat(node.name).isEqualTo("me");
  }

  @Test
  void hello_beforeAuth_isNoauth_andAnInvalidNameIsRefusedFirst() {
    assertThat(node.run(Handshake::hello, "HELLO")).isEqualTo("-NOAUTH HELLO must be called with the client already authenticated, "
        + "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol "
        + "version at the same time\r\n");
    assertThat(node.run(Handshake::hello, "HELLO", "2", "SETNAME", "a b"))
        .isEqualTo("-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
    assertThat(node.run(Handshake::hello, "HELLO", "2", "AUTH", "default", "nope")).isEqualTo(WRONGPASS);
    assertThat(node.name).isNull();
  }

  @Test
  void hello_protocolVersion_strictIntegerAndTwoOrThree() {
    assertThat(open.run(Handshake::hello, "HELLO", "02")).isEqualTo("-ERR Protocol version is not an integer or out of range\r\n");
    assertThat(open.run(Handshake::hello, "HELLO", "+2")).isEqualTo("-ERR Protocol version is not an integer or out of range\r\n");
    assertThat(open.run(Handshake::hello, "HELLO", "4")).isEqualTo("-NOPROTO unsupported protocol version\r\n");
    assertThat(open.run(Handshake::hello, "HELLO", "1")).isEqualTo("-NOPROTO unsupported protocol version\r\n");
    assertThat(open.protocol).isEqualTo(2);
    assertThat(open.run(Handshake::hello, "HELLO", "2", "AUTH", "default")).isEqualTo("-ERR Syntax error in HELLO option 'AUTH'\r\n");
    assertThat(open.run(Handshake::hello, "HELLO", "2", "AUTH", "default", "anything")).startsWith("*14\r\n");
  }

  @Test
  void hello3_switchesToResp3AndRepliesAMap_hello2SwitchesBack_helloAloneKeepsIt() {
    String map = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.0.0\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:"
        + open.id + "\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
    assertThat(open.run(Handshake::hello, "HELLO", "3")).isEqualTo(map);
    assertThat(open.protocol).isEqualTo(3);
    assertThat(open.run(Handshake::hello, "HELLO")).isEqualTo(map);
    assertThat(open.run(Handshake::hello, "HELLO", "4")).isEqualTo("-NOPROTO unsupported protocol version\r\n");
    assertThat(open.protocol).isEqualTo(3);
    assertThat(open.run(Handshake::hello, "HELLO", "2")).startsWith("*14\r\n").contains("$5\r\nproto\r\n:2\r\n");
    assertThat(open.protocol).isEqualTo(2);
  }

  @Test
  void hello3_withAuthAndSetname_switchesOnlyOnceAuthenticated() {
    assertThat(node.run(Handshake::hello, "HELLO", "3", "AUTH", "default", "nope")).isEqualTo(WRONGPASS);
    assertThat(node.protocol).isEqualTo(2);
    assertThat(node.run(Handshake::hello, "HELLO", "3", "SETNAME", "me")).startsWith("-NOAUTH HELLO must be called");
    assertThat(node.protocol).isEqualTo(2);
    assertThat(node.run(Handshake::hello, "HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "me")).startsWith("%7\r\n");
    assertThat(node.protocol).isEqualTo(3);
    assertThat(node.name).isEqualTo("me");
  }

  @Test
  void clientSetnameGetnameSetinfo_changeTheSession() {
    open.run(Handshake::client, "CLIENT", "SETNAME", "worker-1");
    assertThat(open.run(Handshake::client, "CLIENT", "GETNAME")).isEqualTo("$8\r\nworker-1\r\n");
    assertThat(open.lastCommand).isEqualTo("client|getname");
    assertThat(open.run(Handshake::client, "CLIENT", "SETNAME", "")).isEqualTo("+OK\r\n");
    assertThat(open.name).isNull();
    assertThat(open.run(Handshake::client, "CLIENT", "SETINFO", "LIB-NAME", "jedis")).isEqualTo("+OK\r\n");
    assertThat(open.libName).isEqualTo("jedis");
    assertThat(open.run(Handshake::client, "CLIENT", "SETINFO", "lib-ver", "1 0"))
        .isEqualTo("-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n");
    assertThat(open.run(Handshake::client, "CLIENT", "SETINFO", "other", "x")).isEqualTo("-ERR Unrecognized option 'other'\r\n");
    assertThat(open.run(Handshake::client, "CLIENT", "ID")).isEqualTo(":3\r\n");
  }

  @Test
  void clientReply_setsTheModeThenWritesOk_unknownModeIsASyntaxError() {
    assertThat(open.run(Handshake::client, "CLIENT", "REPLY", "SKIP")).isEqualTo("+OK\r\n"); // the session drops it
    assertThat(open.replyMode).isEqualTo("skip");
    assertThat(open.run(Handshake::client, "CLIENT", "REPLY", "maybe")).isEqualTo("-ERR syntax error\r\n");
    assertThat(open.replyMode).isEqualTo("skip");
  }

  @Test
  void clientSubcommands_onlyThoseTheServerServes_othersUnknownAsRedisSaysIt() {
    assertThat(open.run(Handshake::client, "CLIENT", "INFO")).isEqualTo("$21\r\nid=3 name= lib-name=\n\r\n");
    assertThat(proxy.run(Handshake::client, "CLIENT", "INFO")).isEqualTo("-ERR unknown subcommand 'INFO'. Try CLIENT HELP.\r\n");
    assertThat(proxy.run(Handshake::client, "CLIENT", "x\r\n")).isEqualTo("-ERR unknown subcommand 'x  '. Try CLIENT HELP.\r\n");
    assertThat(proxy.run(Handshake::client, "CLIENT", "ID", "x")).isEqualTo("-ERR wrong number of arguments for 'client|id' command\r\n");
  }

  @Test
  void clientList_byIdAndType_linesInIdOrder() {
    FakeSession other = new FakeSession(1, null, null, EVERYTHING);
    open.clients.add(other);
    other.name = "first";
    assertThat(open.run(Handshake::client, "CLIENT", "LIST"))
        .isEqualTo("$47\r\nid=1 name=first lib-name=\nid=3 name= lib-name=\n\r\n");
    assertThat(open.run(Handshake::client, "CLIENT", "LIST", "ID", "3", "99")).isEqualTo("$21\r\nid=3 name= lib-name=\n\r\n");
    assertThat(open.run(Handshake::client, "CLIENT", "LIST", "ID", "x")).isEqualTo("-ERR Invalid client ID\r\n");
    assertThat(open.run(Handshake::client, "CLIENT", "LIST", "TYPE", "pubsub")).isEqualTo("$0\r\n\r\n");
    assertThat(open.run(Handshake::client, "CLIENT", "LIST", "TYPE", "x")).isEqualTo("-ERR Unknown client type 'x'\r\n");
  }

  @Test
  void configGet_matchesTheSessionsParameters_setGetsTheServersRefusal() {
    assertThat(open.run(Handshake::config, "CONFIG", "GET", "PORT", "d*")).isEqualTo("*4\r\n$9\r\ndatabases\r\n$1\r\n1\r\n$4\r\nPORT\r\n$4\r\n6380\r\n");
    assertThat(open.run(Handshake::config, "CONFIG", "SET", "port", "1")).isEqualTo("-ERR CONFIG SET is not supported here\r\n");
    assertThat(proxy.run(Handshake::config, "CONFIG", "SET", "port", "1")).isEqualTo("-ERR CONFIG SET is not supported by this one\r\n");
    assertThat(open.run(Handshake::config, "CONFIG", "RESETSTAT")).isEqualTo("+OK\r\n");
    assertThat(proxy.run(Handshake::config, "CONFIG", "RESETSTAT")).isEqualTo("-ERR unknown subcommand 'RESETSTAT'. Try CONFIG HELP.\r\n");
  }

  @Test
  void command_answersOverTheServersOwnCommands() {
    assertThat(open.run(Handshake::command, "COMMAND", "COUNT")).isEqualTo(":2\r\n");
    assertThat(proxy.run(Handshake::command, "COMMAND", "COUNT")).isEqualTo(":1\r\n");
  }

  @Test
  void functionFlush_okForSyncOrAsync_otherModeRefused() {
    assertThat(open.run(Handshake::function, "FUNCTION", "FLUSH")).isEqualTo("+OK\r\n");
    assertThat(open.run(Handshake::function, "FUNCTION", "flush", "ASYNC")).isEqualTo("+OK\r\n");
    assertThat(open.run(Handshake::function, "FUNCTION", "FLUSH", "later")).isEqualTo("-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n");
    assertThat(open.run(Handshake::function, "FUNCTION", "LIST")).isEqualTo("-ERR unknown subcommand 'LIST'. Try FUNCTION HELP.\r\n");
  }

  @Test
  void subcommandRefusal_unknownOrWrongArity_beforeQueuing_nullOtherwise() {
    assertThat(Handshake.subcommandRefusal(FEWER, Request.of(b("CLIENT"), b("LIST"))))
        .isEqualTo("ERR unknown subcommand 'LIST'. Try CLIENT HELP.");
    assertThat(Handshake.subcommandRefusal(EVERYTHING, Request.of(b("CLIENT"), b("LIST")))).isNull();
    assertThat(Handshake.subcommandRefusal(EVERYTHING, Request.of(b("config"), b("get"))))
        .isEqualTo("ERR wrong number of arguments for 'config|get' command");
    assertThat(Handshake.subcommandRefusal(EVERYTHING, Request.of(b("COMMAND"), b("nosuch"))))
        .isEqualTo("ERR unknown subcommand 'nosuch'. Try COMMAND HELP.");
    assertThat(Handshake.subcommandRefusal(EVERYTHING, Request.of(b("FUNCTION"), b("x\0y"))))
        .isEqualTo("ERR unknown subcommand 'x'. Try FUNCTION HELP.");
    assertThat(Handshake.subcommandRefusal(EVERYTHING, Request.of(b("GET"), b("k")))).isNull();
  }

  @Test
  void server_refusesAClientSubcommandItCannotAnswer() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Handshake.Server(EVERYTHING.introspection(),
        Map.of("kill", -3), Map.of(), "no")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CLIENT kill");
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
