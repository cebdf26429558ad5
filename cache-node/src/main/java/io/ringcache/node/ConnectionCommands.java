package io.ringcache.node;

import static io.ringcache.node.CommandTable.is;
import static io.ringcache.node.Commands.VERSION;
import static io.ringcache.node.Commands.SYNTAX_ERROR;
import static io.ringcache.node.Commands.echoError;
import static io.ringcache.node.Commands.echoed;
import static io.ringcache.node.Commands.wrongArity;

import io.netty.buffer.ByteBuf;
import io.ringcache.node.store.Decimal;
import io.ringcache.resp.Glob;
import io.ringcache.resp.Request;
import io.ringcache.resp.Resp;
import io.ringcache.resp.command.CommandCatalogue;
import io.ringcache.resp.command.CommandIntrospection;
import io.ringcache.resp.net.ClusterAuth;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The connection family: PING, ECHO, QUIT, AUTH, HELLO, CLIENT, SELECT, COMMAND, CONFIG, FUNCTION, and the refusal of HTTP sent to a RESP port. */
final class ConnectionCommands {

  private static final Logger log = LoggerFactory.getLogger(ConnectionCommands.class);

  private ConnectionCommands() {}

  static void ping(CommandContext c, Request r) {
    if (r.argc() > 2) {
      wrongArity(c, "ping");
    } else if (r.argc() == 2) {
      Resp.bulk(c.out(), r.arg(1));
    } else {
      Resp.raw(c.out(), Resp.PONG);
    }
  }

  static void echo(CommandContext c, Request r) {
    Resp.bulk(c.out(), r.arg(1));
  }

  static void quit(ConnectionContext c, Request r) {
    Resp.raw(c.out(), Resp.OK);
    c.closeAfterReplies();
  }

  static void crossProtocol(ConnectionContext c, Request r) {
    c.stats().protocolErrors.increment();
    log.warn("cross-protocol request ({}) from {}: closing", r.string(0), c.describe());
    Resp.error(c.out(), "ERR Protocol error: cross-protocol request refused: '" + r.string(0) + "' (is this an HTTP client?)");
    c.closeAfterReplies();
  }

  static void auth(ConnectionContext c, Request r) {
    if (r.argc() > 3) {
      Resp.error(c.out(), "ERR syntax error");
      return;
    }
    byte[] user = r.argc() == 3 ? r.arg(1) : null;
    byte[] password = r.arg(r.argc() - 1);
    String error = authenticate(c, user, password);
    if (error != null) {
      Resp.error(c.out(), error);
    } else {
      Resp.raw(c.out(), Resp.OK);
    }
  }

  /**
   * Checks the credentials; null if accepted, else the error to reply. Users, as Redis 7.0 answers
   * them: {@code default} (the password), the reserved cluster user (the cluster secret, see
   * ClusterAuth), and any other name, which no node knows (-WRONGPASS). A failed AUTH leaves the
   * connection as it was.
   */
  private static String authenticate(ConnectionContext c, byte[] user, byte[] password) {
    if (user != null && is(user, ClusterAuth.CLUSTER_USER)) {
      if (ClusterAuth.matches(c.config().clusterSecret(), password)) {
        c.authenticatedAs(true);
        return null;
      }
      return WRONGPASS;
    }
    if (user != null && !is(user, "default")) {
      return WRONGPASS;
    }
    String required = c.config().requirepass();
    if (required == null) {
      return "ERR AUTH <password> called without any password configured for the default user. "
          + "Are you sure your configuration is correct?";
    }
    if (MessageDigest.isEqual(required.getBytes(StandardCharsets.UTF_8), password)) {
      c.authenticatedAs(false);
      return null;
    }
    return WRONGPASS;
  }

  private static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";

  static void hello(ConnectionContext c, Request r) {
    int i = 1;
    if (r.argc() > 1) {
      long version;
      try {
        version = Decimal.parseLong(r.arg(1));
      } catch (NumberFormatException e) {
        Resp.error(c.out(), "ERR Protocol version is not an integer or out of range");
        return;
      }
      if (version != 2) {
        Resp.error(c.out(), "NOPROTO unsupported protocol version");
        return;
      }
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
        name = r.arg(++i); // checked once authenticated, as Redis does
      } else {
        Resp.error(c.out(), "ERR Syntax error in HELLO option '" + r.string(i) + "'");
        return;
      }
    }
    if (!c.authenticated()) {
      Resp.error(c.out(), "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
          + "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the "
          + "RESP protocol version at the same time");
      return;
    }
    if (name != null) {
      if (!validName(name)) {
        Resp.error(c.out(), INVALID_NAME);
        return;
      }
      c.name(name.length == 0 ? null : new String(name, StandardCharsets.US_ASCII));
    }
    ByteBuf out = c.out();
    Resp.arrayHeader(out, 14);
    Resp.bulk(out, "server");
    Resp.bulk(out, "redis");
    Resp.bulk(out, "version");
    Resp.bulk(out, VERSION);
    Resp.bulk(out, "proto");
    Resp.integer(out, 2);
    Resp.bulk(out, "id");
    Resp.integer(out, c.id());
    Resp.bulk(out, "mode");
    Resp.bulk(out, "standalone");
    Resp.bulk(out, "role");
    Resp.bulk(out, "master");
    Resp.bulk(out, "modules");
    Resp.raw(out, Resp.EMPTY_ARRAY);
  }

  /** CLIENT's subcommands and their arity (Redis convention), as Redis 7.0 (and 7.2's SETINFO, NO-TOUCH): the catalogue's. */
  private static final java.util.Map<String, Integer> CLIENT_ARITY = CommandCatalogue.get("client").subcommandArity(null);

  /**
   * For a container command (CLIENT, CONFIG, COMMAND) queued inside MULTI: replies the error its
   * subcommand would get when run (unknown, or a wrong number of arguments), since Redis checks
   * subcommands before it queues; returns whether it did.
   */
  static boolean refuseSubcommand(ConnectionContext c, Request r) {
    if (r.argc() < 2) {
      return false;
    }
    if (is(r.arg(0), "client")) {
      return refuseSubcommand(c, r, CLIENT_ARITY, "client", "CLIENT");
    }
    if (is(r.arg(0), "config")) {
      return refuseSubcommand(c, r, CONFIG_ARITY, "config", "CONFIG");
    }
    if (is(r.arg(0), "command")) {
      return refuseSubcommand(c, r, CommandIntrospection.SUBCOMMANDS, "command", "COMMAND");
    }
    if (is(r.arg(0), "function")) {
      return refuseSubcommand(c, r, FUNCTION_ARITY, "function", "FUNCTION");
    }
    return false;
  }

  /** Replies Redis's error for an unknown subcommand or a wrong arity of one; returns whether it did. */
  private static boolean refuseSubcommand(ConnectionContext c, Request r, java.util.Map<String, Integer> arities, String lower,
      String upper) {
    String sub = new String(lower(r.arg(1)), StandardCharsets.ISO_8859_1);
    Integer arity = arities.get(sub);
    if (arity == null) {
      echoError(c, "ERR unknown subcommand '" + abbreviate(echoed(r, 1)) + "'. Try " + upper + " HELP.");
      return true;
    }
    if (arity > 0 ? r.argc() != arity : r.argc() < -arity) {
      wrongArity(c, lower + "|" + sub);
      return true;
    }
    return false;
  }

  static void client(ConnectionContext c, Request r) {
    String sub = new String(lower(r.arg(1)), StandardCharsets.ISO_8859_1);
    ByteBuf out = c.out();
    if (CLIENT_ARITY.containsKey(sub)) {
      c.lastCommand("client|" + sub);
    }
    if (refuseSubcommand(c, r, CLIENT_ARITY, "client", "CLIENT")) {
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
          Resp.raw(out, Resp.OK); // accepted: a node evicts by its policy whoever reads
        } else {
          Resp.error(out, SYNTAX_ERROR);
        }
      }
      case "reply" -> {
        if (is(r.arg(2), "on") || is(r.arg(2), "off") || is(r.arg(2), "skip")) {
          c.replyMode(new String(lower(r.arg(2)), StandardCharsets.US_ASCII));
          Resp.raw(c.out(), Resp.OK); // dropped for OFF and SKIP: only ON answers
        } else {
          Resp.error(out, SYNTAX_ERROR);
        }
      }
      default -> throw new IllegalStateException("CLIENT " + sub + " is in CLIENT_ARITY but not served");
    }
  }

  /**
   * CLIENT LIST [TYPE normal|master|replica|slave|pubsub] [ID id...]: one line per open client
   * connection, in Redis's format (see Connection#clientInfo). Every client of a node is normal.
   */
  private static void clientList(ConnectionContext c, Request r) {
    java.util.Set<Long> ids = null;
    if (r.argc() == 4 && is(r.arg(2), "type")) {
      boolean normal = is(r.arg(3), "normal");
      if (!normal && !is(r.arg(3), "master") && !is(r.arg(3), "replica") && !is(r.arg(3), "slave") && !is(r.arg(3), "pubsub")) {
        echoError(c, "ERR Unknown client type '" + echoed(r, 3) + "'");
        return;
      }
      if (!normal) {
        Resp.bulk(c.out(), new byte[0]);
        return;
      }
    } else if (r.argc() > 3 && is(r.arg(2), "id")) {
      ids = new java.util.HashSet<>();
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
    List<ConnectionContext> connections = new ArrayList<>();
    for (ConnectionContext other : c.clients()) {
      if (ids == null || ids.contains(other.id())) {
        connections.add(other);
      }
    }
    connections.sort(java.util.Comparator.comparingLong(ConnectionContext::id));
    StringBuilder s = new StringBuilder();
    for (ConnectionContext other : connections) {
      s.append(other.clientInfo()).append('\n');
    }
    Resp.bulk(c.out(), s.toString());
  }

  /** At most 128 characters, as Redis's %.128s. */
  private static String abbreviate(String s) {
    return s.length() > 128 ? s.substring(0, 128) : s;
  }

  static final String INVALID_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";

  /**
   * Whether a client name (CLIENT SETNAME, HELLO SETNAME) or library attribute (CLIENT SETINFO) is
   * printable ASCII without spaces, as Redis requires: CLIENT LIST and the log lines that name a
   * client must not be forgeable.
   */
  static boolean validName(byte[] name) {
    for (byte b : name) {
      if (b < '!' || b > '~') {
        return false;
      }
    }
    return true;
  }

  static void select(CommandContext c, Request r) {
    if (r.arg(1).length == 1 && r.arg(1)[0] == '0') {
      Resp.raw(c.out(), Resp.OK);
    } else {
      Resp.error(c.out(), "ERR DB index is out of range");
    }
  }

  static void command(ConnectionContext c, Request r) {
    byte[][] args = new byte[r.argc()][];
    for (int i = 0; i < args.length; i++) {
      args[i] = r.arg(i);
    }
    c.introspection().execute(args, c.out());
  }

  /** FUNCTION's subcommands a node serves, with Redis 7.0's arity: only FLUSH (a node has no scripting); the catalogue's. */
  private static final java.util.Map<String, Integer> FUNCTION_ARITY = CommandCatalogue.get("function").subcommandArity(null);

  /**
   * FUNCTION FLUSH [ASYNC|SYNC]: +OK, as Redis 7.0 answers it when no function exists (a node has
   * none), with Redis's errors for a wrong mode or too many arguments.
   */
  static void function(ConnectionContext c, Request r) {
    if (refuseSubcommand(c, r, FUNCTION_ARITY, "function", "FUNCTION")) {
      return;
    }
    c.lastCommand("function|flush");
    if (r.argc() > 3) {
      echoError(c, "ERR unknown subcommand or wrong number of arguments for '" + abbreviate(echoed(r, 1))
          + "'. Try FUNCTION HELP.");
    } else if (r.argc() == 3 && !echoed(r, 2).equalsIgnoreCase("sync") && !echoed(r, 2).equalsIgnoreCase("async")) {
      // Redis compares with strcasecmp: up to a NUL
      Resp.error(c.out(), "ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    } else {
      Resp.raw(c.out(), Resp.OK);
    }
  }

  /** CONFIG's subcommands a node serves, with Redis 7.0's arity: the catalogue's. */
  private static final java.util.Map<String, Integer> CONFIG_ARITY = CommandCatalogue.get("config").subcommandArity(null);

  static void config(ConnectionContext c, Request r) {
    ByteBuf out = c.out();
    String sub = new String(lower(r.arg(1)), StandardCharsets.ISO_8859_1);
    if (refuseSubcommand(c, r, CONFIG_ARITY, "config", "CONFIG")) {
      return;
    }
    if (sub.equals("get")) {
      NodeConfig config = c.config();
      String[][] params = {
        {"save", ""},
        {"appendonly", "no"},
        {"databases", "1"},
        {"maxmemory", Long.toString(config.maxMemory())},
        // Redis's nearest names: CLOCK approximates LRU, W-TinyLFU is frequency-based
        {"maxmemory-policy", config.store() == NodeConfig.StoreType.CAFFEINE ? "allkeys-lfu" : "allkeys-lru"},
        {"maxclients", Integer.toString(config.limits().maxClients())},
        {"timeout", Integer.toString(config.limits().idleTimeoutSeconds())},
        {"proto-max-bulk-len", Integer.toString(config.limits().maxBulkLength())},
        {"client-query-buffer-limit", Long.toString(config.limits().maxQueryBuffer())},
        {"port", Integer.toString(c.port())},
        {"bind", config.bind()},
      };
      List<byte[]> patterns = new ArrayList<>();
      for (int i = 2; i < r.argc(); i++) {
        patterns.add(r.arg(i));
      }
      List<byte[][]> matched = Glob.configPairs(params, patterns);
      Resp.arrayHeader(out, matched.size() * 2);
      for (byte[][] p : matched) {
        Resp.bulk(out, p[0]);
        Resp.bulk(out, p[1]);
      }
    } else if (sub.equals("resetstat")) {
      Resp.raw(out, Resp.OK);
    } else {
      Resp.error(out, "ERR CONFIG SET is not supported: restart the node with the option");
    }
  }

  private static byte[] lower(byte[] raw) {
    byte[] b = raw.clone();
    for (int i = 0; i < b.length; i++) {
      if (b[i] >= 'A' && b[i] <= 'Z') {
        b[i] += 32;
      }
    }
    return b;
  }
}
