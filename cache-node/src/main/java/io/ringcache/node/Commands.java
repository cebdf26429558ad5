package io.ringcache.node;

import static io.ringcache.node.CommandTable.EXCLUSIVE;
import static io.ringcache.node.CommandTable.HIDDEN;
import static io.ringcache.node.CommandTable.IMMEDIATE;
import static io.ringcache.node.CommandTable.INTERNAL;
import static io.ringcache.node.CommandTable.NO_MULTI;
import static io.ringcache.node.CommandTable.QUICK;
import static io.ringcache.node.CommandTable.NO_AUTH;

import io.ringcache.resp.Request;
import io.ringcache.resp.Resp;
import io.ringcache.resp.command.CommandCatalogue;
import io.ringcache.resp.command.CommandIntrospection;
import io.ringcache.resp.command.Handshake;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The table that names the node's commands, and what the command families share. The families,
 * one class each, hold the implementations: cache-resp's {@link Handshake} (PING ... FUNCTION,
 * shared with the proxy) and {@link ConnectionCommands} (HTTP sent to the port),
 * {@link KeyCommands} (keys and strings), {@link BitCommands} (bits and LCS), {@link ServerCommands} (DBSIZE, TIME, FLUSHALL) and
 * {@link RingCommands} (RING.*); transactions are {@link Transaction}'s.
 */
final class Commands {

  static final String VERSION = Handshake.VERSION;
  static final long NANOS_PER_MS = 1_000_000L;
  static final String NOT_INTEGER = "ERR value is not an integer or out of range";
  static final String SYNTAX_ERROR = "ERR syntax error";

  private Commands() {}

  static CommandTable table() {
    return new CommandTable()
        // connection
        .add("ping", QUICK, Handshake::ping)
        .add("echo", QUICK, Handshake::echo)
        .add("quit", IMMEDIATE, Handshake::quit)
        .add("auth", 0, Handshake::auth)
        .add("hello", 0, Handshake::hello)
        .add("client", 0, Handshake::client)
        .add("select", 0, Handshake::select)
        .add("command", 0, Handshake::command)
        .add("config", 0, Handshake::config)
        .add("function", 0, Handshake::function)
        .add("info", 0, (c, r) -> Resp.bulk(c.out(), Info.render(c, r)))
        .add("dbsize", 0, ServerCommands::dbsize)
        .add("time", 0, ServerCommands::time)
        .add("flushall", 0, ServerCommands::flushall)
        .add("flushdb", 0, ServerCommands::flushall)
        // keys
        .add("get", QUICK, KeyCommands::get)
        .add("set", QUICK, KeyCommands::set)
        .add("setex", QUICK, (c, r) -> KeyCommands.setex(c, r, 1000, "setex"))
        .add("psetex", QUICK, (c, r) -> KeyCommands.setex(c, r, 1, "psetex"))
        .add("getset", QUICK, KeyCommands::getset)
        .add("getex", QUICK, KeyCommands::getex)
        .add("setnx", QUICK, KeyCommands::setnx)
        .add("msetnx", 0, KeyCommands::msetnx)
        .add("strlen", QUICK, KeyCommands::strlen)
        .add("append", 0, KeyCommands::append)
        .add("getrange", 0, KeyCommands::getrange)
        .add("substr", 0, KeyCommands::getrange)
        .add("setrange", 0, KeyCommands::setrange)
        .add("getdel", QUICK, KeyCommands::getdel)
        .add("mget", 0, KeyCommands::mget)
        .add("mset", 0, KeyCommands::mset)
        .add("del", QUICK, KeyCommands::del)
        .add("unlink", QUICK, KeyCommands::del)
        .add("exists", QUICK, KeyCommands::exists)
        .add("touch", QUICK, KeyCommands::exists)
        .add("type", QUICK, KeyCommands::type)
        .add("expire", QUICK, (c, r) -> KeyCommands.expire(c, r, 1000, false, "expire"))
        .add("pexpire", QUICK, (c, r) -> KeyCommands.expire(c, r, 1, false, "pexpire"))
        .add("expireat", QUICK, (c, r) -> KeyCommands.expire(c, r, 1000, true, "expireat"))
        .add("pexpireat", QUICK, (c, r) -> KeyCommands.expire(c, r, 1, true, "pexpireat"))
        .add("ttl", QUICK, (c, r) -> KeyCommands.ttl(c, r, true))
        .add("pttl", QUICK, (c, r) -> KeyCommands.ttl(c, r, false))
        .add("persist", QUICK, KeyCommands::persist)
        .add("incr", QUICK, (c, r) -> KeyCommands.increment(c, r.arg(1), 1))
        .add("decr", QUICK, (c, r) -> KeyCommands.increment(c, r.arg(1), -1))
        .add("incrby", QUICK, (c, r) -> KeyCommands.incrby(c, r, false))
        .add("decrby", QUICK, (c, r) -> KeyCommands.incrby(c, r, true))
        .add("incrbyfloat", QUICK, KeyCommands::incrbyfloat)
        .add("expiretime", QUICK, (c, r) -> KeyCommands.expiretime(c, r, true))
        .add("pexpiretime", QUICK, (c, r) -> KeyCommands.expiretime(c, r, false))
        .add("scan", 0, KeyCommands::scan)
        .add("keys", 0, KeyCommands::keys)
        .add("rename", 0, (c, r) -> KeyCommands.rename(c, r, false))
        .add("renamenx", 0, (c, r) -> KeyCommands.rename(c, r, true))
        .add("copy", 0, KeyCommands::copy)
        .add("randomkey", 0, KeyCommands::randomkey)
        // bits, and LCS (BitCommands)
        .add("setbit", 0, BitCommands::setbit)
        .add("getbit", QUICK, BitCommands::getbit)
        .add("bitcount", 0, BitCommands::bitcount)
        .add("bitpos", 0, BitCommands::bitpos)
        .add("bitop", 0, BitCommands::bitop)
        .add("bitfield", 0, BitCommands::bitfield)
        .add("bitfield_ro", 0, BitCommands::bitfieldRo)
        .add("lcs", 0, BitCommands::lcs)
        // transactions (Transaction)
        .add("multi", IMMEDIATE, (c, r) -> c.transaction().multi(c))
        .add("exec", IMMEDIATE | EXCLUSIVE, (c, r) -> c.transaction().exec(c))
        .add("discard", IMMEDIATE, (c, r) -> c.transaction().discard(c))
        .add("watch", IMMEDIATE, (c, r) -> c.transaction().watch(c, r))
        .add("unwatch", 0, (c, r) -> c.transaction().unwatch(c))
        // cluster-internal
        .add("ring.topology", NO_MULTI, RingCommands::ringTopology) // read-only: any user (clients fetch it)
        .add("ring.settopology", INTERNAL | NO_MULTI, RingCommands::ringSetTopology)
        .add("ring.heartbeat", INTERNAL | NO_MULTI, RingCommands::ringHeartbeat) // renews the lease: cluster user only
        .add("ring.epoch", NO_MULTI, RingCommands::ringEpoch)
        .add("ring.flush", INTERNAL | NO_MULTI, RingCommands::ringFlush)
        .add("ring.read", INTERNAL | NO_MULTI, RingCommands::ringRead)
        .add("ring.import", INTERNAL | NO_MULTI, RingCommands::ringImport)
        .add("ring.importraw", INTERNAL | NO_MULTI, RingCommands::ringImportRaw)
        .add("ring.stream", INTERNAL | NO_MULTI, RingCommands::ringStream)
        .add("ring.progress", INTERNAL | NO_MULTI, RingCommands::ringProgress)
        .add("ring.probe", INTERNAL | NO_MULTI, RingCommands::ringProbe) // dials any address: cluster user only
        // cross-protocol scripting: an HTTP request sent to the node
        .addHidden("post", -1, NO_AUTH | IMMEDIATE, ConnectionCommands::crossProtocol)
        .addHidden("host:", -1, NO_AUTH | IMMEDIATE, ConnectionCommands::crossProtocol);
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
  static void echoError(CommandContext c, String text) {
    int end = text.length();
    while (end > 0 && (text.charAt(end - 1) == '\r' || text.charAt(end - 1) == '\n')) {
      end--;
    }
    Resp.error(c.out(), text.substring(0, end));
  }

  static void wrongArity(CommandContext c, String name) {
    Resp.error(c.out(), "ERR wrong number of arguments for '" + name + "' command");
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

  /** What a node serves of the handshake family: every CLIENT and CONFIG subcommand of the catalogue, COMMAND over {@code introspection}. */
  static Handshake.Server handshake(CommandIntrospection introspection) {
    return new Handshake.Server(introspection, CommandCatalogue.get("client").subcommandArity(null),
        CommandCatalogue.get("config").subcommandArity(null), "ERR CONFIG SET is not supported: restart the node with the option");
  }
}
