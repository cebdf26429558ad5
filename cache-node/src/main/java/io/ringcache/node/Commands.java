package io.ringcache.node;

import static io.ringcache.node.CommandTable.EXCLUSIVE;
import static io.ringcache.node.CommandTable.HIDDEN;
import static io.ringcache.node.CommandTable.IMMEDIATE;
import static io.ringcache.node.CommandTable.INTERNAL;
import static io.ringcache.node.CommandTable.NO_MULTI;
import static io.ringcache.node.CommandTable.NO_AUTH;
import static io.ringcache.node.CommandTable.READ;
import static io.ringcache.node.CommandTable.WRITE;
import static io.ringcache.node.CommandTable.is;

import io.netty.buffer.ByteBuf;
import io.ringcache.node.store.Decimal;
import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.node.cluster.ClusterState;
import io.ringcache.node.cluster.Expiry;
import io.ringcache.node.cluster.HandoffStreamer;
import io.ringcache.node.cluster.ImportState;
import io.ringcache.node.cluster.TopologyGuard;
import io.ringcache.resp.Glob;
import io.ringcache.resp.Request;
import io.ringcache.resp.Resp;
import io.ringcache.resp.command.CommandCatalogue;
import io.ringcache.resp.command.CommandIntrospection;
import io.ringcache.resp.net.ClusterAuth;
import io.ringcache.ring.Handoff;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The implementations of the node's commands and the table that names them. */
final class Commands {

  private static final Logger log = LoggerFactory.getLogger(Commands.class);

  static final String VERSION = "7.0.0";
  private static final long NANOS_PER_MS = 1_000_000L;
  private static final byte[] NIL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);

  private Commands() {}

  static CommandTable table() {
    return new CommandTable()
        // connection
        .add("ping", 0, Commands::ping)
        .add("echo", 0, (c, r) -> Resp.bulk(c.out(), r.arg(1)))
        .add("quit", IMMEDIATE, Commands::quit)
        .add("auth", 0, Commands::auth)
        .add("hello", 0, Commands::hello)
        .add("client", 0, Commands::client)
        .add("select", 0, Commands::select)
        .add("command", 0, Commands::command)
        .add("config", 0, Commands::config)
        .add("function", 0, Commands::function)
        .add("info", 0, (c, r) -> Resp.bulk(c.out(), Info.render(c.node(), r)))
        .add("dbsize", 0, Commands::dbsize)
        .add("time", 0, Commands::time)
        .add("flushall", 0, Commands::flushall)
        .add("flushdb", 0, Commands::flushall)
        // keys
        .add("get", 0, (c, r) -> Resp.bulk(c.out(), c.lookedUp(c.node().store().get(c.key(r.arg(1))))))
        .add("set", 0, Commands::set)
        .add("setex", 0, (c, r) -> setex(c, r, 1000, "setex"))
        .add("psetex", 0, (c, r) -> setex(c, r, 1, "psetex"))
        .add("getset", 0, Commands::getset)
        .add("getex", 0, Commands::getex)
        .add("setnx", 0, Commands::setnx)
        .add("msetnx", 0, Commands::msetnx)
        .add("strlen", 0, Commands::strlen)
        .add("append", 0, Commands::append)
        .add("getrange", 0, Commands::getrange)
        .add("substr", 0, Commands::getrange)
        .add("setrange", 0, Commands::setrange)
        .add("getdel", 0, (c, r) -> Resp.bulk(c.out(), c.node().store().remove(c.key(r.arg(1)))))
        .add("mget", 0, Commands::mget)
        .add("mset", 0, Commands::mset)
        .add("del", 0, Commands::del)
        .add("unlink", 0, Commands::del)
        .add("exists", 0, Commands::exists)
        .add("touch", 0, Commands::exists)
        .add("type", 0, Commands::type)
        .add("expire", 0, (c, r) -> expire(c, r, 1000, false, "expire"))
        .add("pexpire", 0, (c, r) -> expire(c, r, 1, false, "pexpire"))
        .add("expireat", 0, (c, r) -> expire(c, r, 1000, true, "expireat"))
        .add("pexpireat", 0, (c, r) -> expire(c, r, 1, true, "pexpireat"))
        .add("ttl", 0, (c, r) -> ttl(c, r, true))
        .add("pttl", 0, (c, r) -> ttl(c, r, false))
        .add("persist", 0, Commands::persist)
        .add("incr", 0, (c, r) -> increment(c, r.arg(1), 1))
        .add("decr", 0, (c, r) -> increment(c, r.arg(1), -1))
        .add("incrby", 0, (c, r) -> incrby(c, r, false))
        .add("decrby", 0, (c, r) -> incrby(c, r, true))
        .add("incrbyfloat", 0, Commands::incrbyfloat)
        .add("expiretime", 0, (c, r) -> expiretime(c, r, true))
        .add("pexpiretime", 0, (c, r) -> expiretime(c, r, false))
        .add("scan", 0, Commands::scan)
        .add("keys", 0, Commands::keys)
        .add("rename", 0, (c, r) -> rename(c, r, false))
        .add("renamenx", 0, (c, r) -> rename(c, r, true))
        .add("copy", 0, Commands::copy)
        .add("randomkey", 0, Commands::randomkey)
        // transactions (Transaction)
        .add("multi", IMMEDIATE, (c, r) -> c.transaction().multi(c))
        .add("exec", IMMEDIATE | EXCLUSIVE, (c, r) -> c.transaction().exec(c))
        .add("discard", IMMEDIATE, (c, r) -> c.transaction().discard(c))
        .add("watch", IMMEDIATE, (c, r) -> c.transaction().watch(c, r))
        .add("unwatch", 0, (c, r) -> c.transaction().unwatch(c))
        // cluster-internal
        .add("ring.topology", NO_MULTI, Commands::ringTopology) // read-only: any user (clients fetch it)
        .add("ring.settopology", INTERNAL | NO_MULTI, Commands::ringSetTopology)
        .add("ring.heartbeat", INTERNAL | NO_MULTI, Commands::ringHeartbeat) // renews the lease: cluster user only
        .add("ring.epoch", NO_MULTI, (c, r) -> Resp.integer(c.out(), c.node().cluster().epoch()))
        .add("ring.flush", INTERNAL | NO_MULTI, Commands::ringFlush)
        .add("ring.read", INTERNAL | NO_MULTI, Commands::ringRead)
        .add("ring.import", INTERNAL | NO_MULTI, Commands::ringImport)
        .add("ring.stream", INTERNAL | NO_MULTI, Commands::ringStream)
        .add("ring.progress", INTERNAL | NO_MULTI, Commands::ringProgress)
        // cross-protocol scripting: an HTTP request sent to the node
        .addHidden("post", -1, NO_AUTH | IMMEDIATE, Commands::crossProtocol)
        .addHidden("host:", -1, NO_AUTH | IMMEDIATE, Commands::crossProtocol);
  }

  // ---- connection

  private static void ping(Connection c, Request r) {
    if (r.argc() > 2) {
      wrongArity(c, "ping");
    } else if (r.argc() == 2) {
      Resp.bulk(c.out(), r.arg(1));
    } else {
      Resp.raw(c.out(), Resp.PONG);
    }
  }

  private static void quit(Connection c, Request r) {
    Resp.raw(c.out(), Resp.OK);
    c.closeAfterReplies();
  }

  private static void crossProtocol(Connection c, Request r) {
    c.node().stats().protocolErrors.increment();
    log.warn("cross-protocol request ({}) from {}: closing", r.string(0), c.describe());
    Resp.error(c.out(), "ERR Protocol error: cross-protocol request refused: '" + r.string(0) + "' (is this an HTTP client?)");
    c.closeAfterReplies();
  }

  /**
   * Argument {@code i} as Redis's {@code %s} prints it into an error: its bytes as they are (one
   * char per byte), up to the first NUL byte.
   */
  static String echoed(Request r, int i) {
    byte[] arg = r.arg(i);
    int end = 0;
    while (end < arg.length && arg[end] != 0) {
      end++;
    }
    return new String(arg, 0, end, StandardCharsets.ISO_8859_1);
  }

  /**
   * An error that echoes an argument, as Redis sends it: CR and LF at its end trimmed, any left
   * become spaces (Resp.error).
   */
  static void echoError(Connection c, String text) {
    int end = text.length();
    while (end > 0 && (text.charAt(end - 1) == '\r' || text.charAt(end - 1) == '\n')) {
      end--;
    }
    Resp.error(c.out(), text.substring(0, end));
  }

  static void wrongArity(Connection c, String name) {
    Resp.error(c.out(), "ERR wrong number of arguments for '" + name + "' command");
  }

  private static void auth(Connection c, Request r) {
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
  private static String authenticate(Connection c, byte[] user, byte[] password) {
    if (user != null && is(user, ClusterAuth.CLUSTER_USER)) {
      if (ClusterAuth.matches(c.node().config().clusterSecret(), password)) {
        c.authenticatedAs(true);
        return null;
      }
      return WRONGPASS;
    }
    if (user != null && !is(user, "default")) {
      return WRONGPASS;
    }
    String required = c.node().config().requirepass();
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

  private static void hello(Connection c, Request r) {
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
  static boolean refuseSubcommand(Connection c, Request r) {
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
  private static boolean refuseSubcommand(Connection c, Request r, java.util.Map<String, Integer> arities, String lower,
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

  private static void client(Connection c, Request r) {
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
  private static void clientList(Connection c, Request r) {
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
    List<Connection> connections = new ArrayList<>();
    for (io.netty.channel.Channel channel : c.node().clientChannels()) {
      Connection other = channel.attr(Connection.KEY).get();
      if (other != null && (ids == null || ids.contains(other.id()))) {
        connections.add(other);
      }
    }
    connections.sort(java.util.Comparator.comparingLong(Connection::id));
    StringBuilder s = new StringBuilder();
    for (Connection other : connections) {
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

  private static void select(Connection c, Request r) {
    if (r.arg(1).length == 1 && r.arg(1)[0] == '0') {
      Resp.raw(c.out(), Resp.OK);
    } else {
      Resp.error(c.out(), "ERR DB index is out of range");
    }
  }

  private static void command(Connection c, Request r) {
    byte[][] args = new byte[r.argc()][];
    for (int i = 0; i < args.length; i++) {
      args[i] = r.arg(i);
    }
    c.node().introspection().execute(args, c.out());
  }

  /** What COMMAND lists for {@code table}: every command but the hidden ones, with every subcommand (a node serves all). */
  static CommandIntrospection introspection(CommandTable table) {
    List<CommandCatalogue.Command> served = new ArrayList<>();
    for (CommandTable.Spec spec : table.all()) {
      if (!spec.has(HIDDEN)) {
        served.add(CommandCatalogue.get(spec.name()));
      }
    }
    return CommandIntrospection.of(served, java.util.Map.of());
  }

  /** FUNCTION's subcommands a node serves, with Redis 7.0's arity: only FLUSH (a node has no scripting); the catalogue's. */
  private static final java.util.Map<String, Integer> FUNCTION_ARITY = CommandCatalogue.get("function").subcommandArity(null);

  /**
   * FUNCTION FLUSH [ASYNC|SYNC]: +OK, as Redis 7.0 answers it when no function exists (a node has
   * none), with Redis's errors for a wrong mode or too many arguments.
   */
  private static void function(Connection c, Request r) {
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

  private static void config(Connection c, Request r) {
    ByteBuf out = c.out();
    String sub = new String(lower(r.arg(1)), StandardCharsets.ISO_8859_1);
    if (refuseSubcommand(c, r, CONFIG_ARITY, "config", "CONFIG")) {
      return;
    }
    if (sub.equals("get")) {
      NodeConfig config = c.node().config();
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
        {"port", Integer.toString(c.node().port())},
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

  private static void dbsize(Connection c, Request r) {
    Store store = c.node().store();
    store.cleanUp(); // collect what has expired so the count is current (the timer wheel: cheap)
    Resp.integer(c.out(), store.size());
  }

  private static void flushall(Connection c, Request r) {
    if (r.argc() > 2 || (r.argc() == 2 && !is(r.arg(1), "async") && !is(r.arg(1), "sync"))) {
      Resp.error(c.out(), "ERR syntax error");
      return;
    }
    c.node().store().clear();
    Resp.raw(c.out(), Resp.OK);
  }

  // ---- keys

  private static final String NOT_INTEGER = "ERR value is not an integer or out of range";

  private static boolean valueTooLarge(Connection c, byte[] value) {
    int max = c.node().config().limits().maxValueSize();
    if (value.length > max) {
      Resp.error(c.out(), "ERR value too large: " + value.length + " bytes (expected: <= " + max + ", max-value-size)");
      return true;
    }
    return false;
  }

  // SET's and GETEX's options (Redis 7.0's parseExtendedStringArgumentsOrReply)
  private static final int OPT_NX = 1;
  private static final int OPT_XX = 1 << 1;
  private static final int OPT_GET = 1 << 2;
  private static final int OPT_KEEPTTL = 1 << 3;
  private static final int OPT_PERSIST = 1 << 4;
  private static final int OPT_EX = 1 << 5;
  private static final int OPT_PX = 1 << 6;
  private static final int OPT_EXAT = 1 << 7;
  private static final int OPT_PXAT = 1 << 8;
  private static final int OPT_EXPIRY = OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT;

  /** The options of SET (from argument 3) or GETEX (from argument 2), and the expiry's argument. */
  private record StringOptions(int flags, byte[] expire) {
    boolean has(int flag) {
      return (flags & flag) != 0;
    }
  }

  /**
   * Parses SET's or GETEX's options exactly as Redis 7.0 does: a repeated option is accepted (the
   * last expiry wins) unless it conflicts with another one, and any conflict or unknown word is
   * {@code ERR syntax error}. Replies the error and returns null on a bad option; the expiry's
   * number is checked later, as in Redis.
   */
  private static StringOptions stringOptions(Connection c, Request r, boolean set) {
    int flags = 0;
    byte[] expire = null;
    for (int j = set ? 3 : 2; j < r.argc(); j++) {
      byte[] opt = r.arg(j);
      boolean next = j < r.argc() - 1;
      int expiry = is(opt, "ex") ? OPT_EX : is(opt, "px") ? OPT_PX : is(opt, "exat") ? OPT_EXAT : is(opt, "pxat") ? OPT_PXAT : 0;
      if (set && is(opt, "nx") && (flags & OPT_XX) == 0) {
        flags |= OPT_NX;
      } else if (set && is(opt, "xx") && (flags & OPT_NX) == 0) {
        flags |= OPT_XX;
      } else if (set && is(opt, "get")) {
        flags |= OPT_GET;
      } else if (set && is(opt, "keepttl") && (flags & (OPT_PERSIST | OPT_EXPIRY)) == 0) {
        flags |= OPT_KEEPTTL;
      } else if (!set && is(opt, "persist") && (flags & (OPT_KEEPTTL | OPT_EXPIRY)) == 0) {
        flags |= OPT_PERSIST;
      } else if (expiry != 0 && next && (flags & (OPT_KEEPTTL | OPT_PERSIST | (OPT_EXPIRY & ~expiry))) == 0) {
        flags |= expiry;
        expire = r.arg(++j);
      } else {
        Resp.error(c.out(), SYNTAX_ERROR);
        return null;
      }
    }
    return new StringOptions(flags, expire);
  }

  private static final String SYNTAX_ERROR = "ERR syntax error";

  /** Returned by {@link #expireAtMillis} when it replied an error. */
  private static final long INVALID = Long.MIN_VALUE;

  /**
   * The absolute expiry in Unix ms of SET's, SETEX's or GETEX's expiry argument, as Redis 7.0's
   * getExpireMillisecondsOrReply computes it: the number must be positive, and the expiry must not
   * overflow a signed 64-bit count of ms (Redis adds the clock to a relative one and refuses a
   * result that wrapped). Replies the error and returns {@link #INVALID} otherwise.
   */
  private static long expireAtMillis(Connection c, byte[] arg, int flags, long now, String command) {
    long ms;
    try {
      ms = Decimal.parseLong(arg);
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
      return INVALID;
    }
    boolean seconds = (flags & (OPT_EX | OPT_EXAT)) != 0;
    if (ms <= 0 || (seconds && ms > Long.MAX_VALUE / 1000)) {
      Resp.error(c.out(), invalidExpireTime(command));
      return INVALID;
    }
    if (seconds) {
      ms *= 1000;
    }
    if ((flags & (OPT_EX | OPT_PX)) != 0) {
      ms += now; // wraps on overflow, as in Redis, and is refused below
    }
    if (ms <= 0) {
      Resp.error(c.out(), invalidExpireTime(command));
      return INVALID;
    }
    return ms;
  }

  private static String invalidExpireTime(String command) {
    return "ERR invalid expire time in '" + command + "' command";
  }

  /** The TTL in ns for an absolute expiry in Unix ms: 0 if it has passed, at most Store.MAX_TTL_NANOS. */
  private static long ttlUntil(long expireAtMillis, long now) {
    return expireAtMillis <= now ? 0 : toNanos(expireAtMillis - now);
  }

  private static void set(Connection c, Request r) {
    StringOptions options = stringOptions(c, r, true);
    if (options == null) {
      return;
    }
    byte[] value = r.arg(2);
    if (valueTooLarge(c, value)) {
      return;
    }
    long ttl = Store.NO_TTL;
    if (options.expire() != null) {
      long now = c.node().clock().currentTimeMillis();
      long at = expireAtMillis(c, options.expire(), options.flags(), now, "set");
      if (at == INVALID) {
        return;
      }
      ttl = ttlUntil(at, now);
    }
    Store.Condition condition = options.has(OPT_NX) ? Store.Condition.IF_ABSENT
        : options.has(OPT_XX) ? Store.Condition.IF_PRESENT : Store.Condition.ALWAYS;
    boolean keepTtl = options.has(OPT_KEEPTTL);
    if (options.has(OPT_GET)) {
      Resp.bulk(c.out(), c.node().store().set(c.key(r.arg(1)), value, ttl, keepTtl, condition).previous());
    } else if (c.node().store().put(c.key(r.arg(1)), value, ttl, keepTtl, condition)) {
      Resp.raw(c.out(), Resp.OK);
    } else {
      Resp.nil(c.out());
    }
  }

  /** SETEX key seconds value / PSETEX key milliseconds value: SET with EX / PX, as Redis. */
  private static void setex(Connection c, Request r, long unitMillis, String name) {
    long now = c.node().clock().currentTimeMillis();
    long at = expireAtMillis(c, r.arg(2), unitMillis == 1000 ? OPT_EX : OPT_PX, now, name);
    if (at == INVALID) {
      return;
    }
    byte[] value = r.arg(3);
    if (valueTooLarge(c, value)) {
      return;
    }
    c.node().store().put(c.key(r.arg(1)), value, ttlUntil(at, now), false, Store.Condition.ALWAYS);
    Resp.raw(c.out(), Resp.OK);
  }

  /** Milliseconds to nanoseconds, clamped to Store.MAX_TTL_NANOS (see there). */
  private static long toNanos(long ms) {
    return ms >= Store.MAX_TTL_NANOS / NANOS_PER_MS ? Store.MAX_TTL_NANOS : ms * NANOS_PER_MS;
  }

  /**
   * MGET: the values are looked up and their reply size added up before anything is written; a
   * reply larger than max-output-buffer is refused with an error (Redis builds it and then closes
   * the connection). At most max-output-buffer plus one value is held meanwhile.
   */
  private static void mget(Connection c, Request r) {
    Store store = c.node().store();
    int n = r.argc() - 1;
    byte[][] values = new byte[n][];
    long bytes = arrayHeaderBytes(n);
    long budget = replyBudget(c);
    for (int i = 0; i < n; i++) {
      byte[] value = store.get(c.key(r.arg(i + 1)));
      values[i] = value;
      bytes += bulkBytes(value);
      if (bytes > budget) {
        replyTooLarge(c, "mget", bytes, i + 1, n);
        return;
      }
    }
    ByteBuf out = c.out();
    Resp.arrayHeader(out, n);
    for (byte[] value : values) {
      Resp.bulk(out, c.lookedUp(value));
    }
  }

  /**
   * Bytes one reply may take: max-output-buffer. (Replies of many commands that add up past it,
   * for a client that does not read, close the connection as before: that is a slow reader, not
   * one request too large.)
   */
  static long replyBudget(Connection c) {
    return c.node().config().limits().maxOutputBuffer();
  }

  /** The size of a RESP array header of {@code n} elements. */
  static long arrayHeaderBytes(long n) {
    return 3 + Long.toString(n).length();
  }

  /** The size of a RESP bulk string (or a nil for null). */
  static long bulkBytes(byte[] value) {
    return value == null ? 5 : 5 + Integer.toString(value.length).length() + value.length;
  }

  /** Answers the error for a reply refused before it was built, and counts and logs it. */
  static void replyTooLarge(Connection c, String command, long bytes, int counted, int total) {
    long max = c.node().config().limits().maxOutputBuffer();
    c.node().stats().repliesTooLarge.increment();
    log.warn("refused {} reply to {}: {} bytes after {} of {} elements (expected: <= {}, max-output-buffer)",
        command, c.describe(), bytes, counted, total, max);
    Resp.error(c.out(), "ERR reply too large: " + (counted < total ? "more than " : "") + bytes + " bytes for '"
        + command + "' (expected: <= " + max + ", max-output-buffer)");
  }

  /** GETSET key value: SET (the TTL cleared) replying the previous value or nil, as Redis. */
  private static void getset(Connection c, Request r) {
    byte[] value = r.arg(2);
    if (valueTooLarge(c, value)) {
      return;
    }
    Resp.bulk(c.out(), c.node().store().set(c.key(r.arg(1)), value, Store.NO_TTL, false, Store.Condition.ALWAYS).previous());
  }

  /**
   * GETEX key [EX s|PX ms|EXAT unix-s|PXAT unix-ms|PERSIST], as Redis 7.0's getexCommand: the options
   * parse first (a syntax error even for an absent key), an absent key is nil whatever the expiry,
   * then the expiry is checked; the value is replied and the TTL set (an EXAT/PXAT in the past
   * deletes the key) or removed (PERSIST).
   */
  private static void getex(Connection c, Request r) {
    StringOptions options = stringOptions(c, r, false);
    if (options == null) {
      return;
    }
    Key key = c.key(r.arg(1));
    Store store = c.node().store();
    byte[] value = store.get(key);
    if (value == null) {
      Resp.bulk(c.out(), c.lookedUp(null));
      return;
    }
    if (options.expire() != null) {
      long now = c.node().clock().currentTimeMillis();
      long at = expireAtMillis(c, options.expire(), options.flags(), now, "getex");
      if (at == INVALID) {
        return;
      }
      Resp.bulk(c.out(), c.lookedUp(value));
      long ttl = ttlUntil(at, now);
      if (ttl == 0) {
        store.delete(key);
      } else {
        store.expire(key, ttl);
      }
      return;
    }
    Resp.bulk(c.out(), c.lookedUp(value));
    if (options.has(OPT_PERSIST)) {
      store.expire(key, Store.NO_TTL);
    }
  }

  /** SETNX key value: :1 if the key was absent and is now set, else :0. */
  private static void setnx(Connection c, Request r) {
    byte[] value = r.arg(2);
    if (valueTooLarge(c, value)) {
      return;
    }
    boolean stored = c.node().store().put(c.key(r.arg(1)), value, Store.NO_TTL, false, Store.Condition.IF_ABSENT);
    Resp.integer(c.out(), stored ? 1 : 0);
  }

  /**
   * MSETNX key value [key value ...]: :1 and every key set if none was present, else :0 and nothing
   * set. Atomic against requests on this connection and against other commands' checks only as far
   * as each key is set with IF_ABSENT: a concurrent writer of one of the keys between the check and
   * the sets makes that key keep its value (docs/protocol.md).
   */
  private static void msetnx(Connection c, Request r) {
    if ((r.argc() & 1) == 0) {
      wrongArity(c, "msetnx");
      return;
    }
    for (int i = 2; i < r.argc(); i += 2) {
      if (valueTooLarge(c, r.arg(i))) {
        return;
      }
    }
    Store store = c.node().store();
    for (int i = 1; i < r.argc(); i += 2) {
      if (store.contains(c.key(r.arg(i)))) {
        Resp.integer(c.out(), 0);
        return;
      }
    }
    for (int i = 1; i < r.argc(); i += 2) {
      store.put(c.key(r.arg(i)), r.arg(i + 1), Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    Resp.integer(c.out(), 1);
  }

  private static void strlen(Connection c, Request r) {
    byte[] value = c.node().store().get(c.key(r.arg(1)));
    Resp.integer(c.out(), value == null ? 0 : value.length);
  }

  /** The error for a string that would grow beyond max-value-size (APPEND, SETRANGE). */
  private static String stringTooLarge(Connection c, long size) {
    return "ERR string exceeds maximum allowed size (" + size + " bytes, expected: <= "
        + c.node().config().limits().maxValueSize() + ", max-value-size)";
  }

  /** APPEND key value: the length after appending (an absent key is created), the TTL kept. */
  private static void append(Connection c, Request r) {
    byte[] suffix = r.arg(2);
    int max = c.node().config().limits().maxValueSize();
    if (suffix.length > max) {
      Resp.error(c.out(), stringTooLarge(c, suffix.length));
      return;
    }
    long[] tooLarge = {-1};
    byte[] result = c.node().store().update(c.key(r.arg(1)), old -> {
      if (old == null) {
        return suffix; // values handed to the store are kept as they are: the request's copy
      }
      if (suffix.length == 0) {
        return null;
      }
      long size = (long) old.length + suffix.length;
      if (size > max) {
        tooLarge[0] = size;
        return null;
      }
      byte[] joined = java.util.Arrays.copyOf(old, (int) size);
      System.arraycopy(suffix, 0, joined, old.length, suffix.length);
      return joined;
    });
    if (tooLarge[0] >= 0) {
      Resp.error(c.out(), stringTooLarge(c, tooLarge[0]));
    } else {
      if (suffix.length == 0) {
        c.node().watches().signalModified(Key.of(r.arg(1))); // Redis counts an empty APPEND as a change (WATCH)
      }
      Resp.integer(c.out(), result.length);
    }
  }

  /** GETRANGE key start end (and SUBSTR): Redis 7.0's getrangeCommand, indexes inclusive, negative from the end. */
  private static void getrange(Connection c, Request r) {
    long start;
    long end;
    try {
      start = Decimal.parseLong(r.arg(2));
      end = Decimal.parseLong(r.arg(3));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
      return;
    }
    byte[] value = c.node().store().get(c.key(r.arg(1)));
    long length = value == null ? 0 : value.length;
    if (value == null || (start < 0 && end < 0 && start > end)) {
      Resp.bulk(c.out(), new byte[0]);
      return;
    }
    if (start < 0) {
      start = length + start;
    }
    if (end < 0) {
      end = length + end;
    }
    start = Math.max(start, 0);
    end = Math.max(end, 0);
    if (end >= length) {
      end = length - 1;
    }
    if (start > end || length == 0) {
      Resp.bulk(c.out(), new byte[0]);
    } else {
      Resp.bulk(c.out(), java.util.Arrays.copyOfRange(value, (int) start, (int) end + 1));
    }
  }

  /**
   * SETRANGE key offset value: Redis 7.0's setrangeCommand: overwrites from offset, padding with
   * zero bytes; an empty value changes nothing (and creates nothing); replies the length after.
   */
  private static void setrange(Connection c, Request r) {
    long offset;
    try {
      offset = Decimal.parseLong(r.arg(2));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
      return;
    }
    if (offset < 0) {
      Resp.error(c.out(), "ERR offset is out of range");
      return;
    }
    byte[] patch = r.arg(3);
    int max = c.node().config().limits().maxValueSize();
    long size = offset + patch.length;
    if (patch.length == 0) {
      byte[] value = c.node().store().get(c.key(r.arg(1)));
      Resp.integer(c.out(), value == null ? 0 : value.length);
      return;
    }
    if (offset > max || size > max) {
      Resp.error(c.out(), stringTooLarge(c, size < 0 ? offset : size));
      return;
    }
    byte[] result = c.node().store().update(c.key(r.arg(1)), old -> {
      byte[] next = java.util.Arrays.copyOf(old == null ? new byte[0] : old, (int) Math.max(size, old == null ? 0 : old.length));
      System.arraycopy(patch, 0, next, (int) offset, patch.length);
      return next;
    });
    Resp.integer(c.out(), result.length);
  }

  /** TIME: [unix seconds, microseconds] as bulk strings. */
  private static void time(Connection c, Request r) {
    java.time.Instant now = java.time.Instant.now();
    Resp.arrayHeader(c.out(), 2);
    Resp.bulk(c.out(), Long.toString(now.getEpochSecond()));
    Resp.bulk(c.out(), Long.toString(now.getNano() / 1000));
  }

  private static void mset(Connection c, Request r) {
    if ((r.argc() & 1) == 0) {
      wrongArity(c, "mset");
      return;
    }
    for (int i = 2; i < r.argc(); i += 2) {
      if (valueTooLarge(c, r.arg(i))) {
        return;
      }
    }
    Store store = c.node().store();
    for (int i = 1; i < r.argc(); i += 2) {
      store.put(c.key(r.arg(i)), r.arg(i + 1), Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    Resp.raw(c.out(), Resp.OK);
  }

  private static void del(Connection c, Request r) {
    Store store = c.node().store();
    long removed = 0;
    for (int i = 1; i < r.argc(); i++) {
      if (store.delete(c.key(r.arg(i)))) {
        removed++;
      }
    }
    Resp.integer(c.out(), removed);
  }

  private static void exists(Connection c, Request r) {
    Store store = c.node().store();
    long found = 0;
    for (int i = 1; i < r.argc(); i++) {
      if (store.contains(c.key(r.arg(i)))) {
        found++;
      }
    }
    Resp.integer(c.out(), found);
  }

  private static void type(Connection c, Request r) {
    Resp.simple(c.out(), c.node().store().contains(c.key(r.arg(1))) ? "string" : "none");
  }

  /**
   * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, as Redis 7.0's expireGenericCommand: the options are
   * checked before the number; the absolute expiry in ms must not overflow a signed 64-bit count
   * (else {@code invalid expire time}); one at or before now deletes the key (reply 1). NX/XX/GT/LT
   * compare with the key's current expiry (none counts as infinite). A TTL beyond
   * Store.MAX_TTL_NANOS is kept as that (docs/protocol.md).
   */
  private static void expire(Connection c, Request r, long unitMs, boolean absolute, String name) {
    boolean nx = false;
    boolean xx = false;
    boolean gt = false;
    boolean lt = false;
    for (int i = 3; i < r.argc(); i++) {
      byte[] opt = r.arg(i);
      if (is(opt, "nx")) {
        nx = true;
      } else if (is(opt, "xx")) {
        xx = true;
      } else if (is(opt, "gt")) {
        gt = true;
      } else if (is(opt, "lt")) {
        lt = true;
      } else {
        echoError(c, "ERR Unsupported option " + echoed(r, i));
        return;
      }
    }
    if (nx && (xx || gt || lt)) {
      Resp.error(c.out(), "ERR NX and XX, GT or LT options at the same time are not compatible");
      return;
    }
    if (gt && lt) {
      Resp.error(c.out(), "ERR GT and LT options at the same time are not compatible");
      return;
    }
    long when;
    try {
      when = Decimal.parseLong(r.arg(2));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
      return;
    }
    if (unitMs == 1000) {
      if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
        Resp.error(c.out(), invalidExpireTime(name));
        return;
      }
      when *= 1000;
    }
    long now = c.node().clock().currentTimeMillis();
    long base = absolute ? 0 : now;
    if (when > Long.MAX_VALUE - base) {
      Resp.error(c.out(), invalidExpireTime(name));
      return;
    }
    when += base;
    Key key = c.key(r.arg(1));
    Store store = c.node().store();
    long current = store.ttlNanos(key);
    if (current == -2) {
      Resp.integer(c.out(), 0);
      return;
    }
    long ttl = ttlUntil(when, now);
    boolean hasTtl = current != Store.NO_TTL;
    if ((nx && hasTtl) || (xx && !hasTtl) || (gt && (!hasTtl || ttl <= current)) || (lt && hasTtl && ttl >= current)) {
      Resp.integer(c.out(), 0);
      return;
    }
    if (ttl == 0) {
      store.delete(key); // Redis deletes a key whose new expiry has passed, and answers 1
      Resp.integer(c.out(), 1);
      return;
    }
    Resp.integer(c.out(), store.expire(key, ttl) ? 1 : 0);
  }

  private static void ttl(Connection c, Request r, boolean seconds) {
    long nanos = c.node().store().ttlNanos(c.key(r.arg(1)));
    if (nanos < 0) {
      Resp.integer(c.out(), nanos == Store.NO_TTL ? -1 : -2);
      return;
    }
    long ms = (nanos + NANOS_PER_MS / 2) / NANOS_PER_MS;
    Resp.integer(c.out(), seconds ? (ms + 500) / 1000 : ms);
  }

  private static void persist(Connection c, Request r) {
    Key key = c.key(r.arg(1));
    Store store = c.node().store();
    long ttl = store.ttlNanos(key);
    Resp.integer(c.out(), ttl >= 0 && store.expire(key, Store.NO_TTL) ? 1 : 0);
  }

  private static void incrby(Connection c, Request r, boolean negate) {
    long delta;
    try {
      delta = Decimal.parseLong(r.arg(2));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
      return;
    }
    if (negate) {
      if (delta == Long.MIN_VALUE) {
        Resp.error(c.out(), "ERR decrement would overflow");
        return;
      }
      delta = -delta;
    }
    increment(c, r.arg(1), delta);
  }

  private static void increment(Connection c, byte[] key, long delta) {
    try {
      Resp.integer(c.out(), c.node().store().increment(c.key(key), delta));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
    } catch (ArithmeticException e) {
      Resp.error(c.out(), "ERR increment or decrement would overflow");
    }
  }

  private static final String NOT_FLOAT = "ERR value is not a valid float";

  /**
   * INCRBYFLOAT key increment, as Redis 7.0's incrbyfloatCommand: the value (absent: 0) and the
   * increment are C long doubles (see LongDouble), the sum is stored in Redis's human format
   * ({@code %.17Lf} without trailing zeros) and replied; the TTL is kept. {@code -ERR value is not a
   * valid float} for either, {@code -ERR increment would produce NaN or Infinity} for the sum.
   */
  private static void incrbyfloat(Connection c, Request r) {
    LongDouble increment = LongDouble.parse(r.arg(2));
    if (increment == null) {
      Resp.error(c.out(), NOT_FLOAT);
      return;
    }
    int max = c.node().config().limits().maxValueSize();
    String[] error = {null};
    byte[] result = c.node().store().update(c.key(r.arg(1)), old -> {
      LongDouble value = old == null ? LongDouble.parse(new byte[] {'0'}) : LongDouble.parse(old);
      if (value == null) {
        error[0] = NOT_FLOAT;
        return null;
      }
      LongDouble sum = value.add(increment);
      if (sum.isInfinite()) {
        error[0] = "ERR increment would produce NaN or Infinity";
        return null;
      }
      byte[] next = sum.format().getBytes(StandardCharsets.US_ASCII);
      if (next.length > max) {
        error[0] = stringTooLarge(c, next.length);
        return null;
      }
      return next;
    });
    if (error[0] != null) {
      Resp.error(c.out(), error[0]);
    } else {
      Resp.bulk(c.out(), result);
    }
  }

  /**
   * EXPIRETIME / PEXPIRETIME key: the absolute expiry in Unix seconds (rounded) / milliseconds, as
   * Redis 7.0's; -1 without a TTL, -2 for an absent key. The store keeps a remaining TTL on a
   * monotonic clock, so the expiry is the wall clock now plus it (docs/protocol.md).
   */
  private static void expiretime(Connection c, Request r, boolean seconds) {
    long now = c.node().clock().currentTimeMillis();
    long nanos = c.node().store().ttlNanos(c.key(r.arg(1)));
    if (nanos < 0) {
      Resp.integer(c.out(), nanos == Store.NO_TTL ? -1 : -2);
      return;
    }
    long at = now + (nanos + NANOS_PER_MS / 2) / NANOS_PER_MS;
    Resp.integer(c.out(), seconds ? (at + 500) / 1000 : at);
  }

  private static void scan(Connection c, Request r) {
    long cursor;
    try {
      cursor = Decimal.parseLong(r.arg(1));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), "ERR invalid cursor");
      return;
    }
    if (cursor < 0 || cursor >= (1L << 32)) {
      Resp.error(c.out(), "ERR invalid cursor");
      return;
    }
    byte[] pattern = null;
    int count = 10;
    boolean stringsOnly = true;
    for (int i = 2; i < r.argc(); i++) {
      if (is(r.arg(i), "match") && i + 1 < r.argc()) {
        pattern = r.arg(++i);
        if (pattern.length == 1 && pattern[0] == '*') {
          pattern = null;
        }
      } else if (is(r.arg(i), "count") && i + 1 < r.argc()) {
        try {
          long n = Decimal.parseLong(r.arg(++i));
          if (n < 1) {
            Resp.error(c.out(), "ERR syntax error");
            return;
          }
          count = (int) Math.min(n, 1 << 20);
        } catch (NumberFormatException e) {
          Resp.error(c.out(), NOT_INTEGER);
          return;
        }
      } else if (is(r.arg(i), "type") && i + 1 < r.argc()) {
        stringsOnly = is(r.arg(++i), "string");
      } else {
        Resp.error(c.out(), "ERR syntax error");
        return;
      }
    }
    Store.ScanPage page = c.node().store().scan(cursor, count);
    List<Key> keys = page.keys();
    List<Key> matched = new ArrayList<>(keys.size());
    Glob glob = pattern == null ? null : Glob.compile(pattern, c.node().config().limits().maxKeySize());
    if (stringsOnly) {
      for (Key key : keys) {
        if (glob == null || glob.matches(key.bytes())) {
          matched.add(key);
        }
      }
    }
    byte[] next = Decimal.toBytes(page.nextCursor());
    long bytes = arrayHeaderBytes(2) + bulkBytes(next) + arrayHeaderBytes(matched.size());
    for (Key key : matched) {
      bytes += bulkBytes(key.bytes());
    }
    if (bytes > replyBudget(c)) {
      replyTooLarge(c, "scan", bytes, matched.size(), matched.size());
      return;
    }
    ByteBuf out = c.out();
    Resp.arrayHeader(out, 2);
    Resp.bulk(out, next);
    Resp.arrayHeader(out, matched.size());
    for (Key key : matched) {
      Resp.bulk(out, key.bytes());
    }
  }

  /**
   * RENAME / RENAMENX key newkey, as Redis 7.0's renameGenericCommand: {@code -ERR no such key} for
   * an absent key (even when both names are the same), then the same name is {@code +OK} / {@code :0};
   * RENAMENX leaves an existing newkey ({@code :0}); otherwise newkey takes the value and the TTL of
   * key (its own TTL dropped) and key is deleted. Both keys are on this node (the dispatcher answers
   * -MOVED or -CROSSNODE otherwise). Not atomic against another client's write of either key between
   * the steps (docs/protocol.md).
   */
  private static void rename(Connection c, Request r, boolean nx) {
    Store store = c.node().store();
    Key from = c.key(r.arg(1));
    byte[] value = store.get(from);
    long ttl = value == null ? -2 : store.ttlNanos(from);
    if (ttl == -2 || ttl == 0) { // 0: expiring as we look
      Resp.error(c.out(), "ERR no such key");
      return;
    }
    if (java.util.Arrays.equals(r.arg(1), r.arg(2))) {
      if (nx) {
        Resp.integer(c.out(), 0);
      } else {
        Resp.raw(c.out(), Resp.OK);
      }
      return;
    }
    Key to = c.key(r.arg(2));
    if (nx && store.contains(to)) {
      Resp.integer(c.out(), 0);
      return;
    }
    store.put(to, value, ttl, false, Store.Condition.ALWAYS);
    store.delete(from);
    if (nx) {
      Resp.integer(c.out(), 1);
    } else {
      Resp.raw(c.out(), Resp.OK);
    }
  }

  /**
   * COPY source destination [DB 0] [REPLACE], as Redis 7.0's copyCommand: the options first
   * ({@code -ERR syntax error}; DB must be an integer, and 0: a node has one database), then the same
   * name is {@code -ERR source and destination objects are the same}; {@code :0} for an absent source,
   * or an existing destination without REPLACE; else the destination gets the value and the TTL of
   * the source, {@code :1}.
   */
  private static void copy(Connection c, Request r) {
    boolean replace = false;
    for (int j = 3; j < r.argc(); j++) {
      if (is(r.arg(j), "replace")) {
        replace = true;
      } else if (is(r.arg(j), "db") && j + 1 < r.argc()) {
        long db;
        try {
          db = Decimal.parseLong(r.arg(++j));
        } catch (NumberFormatException e) {
          Resp.error(c.out(), NOT_INTEGER);
          return;
        }
        if (db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) { // Redis's getIntFromObjectOrReply, its text as is
          Resp.error(c.out(), "ERR value is out of range, value must between -2147483648 and 2147483647");
          return;
        }
        if (db != 0) {
          Resp.error(c.out(), "ERR DB index is out of range");
          return;
        }
      } else {
        Resp.error(c.out(), SYNTAX_ERROR);
        return;
      }
    }
    if (java.util.Arrays.equals(r.arg(1), r.arg(2))) {
      Resp.error(c.out(), "ERR source and destination objects are the same");
      return;
    }
    Store store = c.node().store();
    Key from = c.key(r.arg(1));
    byte[] value = store.get(from);
    long ttl = value == null ? -2 : store.ttlNanos(from);
    if (ttl == -2 || ttl == 0) { // 0: expiring as we look
      Resp.integer(c.out(), 0);
      return;
    }
    Key to = c.key(r.arg(2));
    if (!replace && store.contains(to)) {
      Resp.integer(c.out(), 0);
      return;
    }
    store.put(to, value, ttl, false, Store.Condition.ALWAYS);
    Resp.integer(c.out(), 1);
  }

  /**
   * KEYS pattern: every key the node holds that matches, walked as SCAN walks (a few passes over
   * the store, at most 8 pages), the pattern compiled as MATCH's (linear, bounded by max-key-size).
   * A reply larger than max-output-buffer is refused before it is built, as SCAN's and MGET's.
   */
  private static void keys(Connection c, Request r) {
    byte[] pattern = r.arg(1);
    Glob glob = pattern.length == 1 && pattern[0] == '*' ? null : Glob.compile(pattern, c.node().config().limits().maxKeySize());
    Store store = c.node().store();
    int pageSize = (int) Math.min(Integer.MAX_VALUE, Math.max(1 << 16, store.size() / 8));
    List<byte[]> matched = new ArrayList<>();
    long bytes = 0;
    long budget = replyBudget(c);
    long cursor = 0;
    do {
      Store.ScanPage page = store.scan(cursor, pageSize);
      for (Key key : page.keys()) {
        if (glob == null || glob.matches(key.bytes())) {
          matched.add(key.bytes());
          bytes += bulkBytes(key.bytes());
          if (bytes + arrayHeaderBytes(matched.size()) > budget) {
            replyTooLarge(c, "keys", bytes + arrayHeaderBytes(matched.size()), matched.size(), matched.size() + 1);
            return;
          }
        }
      }
      cursor = page.nextCursor();
    } while (cursor != 0);
    ByteBuf out = c.out();
    Resp.arrayHeader(out, matched.size());
    for (byte[] key : matched) {
      Resp.bulk(out, key);
    }
  }

  /**
   * RANDOMKEY: a key the node holds, or nil when it holds none: a random key of the SCAN page at a
   * random position of the hash circle (the next non-empty page, wrapping once).
   */
  private static void randomkey(Connection c, Request r) {
    Store store = c.node().store();
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    long start = random.nextLong(1L << 32);
    long cursor = start;
    boolean wrapped = false;
    while (true) {
      Store.ScanPage page = store.scan(cursor, 16);
      if (!page.keys().isEmpty()) {
        Resp.bulk(c.out(), page.keys().get(random.nextInt(page.keys().size())).bytes());
        return;
      }
      cursor = page.nextCursor();
      if (cursor == 0) {
        if (wrapped || start == 0) {
          Resp.nil(c.out());
          return;
        }
        wrapped = true;
      } else if (wrapped && cursor > start) {
        Resp.nil(c.out());
        return;
      }
    }
  }

  // ---- cluster-internal

  private static void ringTopology(Connection c, Request r) {
    Resp.bulk(c.out(), TopologyJson.writeBytes(c.node().cluster().topology()));
  }

  /**
   * RING.SETTOPOLOGY json [incarnation]: adopts the topology if it is newer and meant for this
   * process (the incarnation, when given, and the topology's entry for this node must be this
   * process's); replies with the epoch held, or -ERR STALE ... for another process's topology.
   */
  private static void ringSetTopology(Connection c, Request r) {
    if (r.argc() > 3) {
      wrongArity(c, "ring.settopology");
      return;
    }
    Topology topology;
    long addressedTo = 0;
    try {
      topology = TopologyJson.read(r.arg(1));
      if (r.argc() == 3) {
        addressedTo = Decimal.parseLong(r.arg(2));
      }
    } catch (IllegalArgumentException e) {
      Resp.error(c.out(), "ERR " + e.getMessage());
      return;
    }
    long before = c.node().cluster().epoch();
    String refusal = TopologyGuard.refusal(topology, before);
    if (refusal != null) {
      log.warn("refused RING.SETTOPOLOGY from {}: {}", c.describe(), refusal);
      Resp.error(c.out(), "ERR topology refused: " + refusal);
      return;
    }
    try {
      Resp.integer(c.out(), c.node().cluster().adopt(topology, addressedTo));
    } catch (ClusterState.StaleIncarnationException e) {
      log.warn("refused topology epoch {} from {}: {}", topology.epoch(), c.describe(), e.getMessage());
      Resp.error(c.out(), "ERR " + e.getMessage());
    }
  }

  /**
   * RING.HEARTBEAT incarnation lease-ms: the router's health check. Renews the lease when the
   * incarnation is this process's (see ClusterState#heartbeat); replies [epoch, incarnation,
   * member (1 or 0), lease left in ms or -1].
   */
  private static void ringHeartbeat(Connection c, Request r) {
    long expected;
    long leaseMillis;
    try {
      expected = Decimal.parseLong(r.arg(1));
      leaseMillis = Decimal.parseLong(r.arg(2));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
      return;
    }
    ClusterState cluster = c.node().cluster();
    if (leaseMillis < 0 || leaseMillis > 3_600_000) {
      Resp.error(c.out(), "ERR lease must be between 0 and 3600000 ms: " + leaseMillis);
      return;
    }
    cluster.heartbeat(expected, leaseMillis * NANOS_PER_MS, c.heartbeatAnswered, c.heartbeatAnsweredNanos);
    Resp.arrayHeader(c.out(), 4);
    Resp.integer(c.out(), cluster.epoch());
    Resp.integer(c.out(), cluster.incarnation());
    Resp.integer(c.out(), cluster.member() ? 1 : 0);
    Resp.integer(c.out(), cluster.leaseRemainingMillis());
    c.heartbeatAnswered = true;
    c.heartbeatAnsweredNanos = cluster.nanoTime();
  }

  private static void ringFlush(Connection c, Request r) {
    c.node().cluster().flush();
    log.info("flushed by RING.FLUSH from {}", c.describe());
    Resp.raw(c.out(), Resp.OK);
  }

  /** RING.READ key: [value, absolute expiry in Unix ms or -1], or a null array; ignores the seal. */
  private static void ringRead(Connection c, Request r) {
    Key key = c.key(r.arg(1));
    Store store = c.node().store();
    long wall = System.currentTimeMillis(); // before the TTL is measured (see Expiry.absoluteMillis)
    byte[] value = store.get(key);
    long ttl = value == null ? -2 : store.ttlNanos(key);
    if (value == null || ttl == -2) {
      Resp.raw(c.out(), NIL_ARRAY);
      return;
    }
    Resp.arrayHeader(c.out(), 2);
    Resp.bulk(c.out(), value);
    Resp.integer(c.out(), Expiry.absoluteMillis(wall, ttl));
  }

  /**
   * RING.IMPORT id key expire-at value ...: stores each entry absent here and untouched by clients;
   * expire-at is the absolute expiry in Unix ms (-1: none), and an entry already expired is skipped.
   */
  private static void ringImport(Connection c, Request r) {
    if ((r.argc() - 2) % 3 != 0) {
      Resp.error(c.out(), "ERR wrong number of arguments for 'ring.import' command (expected: id, then key expire-at value triples)");
      return;
    }
    ClusterState cluster = c.node().cluster();
    String id = r.string(1);
    ImportState state = cluster.incoming(id);
    if (state == null) {
      Resp.error(c.out(), "ERR not importing handoff " + id + " at epoch " + cluster.epoch());
      return;
    }
    Key[] keys = new Key[(r.argc() - 2) / 3];
    long[] expireAt = new long[keys.length];
    for (int i = 2, k = 0; i < r.argc(); i += 3, k++) {
      keys[k] = c.key(r.arg(i)); // one CRC per key: the ring hash and the table hash
      if (cluster.blocks(keys[k].ringHash())) {
        Resp.error(c.out(), "TRYAGAIN purging gained ranges, retry");
        return;
      }
      try {
        expireAt[k] = Decimal.parseLong(r.arg(i + 1));
      } catch (NumberFormatException e) {
        Resp.error(c.out(), "ERR invalid expiry in ring.import: " + r.string(i + 1));
        return;
      }
    }
    Store store = c.node().store();
    long applied = 0;
    for (int i = 2, k = 0; i < r.argc(); i += 3, k++) {
      Key key = keys[k];
      long expiresAt = expireAt[k];
      byte[] value = r.arg(i + 2);
      boolean[] stored = {false};
      // the TTL is computed when the insert runs (one kept behind a client's write runs later),
      // and an entry that expired on the way is not stored
      state.applyIfUntouched(key, () -> stored[0] = store.putIfAbsentUntil(key, value, expiresAt));
      if (stored[0]) {
        applied++;
      }
    }
    Resp.integer(c.out(), applied);
  }

  /** RING.STREAM id: streams the handoff's entries to its target; replies with the count once done. */
  private static void ringStream(Connection c, Request r) {
    ClusterState cluster = c.node().cluster();
    String id = r.string(1);
    Handoff handoff = cluster.outgoing(id);
    if (handoff == null) {
      Resp.error(c.out(), "ERR no handoff " + id + " with this node as its source at epoch " + cluster.epoch());
      return;
    }
    String target = cluster.addressOf(handoff.to());
    c.defer(c.node().streamer().stream(handoff, target), (count, error) -> {
      if (error != null) {
        Resp.error(c.out(), "ERR handoff " + id + ": streaming to " + target + " failed: " + error.getMessage());
      } else {
        Resp.integer(c.out(), count);
      }
    });
  }

  /** RING.PROGRESS id: [entries acknowledged by the target, entries to send]. */
  private static void ringProgress(Connection c, Request r) {
    HandoffStreamer.Progress progress = c.node().streamer().progress(r.string(1));
    Resp.arrayHeader(c.out(), 2);
    Resp.integer(c.out(), progress == null ? 0 : progress.moved());
    Resp.integer(c.out(), progress == null ? 0 : progress.total());
  }
}
