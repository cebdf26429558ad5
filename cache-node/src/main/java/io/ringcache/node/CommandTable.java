package io.ringcache.node;

import io.ringcache.resp.Request;
import io.ringcache.resp.command.CommandCatalogue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/*
 * The command table: name -> Spec, built from the command catalogue (cache-resp's
 * CommandCatalogue: arity, key positions, read/write, before AUTH) and the node's own handler and
 * dispatch flags per name. Lookup is by the raw name bytes, ASCII case-insensitive, without
 * allocating: specs are bucketed by name length and compared byte by byte.
 *
 * A Spec carries what the dispatcher checks generically before a command runs, so that commands
 * added later (the handoff's RING.* commands) get them for free: the arity (Redis convention:
 * n means exactly n arguments including the name, -n at least n), whether the command may run before
 * AUTH, and where its keys are (first, last, step; last = -1 for the final argument), which drives
 * the key-size limit and ownership routing (-MOVED / -TRYAGAIN / -CROSSNODE).
 */

/** The commands a node understands, with their arity, key positions and flags. */
final class CommandTable {

  /** Runs one command; replies go to {@link NodeContext#out()}. */
  @FunctionalInterface
  interface Command {
    void execute(NodeContext c, Request r);
  }

  /** Command may run before AUTH. */
  static final int NO_AUTH = 1;
  /** Cluster-internal: only the cluster user may run it (see {@link ClusterAuth}). */
  static final int INTERNAL = 2;
  /** Writes data. */
  static final int WRITE = 4;
  /** Reads data. */
  static final int READ = 8;
  /** Runs at once inside MULTI instead of being queued (MULTI, EXEC, DISCARD, WATCH, QUIT), as in Redis. */
  static final int IMMEDIATE = 16;
  /** Refused inside MULTI ({@code -ERR Command not allowed inside a transaction}): the cluster-internal commands. */
  static final int NO_MULTI = 32;
  /** Takes every loop's lock itself (EXEC): the dispatcher does not take its loop's lock around it. */
  static final int EXCLUSIVE = 64;
  /** Not a command: answered (as HTTP sent to a RESP port), but not listed by COMMAND. */
  static final int HIDDEN = 128;
  /**
   * O(1) work per key, whatever the stored value (GET, SET, INCR, DEL ...): on a small request it may
   * leave the clock of INFO commandstats unread ({@link CommandTally}).
   */
  static final int QUICK = 256;

  record Spec(String name, byte[] nameBytes, int arity, int firstKey, int lastKey, int keyStep, int flags, Command command) {
    boolean keyed() {
      return firstKey > 0;
    }

    boolean has(int flag) {
      return (flags & flag) != 0;
    }
  }

  private final List<Spec> all = new ArrayList<>();
  private Spec[][] byLength = new Spec[0][];

  /**
   * Adds the catalogue's command {@code name} (arity, key positions, READ, WRITE and NO_AUTH from
   * {@link CommandCatalogue}) with the node's own dispatch flags ({@link #IMMEDIATE},
   * {@link #NO_MULTI}, {@link #EXCLUSIVE}, {@link #INTERNAL}).
   */
  CommandTable add(String name, int nodeFlags, Command command) {
    if ((nodeFlags & (READ | WRITE | NO_AUTH | HIDDEN)) != 0) {
      throw new IllegalArgumentException(name + ": READ, WRITE and NO_AUTH come from the catalogue, HIDDEN is addHidden's");
    }
    CommandCatalogue.Command c = CommandCatalogue.get(name);
    int flags = nodeFlags
        | (c.has(CommandCatalogue.Flag.READ) ? READ : 0)
        | (c.has(CommandCatalogue.Flag.WRITE) ? WRITE : 0)
        | (c.has(CommandCatalogue.Flag.NO_AUTH) ? NO_AUTH : 0);
    return put(c.name(), c.arity(), c.firstKey(), c.lastKey(), c.keyStep(), flags, command);
  }

  /** Adds something answered that is not a command (not in the catalogue, not listed by COMMAND): an HTTP verb. */
  CommandTable addHidden(String name, int arity, int flags, Command command) {
    return put(name, arity, 0, 0, 0, flags | HIDDEN, command);
  }

  /** Adds {@code spec} as it is but run by {@code command} (a counting wrapper). */
  CommandTable add(Spec spec, Command command) {
    return put(spec.name(), spec.arity(), spec.firstKey(), spec.lastKey(), spec.keyStep(), spec.flags(), command);
  }

  private CommandTable put(String name, int arity, int firstKey, int lastKey, int keyStep, int flags, Command command) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    Spec spec = new Spec(lower, lower.getBytes(StandardCharsets.US_ASCII), arity, firstKey, lastKey, keyStep, flags, command);
    all.add(spec);
    int len = spec.nameBytes().length;
    if (len >= byLength.length) {
      byLength = java.util.Arrays.copyOf(byLength, len + 1);
    }
    Spec[] bucket = byLength[len] == null ? new Spec[0] : byLength[len];
    bucket = java.util.Arrays.copyOf(bucket, bucket.length + 1);
    bucket[bucket.length - 1] = spec;
    byLength[len] = bucket;
    return this;
  }

  /** The spec for {@code name}, ignoring ASCII case, or null. */
  /** The spec of the request's command (argument 0), read in place from the read buffer. */
  Spec lookup(io.ringcache.resp.Request r) {
    int length = r.argLength(0);
    if (length >= byLength.length) {
      return null;
    }
    Spec[] bucket = byLength[length];
    if (bucket == null) {
      return null;
    }
    for (Spec spec : bucket) {
      if (r.argEqualsIgnoreCase(0, spec.nameBytes())) {
        return spec;
      }
    }
    return null;
  }

  Spec lookup(byte[] name) {
    if (name.length >= byLength.length) {
      return null;
    }
    Spec[] bucket = byLength[name.length];
    if (bucket == null) {
      return null;
    }
    for (Spec spec : bucket) {
      if (equalsIgnoreCase(spec.nameBytes(), name)) {
        return spec;
      }
    }
    return null;
  }

  Collection<Spec> all() {
    return all;
  }

  /** Whether {@code raw} equals the lower-case ASCII {@code lower}, ignoring case. */
  static boolean equalsIgnoreCase(byte[] lower, byte[] raw) {
    if (lower.length != raw.length) {
      return false;
    }
    for (int i = 0; i < lower.length; i++) {
      int c = raw[i];
      if (c >= 'A' && c <= 'Z') {
        c += 32;
      }
      if (c != lower[i]) {
        return false;
      }
    }
    return true;
  }
}
