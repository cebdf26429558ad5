package io.ringcache.resp.command;

import static io.ringcache.resp.Request.is;

import io.netty.buffer.ByteBuf;
import io.ringcache.resp.Decimal;
import io.ringcache.resp.Glob;
import io.ringcache.resp.Request;
import io.ringcache.resp.Resp;
import io.ringcache.resp.net.ClusterAuth;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/*
 * The commands a client sends on its own around its real work (PING, ECHO, QUIT, AUTH, HELLO,
 * CLIENT, SELECT, COMMAND, CONFIG, FUNCTION), written once for the node and the proxy, each
 * answering as Redis 7.0 (7.0.15, checked against a real redis-server) does. They run on a
 * HandshakeSession; what differs between the node and the proxy on purpose is a method of it or a
 * field of Server, never a branch here.
 *
 * The dispatcher of each server has already looked the command up, checked its arity and AUTH;
 * what is left here is each command's own arguments. A container's subcommand (CLIENT, CONFIG,
 * COMMAND, FUNCTION) is checked against what the server serves before anything else, so that a
 * transaction can refuse it while queuing (refuseSubcommand, subcommandRefusal), as Redis does.
 *
 * Errors that echo an argument echo it as Redis's %s and %.128s do: its bytes up to a NUL, at
 * most 128, CR and LF at the end of the error trimmed and the others sent as spaces.
 */

/** The connection handshake commands, shared by the node and the proxy. */
public final class Handshake {

  /** The Redis version both servers claim (HELLO, INFO). */
  public static final String VERSION = "7.0.0";

  /** Redis 7.0's reply to a failed AUTH, whatever failed. */
  public static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";

  /** The reply to a client name or library attribute with a byte outside {@code !}..{@code ~}. */
  public static final String INVALID_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";

  private static final String SYNTAX_ERROR = "ERR syntax error";
  private static final String NOT_INTEGER = "ERR value is not an integer or out of range";

  /** FUNCTION's subcommands with Redis 7.0's arity: only FLUSH (neither server has scripting); the catalogue's. */
  public static final Map<String, Integer> FUNCTION_SUBCOMMANDS = CommandCatalogue.get("function").subcommandArity(null);

  /**
   * What one server serves of the handshake family, the same for all its connections. Differs on
   * purpose between the node and the proxy: a node serves every CLIENT and CONFIG subcommand of
   * the catalogue (CLIENT INFO and LIST, CONFIG RESETSTAT), the proxy fewer; COMMAND lists each
   * server's own commands; CONFIG SET's refusal names the server.
   *
   * @param introspection COMMAND's answers over the server's commands
   * @param clientSubcommands the CLIENT subcommands served, with their arity (Redis convention);
   *     each must be one this class answers
   * @param configSubcommands the CONFIG subcommands served, with their arity: GET answers, RESETSTAT
   *     is +OK, any other (SET) gets {@code configSetRefusal}
   * @param configSetRefusal the error CONFIG SET gets
   */
  public record Server(CommandIntrospection introspection, Map<String, Integer> clientSubcommands,
      Map<String, Integer> configSubcommands, String configSetRefusal) {

    /** CLIENT's subcommands this class answers (the catalogue's, as Redis 7.0 with 7.2's SETINFO and NO-TOUCH). */
    private static final Set<String> CLIENT_ANSWERED = Set.of("setname", "getname", "setinfo", "id", "info", "list",
        "no-evict", "no-touch", "reply");

    public Server {
      for (String sub : clientSubcommands.keySet()) {
        if (!CLIENT_ANSWERED.contains(sub)) {
          throw new IllegalArgumentException("CLIENT " + sub + " (expected one of " + CLIENT_ANSWERED + ")");
        }
      }
      clientSubcommands = Map.copyOf(clientSubcommands);
      configSubcommands = Map.copyOf(configSubcommands);
    }
  }

  private Handshake() {}

  public static void ping(HandshakeSession c, Request r) {
    if (r.argc() > 2) {
      wrongArity(c, "ping");
    } else if (r.argc() == 2) {
      Resp.bulk(c.out(), r.arg(1));
    } else {
      Resp.raw(c.out(), Resp.PONG);
    }
  }

  public static void echo(HandshakeSession c, Request r) {
    Resp.bulk(c.out(), r.arg(1));
  }

  public static void quit(HandshakeSession c, Request r) {
    Resp.raw(c.out(), Resp.OK);
    c.closeAfterReplies();
  }

  /** SELECT index: only database 0 exists; the index is read as Redis reads an int. */
  public static void select(HandshakeSession c, Request r) {
    long index;
    try {
      index = Decimal.parseLong(r.arg(1));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
      return;
    }
    if (index < Integer.MIN_VALUE || index > Integer.MAX_VALUE) {
      Resp.error(c.out(), "ERR value is out of range, value must between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE);
    } else if (index != 0) {
      Resp.error(c.out(), "ERR DB index is out of range");
    } else {
      Resp.raw(c.out(), Resp.OK);
    }
  }

  /** AUTH [user] password. */
  public static void auth(HandshakeSession c, Request r) {
    if (r.argc() > 3) {
      Resp.error(c.out(), SYNTAX_ERROR);
      return;
    }
    String error;
    if (r.argc() == 2 && c.password() == null) {
      error = "ERR AUTH <password> called without any password configured for the default user. "
          + "Are you sure your configuration is correct?";
    } else {
      error = authenticate(c, r.argc() == 3 ? r.arg(1) : DEFAULT_USER, r.arg(r.argc() - 1));
    }
    if (error != null) {
      Resp.error(c.out(), error);
    } else {
      Resp.raw(c.out(), Resp.OK);
    }
  }

  private static final byte[] DEFAULT_USER = Resp.ascii("default");
  private static final byte[] CLUSTER_USER = Resp.ascii(ClusterAuth.CLUSTER_USER);

  /**
   * Checks a user and password as Redis 7.0's ACL does (user names are case-sensitive); null if
   * accepted, else the error to reply. Users: {@code default} (the password; any password when there
   * is none), the cluster user (the cluster secret, where there is one), and any other name, which
   * is unknown. A failed AUTH leaves the connection as it was.
   */
  private static String authenticate(HandshakeSession c, byte[] user, byte[] password) {
    if (java.util.Arrays.equals(user, DEFAULT_USER)) {
      String required = c.password();
      if (required == null || MessageDigest.isEqual(required.getBytes(StandardCharsets.UTF_8), password)) {
        c.authenticatedAs(false);
        return null;
      }
    } else if (java.util.Arrays.equals(user, CLUSTER_USER) && ClusterAuth.matches(c.clusterSecret(), password)) {
      c.authenticatedAs(true);
      return null;
    }
    return WRONGPASS;
  }

  /**
   * HELLO [protover [AUTH user pass] [SETNAME name]]: protocol 2 or 3 (RESP3), none keeping the
   * session's. As Redis 7.0.15: each option in turn, AUTH authenticating at once and SETNAME's name
   * checked at once (before AUTH too), the name set and the protocol switched once the connection is
   * authenticated; the reply a flat array in RESP2, a map in RESP3.
   */
  public static void hello(HandshakeSession c, Request r) {
    int i = 1;
    int protocol = c.protocol();
    if (r.argc() > 1) {
      long version;
      try {
        version = Decimal.parseLong(r.arg(1));
      } catch (NumberFormatException e) {
        Resp.error(c.out(), "ERR Protocol version is not an integer or out of range");
        return;
      }
      if (version != 2 && version != 3) {
        Resp.error(c.out(), "NOPROTO unsupported protocol version");
        return;
      }
      protocol = (int) version;
      i = 2;
    }
    byte[] name = null;
    for (; i < r.argc(); i++) {
      if (is(r.arg(i), "auth") && i + 2 < r.argc()) {
        String error = authenticate(c, r.arg(i + 1), r.arg(i + 2));
        if (error != null) {
          Resp.error(c.out(), error);
          return;
        }
        i += 2;
      } else if (is(r.arg(i), "setname") && i + 1 < r.argc()) {
        name = r.arg(++i);
        if (!validName(name)) {
          Resp.error(c.out(), INVALID_NAME);
          return;
        }
      } else {
        Resp.error(c.out(), "ERR Syntax error in HELLO option '" + r.string(i) + "'");
        return;
      }
    }
    if (!c.authenticated()) {
      Resp.error(c.out(), "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
          + "HELLO AUTH <user> <pass> option can be used to authenticate the client and select the "
          + "RESP protocol version at the same time");
      return;
    }
    if (name != null) {
      c.name(name.length == 0 ? null : new String(name, StandardCharsets.US_ASCII));
    }
    c.protocol(protocol);
    ByteBuf out = c.out();
    if (protocol == 3) {
      out.writeBytes(HELLO_MAP);
    } else {
      Resp.arrayHeader(out, 14);
    }
    Resp.bulk(out, "server");
    Resp.bulk(out, "redis");
    Resp.bulk(out, "version");
    Resp.bulk(out, VERSION);
    Resp.bulk(out, "proto");
    Resp.integer(out, protocol);
    Resp.bulk(out, "id");
    Resp.integer(out, c.id());
    Resp.bulk(out, "mode");
    Resp.bulk(out, "standalone");
    Resp.bulk(out, "role");
    Resp.bulk(out, "master");
    Resp.bulk(out, "modules");
    Resp.raw(out, Resp.EMPTY_ARRAY);
  }

  /** The header of HELLO's reply in RESP3: a map of its seven fields. */
  private static final byte[] HELLO_MAP = Resp.ascii("%7\r\n");

  /**
   * For a container command (CLIENT, CONFIG, COMMAND, FUNCTION) about to be queued inside MULTI: the
   * error its subcommand would get when run (unknown, or a wrong number of arguments), since Redis
   * checks subcommands before it queues; null if it has none or may be queued.
   */
  public static String subcommandRefusal(Server server, Request r) {
    if (r.argc() < 2) {
      return null;
    }
    if (is(r.arg(0), "client")) {
      return subcommandRefusal(r, server.clientSubcommands(), "client", "CLIENT");
    }
    if (is(r.arg(0), "config")) {
      return subcommandRefusal(r, server.configSubcommands(), "config", "CONFIG");
    }
    if (is(r.arg(0), "command")) {
      return subcommandRefusal(r, CommandIntrospection.SUBCOMMANDS, "command", "COMMAND");
    }
    if (is(r.arg(0), "function")) {
      return subcommandRefusal(r, FUNCTION_SUBCOMMANDS, "function", "FUNCTION");
    }
    return null;
  }

  /** Replies {@link #subcommandRefusal}'s error, if there is one; returns whether it did. */
  public static boolean refuseSubcommand(HandshakeSession c, Request r) {
    String refused = subcommandRefusal(c.server(), r);
    if (refused != null) {
      echoError(c, refused);
    }
    return refused != null;
  }

  /** Redis's error for an unknown subcommand or a wrong arity of one, or null. */
  private static String subcommandRefusal(Request r, Map<String, Integer> arities, String lower, String upper) {
    String sub = lower(r.arg(1));
    Integer arity = arities.get(sub);
    if (arity == null) {
      return "ERR unknown subcommand '" + abbreviate(echoed(r.arg(1))) + "'. Try " + upper + " HELP.";
    }
    if (arity > 0 ? r.argc() != arity : r.argc() < -arity) {
      return "ERR wrong number of arguments for '" + lower + "|" + sub + "' command";
    }
    return null;
  }

  private static boolean refuse(HandshakeSession c, Request r, Map<String, Integer> arities, String lower, String upper) {
    String refused = subcommandRefusal(r, arities, lower, upper);
    if (refused != null) {
      echoError(c, refused);
    }
    return refused != null;
  }

  /** CLIENT and the subcommands the session's server serves. */
  public static void client(HandshakeSession c, Request r) {
    Map<String, Integer> served = c.server().clientSubcommands();
    String sub = lower(r.arg(1));
    ByteBuf out = c.out();
    if (served.containsKey(sub)) {
      c.lastCommand("client|" + sub);
    }
    if (refuse(c, r, served, "client", "CLIENT")) {
      return;
    }
    switch (sub) {
      case "setname" -> {
        if (!validName(r.arg(2))) {
          Resp.error(out, INVALID_NAME);
          return;
        }
        c.name(r.arg(2).length == 0 ? null : r.string(2));
        Resp.raw(out, Resp.OK);
      }
      case "getname" -> Resp.bulk(out, c.name() == null ? null : c.name().getBytes(StandardCharsets.UTF_8));
      case "setinfo" -> {
        if ((is(r.arg(2), "lib-name") || is(r.arg(2), "lib-ver")) && !validName(r.arg(3))) {
          Resp.error(out, "ERR " + r.string(2) + " cannot contain spaces, newlines or special characters.");
          return;
        }
        if (is(r.arg(2), "lib-name")) {
          c.libName(r.string(3));
        } else if (is(r.arg(2), "lib-ver")) {
          c.libVersion(r.string(3));
        } else {
          Resp.error(out, "ERR Unrecognized option '" + r.string(2) + "'");
          return;
        }
        Resp.raw(out, Resp.OK);
      }
      case "id" -> Resp.integer(out, c.id());
      case "info" -> Resp.bulk(out, c.clientInfo() + "\n");
      case "list" -> clientList(c, r);
      case "no-evict", "no-touch" -> {
        if (is(r.arg(2), "on") || is(r.arg(2), "off")) {
          Resp.raw(out, Resp.OK); // accepted: eviction follows the node's policy whoever reads
        } else {
          Resp.error(out, SYNTAX_ERROR);
        }
      }
      case "reply" -> {
        if (is(r.arg(2), "on") || is(r.arg(2), "off") || is(r.arg(2), "skip")) {
          c.replyMode(lower(r.arg(2)));
          Resp.raw(c.out(), Resp.OK); // dropped for OFF and SKIP: only ON answers
        } else {
          Resp.error(out, SYNTAX_ERROR);
        }
      }
      default -> throw new IllegalStateException("CLIENT " + sub + " is served but not answered");
    }
  }

  /**
   * CLIENT LIST [TYPE normal|master|replica|slave|pubsub] [ID id...]: one line per open client
   * connection, by id, in Redis's format (see {@link HandshakeSession#clientInfo()}). Every client
   * is normal.
   */
  private static void clientList(HandshakeSession c, Request r) {
    Set<Long> ids = null;
    if (r.argc() == 4 && is(r.arg(2), "type")) {
      boolean normal = is(r.arg(3), "normal");
      if (!normal && !is(r.arg(3), "master") && !is(r.arg(3), "replica") && !is(r.arg(3), "slave") && !is(r.arg(3), "pubsub")) {
        echoError(c, "ERR Unknown client type '" + echoed(r.arg(3)) + "'");
        return;
      }
      if (!normal) {
        Resp.bulk(c.out(), new byte[0]);
        return;
      }
    } else if (r.argc() > 3 && is(r.arg(2), "id")) {
      ids = new HashSet<>();
      for (int i = 3; i < r.argc(); i++) {
        try {
          ids.add(Decimal.parseLong(r.arg(i)));
        } catch (NumberFormatException e) {
          Resp.error(c.out(), "ERR Invalid client ID");
          return;
        }
      }
    } else if (r.argc() != 2) {
      Resp.error(c.out(), SYNTAX_ERROR);
      return;
    }
    List<HandshakeSession> sessions = new ArrayList<>();
    for (HandshakeSession other : c.clients()) {
      if (ids == null || ids.contains(other.id())) {
        sessions.add(other);
      }
    }
    sessions.sort(Comparator.comparingLong(HandshakeSession::id));
    StringBuilder s = new StringBuilder();
    for (HandshakeSession other : sessions) {
      s.append(other.clientInfo()).append('\n');
    }
    Resp.bulk(c.out(), s.toString());
  }

  /**
   * Whether a client name (CLIENT SETNAME, HELLO SETNAME) or library attribute (CLIENT SETINFO) is
   * printable ASCII without spaces, as Redis requires: CLIENT LIST and the log lines that name a
   * client must not be forgeable.
   */
  public static boolean validName(byte[] name) {
    for (byte b : name) {
      if (b < '!' || b > '~') {
        return false;
      }
    }
    return true;
  }

  /** COMMAND and its subcommands over the session's server's commands. */
  public static void command(HandshakeSession c, Request r) {
    byte[][] args = new byte[r.argc()][];
    for (int i = 0; i < args.length; i++) {
      args[i] = r.arg(i);
    }
    c.server().introspection().execute(args, c.out());
  }

  /**
   * FUNCTION FLUSH [ASYNC|SYNC]: +OK, as Redis 7.0 answers it when no function exists (neither
   * server has any), with Redis's errors for a wrong mode or too many arguments.
   */
  public static void function(HandshakeSession c, Request r) {
    if (refuse(c, r, FUNCTION_SUBCOMMANDS, "function", "FUNCTION")) {
      return;
    }
    c.lastCommand("function|flush");
    if (r.argc() > 3) {
      echoError(c, "ERR unknown subcommand or wrong number of arguments for '" + abbreviate(echoed(r.arg(1)))
          + "'. Try FUNCTION HELP.");
    } else if (r.argc() == 3 && !echoed(r.arg(2)).equalsIgnoreCase("sync") && !echoed(r.arg(2)).equalsIgnoreCase("async")) {
      // Redis compares with strcasecmp: up to a NUL
      Resp.error(c.out(), "ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    } else {
      Resp.raw(c.out(), Resp.OK);
    }
  }

  /**
   * CONFIG GET pattern...: the session's {@link HandshakeSession#configParameters()} that match,
   * as Redis matches them (glob patterns, any case, each parameter once, in the session's order);
   * CONFIG RESETSTAT: +OK; any other subcommand served (SET): the server's refusal.
   */
  public static void config(HandshakeSession c, Request r) {
    Server server = c.server();
    if (refuse(c, r, server.configSubcommands(), "config", "CONFIG")) {
      return;
    }
    ByteBuf out = c.out();
    String sub = lower(r.arg(1));
    if (sub.equals("get")) {
      List<byte[]> patterns = new ArrayList<>();
      for (int i = 2; i < r.argc(); i++) {
        patterns.add(r.arg(i));
      }
      List<byte[][]> matched = Glob.configPairs(c.configParameters(), patterns);
      Resp.arrayHeader(out, matched.size() * 2);
      for (byte[][] p : matched) {
        Resp.bulk(out, p[0]);
        Resp.bulk(out, p[1]);
      }
    } else if (sub.equals("resetstat")) {
      Resp.raw(out, Resp.OK);
    } else {
      Resp.error(out, server.configSetRefusal());
    }
  }

  private static void wrongArity(HandshakeSession c, String name) {
    Resp.error(c.out(), "ERR wrong number of arguments for '" + name + "' command");
  }

  /** An error that echoes an argument, as Redis sends it: CR and LF at its end trimmed, any left become spaces. */
  private static void echoError(HandshakeSession c, String text) {
    int end = text.length();
    while (end > 0 && (text.charAt(end - 1) == '\r' || text.charAt(end - 1) == '\n')) {
      end--;
    }
    Resp.error(c.out(), text.substring(0, end));
  }

  /** An argument as Redis's {@code %s} prints it: its bytes as they are (one char per byte), up to the first NUL. */
  private static String echoed(byte[] arg) {
    int end = 0;
    while (end < arg.length && arg[end] != 0) {
      end++;
    }
    return new String(arg, 0, end, StandardCharsets.ISO_8859_1);
  }

  /** At most 128 characters, as Redis's {@code %.128s}. */
  private static String abbreviate(String s) {
    return s.length() > 128 ? s.substring(0, 128) : s;
  }

  /** {@code raw} in ASCII lower case, one char per byte. */
  private static String lower(byte[] raw) {
    byte[] b = raw.clone();
    for (int i = 0; i < b.length; i++) {
      if (b[i] >= 'A' && b[i] <= 'Z') {
        b[i] += 32;
      }
    }
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
