package io.ringcache.resp.command;

import io.netty.buffer.ByteBuf;
import io.ringcache.resp.Glob;
import io.ringcache.resp.Resp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/*
 * COMMAND and its subcommands (COUNT, LIST with FILTERBY, INFO, DOCS, GETKEYS, HELP), as Redis 7.0
 * answers them, over the commands a server really serves: the node passes the commands of its
 * CommandTable, the proxy those of its ProxyCommands (and the subcommands it serves), so that what
 * COMMAND lists is exactly what the server answers.
 *
 * The command catalogue (CommandCatalogue, through #of) gives each command's name, arity, key
 * positions and subcommands. What only Redis knows (its
 * flags, ACL categories, group, since, complexity, summary) comes from redis-commands.tsv, written
 * by tools/redis-commands.py from a real redis-server 7.0: COMMAND INFO get answers what Redis
 * answers except the key specifications, and FILTERBY ACLCAT string finds the string commands.
 * Commands Redis does not have (RING.*) carry their own flags and a summary.
 *
 * Differences (docs/protocol.md): commands come in the server's table order, not Redis's hash
 * order; INFO's key specifications and DOCS's arguments and history are empty; GETKEYS uses the
 * first/last/step key positions (exactly Redis's answer for every command we serve);
 * GETKEYSANDFLAGS is not served.
 */

/** Serves COMMAND and its subcommands over a server's own command list. */
public final class CommandIntrospection {

  /**
   * One command or subcommand a server serves.
   *
   * @param name the full lower-case name, {@code client|setname} for a subcommand
   * @param arity Redis convention: n exactly n arguments with the name, -n at least n
   * @param firstKey index of the first key, 0 for none
   * @param lastKey index of the last key, -1 for the final argument
   * @param keyStep keys are every {@code keyStep} arguments
   * @param ownFlags the flags to list when Redis does not know the command
   * @param summary the summary COMMAND DOCS gives when Redis does not know the command
   * @param subcommands the subcommands served, by full name
   */
  public record Entry(String name, int arity, int firstKey, int lastKey, int keyStep, List<String> ownFlags, String summary,
      List<Entry> subcommands) {

    public Entry {
      subcommands = subcommands.stream().sorted(Comparator.comparing(Entry::name)).toList();
      ownFlags = List.copyOf(ownFlags);
    }

    /** A subcommand {@code parent|sub} without keys, as CLIENT's and CONFIG's are. */
    public static Entry subcommand(String parent, String sub, int arity) {
      return new Entry(parent + "|" + sub, arity, 0, 0, 0, List.of(), null, List.of());
    }

    boolean arityOk(int argc) {
      return arity > 0 ? argc == arity : argc >= -arity;
    }
  }

  /** COMMAND's own subcommands with Redis 7.0's arity (from the catalogue). */
  public static final Map<String, Integer> SUBCOMMANDS = CommandCatalogue.get("command").subcommandArity(null);

  /**
   * COMMAND's answers over {@code served}, in that order, with their catalogue entries: each
   * container with the subcommands {@code subcommandsServed} names for it (name -> arity), or all of
   * the catalogue's if it names none.
   */
  public static CommandIntrospection of(List<CommandCatalogue.Command> served,
      Map<String, Map<String, Integer>> subcommandsServed) {
    List<Entry> entries = new ArrayList<>();
    for (CommandCatalogue.Command command : served) {
      if (command.name().equals("command")) {
        entries.add(commandEntry());
        continue;
      }
      Map<String, Integer> subs = subcommandsServed.getOrDefault(command.name(), command.subcommandArity(null));
      List<Entry> subcommands = new ArrayList<>();
      subs.forEach((sub, arity) -> subcommands.add(Entry.subcommand(command.name(), sub, arity)));
      List<String> flags = new ArrayList<>();
      if (command.has(CommandCatalogue.Flag.WRITE)) {
        flags.add("write");
      }
      if (command.has(CommandCatalogue.Flag.READ)) {
        flags.add("readonly");
      }
      if (command.has(CommandCatalogue.Flag.NO_AUTH)) {
        flags.add("no_auth");
      }
      String summary = command.name().startsWith("ring.") ? "ringcache cluster command (docs/protocol.md)" : null;
      entries.add(new Entry(command.name(), command.arity(), command.firstKey(), command.lastKey(), command.keyStep(),
          flags, summary, subcommands));
    }
    return new CommandIntrospection(entries);
  }

  /** COMMAND's entry, with its subcommands, for a server's list. */
  public static Entry commandEntry() {
    List<Entry> subs = new ArrayList<>();
    SUBCOMMANDS.forEach((sub, arity) -> subs.add(Entry.subcommand("command", sub, arity)));
    return new Entry("command", -1, 0, 0, 0, List.of(), null, subs);
  }

  private static final String[] HELP = {
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
    "HELP",
    "    Prints this help.",
  };

  private final List<Entry> commands;
  private final Map<String, Entry> byName = new HashMap<>();

  /** @param commands the top-level commands a server serves, in the order COMMAND lists them */
  public CommandIntrospection(List<Entry> commands) {
    this.commands = List.copyOf(commands);
    for (Entry e : this.commands) {
      byName.put(e.name(), e);
      for (Entry sub : e.subcommands()) {
        byName.put(sub.name(), sub);
      }
    }
  }

  /** The number of top-level commands (COMMAND COUNT). */
  public int count() {
    return commands.size();
  }

  /** Answers the request {@code COMMAND ...} ({@code args[0]} is COMMAND) into {@code out}. */
  public void execute(byte[][] args, ByteBuf out) {
    if (args.length == 1) {
      Resp.arrayHeader(out, commands.size());
      for (Entry e : commands) {
        info(out, e);
      }
      return;
    }
    String sub = lower(args[1]);
    Integer arity = SUBCOMMANDS.get(sub);
    if (arity == null) {
      Resp.error(out, "ERR unknown subcommand '" + echoed(args[1]) + "'. Try COMMAND HELP.");
      return;
    }
    if (arity > 0 ? args.length != arity : args.length < -arity) {
      Resp.error(out, "ERR wrong number of arguments for 'command|" + sub + "' command");
      return;
    }
    switch (sub) {
      case "count" -> Resp.integer(out, commands.size());
      case "list" -> list(args, out);
      case "info" -> {
        if (args.length == 2) {
          execute(new byte[][] {args[0]}, out);
          return;
        }
        Resp.arrayHeader(out, args.length - 2);
        for (int i = 2; i < args.length; i++) {
          Entry e = byName.get(lower(args[i]));
          if (e == null) {
            Resp.nil(out);
          } else {
            info(out, e);
          }
        }
      }
      case "docs" -> docs(args, out);
      case "getkeys" -> getkeys(args, out);
      default -> { // help
        Resp.arrayHeader(out, HELP.length);
        for (String line : HELP) {
          Resp.simple(out, line);
        }
      }
    }
  }

  /** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern], as Redis 7.0 parses it. */
  private void list(byte[][] args, ByteBuf out) {
    String filter = null;
    byte[] value = null;
    if (args.length > 2) {
      if (args.length != 5 || !lower(args[2]).equals("filterby")) {
        Resp.error(out, "ERR syntax error");
        return;
      }
      filter = lower(args[3]);
      if (!filter.equals("module") && !filter.equals("aclcat") && !filter.equals("pattern")) {
        Resp.error(out, "ERR syntax error");
        return;
      }
      value = args[4];
    }
    List<String> names = new ArrayList<>();
    for (Entry e : commands) {
      addIfMatches(names, e, filter, value);
      for (Entry sub : e.subcommands()) {
        addIfMatches(names, sub, filter, value);
      }
    }
    Resp.arrayHeader(out, names.size());
    for (String name : names) {
      Resp.bulk(out, name);
    }
  }

  private static void addIfMatches(List<String> names, Entry e, String filter, byte[] value) {
    boolean matches;
    if (filter == null) {
      matches = true;
    } else if (filter.equals("module")) {
      matches = false; // no modules: every command is a core one
    } else if (filter.equals("aclcat")) {
      // Redis looks the category up ignoring case, without the @
      RedisMetadata m = RedisMetadata.of(e.name());
      matches = m != null && m.categories().contains(lower(value));
    } else {
      // a glob over the full name, ignoring case: Redis's stringmatchlen(..., nocase = 1)
      matches = Glob.matches(lower(value).getBytes(StandardCharsets.ISO_8859_1), e.name().getBytes(StandardCharsets.ISO_8859_1));
    }
    if (matches) {
      names.add(e.name());
    }
  }

  /** One COMMAND INFO entry: Redis 7.0's ten fields. */
  private static void info(ByteBuf out, Entry e) {
    RedisMetadata m = RedisMetadata.of(e.name());
    Resp.arrayHeader(out, 10);
    Resp.bulk(out, e.name());
    Resp.integer(out, e.arity());
    List<String> flags = m != null ? m.flags() : e.ownFlags();
    Resp.arrayHeader(out, flags.size());
    for (String f : flags) {
      Resp.simple(out, f);
    }
    Resp.integer(out, e.firstKey());
    Resp.integer(out, e.lastKey());
    Resp.integer(out, e.keyStep());
    List<String> categories = m != null ? m.categories() : List.of();
    Resp.arrayHeader(out, categories.size());
    for (String c : categories) {
      Resp.simple(out, "@" + c);
    }
    Resp.raw(out, Resp.EMPTY_ARRAY); // tips
    Resp.raw(out, Resp.EMPTY_ARRAY); // key specifications
    Resp.arrayHeader(out, e.subcommands().size());
    for (Entry sub : e.subcommands()) {
      info(out, sub);
    }
  }

  /** COMMAND DOCS [name ...]: a flat map name -> docs, unknown names left out, as Redis does. */
  private void docs(byte[][] args, ByteBuf out) {
    List<Entry> found = new ArrayList<>();
    if (args.length == 2) {
      found.addAll(commands);
    } else {
      for (int i = 2; i < args.length; i++) {
        Entry e = byName.get(lower(args[i]));
        if (e != null) {
          found.add(e);
        }
      }
    }
    Resp.arrayHeader(out, found.size() * 2);
    for (Entry e : found) {
      Resp.bulk(out, e.name());
      doc(out, e);
    }
  }

  private static void doc(ByteBuf out, Entry e) {
    RedisMetadata m = RedisMetadata.of(e.name());
    Map<String, String> fields = new LinkedHashMap<>();
    if (m != null) {
      fields.put("summary", m.summary());
      fields.put("since", m.since());
      fields.put("group", m.group());
      fields.put("complexity", m.complexity());
    } else if (e.summary() != null) {
      fields.put("summary", e.summary());
    }
    fields.values().removeIf(String::isEmpty);
    int pairs = fields.size() + (e.subcommands().isEmpty() ? 0 : 1);
    Resp.arrayHeader(out, pairs * 2);
    fields.forEach((k, v) -> {
      Resp.bulk(out, k);
      Resp.bulk(out, v);
    });
    if (!e.subcommands().isEmpty()) {
      Resp.bulk(out, "subcommands");
      Resp.arrayHeader(out, e.subcommands().size() * 2);
      for (Entry sub : e.subcommands()) {
        Resp.bulk(out, sub.name());
        doc(out, sub);
      }
    }
  }

  /** COMMAND GETKEYS command arg ...: the keys by the command's key positions, with Redis's errors. */
  private void getkeys(byte[][] args, ByteBuf out) {
    Entry e = byName.get(lower(args[2]));
    if (e != null && !e.subcommands().isEmpty() && args.length > 3) {
      e = byName.get(e.name() + "|" + lower(args[3]));
    }
    if (e == null) {
      Resp.error(out, "ERR Invalid command specified");
      return;
    }
    int argc = args.length - 2;
    if (!e.arityOk(argc)) {
      Resp.error(out, "ERR Invalid number of arguments specified for command");
      return;
    }
    if (e.firstKey() <= 0) {
      Resp.error(out, "ERR The command has no key arguments");
      return;
    }
    int last = e.lastKey() < 0 ? argc + e.lastKey() : e.lastKey();
    List<byte[]> keys = new ArrayList<>();
    for (int i = e.firstKey(); i <= last && i < argc; i += e.keyStep()) {
      keys.add(args[2 + i]);
    }
    Resp.arrayHeader(out, keys.size());
    for (byte[] k : keys) {
      Resp.bulk(out, k);
    }
  }

  private static String lower(byte[] raw) {
    return new String(raw, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
  }

  /** An argument as Redis's {@code %.128s} echoes it: up to a NUL, 128 bytes at most (Resp.error maps CR and LF to spaces). */
  private static String echoed(byte[] raw) {
    String s = new String(raw, StandardCharsets.ISO_8859_1);
    int nul = s.indexOf('\0');
    s = nul < 0 ? s : s.substring(0, nul);
    return s.length() > 128 ? s.substring(0, 128) : s;
  }

  /** What Redis 7.0 says of one command (redis-commands.tsv). */
  record RedisMetadata(List<String> flags, List<String> categories, String group, String since, String complexity,
      String summary) {

    private static final Map<String, RedisMetadata> ALL = load();

    static RedisMetadata of(String fullName) {
      return ALL.get(fullName);
    }

    private static Map<String, RedisMetadata> load() {
      Map<String, RedisMetadata> all = new HashMap<>();
      try (InputStream in = CommandIntrospection.class.getResourceAsStream("redis-commands.tsv")) {
        if (in == null) {
          throw new IllegalStateException("redis-commands.tsv is missing from the classpath");
        }
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = reader.readLine()) != null; ) {
          if (line.startsWith("#") || line.isEmpty()) {
            continue;
          }
          String[] f = line.split("\t", -1);
          if (f.length != 7) {
            throw new IllegalStateException("redis-commands.tsv: expected 7 fields: " + line);
          }
          all.put(f[0], new RedisMetadata(words(f[1]), words(f[2]), f[3], f[4], f[5], f[6]));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return Map.copyOf(all);
    }

    private static List<String> words(String s) {
      return s.isEmpty() ? List.of() : List.of(s.split(" "));
    }
  }
}
