package io.ringcache.resp;

/*
 * Redis glob patterns, matched without backtracking.
 *
 * Redis's stringmatchlen() recurses at every '*': before 7.0.9 a pattern such as *a*a*a*a*b took
 * time exponential in the number of stars (CVE-2022-36021: seconds on a 200-byte key). Here the
 * pattern is compiled once into tokens, each of which consumes one byte (a literal, '?', a class)
 * except '*', which consumes any number; consecutive stars are one token. Matching runs the
 * pattern's NFA over the key with one bit per token position (Shift-And / bitap): state k active
 * means "the first k tokens matched a prefix of what was read". For each byte c,
 *
 *     D' = ((D & ACCEPTS[c]) << 1) | (D & STAR),  then  D' |= (D' & STAR) << 1
 *
 * (a single-byte token at k accepting c moves k to k+1; a star at k consumes c and stays; a star may
 * also match nothing, the closure, which needs one pass since stars are never adjacent). The key
 * matches when state T (every token) is active after its last byte. Cost: ceil((T + 1) / 64) words
 * per byte, so O(len(key) * len(pattern) / 64) in the worst case and nothing exponential; work stops
 * as soon as no state is active. A key shorter than the pattern's single-byte tokens, or of another
 * length when the pattern has no star, is rejected before any of that.
 *
 * Semantics are Redis 7.0's (checked against redis-server 7.0 with SCAN MATCH):
 *   - '?' any byte; '*' any run of bytes; '\x' the byte x literally; a trailing '\' is itself.
 *   - '[...]' one byte of the set, '[^...]' one byte not in it; 'a-z' a range, reversed bounds are
 *     swapped ('[z-a]' = '[a-z]'); '\x' inside a class is x; ']' first closes an empty class ('[]'
 *     matches nothing, '[^]' any byte). A class not closed by ']' takes the rest of the pattern
 *     ('[a' is the set {a}, '[a-]' the range a..']', '[' matches nothing, '[^' any byte).
 *   - The empty key matches only the empty pattern ('**' does not match it; SCAN and KEYS treat
 *     the exact pattern '*' as "everything" before matching, as Redis does).
 *   - A pattern with more than 1000 runs of stars before its end matches nothing: Redis 7.0.15
 *     (Debian's, with the fix of CVE-2024-31228) stops its recursion at that depth and answers no
 *     match, so "*a" x 1000 + "*" matches a key of 1000 or more a's and "*a" x 1001 + "*" none. A
 *     run that ends the pattern is not a recursion there.
 *
 * Matching stays linear in the key but not cheap: a key of 16 KiB against a pattern of 16,000
 * tokens takes about 4 ms (MatchCost in the node decides where a walk's matching may run).
 */

/** A compiled Redis glob pattern ({@code * ? [abc] [^a-z] \x}), as MATCH and CONFIG GET use them. */
public final class Glob {

  private static final int STAR = 256;

  /** Per byte value, the single-byte tokens that accept it: bit k of word k / 64. */
  private final long[][] accepts;
  /** The star tokens. */
  private final long[] stars;
  private final int tokens;
  /** Tokens that consume exactly one byte: the shortest key that can match. */
  private final int minLength;
  private final boolean hasStar;
  private final int words;
  /** Word operations of the last {@link #matches(byte[])} call: a bound on its time, for tests. */
  long lastSteps;

  private final boolean nothing;

  private Glob(int[] kinds, long[][] classes, int count) {
    this(kinds, classes, count, false);
  }

  private Glob(int[] kinds, long[][] classes, int count, boolean nothing) {
    this.nothing = nothing;
    this.tokens = count;
    this.words = (count + 1 + 63) >>> 6;
    this.accepts = new long[256][];
    this.stars = new long[words];
    int singles = 0;
    boolean star = false;
    for (int k = 0; k < count; k++) {
      int kind = kinds[k];
      if (kind == STAR) {
        stars[k >>> 6] |= 1L << k;
        star = true;
        continue;
      }
      singles++;
      for (int c = 0; c < 256; c++) {
        boolean accepted = kind >= 0 ? kind == c : (classes[k][c >>> 6] & (1L << c)) != 0;
        if (accepted) {
          long[] row = accepts[c];
          if (row == null) {
            row = accepts[c] = new long[words];
          }
          row[k >>> 6] |= 1L << k;
        }
      }
    }
    this.minLength = singles;
    this.hasStar = star;
  }

  /**
   * Compiles {@code pattern} for keys of at most {@code maxLength} bytes; never fails: every byte
   * string is a pattern. A pattern that needs more than {@code maxLength} bytes matches nothing and
   * is not compiled further, so the tables stay within 256 x (2 x maxLength / 64) words.
   */
  public static Glob compile(byte[] p, int maxLength) {
    int singles = parse(p, null, null, maxLength);
    if (singles > maxLength) {
      return NOTHING;
    }
    int[] kinds = new int[2 * singles + 1];
    long[][] classes = new long[2 * singles + 1][];
    int count = parse(p, kinds, classes, Integer.MAX_VALUE);
    int starRuns = 0;
    for (int k = 0; k < count; k++) {
      if (kinds[k] == STAR) {
        starRuns++;
      }
    }
    if (count > 0 && kinds[count - 1] == STAR) {
      starRuns--; // the run that ends the pattern
    }
    if (starRuns > MAX_STAR_RUNS) {
      return NOTHING;
    }
    return new Glob(kinds, classes, count);
  }

  /** Runs of stars before a pattern's end beyond which it matches nothing, as in Redis (its nesting bound). */
  static final int MAX_STAR_RUNS = 1000;

  /**
   * How many steps (as {@link #lastSteps} counts them: two word operations per byte and 64 tokens)
   * matching keys of {@code keyBytes} bytes in all takes at most, besides one per 64 tokens for each
   * key; about half a nanosecond each here. What a command walking many keys weighs its matching by.
   */
  public long cost(long keyBytes) {
    return nothing ? 0 : keyBytes * 2L * words;
  }

  /** Matches no key at all. */
  private static final Glob NOTHING = new Glob(new int[0], new long[0][], 0, true);

  /**
   * Tokenises {@code p}: with {@code kinds} null, counts the single-byte tokens (stopping once
   * there are more than {@code stopAbove}); otherwise fills kinds (a byte, -1 for a class, or STAR)
   * and classes, and returns the number of tokens.
   */
  private static int parse(byte[] p, int[] kinds, long[][] classes, int stopAbove) {
    boolean fill = kinds != null;
    int count = 0;
    int singles = 0;
    int i = 0;
    while (i < p.length && singles <= stopAbove) {
      byte b = p[i];
      if (b == '*') {
        while (i + 1 < p.length && p[i + 1] == '*') {
          i++;
        }
        if (fill) {
          kinds[count] = STAR;
        }
        count++;
        i++;
        continue;
      }
      singles++;
      if (b == '?') {
        if (fill) {
          kinds[count] = -1;
          classes[count] = new long[] {-1L, -1L, -1L, -1L};
        }
        i++;
      } else if (b == '[') {
        long[] set = fill ? new long[4] : null;
        i++;
        boolean not = i < p.length && p[i] == '^';
        if (not) {
          i++;
        }
        while (i < p.length && p[i] != ']') {
          if (p[i] == '\\' && i + 1 < p.length) {
            i++;
            add(set, p[i] & 0xFF);
          } else if (i + 2 < p.length && p[i + 1] == '-') {
            int lo = p[i] & 0xFF;
            int hi = p[i + 2] & 0xFF;
            if (lo > hi) {
              int t = lo;
              lo = hi;
              hi = t;
            }
            for (int c = lo; c <= hi && set != null; c++) {
              add(set, c);
            }
            i += 2;
          } else {
            add(set, p[i] & 0xFF);
          }
          i++;
        }
        i++; // the closing ']' (or past the end of an unterminated class)
        if (fill) {
          if (not) {
            for (int w = 0; w < 4; w++) {
              set[w] = ~set[w];
            }
          }
          kinds[count] = -1;
          classes[count] = set;
        }
      } else if (b == '\\' && i + 1 < p.length) {
        if (fill) {
          kinds[count] = p[i + 1] & 0xFF;
        }
        i += 2;
      } else {
        if (fill) {
          kinds[count] = b & 0xFF;
        }
        i++;
      }
      count++;
    }
    return fill ? count : singles;
  }

  private static void add(long[] set, int c) {
    if (set != null) {
      set[c >>> 6] |= 1L << c;
    }
  }

  /**
   * CONFIG GET's matching, as Redis 7.0's configGetCommand: a pattern without {@code * ? [} names one
   * parameter, in any case, and is replied as given; any other pattern is a glob matched against the
   * names in any case. Returns the {name as replied, value} pairs of {@code params} ({name, value},
   * names in lower case) that match, each once (named as by the first pattern that matched it), in
   * {@code params}' order.
   */
  public static java.util.List<byte[][]> configPairs(String[][] params, java.util.List<byte[]> patterns) {
    java.util.List<byte[][]> pairs = new java.util.ArrayList<>();
    for (String[] p : params) {
      byte[] name = p[0].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      for (byte[] pattern : patterns) {
        boolean literal = true;
        for (byte b : pattern) {
          literal &= b != '*' && b != '?' && b != '[';
        }
        byte[] lower = pattern.clone();
        for (int i = 0; i < lower.length; i++) {
          if (lower[i] >= 'A' && lower[i] <= 'Z') {
            lower[i] += 32;
          }
        }
        if (literal ? java.util.Arrays.equals(lower, name) : matches(lower, name)) {
          pairs.add(new byte[][] {literal ? pattern : name, p[1].getBytes(java.nio.charset.StandardCharsets.UTF_8)});
          break;
        }
      }
    }
    return pairs;
  }

  /** Whether {@code s} matches {@code pattern} (compiles it: for one-off matches). */
  public static boolean matches(byte[] pattern, byte[] s) {
    return compile(pattern, s.length).matches(s);
  }

  /** Whether {@code s} matches this pattern. */
  public boolean matches(byte[] s) {
    if (nothing) {
      return false; // (lastSteps stays 0: this instance is shared)
    }
    lastSteps = 0;
    int n = s.length;
    if (n == 0) {
      return tokens == 0;
    }
    if (n < minLength || (!hasStar && n != minLength)) {
      return false;
    }
    long[] state = new long[words];
    state[0] = 1L;
    closure(state);
    long steps = words;
    for (int i = 0; i < n; i++) {
      long[] accept = accepts[s[i] & 0xFF];
      long carry = 0;
      for (int w = 0; w < words; w++) {
        long d = state[w];
        long moved = accept == null ? 0 : d & accept[w];
        long next = (moved << 1) | carry | (d & stars[w]);
        carry = moved >>> 63;
        state[w] = next;
      }
      long alive = closure(state);
      steps += 2L * words;
      if (alive == 0) {
        lastSteps = steps;
        return false;
      }
    }
    lastSteps = steps;
    return (state[tokens >>> 6] & (1L << tokens)) != 0;
  }

  /** Lets every active star match nothing; returns the OR of the state's words (0: none active). */
  private long closure(long[] state) {
    long carry = 0;
    long alive = 0;
    for (int w = 0; w < words; w++) {
      long d = state[w];
      long skip = d & stars[w];
      d |= (skip << 1) | carry;
      carry = skip >>> 63;
      state[w] = d;
      alive |= d;
    }
    return alive;
  }
}
