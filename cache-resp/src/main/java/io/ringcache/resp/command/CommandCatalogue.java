package io.ringcache.resp.command;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/*
 * The one list of ringcache's commands: what a command is, written once, for the node's dispatch
 * (CommandTable, built by Commands.table()), the proxy's routing (ProxyCommands) and the client's
 * command types (CommandType), and COMMAND's replies on both servers (CommandIntrospection).
 *
 * A command here has a name, an arity (Redis convention: n exactly n arguments with the name, -n at
 * least n), key positions (first, last, step; last -1 for the final argument, 0 0 0 for none),
 * flags, and the subcommands with their arity where it is a container (CLIENT, CONFIG, COMMAND,
 * FUNCTION). The subcommands are every one a node serves; the proxy serves a subset of them and
 * names which (ProxyCommands), never their arity.
 *
 * What is not here is each user's own: the node's handler and dispatch flags (runs at once inside
 * MULTI, refused inside MULTI, cluster-internal, takes every loop's lock), the proxy's routing kind,
 * the client's encoding. A consistency test in each module checks that what it serves or sends is
 * here with the same arity and keys (CommandTableTest, ProxyCommandsTest, CommandTypeTest).
 */

/** Every command ringcache serves: name, arity, key positions, flags and subcommands. */
public final class CommandCatalogue {

  /** What a command does, for routing, retries and COMMAND's flags. */
  public enum Flag {
    /** Reads data and changes none. */
    READ,
    /** Changes data. */
    WRITE,
    /**
     * Changes the connection's or the server's state rather than data (AUTH, CLIENT, CONFIG, a
     * transaction, the cluster's RING.* administration): never resent by a client after a lost
     * connection.
     */
    ADMIN,
    /** May run before AUTH. */
    NO_AUTH
  }

  /** A subcommand of a container command, with Redis 7.0's arity (counting the container's name). */
  public record Subcommand(String name, int arity) {}

  /**
   * One command.
   *
   * @param name lower case, as COMMAND lists it
   * @param arity Redis convention: n exactly n arguments with the name, -n at least n
   * @param firstKey index of the first key, 0 for none
   * @param lastKey index of the last key, -1 for the final argument
   * @param keyStep keys are every {@code keyStep} arguments
   * @param flags what it does
   * @param subcommands by lower-case name, in a stable order; empty if it is not a container
   */
  public record Command(String name, int arity, int firstKey, int lastKey, int keyStep, Set<Flag> flags,
      Map<String, Subcommand> subcommands) {

    public Command {
      flags = flags.isEmpty() ? Collections.unmodifiableSet(EnumSet.noneOf(Flag.class))
          : Collections.unmodifiableSet(EnumSet.copyOf(flags));
      subcommands = Collections.unmodifiableMap(new LinkedHashMap<>(subcommands));
    }

    public boolean has(Flag flag) {
      return flags.contains(flag);
    }

    public boolean keyed() {
      return firstKey > 0;
    }

    /** Whether {@code argc} arguments (the name included) satisfy the arity. */
    public boolean arityOk(int argc) {
      return arity > 0 ? argc == arity : argc >= -arity;
    }

    /** Subcommand name (lower case) to arity, for the subcommands in {@code served} (all if null). */
    public Map<String, Integer> subcommandArity(Collection<String> served) {
      Map<String, Integer> arity = new LinkedHashMap<>();
      subcommands.forEach((sub, s) -> {
        if (served == null || served.contains(sub)) {
          arity.put(sub, s.arity());
        }
      });
      if (served != null && arity.size() != served.size()) {
        throw new IllegalArgumentException(name + " has no subcommand among " + served + " beyond " + arity.keySet());
      }
      return Collections.unmodifiableMap(arity);
    }
  }

  private static final Map<String, Command> ALL = new LinkedHashMap<>();

  private static final Set<Flag> NONE = EnumSet.noneOf(Flag.class);
  private static final Set<Flag> READ = EnumSet.of(Flag.READ);
  private static final Set<Flag> WRITE = EnumSet.of(Flag.WRITE);
  private static final Set<Flag> ADMIN = EnumSet.of(Flag.ADMIN);

  static {
    // connection and server
    keyless("ping", -1, NONE);
    keyless("echo", 2, NONE);
    keyless("quit", -1, EnumSet.of(Flag.NO_AUTH));
    keyless("auth", -2, EnumSet.of(Flag.ADMIN, Flag.NO_AUTH));
    keyless("hello", -1, EnumSet.of(Flag.ADMIN, Flag.NO_AUTH));
    container("client", -2, ADMIN, "setname", 3, "getname", 2, "setinfo", 4, "id", 2, "info", 2, "list", -2,
        "no-evict", 3, "no-touch", 3, "reply", 3);
    keyless("select", 2, ADMIN);
    container("command", -1, NONE, "count", 2, "docs", -2, "getkeys", -4, "help", 2, "info", -2, "list", -2);
    container("config", -2, ADMIN, "get", -3, "set", -4, "resetstat", 2);
    container("function", -2, ADMIN, "flush", -2);
    keyless("info", -1, NONE);
    keyless("dbsize", 1, NONE);
    keyless("time", 1, NONE);
    keyless("flushall", -1, WRITE);
    keyless("flushdb", -1, WRITE);
    // keys and strings
    keyed("get", 2, 1, 1, 1, READ);
    keyed("set", -3, 1, 1, 1, WRITE);
    keyed("setex", 4, 1, 1, 1, WRITE);
    keyed("psetex", 4, 1, 1, 1, WRITE);
    keyed("getset", 3, 1, 1, 1, WRITE);
    keyed("getex", -2, 1, 1, 1, WRITE);
    keyed("setnx", 3, 1, 1, 1, WRITE);
    keyed("msetnx", -3, 1, -1, 2, WRITE);
    keyed("strlen", 2, 1, 1, 1, READ);
    keyed("append", 3, 1, 1, 1, WRITE);
    keyed("getrange", 4, 1, 1, 1, READ);
    keyed("substr", 4, 1, 1, 1, READ);
    keyed("setrange", 4, 1, 1, 1, WRITE);
    keyed("getdel", 2, 1, 1, 1, WRITE);
    keyed("mget", -2, 1, -1, 1, READ);
    keyed("mset", -3, 1, -1, 2, WRITE);
    keyed("del", -2, 1, -1, 1, WRITE);
    keyed("unlink", -2, 1, -1, 1, WRITE);
    keyed("exists", -2, 1, -1, 1, READ);
    keyed("touch", -2, 1, -1, 1, READ);
    keyed("type", 2, 1, 1, 1, READ);
    keyed("expire", -3, 1, 1, 1, WRITE);
    keyed("pexpire", -3, 1, 1, 1, WRITE);
    keyed("expireat", -3, 1, 1, 1, WRITE);
    keyed("pexpireat", -3, 1, 1, 1, WRITE);
    keyed("ttl", 2, 1, 1, 1, READ);
    keyed("pttl", 2, 1, 1, 1, READ);
    keyed("persist", 2, 1, 1, 1, WRITE);
    keyed("incr", 2, 1, 1, 1, WRITE);
    keyed("decr", 2, 1, 1, 1, WRITE);
    keyed("incrby", 3, 1, 1, 1, WRITE);
    keyed("decrby", 3, 1, 1, 1, WRITE);
    keyed("incrbyfloat", 3, 1, 1, 1, WRITE);
    keyed("expiretime", 2, 1, 1, 1, READ);
    keyed("pexpiretime", 2, 1, 1, 1, READ);
    keyless("scan", -2, READ);
    keyless("keys", 2, READ);
    keyed("rename", 3, 1, 2, 1, WRITE);
    keyed("renamenx", 3, 1, 2, 1, WRITE);
    keyed("copy", -3, 1, 2, 1, WRITE);
    keyless("randomkey", 1, READ);
    // bitmaps, and LCS (string): Redis 7.0.15's arity and key positions
    keyed("setbit", 4, 1, 1, 1, WRITE);
    keyed("getbit", 3, 1, 1, 1, READ);
    keyed("bitcount", -2, 1, 1, 1, READ);
    keyed("bitpos", -3, 1, 1, 1, READ);
    keyed("bitop", -4, 2, -1, 1, WRITE);
    keyed("bitfield", -2, 1, 1, 1, WRITE);
    keyed("bitfield_ro", -2, 1, 1, 1, READ);
    keyed("lcs", -3, 1, 2, 1, READ);
    // transactions
    keyless("multi", 1, ADMIN);
    keyless("exec", 1, ADMIN);
    keyless("discard", 1, ADMIN);
    keyed("watch", -2, 1, -1, 1, ADMIN);
    keyless("unwatch", 1, ADMIN);
    // the cluster's own (docs/protocol.md): RING.TOPOLOGY and RING.EPOCH are read by clients
    keyless("ring.topology", 1, NONE);
    keyless("ring.settopology", -2, ADMIN);
    keyless("ring.heartbeat", -3, ADMIN);
    keyless("ring.epoch", 1, NONE);
    keyless("ring.flush", -1, ADMIN);
    keyless("ring.read", -2, ADMIN);
    keyless("ring.import", -2, ADMIN);
    keyless("ring.importraw", 4, ADMIN);
    keyless("ring.stream", 2, ADMIN);
    keyless("ring.progress", 2, ADMIN);
    keyless("ring.probe", 4, ADMIN);
  }

  private CommandCatalogue() {}

  private static void keyless(String name, int arity, Set<Flag> flags) {
    keyed(name, arity, 0, 0, 0, flags);
  }

  private static void keyed(String name, int arity, int firstKey, int lastKey, int keyStep, Set<Flag> flags) {
    put(new Command(name, arity, firstKey, lastKey, keyStep, flags, Map.of()));
  }

  /** A container: {@code subs} alternates subcommand names and arities. */
  private static void container(String name, int arity, Set<Flag> flags, Object... subs) {
    Map<String, Subcommand> subcommands = new LinkedHashMap<>();
    for (int i = 0; i < subs.length; i += 2) {
      subcommands.put((String) subs[i], new Subcommand((String) subs[i], (Integer) subs[i + 1]));
    }
    put(new Command(name, arity, 0, 0, 0, flags, subcommands));
  }

  private static void put(Command command) {
    if (ALL.putIfAbsent(command.name(), command) != null) {
      throw new IllegalStateException("command listed twice: " + command.name());
    }
  }

  /** The command named {@code name} (any case), or null. */
  public static Command find(String name) {
    return ALL.get(name.toLowerCase(Locale.ROOT));
  }

  /** The command named {@code name} (any case); throws if the catalogue lacks it. */
  public static Command get(String name) {
    Command command = find(name);
    if (command == null) {
      throw new IllegalArgumentException("not in the command catalogue: " + name);
    }
    return command;
  }

  /** Every command, in the catalogue's order. */
  public static List<Command> all() {
    return List.copyOf(new ArrayList<>(ALL.values()));
  }
}
