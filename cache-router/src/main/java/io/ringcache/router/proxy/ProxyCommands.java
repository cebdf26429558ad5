package io.ringcache.router.proxy;

import io.ringcache.resp.command.CommandIntrospection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The commands the proxy understands: how each is served (by the router itself, forwarded to the
 * owner of its key, split per node and merged, or sent to every node), its arity and key positions.
 */
final class ProxyCommands {

  /** How a command is served. */
  enum Kind {
    /** answered by the proxy */
    LOCAL,
    /** one key: forwarded to its owner, the reply passed through */
    KEYED,
    /** values in key order */
    MGET,
    /** +OK when every part is +OK */
    MSET,
    /** the sum of the parts' integers (DEL, UNLINK, EXISTS, TOUCH) */
    SUM,
    /** DBSIZE on every node of the ring (DBSIZE, INFO) */
    FANOUT,
    /** SCAN on every node of the ring, one step of the hash circle merged */
    SCAN,
    /** KEYS on every node of the ring, the keys merged (each once) within the reply budget */
    KEYS,
    /** RANDOMKEY on every node of the ring: one of the keys they answered, at random; nil if none */
    RANDOMKEY,
    /** sent as it is to every node of the ring: +OK when every node answered +OK (FLUSHALL, FLUSHDB) */
    EVERY_NODE,
    /** MULTI, EXEC, DISCARD, WATCH, UNWATCH: served over a connection of the client's own (ClientTransaction) */
    TRANSACTION,
    /** known, refused with a reason */
    UNSUPPORTED;

    /** Whether requests of this kind are sent to nodes. */
    boolean routed() {
      return this != LOCAL && this != UNSUPPORTED;
    }
  }

  /**
   * @param arity Redis convention: n exactly n arguments with the name, -n at least n
   * @param firstKey index of the first key, 0 for none
   * @param lastKey index of the last key, -1 for the final argument
   * @param step keys are every {@code step} arguments
   * @param noAuth may run before AUTH
   */
  record Spec(String name, int arity, Kind kind, int firstKey, int lastKey, int step, boolean noAuth, String why) {
    boolean arityOk(int argc) {
      return arity > 0 ? argc == arity : argc >= -arity;
    }

    boolean write() {
      return switch (name) {
        case "set", "setex", "psetex", "getdel", "mset", "del", "unlink", "expire", "pexpire", "expireat", "pexpireat",
            "persist", "incr", "decr", "incrby", "decrby", "incrbyfloat", "getset", "getex", "setnx", "msetnx", "append", "setrange", "flushall", "flushdb", "rename", "renamenx", "copy" -> true;
        default -> false;
      };
    }

    /** A command with several keys served by forwarding it whole, only when they share a node (else -CROSSNODE). */
    boolean oneNodeOnly() {
      return switch (name) {
        case "msetnx", "rename", "renamenx", "copy" -> true;
        default -> false;
      };
    }
  }

  private static final Map<String, Spec> BY_NAME = new HashMap<>();
  private static final List<Spec> SERVED = new ArrayList<>();

  static {
    local("ping", -1, false);
    local("echo", 2, false);
    local("quit", -1, true);
    local("auth", -2, true);
    local("hello", -1, true);
    local("client", -2, false);
    local("select", 2, false);
    local("command", -1, false);
    local("config", -2, false);
    local("function", -2, false);
    local("ring.topology", 1, false);
    local("time", 1, false);
    add(new Spec("info", -1, Kind.FANOUT, 0, 0, 0, false, null));
    add(new Spec("dbsize", 1, Kind.FANOUT, 0, 0, 0, false, null));
    for (String name : List.of("get", "getdel", "ttl", "pttl", "persist", "incr", "decr", "type", "strlen", "expiretime",
        "pexpiretime")) {
      add(new Spec(name, 2, Kind.KEYED, 1, 1, 1, false, null));
    }
    for (String name : List.of("expire", "pexpire", "expireat", "pexpireat")) {
      add(new Spec(name, -3, Kind.KEYED, 1, 1, 1, false, null));
    }
    add(new Spec("set", -3, Kind.KEYED, 1, 1, 1, false, null));
    add(new Spec("setex", 4, Kind.KEYED, 1, 1, 1, false, null));
    add(new Spec("psetex", 4, Kind.KEYED, 1, 1, 1, false, null));
    add(new Spec("incrby", 3, Kind.KEYED, 1, 1, 1, false, null));
    add(new Spec("incrbyfloat", 3, Kind.KEYED, 1, 1, 1, false, null));
    for (String name : List.of("append", "setnx", "getset")) {
      add(new Spec(name, 3, Kind.KEYED, 1, 1, 1, false, null));
    }
    for (String name : List.of("getrange", "substr", "setrange")) {
      add(new Spec(name, 4, Kind.KEYED, 1, 1, 1, false, null));
    }
    add(new Spec("getex", -2, Kind.KEYED, 1, 1, 1, false, null));
    add(new Spec("msetnx", -3, Kind.KEYED, 1, -1, 2, false, null));
    add(new Spec("rename", 3, Kind.KEYED, 1, 2, 1, false, null));
    add(new Spec("renamenx", 3, Kind.KEYED, 1, 2, 1, false, null));
    add(new Spec("copy", -3, Kind.KEYED, 1, 2, 1, false, null));
    add(new Spec("decrby", 3, Kind.KEYED, 1, 1, 1, false, null));
    add(new Spec("mget", -2, Kind.MGET, 1, -1, 1, false, null));
    add(new Spec("mset", -3, Kind.MSET, 1, -1, 2, false, null));
    for (String name : List.of("del", "unlink", "exists", "touch")) {
      add(new Spec(name, -2, Kind.SUM, 1, -1, 1, false, null));
    }
    add(new Spec("scan", -2, Kind.SCAN, 0, 0, 0, false, null));
    add(new Spec("keys", 2, Kind.KEYS, 0, 0, 0, false, null));
    add(new Spec("flushall", -1, Kind.EVERY_NODE, 0, 0, 0, false, null));
    add(new Spec("flushdb", -1, Kind.EVERY_NODE, 0, 0, 0, false, null));
    add(new Spec("randomkey", 1, Kind.RANDOMKEY, 0, 0, 0, false, null));
    add(new Spec("multi", 1, Kind.TRANSACTION, 0, 0, 0, false, null));
    add(new Spec("exec", 1, Kind.TRANSACTION, 0, 0, 0, false, null));
    add(new Spec("discard", 1, Kind.TRANSACTION, 0, 0, 0, false, null));
    add(new Spec("watch", -2, Kind.TRANSACTION, 1, -1, 1, false, null));
    add(new Spec("unwatch", 1, Kind.TRANSACTION, 0, 0, 0, false, null));
    for (String name : List.of("subscribe", "psubscribe", "unsubscribe", "punsubscribe", "publish")) {
      unsupported(name, "ringcache has no pub/sub");
    }
    for (String name : List.of("ring.settopology", "ring.epoch", "ring.flush", "ring.read", "ring.import",
        "ring.stream", "ring.progress")) {
      unsupported(name, "cluster-internal commands go to a node");
    }
    unsupported("cluster", "the proxy is a standalone server; ring-aware clients use RING.TOPOLOGY");
    unsupported("readonly", "the proxy is a standalone server");
  }

  private ProxyCommands() {}

  private static void local(String name, int arity, boolean noAuth) {
    add(new Spec(name, arity, Kind.LOCAL, 0, 0, 0, noAuth, null));
  }

  private static void unsupported(String name, String why) {
    BY_NAME.put(name, new Spec(name, -1, Kind.UNSUPPORTED, 0, 0, 0, false, why));
  }

  private static void add(Spec spec) {
    BY_NAME.put(spec.name(), spec);
    SERVED.add(spec);
  }

  /** The spec of {@code name} (any case), or null. */
  static Spec lookup(byte[] name) {
    if (name.length > 32) {
      return null;
    }
    byte[] lower = name;
    for (int i = 0; i < name.length; i++) {
      if (name[i] >= 'A' && name[i] <= 'Z') {
        if (lower == name) {
          lower = name.clone();
        }
        lower[i] += 32;
      }
    }
    return BY_NAME.get(new String(lower, StandardCharsets.ISO_8859_1));
  }

  static Spec lookup(String name) {
    return BY_NAME.get(name.toLowerCase(Locale.ROOT));
  }

  /** The commands the proxy serves, in a stable order. */
  static Collection<Spec> served() {
    return SERVED;
  }

  /**
   * What COMMAND lists: the commands the proxy serves, with the subcommands of CLIENT, CONFIG and
   * FUNCTION it serves ({@code client}, {@code config} and {@code function}: name -> Redis arity).
   */
  static CommandIntrospection introspection(Map<String, Integer> client, Map<String, Integer> config,
      Map<String, Integer> function) {
    List<CommandIntrospection.Entry> entries = new ArrayList<>();
    for (Spec spec : SERVED) {
      if (spec.name().equals("command")) {
        entries.add(CommandIntrospection.commandEntry());
        continue;
      }
      Map<String, Integer> subs = switch (spec.name()) {
        case "client" -> client;
        case "config" -> config;
        case "function" -> function;
        default -> Map.of();
      };
      List<CommandIntrospection.Entry> subcommands = new ArrayList<>();
      subs.forEach((sub, arity) -> subcommands.add(CommandIntrospection.Entry.subcommand(spec.name(), sub, arity)));
      List<String> flags = new ArrayList<>();
      if (spec.kind() != Kind.LOCAL && spec.kind() != Kind.FANOUT && spec.kind() != Kind.SCAN && spec.kind() != Kind.KEYS
          && spec.kind() != Kind.RANDOMKEY && spec.kind() != Kind.TRANSACTION) {
        flags.add(spec.write() ? "write" : "readonly");
      }
      if (spec.noAuth()) {
        flags.add("no_auth");
      }
      String summary = spec.name().startsWith("ring.") ? "ringcache cluster command (docs/protocol.md)" : null;
      entries.add(new CommandIntrospection.Entry(spec.name(), spec.arity(), spec.firstKey(), spec.lastKey(), spec.step(),
          flags, summary, subcommands));
    }
    return new CommandIntrospection(entries);
  }
}
