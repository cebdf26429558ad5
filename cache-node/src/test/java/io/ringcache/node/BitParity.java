package io.ringcache.node;

import static io.ringcache.node.ParitySequences.printable;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.function.Predicate;

/**
 * The bit commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO) and LCS against a
 * real Redis 7.0, for a node (RedisParityIT) and the proxy (ProxyRedisParityIT): fixed edge cases
 * ({@link #EDGE_CASES}: every error, large and out-of-range offsets, negative ranges, BYTE/BIT,
 * overflow modes) and seeded random sequences, the replies compared byte for byte. Offsets stay
 * below what a node's max-value-size (16 MiB by default) lets a value grow to, except where the
 * node's documented refusal is checked on its own. {@code -Dparity.seed=N} replays one seed.
 */
public final class BitParity {

  private BitParity() {}

  /** The keys the sequences use; all share the hash tag {b}, so that BITOP and LCS run through the proxy too. */
  public static final String[] KEYS = {"{b}1", "{b}2", "{b}3", "{b}\u00ff\r\n\0"};

  /** Fixed requests, run in order from an empty database. */
  public static final String[][] EDGE_CASES = {
    {"setbit", "{b}1", "7", "1"}, {"get", "{b}1"}, {"setbit", "{b}1", "7", "1"}, {"setbit", "{b}1", "7", "0"},
    {"setbit", "{b}1", "100", "1"}, {"strlen", "{b}1"}, {"get", "{b}1"},
    {"setbit", "{b}1", "-1", "1"}, {"setbit", "{b}1", "4294967296", "1"}, {"setbit", "{b}1", "4294967295", "2"},
    {"setbit", "{b}1", "abc", "1"}, {"setbit", "{b}1", "1", "2"}, {"setbit", "{b}1", "1", "-1"}, {"setbit", "{b}1", "1", "x"},
    {"setbit", "{b}1", "1", ""}, {"setbit", "{b}1", "", "1"}, {"setbit", "{b}1", "01", "1"}, {"setbit", "{b}1", "1"},
    {"setbit", "{b}1", "-0", "1"}, {"setbit", "{b}1", "1", "-0"}, {"bitcount", "{b}1", "-0", "1"}, {"incrby", "{b}5", "-0"},
    {"getbit", "{b}1", "7"}, {"getbit", "{b}1", "100"}, {"getbit", "{b}1", "101"}, {"getbit", "{b}1", "4294967295"},
    {"getbit", "{b}1", "4294967296"}, {"getbit", "{b}1", "-1"}, {"getbit", "{b}2", "0"}, {"getbit", "{b}2", "x"},
    {"getbit", "{b}1"}, {"set", "{b}2", "123"}, {"getbit", "{b}2", "2"}, {"getbit", "{b}2", "3"},
    // a TTL survives SETBIT and BITFIELD, not BITOP's destination
    {"set", "{b}3", "x", "ex", "1000"}, {"setbit", "{b}3", "1", "1"}, {"ttl", "{b}3"}, {"bitfield", "{b}3", "set", "u8", "8", "7"},
    {"ttl", "{b}3"}, {"bitop", "or", "{b}3", "{b}3"}, {"ttl", "{b}3"}, {"get", "{b}3"},
    // BITCOUNT
    {"set", "{b}1", "foobar"}, {"bitcount", "{b}1"}, {"bitcount", "{b}1", "0", "0"}, {"bitcount", "{b}1", "1", "1"},
    {"bitcount", "{b}1", "1", "1", "byte"}, {"bitcount", "{b}1", "5", "30", "bit"}, {"bitcount", "{b}1", "5", "30", "BIT"},
    {"bitcount", "{b}1", "-2", "-1"}, {"bitcount", "{b}1", "-1", "-2"}, {"bitcount", "{b}1", "-100", "-1"},
    {"bitcount", "{b}1", "-3", "1000", "bit"}, {"bitcount", "{b}1", "0", "-100"}, {"bitcount", "{b}1", "47", "47", "bit"},
    {"bitcount", "{b}1", "0"}, {"bitcount", "{b}1", "0", "1", "foo"}, {"bitcount", "{b}1", "a", "1"}, {"bitcount", "{b}1", "0", "b"},
    {"bitcount", "{b}1", "0", "1", "bit", "x"}, {"bitcount", "{b}9", "a", "b", "c"}, {"bitcount", "{b}9"}, {"bitcount"},
    {"bitcount", "{b}1", "9223372036854775807", "-9223372036854775808", "bit"},
    {"bitcount", "{b}1", "-9223372036854775808", "9223372036854775807"},
    // BITPOS
    {"set", "{b}2", "\u00ff\u00f0\u0000"}, {"bitpos", "{b}2", "0"}, {"bitpos", "{b}2", "1", "2"}, {"bitpos", "{b}2", "1", "0"},
    {"bitpos", "{b}2", "0", "2", "-1"}, {"bitpos", "{b}2", "1", "7", "15", "bit"}, {"bitpos", "{b}2", "0", "7", "15", "bit"},
    {"bitpos", "{b}2", "0", "3", "5", "BIT"}, {"bitpos", "{b}2", "1", "-3", "-1", "bit"}, {"bitpos", "{b}2", "0", "1", "1", "byte"},
    {"bitpos", "{b}2", "1", "100"}, {"bitpos", "{b}2", "2"}, {"bitpos", "{b}2", "-1"}, {"bitpos", "{b}2", "x"},
    {"bitpos", "{b}9", "0"}, {"bitpos", "{b}9", "1"}, {"bitpos", "{b}9", "1", "x", "y", "z"}, {"bitpos", "{b}9", "3"},
    {"bitpos", "{b}2", "1", "x"}, {"bitpos", "{b}2", "1", "0", "x"}, {"bitpos", "{b}2", "1", "0", "1", "foo"},
    {"bitpos", "{b}2", "1", "0", "1", "bit", "x"}, {"set", "{b}2", "\u00ff\u00ff\u00ff"}, {"bitpos", "{b}2", "0"},
    {"bitpos", "{b}2", "0", "0"}, {"bitpos", "{b}2", "0", "0", "-1"}, {"bitpos", "{b}2", "0", "0", "-1", "bit"},
    {"bitpos", "{b}2", "0", "1", "bit"}, {"set", "{b}2", ""}, {"bitpos", "{b}2", "0"}, {"bitpos", "{b}2", "1"},
    {"bitpos", "{b}2", "0", "0", "0", "bit"},
    // BITOP
    {"set", "{b}1", "foobar"}, {"set", "{b}2", "abcdef\u0000\u00ff"}, {"bitop", "and", "{b}3", "{b}1", "{b}2"}, {"get", "{b}3"},
    {"bitop", "OR", "{b}3", "{b}1", "{b}2", "{b}9"}, {"get", "{b}3"}, {"bitop", "xor", "{b}3", "{b}1", "{b}2"}, {"get", "{b}3"},
    {"bitop", "not", "{b}3", "{b}1"}, {"get", "{b}3"}, {"bitop", "not", "{b}3", "{b}1", "{b}2"}, {"bitop", "nand", "{b}3", "{b}1"},
    {"bitop", "and", "{b}3", "{b}9", "{b}8"}, {"exists", "{b}3"}, {"bitop", "and", "{b}3"}, {"bitop", "and\u0000x", "{b}3", "{b}1"},
    {"bitop", "and", "{b}3", "{b}1", "{b}9"}, {"get", "{b}3"}, {"bitop", "not", "{b}1", "{b}1"}, {"get", "{b}1"},
    // BITFIELD
    {"bitfield", "{b}4", "get", "u8", "0"}, {"exists", "{b}4"}, {"bitfield", "{b}4", "set", "i8", "0", "-100"},
    {"bitfield", "{b}4", "get", "i8", "0", "get", "u8", "0", "get", "u4", "#1", "get", "i64", "0", "get", "u63", "1"},
    {"bitfield", "{b}4", "incrby", "u2", "100", "1", "overflow", "sat", "incrby", "i8", "0", "-100"},
    {"bitfield", "{b}4", "overflow", "fail", "incrby", "i8", "0", "-100", "incrby", "u8", "8", "300"},
    {"bitfield", "{b}4", "overflow", "wrap", "incrby", "i8", "0", "-100", "incrby", "u8", "8", "300", "get", "u16", "0"},
    {"bitfield", "{b}4", "overflow", "sat", "set", "u8", "0", "-1", "set", "i4", "0", "100", "set", "i4", "4", "-100"},
    {"bitfield", "{b}4", "overflow", "fail", "set", "u8", "0", "256", "set", "i64", "0", "-9223372036854775808"},
    {"bitfield", "{b}4", "incrby", "i64", "0", "9223372036854775807", "incrby", "i64", "0", "1"},
    {"bitfield", "{b}4", "overflow", "sat", "incrby", "i64", "0", "9223372036854775807", "incrby", "i64", "0", "-9223372036854775808"},
    {"bitfield", "{b}4", "incrby", "u63", "0", "-1", "overflow", "sat", "incrby", "u63", "0", "-9223372036854775808"},
    {"bitfield", "{b}4", "set", "u8", "#2", "255", "get", "u8", "#2", "get", "i8", "#2"}, {"get", "{b}4"},
    {"bitfield", "{b}4", "get", "u64", "0"}, {"bitfield", "{b}4", "get", "i65", "0"}, {"bitfield", "{b}4", "get", "i0", "0"},
    {"bitfield", "{b}4", "get", "x8", "0"}, {"bitfield", "{b}4", "get", "", "0"}, {"bitfield", "{b}4", "get", "i", "0"},
    {"bitfield", "{b}4", "get", "u8", "-1"}, {"bitfield", "{b}4", "get", "u8", "#-1"}, {"bitfield", "{b}4", "get", "u8", "#"},
    {"bitfield", "{b}4", "get", "u8", "4294967296"}, {"bitfield", "{b}4", "get", "u8", "4294967295"},
    {"bitfield", "{b}4", "get", "u8", "#536870912"}, {"bitfield", "{b}4", "get", "u8", "#536870911"},
    {"bitfield", "{b}4", "get", "i64", "#9223372036854775807"}, {"bitfield", "{b}4", "get", "u8"}, {"bitfield", "{b}4", "foo"},
    {"bitfield", "{b}4", "set", "u8", "0"}, {"bitfield", "{b}4", "set", "u8", "0", "x"}, {"bitfield", "{b}4", "incrby", "u8", "0", ""},
    {"bitfield", "{b}4", "overflow"}, {"bitfield", "{b}4", "overflow", "foo", "get", "u8", "0"}, {"bitfield", "{b}4"},
    {"bitfield", "{b}4", "get", "u8", "0", "set", "x8", "0", "1"}, {"bitfield", "{b}9", "overflow", "fail", "incrby", "u2", "10", "9"},
    {"get", "{b}9"}, {"bitfield", "{b}4", "GET", "U8", "0"}, {"bitfield", "{b}4", "get", "I8", "0"},
    {"bitfield_ro", "{b}4", "get", "u8", "0", "get", "i16", "4"}, {"bitfield_ro", "{b}4", "set", "u8", "0", "1"},
    {"bitfield_ro", "{b}4", "incrby", "u8", "0", "1", "get", "x", "0"}, {"bitfield_ro", "{b}4", "overflow", "sat"},
    {"bitfield_ro", "{b}4"}, {"bitfield_ro", "{b}8", "get", "u8", "0"}, {"bitfield_ro"},
    // LCS
    {"set", "{b}1", "ohmytext"}, {"set", "{b}2", "mynewtext"}, {"lcs", "{b}1", "{b}2"}, {"lcs", "{b}1", "{b}2", "len"},
    {"lcs", "{b}1", "{b}2", "idx"}, {"lcs", "{b}1", "{b}2", "IDX", "minmatchlen", "4"},
    {"lcs", "{b}1", "{b}2", "idx", "withmatchlen"}, {"lcs", "{b}1", "{b}2", "idx", "minmatchlen", "-5", "withmatchlen"},
    {"lcs", "{b}1", "{b}2", "len", "idx"}, {"lcs", "{b}1", "{b}2", "minmatchlen"}, {"lcs", "{b}1", "{b}2", "minmatchlen", "x"},
    {"lcs", "{b}1", "{b}2", "foo"}, {"lcs", "{b}1", "{b}9"}, {"lcs", "{b}9", "{b}8", "idx"}, {"lcs", "{b}9", "{b}8", "len"},
    {"lcs", "{b}1"}, {"lcs", "{b}1", "{b}1", "idx", "withmatchlen"},
    // wrong arity
    {"setbit", "{b}1"}, {"getbit"}, {"bitpos", "{b}1"}, {"bitop", "and", "{b}1"}, {"bitfield"},
  };

  /** Runs {@link #EDGE_CASES} against both, from an empty database; {@code clear} empties the server under test. */
  public static void checkEdgeCases(RedisServer.Conn redis, RedisServer.Conn other, Runnable clear) throws IOException {
    redis.call("flushall");
    clear.run();
    for (String[] request : EDGE_CASES) {
      String expected = redis.call(request);
      String actual = other.call(request);
      if (request[0].equals("ttl") && expected.startsWith(":") && actual.startsWith(":")) {
        long e = Long.parseLong(expected.substring(1).trim());
        long a = Long.parseLong(actual.substring(1).trim());
        assertThat(Math.abs(e - a)).as("TTL after %s", String.join(" ", request)).isLessThanOrEqualTo(2);
        continue;
      }
      assertThat(printable(actual)).as("reply to %s", printable(String.join(" ", request))).isEqualTo(printable(expected));
    }
  }

  /** Runs the seeds against both; {@code skip} drops a generated request before it is sent to either. */
  public static void run(RedisServer.Conn toRedis, RedisServer.Conn toOther, Predicate<String[]> skip) throws IOException {
    ParitySequences.compare(toRedis, toOther, KEYS, 20, 400, BitParity::randomCommand, skip, (command, expected, actual) -> false);
  }


  private static final String[] VALUES = {"", "a", "\u00ff", "\u0000", "foobar", "\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff",
      "\u0000\u0000\u0001", "123", "x".repeat(40), "\u00f0\u000f\u00aa\u0055"};
  /**
   * Offsets: small, around byte and word edges, up to 512 bytes (so that an LCS of two values stays
   * far below a node's bound on its table), and invalid.
   */
  private static final String[] OFFSETS = {"0", "1", "7", "8", "9", "15", "31", "63", "64", "65", "100", "1000", "4095",
      "-1", "x", "", "4294967296", "#-1"};
  private static final String[] RANGE = {"0", "1", "2", "-1", "-2", "-3", "5", "7", "8", "-8", "-9", "10", "15", "16", "63", "64",
      "100", "-100", "x", "9223372036854775807", "-9223372036854775808"};
  private static final String[] TYPES = {"u1", "u2", "u7", "u8", "u16", "u63", "i1", "i2", "i5", "i8", "i16", "i32", "i63", "i64",
      "u64", "i65", "x8", "u0"};
  private static final String[] FIELD_VALUES = {"0", "1", "-1", "2", "100", "-100", "127", "128", "255", "256", "-129", "65535",
      "9223372036854775807", "-9223372036854775808", "x"};

  private static String pick(java.util.Random random, String[] from) {
    return from[random.nextInt(from.length)];
  }

  private static String[] randomCommand(java.util.Random random) {
    String k = pick(random, KEYS);
    List<String> c = new java.util.ArrayList<>();
    switch (random.nextInt(14)) {
      case 0 -> c.addAll(List.of("set", k, pick(random, VALUES)));
      case 1, 2 -> c.addAll(List.of("setbit", k, random.nextInt(6) == 0 ? pick(random, OFFSETS) : Integer.toString(random.nextInt(80)),
          random.nextInt(10) == 0 ? pick(random, new String[] {"2", "-1", "x", ""}) : Integer.toString(random.nextInt(2))));
      case 3 -> c.addAll(List.of("getbit", k, random.nextInt(4) == 0 ? pick(random, OFFSETS) : Integer.toString(random.nextInt(80))));
      case 4, 5 -> {
        c.addAll(List.of("bitcount", k));
        int extra = random.nextInt(5);
        if (extra >= 1) {
          c.add(pick(random, RANGE));
        }
        if (extra >= 2) {
          c.add(pick(random, RANGE));
        }
        if (extra >= 3) {
          c.add(pick(random, new String[] {"bit", "byte", "BIT", "foo"}));
        }
      }
      case 6, 7 -> {
        c.addAll(List.of("bitpos", k, random.nextInt(8) == 0 ? pick(random, new String[] {"2", "-1", "x"}) : Integer.toString(random.nextInt(2))));
        int extra = random.nextInt(4);
        if (extra >= 1) {
          c.add(pick(random, RANGE));
        }
        if (extra >= 2) {
          c.add(pick(random, RANGE));
        }
        if (extra >= 3) {
          c.add(pick(random, new String[] {"bit", "byte", "Byte", "foo"}));
        }
      }
      case 8 -> {
        c.addAll(List.of("bitop", pick(random, new String[] {"and", "or", "xor", "not", "NOT", "nand"}), k));
        for (int i = random.nextInt(3); i >= 0; i--) {
          c.add(pick(random, KEYS));
        }
      }
      case 9, 10 -> {
        c.addAll(List.of(random.nextInt(4) == 0 ? "bitfield_ro" : "bitfield", k));
        for (int i = random.nextInt(4); i >= 0; i--) {
          String op = pick(random, new String[] {"get", "set", "incrby", "overflow", "get", "incrby"});
          c.add(op);
          if (op.equals("overflow")) {
            c.add(pick(random, new String[] {"wrap", "sat", "fail", "SAT", "foo"}));
            continue;
          }
          c.add(random.nextInt(10) == 0 ? pick(random, TYPES) : pick(random, new String[] {"u1", "u4", "u8", "u16", "i4", "i8", "i16", "i64", "u63"}));
          c.add(random.nextInt(8) == 0 ? pick(random, OFFSETS) : random.nextInt(4) == 0 ? "#" + random.nextInt(8)
              : Integer.toString(random.nextInt(70)));
          if (!op.equals("get") && random.nextInt(12) > 0) {
            c.add(pick(random, FIELD_VALUES));
          }
        }
      }
      case 11, 12 -> {
        c.addAll(List.of("lcs", k, pick(random, KEYS)));
        for (int i = random.nextInt(4); i > 0; i--) {
          String w = pick(random, new String[] {"len", "idx", "IDX", "withmatchlen", "minmatchlen", "foo"});
          c.add(w);
          if (w.equals("minmatchlen") && random.nextInt(6) > 0) {
            c.add(pick(random, new String[] {"0", "1", "2", "3", "-1", "x"}));
          }
        }
      }
      default -> c.addAll(List.of("get", k));
    }
    return c.toArray(new String[0]);
  }
}
