package io.ringcache.node;

import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.resp.Request;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/*
 * Why. EXEC runs its commands with every event loop of the node held (LoopLocks), as Redis's single
 * thread runs them: no other client, and none of the router's heartbeats, is answered meanwhile. Each
 * command alone is bounded (a value is at most max-value-size, a KEYS outside EXEC walks off the
 * loop), but a transaction multiplies them: 1,000 BITCOUNTs of a 16 MiB value held every loop for
 * 2.2 s here, so 10,000 (a 300 KB request) outlast the router's 15 s lease, and the node, ejected, came
 * back flushed. Pipelined outside MULTI the same commands share the loop (CommandHandler's turn).
 *
 * What. Before any command runs, under the locks, EXEC weighs the transaction: the bytes of values its
 * commands read or write, a walked key counted as KEY_WALKED bytes (KEYS walks the node, SCAN its
 * COUNT) and its pattern's matching MATCH_STEP per step (Glob#cost over the keys' bytes, bounded by
 * the store's bytes and max-key-size each), LCS its table (at most max-value-size: it refuses a larger one), and PER_COMMAND for each command. A value's length is the one stored now plus
 * the most the transaction's own writes could add to it (an APPEND's or SET's argument bytes, a
 * SETRANGE's or SETBIT's offset, a COPY's or BITOP's sources, BITFIELD up to max-value-size), so a
 * small key grown by the transaction and read many times is weighed at its grown size. Over BUDGET,
 * nothing runs: -EXECABORT. The estimate errs high (a write is assumed to come before every read of
 * its key), never low.
 *
 * The constants were measured here (docs/benchmarks.md): BITCOUNT reads a 16 MiB value in 2.2 to 6 ms,
 * KEYS walks a key in about 1 us, the time of reading 8 KiB or less. At BUDGET, 240 BITCOUNTs of a
 * 16 MiB value held the loop 1.5 s and KEYS on 500,000 keys 0.6 s: ten times below the default lease.
 */

/** EXEC's estimate of the work of a transaction, and its bound. */
final class TransactionCost {

  /** The most a transaction may weigh: 0.6 to 1.5 s of one loop here. */
  static final long BUDGET = 4L << 30;
  /** What a command weighs besides the values it touches. */
  static final long PER_COMMAND = 256;
  /** What a key walked by KEYS or SCAN weighs: about what reading 8 KiB of values costs. */
  static final long KEY_WALKED = 8 * 1024;
  /**
   * What a step of pattern matching (Glob#cost) weighs: about half a nanosecond here, the time of
   * reading 4 bytes. A pattern of thousands of tokens costs about 4 ms per 16 KiB key it is matched
   * against (measured: 1.3 s for 300 keys), so KEYS with it inside EXEC on a node of 256 MiB full of
   * such keys (15,000) would hold every loop about a minute.
   */
  static final long MATCH_STEP = 4;
  /** The extra length any plain write may give a key besides its argument bytes (an INCR's digits). */
  private static final long WRITE_SLACK = 32;

  private final Store store;
  private final Function<byte[], Key> keys;
  private final int maxValueSize;
  private final int maxKeySize;
  private final Map<Key, Long> stored = new HashMap<>();
  private final Map<Key, Long> grown = new HashMap<>();

  private TransactionCost(Store store, Function<byte[], Key> keys, int maxValueSize, int maxKeySize) {
    this.store = store;
    this.keys = keys;
    this.maxValueSize = maxValueSize;
    this.maxKeySize = maxKeySize;
  }

  /**
   * The weight of running {@code commands} in order on {@code store}, the weighing stopped once past
   * {@link #BUDGET}.
   */
  static long of(List<Transaction.Queued> commands, Store store, Function<byte[], Key> keys, int maxValueSize,
      int maxKeySize) {
    TransactionCost cost = new TransactionCost(store, keys, maxValueSize, maxKeySize);
    for (Transaction.Queued q : commands) {
      cost.grow(q.spec(), q.request());
    }
    long total = 0;
    for (int i = 0; i < commands.size() && total <= BUDGET; i++) {
      total += cost.weigh(commands.get(i).spec(), commands.get(i).request());
    }
    return total;
  }

  /** The most {@code key}'s value can be long during the transaction. */
  private long length(Key key) {
    long now = stored.computeIfAbsent(key, k -> (long) Math.max(0, store.valueLength(k)));
    return now + grown.getOrDefault(key, 0L);
  }

  private long length(byte[] key) {
    return length(keys.apply(key));
  }

  private void growTo(byte[] key, long length) {
    Key k = keys.apply(key);
    grown.merge(k, Math.min(Math.max(0, length), maxValueSize), Math::max);
  }

  /** Records what a queued write could add to the lengths of its keys. */
  private void grow(CommandTable.Spec spec, Request r) {
    if (!spec.has(CommandTable.WRITE) || !spec.keyed()) {
      return;
    }
    switch (spec.name()) {
      case "del", "unlink", "getdel", "expire", "pexpire", "expireat", "pexpireat", "persist", "getex" -> { } // no longer
      case "setrange" -> growTo(r.arg(1), number(r.arg(2)) + r.arg(3).length);
      case "setbit" -> growTo(r.arg(1), number(r.arg(2)) / 8 + 1);
      case "bitfield" -> growTo(r.arg(1), maxValueSize);
      case "copy", "rename", "renamenx" -> growTo(r.arg(2), length(r.arg(1)));
      case "bitop" -> {
        long longest = 0;
        for (int j = 3; j < r.argc(); j++) {
          longest = Math.max(longest, length(r.arg(j)));
        }
        growTo(r.arg(2), longest);
      }
      default -> {
        // SET, APPEND, MSET, GETSET, INCR...: at most the request's other bytes, once per write
        boolean[] key = keyPositions(spec, r);
        long bytes = WRITE_SLACK;
        for (int j = 1; j < r.argc(); j++) {
          if (!key[j]) {
            bytes += r.arg(j).length;
          }
        }
        for (int j = 1; j < r.argc(); j++) {
          if (key[j]) {
            grown.merge(keys.apply(r.arg(j)), bytes, Long::sum);
          }
        }
      }
    }
  }

  /** What running one queued command weighs. */
  private long weigh(CommandTable.Spec spec, Request r) {
    long w = PER_COMMAND;
    switch (spec.name()) {
      case "keys" -> w += store.size() * KEY_WALKED + matching(r.arg(1), store.size());
      case "scan" -> {
        // a step walks its COUNT, and at least 1/64 of the store (Store#scan's window)
        long walked = Math.min(Math.max(scanCount(r), store.size() / 64), store.size());
        w += walked * KEY_WALKED + matching(scanPattern(r), walked);
      }
      case "randomkey" -> w += 64 * KEY_WALKED;
      // LCS refuses a table over max-value-size before it fills one: at most that, besides its two reads
      case "lcs" -> w += Math.min(4 * (length(r.arg(1)) + 1) * (length(r.arg(2)) + 1), maxValueSize);
      default -> { }
    }
    if (spec.keyed()) {
      boolean[] key = keyPositions(spec, r);
      Map<Key, Boolean> seen = r.argc() > 3 ? new HashMap<>() : null; // a key named twice is read once (BITOP)
      for (int j = 1; j < r.argc(); j++) {
        if (key[j]) {
          Key k = keys.apply(r.arg(j));
          if (seen == null || seen.put(k, Boolean.TRUE) == null) {
            w += length(k);
          }
        }
      }
    }
    return w;
  }

  private static boolean[] keyPositions(CommandTable.Spec spec, Request r) {
    boolean[] key = new boolean[r.argc()];
    int last = spec.lastKey() < 0 ? r.argc() + spec.lastKey() : Math.min(spec.lastKey(), r.argc() - 1);
    for (int j = spec.firstKey(); j <= last; j += spec.keyStep()) {
      key[j] = true;
    }
    return key;
  }

  /** What matching {@code pattern} (null: none) against {@code walked} keys of the store weighs at most. */
  private long matching(byte[] pattern, long walked) {
    if (pattern == null || (pattern.length == 1 && pattern[0] == '*')) {
      return 0;
    }
    long keyBytes = KeyCommands.keyBytesAtMost(store, walked, maxKeySize);
    return MATCH_STEP * io.ringcache.resp.Glob.compile(pattern, maxKeySize).cost(keyBytes);
  }

  /** SCAN's MATCH pattern (the last one given, as SCAN reads it), or null. */
  private static byte[] scanPattern(Request r) {
    byte[] pattern = null;
    for (int j = 2; j + 1 < r.argc(); j++) {
      if (new String(r.arg(j), StandardCharsets.US_ASCII).equalsIgnoreCase("match")) {
        pattern = r.arg(++j);
      } else {
        j++;
      }
    }
    return pattern;
  }

  /** SCAN's COUNT (10 if not given, as Redis's default). */
  private static long scanCount(Request r) {
    long count = 10;
    for (int j = 2; j + 1 < r.argc(); j++) {
      if (new String(r.arg(j), StandardCharsets.US_ASCII).equalsIgnoreCase("count")) {
        count = Math.max(count, number(r.arg(j + 1)));
      }
    }
    return count;
  }

  /** A non-negative decimal argument, 0 if it is not one (the command then fails, touching nothing). */
  private static long number(byte[] arg) {
    long n = 0;
    if (arg.length == 0 || arg.length > 18) {
      return 0;
    }
    for (byte b : arg) {
      if (b < '0' || b > '9') {
        return 0;
      }
      n = n * 10 + (b - '0');
    }
    return n;
  }
}
