package io.ringcache.router.proxy;

import io.ringcache.resp.command.CommandCatalogue;
import io.ringcache.resp.command.CommandIntrospection;
import io.ringcache.resp.command.Handshake;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The commands the proxy understands: how each is served (by the router itself, forwarded to the
 * owner of its key, split per node and merged, or sent to every node); its arity, key positions and
 * flags are the command catalogue's ({@link CommandCatalogue}).
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
   * @param write changes data
   */
  record Spec(String name, int arity, Kind kind, int firstKey, int lastKey, int step, boolean noAuth, boolean write,
      String why) {
    boolean arityOk(int argc) {
      return arity > 0 ? argc == arity : argc >= -arity;
    }

    /** A command with several keys served by forwarding it whole, only when they share a node (else -CROSSNODE). */
    boolean oneNodeOnly() {
      return switch (name) {
        case "msetnx", "rename", "renamenx", "copy", "bitop", "lcs" -> true;
        default -> false;
      };
    }
  }

  private static final Map<String, Spec> BY_NAME = new HashMap<>();
  private static final List<Spec> SERVED = new ArrayList<>();

  static {
    for (String name : List.of("ping", "echo", "quit", "auth", "hello", "client", "select", "command", "config", "function",
        "ring.topology", "time")) {
      served(name, Kind.LOCAL);
    }
    served("info", Kind.FANOUT);
    served("dbsize", Kind.FANOUT);
    for (String name : List.of("get", "getdel", "ttl", "pttl", "persist", "incr", "decr", "type", "strlen", "expiretime",
        "pexpiretime", "expire", "pexpire", "expireat", "pexpireat", "set", "setex", "psetex", "incrby", "incrbyfloat",
        "append", "setnx", "getset", "getrange", "substr", "setrange", "getex", "msetnx", "rename", "renamenx", "copy",
        "decrby", "setbit", "getbit", "bitcount", "bitpos", "bitfield", "bitfield_ro", "bitop", "lcs")) {
      served(name, Kind.KEYED);
    }
    served("mget", Kind.MGET);
    served("mset", Kind.MSET);
    for (String name : List.of("del", "unlink", "exists", "touch")) {
      served(name, Kind.SUM);
    }
    served("scan", Kind.SCAN);
    served("keys", Kind.KEYS);
    served("flushall", Kind.EVERY_NODE);
    served("flushdb", Kind.EVERY_NODE);
    served("randomkey", Kind.RANDOMKEY);
    for (String name : List.of("multi", "exec", "discard", "watch", "unwatch")) {
      served(name, Kind.TRANSACTION);
    }
    for (String name : List.of("subscribe", "psubscribe", "unsubscribe", "punsubscribe", "publish")) {
      unsupported(name, "ringcache has no pub/sub");
    }
    for (String name : List.of("ring.settopology", "ring.epoch", "ring.flush", "ring.read", "ring.import",
        "ring.stream", "ring.progress", "ring.probe")) {
      unsupported(name, "cluster-internal commands go to a node");
    }
    unsupported("cluster", "the proxy is a standalone server; ring-aware clients use RING.TOPOLOGY");
    unsupported("readonly", "the proxy is a standalone server");
  }

  /** CLIENT's subcommands the proxy serves (arity from the catalogue); CLIENT INFO and LIST are the nodes'. */
  static final Map<String, Integer> CLIENT_SUBCOMMANDS = CommandCatalogue.get("client")
      .subcommandArity(List.of("setname", "getname", "setinfo", "id", "no-evict", "no-touch", "reply"));
  /** CONFIG's subcommands the proxy serves (arity from the catalogue). */
  static final Map<String, Integer> CONFIG_SUBCOMMANDS = CommandCatalogue.get("config").subcommandArity(List.of("get", "set"));
  /** FUNCTION's subcommands the proxy serves: all of the catalogue's (FLUSH; there are no functions). */
  static final Map<String, Integer> FUNCTION_SUBCOMMANDS = Handshake.FUNCTION_SUBCOMMANDS;
  /**
   * What the proxy serves of the handshake family (cache-resp's {@link Handshake}): the CLIENT and
   * CONFIG subcommands above, COMMAND over the proxy's commands, and its own CONFIG SET refusal.
   */
  static final Handshake.Server HANDSHAKE = new Handshake.Server(introspection(), CLIENT_SUBCOMMANDS, CONFIG_SUBCOMMANDS,
      "ERR CONFIG SET is not supported by the proxy");

  private ProxyCommands() {}

  /** A command of the catalogue, served as {@code kind}: arity, keys and flags are the catalogue's. */
  private static void served(String name, Kind kind) {
    CommandCatalogue.Command c = CommandCatalogue.get(name);
    add(new Spec(c.name(), c.arity(), kind, c.firstKey(), c.lastKey(), c.keyStep(), c.has(CommandCatalogue.Flag.NO_AUTH),
        c.has(CommandCatalogue.Flag.WRITE), null));
  }

  private static void unsupported(String name, String why) {
    BY_NAME.put(name, new Spec(name, -1, Kind.UNSUPPORTED, 0, 0, 0, false, false, why));
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

  /** Specs by name length, for {@link #lookup(io.ringcache.resp.Request)}; built on first use. */
  private static volatile Spec[][] byLength;

  /** The spec of the request's command (argument 0), read in place: no allocation. */
  static Spec lookup(io.ringcache.resp.Request r) {
    Spec[][] table = byLength;
    if (table == null) {
      table = byLength = byLength();
    }
    int length = r.argLength(0);
    if (length >= table.length || table[length] == null) {
      return null;
    }
    for (Spec spec : table[length]) {
      if (nameIs(r, spec.name())) {
        return spec;
      }
    }
    return null;
  }

  /** Whether argument 0 is {@code lower} (lower-case ASCII), ignoring case. */
  private static boolean nameIs(io.ringcache.resp.Request r, String lower) {
    for (int i = 0; i < lower.length(); i++) {
      int c = r.argByte(0, i);
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static Spec[][] byLength() {
    Spec[][] table = new Spec[33][];
    for (Spec spec : BY_NAME.values()) {
      int n = spec.name().length();
      if (n < table.length) {
        Spec[] bucket = table[n] == null ? new Spec[0] : table[n];
        bucket = java.util.Arrays.copyOf(bucket, bucket.length + 1);
        bucket[bucket.length - 1] = spec;
        table[n] = bucket;
      }
    }
    return table;
  }

  static Spec lookup(String name) {
    return BY_NAME.get(name.toLowerCase(Locale.ROOT));
  }

  /** The commands the proxy serves, in a stable order. */
  static Collection<Spec> served() {
    return SERVED;
  }

  /**
   * What COMMAND lists: the commands the proxy serves, in this order, with the catalogue's entries
   * and the subcommands of CLIENT, CONFIG and FUNCTION the proxy serves.
   */
  static CommandIntrospection introspection() {
    List<CommandCatalogue.Command> served = new ArrayList<>();
    for (Spec spec : SERVED) {
      served.add(CommandCatalogue.get(spec.name()));
    }
    return CommandIntrospection.of(served,
        Map.of("client", CLIENT_SUBCOMMANDS, "config", CONFIG_SUBCOMMANDS, "function", FUNCTION_SUBCOMMANDS));
  }
}
