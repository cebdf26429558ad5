package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.function.Predicate;

/**
 * Seeded random command sequences for the differential tests against Redis 7.0 (RedisParityIT
 * for a node, ProxyRedisParityIT for the proxy): every command of the string family and the TTL
 * family, with valid and invalid arguments and edge values (empty, binary, huge and negative
 * numbers, overflowing TTLs, wrong arities), sent to Redis and to the server under test; the replies
 * must be the same bytes, except TTL/PTTL, which may differ by the time the two requests took (1 s /
 * 100 ms), and the differences docs/protocol.md lists. A failure names the seed and shows the last
 * requests; {@code -Dparity.seed=N} replays one seed.
 */
public final class ParitySequences {

  private ParitySequences() {}

  /** The keys the sequences use (a test deletes them between seeds). */
  public static final String[] KEYS = {"k1", "k2", "k3", "{k}4", "\u00ff\r\n\0"};

  /** Runs the seeds against both; {@code skip} drops a generated request before it is sent to either. */
  public static void run(RedisServer.Conn toRedis, RedisServer.Conn toOther, Predicate<String[]> skip) throws IOException {
    run(toRedis, toOther, skip, 30);
  }

  /** As {@link #run(RedisServer.Conn, RedisServer.Conn, Predicate)}, over the seeds 1 to {@code seedCount}. */
  public static void run(RedisServer.Conn toRedis, RedisServer.Conn toOther, Predicate<String[]> skip, int seedCount)
      throws IOException {
    compare(toRedis, toOther, KEYS, seedCount, 500, ParitySequences::randomCommand, skip,
        (command, expected, actual) -> closeTtl(command[0], expected, actual) || documented(expected, actual));
  }

  /** A difference between Redis's reply and the other server's that a sequence accepts. */
  interface Tolerance {
    boolean accepts(String[] command, String expected, String actual);
  }

  /**
   * Sends {@code steps} requests made by {@code generator} for each seed (1 to {@code seedCount}, or
   * only {@code -Dparity.seed=N}) to both servers, {@code keys} emptied first, and compares the
   * replies byte for byte unless {@code tolerance} accepts the difference; a failure names the seed
   * and shows the last requests with Redis's replies. {@code skip} drops a request before either
   * server sees it. The runner of this class's sequences and {@link BitParity}'s.
   */
  static void compare(RedisServer.Conn toRedis, RedisServer.Conn toOther, String[] keys, int seedCount, int steps,
      java.util.function.Function<java.util.Random, String[]> generator, Predicate<String[]> skip, Tolerance tolerance)
      throws IOException {
    String replay = System.getProperty("parity.seed");
    long[] seeds = replay != null ? new long[] {Long.parseLong(replay)} : java.util.stream.LongStream.rangeClosed(1, seedCount).toArray();
    for (long seed : seeds) {
      toRedis.call("flushall");
      for (String key : keys) {
        toOther.call("del", key);
      }
      java.util.Random random = new java.util.Random(seed);
      java.util.ArrayDeque<String> recent = new java.util.ArrayDeque<>();
      for (int step = 0; step < steps; step++) {
        String[] command = generator.apply(random);
        if (skip.test(command)) {
          continue;
        }
        String expected = toRedis.call(command);
        String actual = toOther.call(command);
        recent.addLast(printable(String.join(" ", command)) + " -> " + printable(expected));
        if (recent.size() > 12) {
          recent.removeFirst();
        }
        if (!actual.equals(expected) && !tolerance.accepts(command, expected, actual)) {
          assertThat(printable(actual)).as("seed %d (replay: -Dparity.seed=%d), step %d: %s; the last requests and Redis's replies:%n%s",
              seed, seed, step, printable(String.join(" ", command)), String.join("\n", recent)).isEqualTo(printable(expected));
        }
      }
    }
  }

  static String printable(String raw) {
    return raw.replace("\r", "\\r").replace("\n", "\\n");
  }


  private static final String[] VALUES = {"", "v", "0", "1", "-1", "10", "9223372036854775807", "-9223372036854775808",
      "9223372036854775808", "3.5", " 1", "1 ", "+1", "007", "abc", "\0\r\n\u00ff", "x".repeat(100)};
  private static final String[] NUMBERS = {"0", "1", "-1", "2", "100", "1000", "-100", "abc", "", "1.5", " 1",
      "9223372036854775807", "-9223372036854775808", "9223372036854775808", "9223370399119966", "9223372036854770000",
      "-9223372036854770000", "9223372036854775", "-9223372036854775"};
  /**
   * Relative TTLs: invalid, passed, or long (100 s and more, in s or ms): a TTL that runs out during
   * a sequence would make the two servers' replies depend on when each request ran. The long ones
   * differ by far more than the time between the two servers' requests (see #absolute).
   */
  private static final String[] TTLS = {"0", "-1", "-100", "100000", "1000000", "abc", "", "1.5", " 1",
      "9223372036854775807", "-9223372036854775808", "9223372036854775808", "9223370399119966", "9223372036854770000",
      "-9223372036854770000", "9223372036854775", "-9223372036854775"};
  /** INCRBYFLOAT's increments: long double edge cases (see LongDouble). */
  private static final String[] FLOATS = {"0", "1", "-1", "0.1", "1.5", "-2.25", "1e10", "3.0e3", "5.0e-1", "1e400", "-1e400",
      "inf", "-inf", "nan", "", "abc", " 1", "0x10", "0x1p-3", "1e5000", "1e-5000", "0.000003814697265625", "-0",
      "1.18973149535723176502e+4932", "\0", "1e", "."};
  private static final String[] EXPIRE_OPTIONS = {"nx", "xx", "gt", "lt", "NX", "foo"};

  /** The differences docs/protocol.md lists that a random sequence can meet. */
  private static boolean documented(String expected, String actual) {
    String tooLarge = "-ERR string exceeds maximum allowed size ("; // the node names its own limit
    return expected.startsWith(tooLarge) && actual.startsWith(tooLarge);
  }

  private static boolean closeTtl(String command, String expected, String actual) {
    if (command.equalsIgnoreCase("expiretime") || command.equalsIgnoreCase("pexpiretime")) {
      return closeExpiry(command.equalsIgnoreCase("expiretime"), expected, actual);
    }
    if (!command.equalsIgnoreCase("ttl") && !command.equalsIgnoreCase("pttl")) {
      return false;
    }
    if (!expected.startsWith(":") || !actual.startsWith(":")) {
      return false;
    }
    boolean seconds = command.equalsIgnoreCase("ttl");
    long e = Long.parseLong(expected.substring(1).trim());
    long a = Long.parseLong(actual.substring(1).trim());
    // the two servers answer at slightly different moments; on a loaded machine (CI, 2 cores) a
    // stall of some hundreds of ms between them is normal
    long tolerance = seconds ? 2 : 1_500;
    // a TTL beyond Store.MAX_TTL_NANOS is kept as that (docs/protocol.md)
    long max = seconds ? (io.ringcache.node.store.Store.MAX_TTL_NANOS + 500_000_000L) / 1_000_000_000L
        : io.ringcache.node.store.Store.MAX_TTL_NANOS / 1_000_000L;
    if (e > max) {
      e = max;
    }
    return e >= 0 && a >= 0 && Math.abs(e - a) <= tolerance;
  }

  /**
   * EXPIRETIME / PEXPIRETIME: a node computes the expiry as its clock plus the remaining TTL (within a
   * millisecond, then rounded to seconds), and keeps at most Store.MAX_TTL_NANOS (docs/protocol.md).
   */
  private static boolean closeExpiry(boolean seconds, String expected, String actual) {
    if (!expected.startsWith(":") || !actual.startsWith(":")) {
      return false;
    }
    long e = Long.parseLong(expected.substring(1).trim());
    long a = Long.parseLong(actual.substring(1).trim());
    long now = System.currentTimeMillis();
    long max = seconds ? (now + io.ringcache.node.store.Store.MAX_TTL_NANOS / 1_000_000L) / 1000
        : now + io.ringcache.node.store.Store.MAX_TTL_NANOS / 1_000_000L;
    long tolerance = seconds ? 1 : 100;
    if (e > max) {
      // clamped when the TTL was set, which may be any earlier step of the sequence: the node's
      // expiry is that moment plus 2^60 ns, so within the sequence's run time (minutes) before max
      long runTime = seconds ? 600 : 600_000;
      return a >= 0 && a <= max + tolerance && a >= max - runTime;
    }
    return e >= 0 && a >= 0 && Math.abs(e - a) <= tolerance;
  }

  private static String pick(java.util.Random random, String[] from) {
    return from[random.nextInt(from.length)];
  }

  private static String[] randomCommand(java.util.Random random) {
    String k = pick(random, KEYS);
    String v = pick(random, VALUES);
    String n = pick(random, NUMBERS);
    List<String> c = new java.util.ArrayList<>();
    switch (random.nextInt(32)) {
      case 0 -> c.addAll(List.of("get", k));
      case 1, 2 -> {
        c.addAll(List.of("set", k, v));
        int options = random.nextInt(4);
        String[] words = {"nx", "xx", "get", "keepttl", "ex", "px", "exat", "pxat", "persist", "foo"};
        for (int i = 0; i < options; i++) {
          String w = pick(random, words);
          c.add(w);
          if (w.endsWith("x") && w.length() == 2 && (w.equals("ex") || w.equals("px")) || w.endsWith("at")) {
            if (random.nextInt(8) > 0) {
              c.add(w.endsWith("at") ? absolute(random, w) : pick(random, TTLS));
            }
          }
        }
      }
      case 3 -> c.addAll(List.of(random.nextBoolean() ? "setex" : "psetex", k, pick(random, TTLS), v));
      case 4 -> c.addAll(List.of("setnx", k, v));
      case 5 -> c.addAll(List.of("getset", k, v));
      case 6 -> c.addAll(List.of("getdel", k));
      case 7 -> c.addAll(List.of("append", k, v));
      case 8 -> c.addAll(List.of("strlen", k));
      case 9 -> c.addAll(List.of(random.nextBoolean() ? "getrange" : "substr", k, pick(random, NUMBERS), pick(random, NUMBERS)));
      case 10 -> c.addAll(List.of("setrange", k, random.nextInt(4) == 0 ? n : Integer.toString(random.nextInt(20)), v));
      case 11 -> c.addAll(List.of(random.nextBoolean() ? "incr" : "decr", k));
      case 12 -> c.addAll(List.of(random.nextBoolean() ? "incrby" : "decrby", k, n));
      case 13 -> {
        c.add("mget");
        for (int i = random.nextInt(4); i >= 0; i--) {
          c.add(pick(random, KEYS));
        }
      }
      case 14, 15 -> {
        c.add(random.nextBoolean() ? "mset" : "msetnx");
        for (int i = random.nextInt(3); i >= 0; i--) {
          c.add(pick(random, KEYS));
          c.add(pick(random, VALUES));
        }
        if (random.nextInt(6) == 0) {
          c.remove(c.size() - 1); // a key without a value
        }
      }
      case 16 -> {
        c.add(pick(random, new String[] {"del", "unlink", "exists", "touch"}));
        for (int i = random.nextInt(3); i >= 0; i--) {
          c.add(pick(random, KEYS));
        }
      }
      case 17 -> c.addAll(List.of("type", k));
      case 18, 19, 20 -> {
        String name = pick(random, new String[] {"expire", "pexpire", "expireat", "pexpireat"});
        c.addAll(List.of(name, k, name.endsWith("at") && random.nextBoolean() ? absolute(random, name) : pick(random, TTLS)));
        for (int i = random.nextInt(3); i > 0; i--) {
          c.add(pick(random, EXPIRE_OPTIONS));
        }
      }
      case 21, 22 -> c.addAll(List.of(random.nextBoolean() ? "ttl" : "pttl", k));
      case 23 -> c.addAll(List.of("persist", k));
      case 24 -> {
        c.addAll(List.of("getex", k));
        String[] words = {"ex", "px", "exat", "pxat", "persist", "keepttl", "nx"};
        for (int i = random.nextInt(3); i > 0; i--) {
          String w = pick(random, words);
          c.add(w);
          if (w.startsWith("ex") || w.startsWith("px")) {
            c.add(w.endsWith("at") ? absolute(random, w) : pick(random, TTLS));
          }
        }
      }
      case 25 -> { // wrong arity
        String name = pick(random, new String[] {"get", "set", "setnx", "getset", "append", "strlen", "getrange", "setrange",
            "incr", "incrby", "ttl", "persist", "type", "expire", "getex", "mget", "del", "setex"});
        c.add(name);
        for (int i = random.nextInt(6); i > 0; i--) {
          c.add(pick(random, KEYS));
        }
      }
      case 26 -> c.addAll(List.of("exists", k));
      case 27 -> c.addAll(List.of("exists", k, pick(random, KEYS))); // not DBSIZE: Redis counts expired keys not yet reclaimed
      case 28 -> c.addAll(List.of("incrbyfloat", k, random.nextInt(4) == 0 ? pick(random, NUMBERS) : pick(random, FLOATS)));
      case 29 -> c.addAll(List.of(random.nextBoolean() ? "expiretime" : "pexpiretime", k));
      case 30 -> c.addAll(List.of(random.nextBoolean() ? "rename" : "renamenx", k, pick(random, KEYS)));
      case 31 -> {
        c.addAll(List.of("copy", k, pick(random, KEYS)));
        String[] words = {"replace", "REPLACE", "db", "foo"};
        for (int i = random.nextInt(3); i > 0; i--) {
          String w = pick(random, words);
          c.add(w);
          if (w.equals("db") && random.nextInt(4) > 0) {
            c.add(pick(random, new String[] {"0", "16", "-1", "x"}));
          }
        }
      }
      default -> c.addAll(List.of("get", k));
    }
    return c.toArray(new String[0]);
  }

  /** An absolute expiry for {@code name} (EXAT/PXAT, EXPIREAT/PEXPIREAT): in the past, soon, or far. */
  private static String absolute(java.util.Random random, String name) {
    boolean ms = name.startsWith("p");
    long now = System.currentTimeMillis();
    // far from every relative TTL of TTLS (1e5, 1e6, 1e8, 1e9 ms), so that GT/LT never compare two
    // expiries the clocks could order differently on the two servers
    long at = switch (random.nextInt(4)) {
      case 0 -> now - 10_000; // passed: deletes
      case 1 -> now + 3_333_000;
      case 2 -> 1;
      default -> now + 7_777_000;
    };
    return Long.toString(ms ? at : at / 1000);
  }
}
