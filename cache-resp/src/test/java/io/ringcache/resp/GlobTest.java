package io.ringcache.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {

  private static final int KEY = 16 * 1024;

  /**
   * Each row: pattern, key, whether redis-server 7.0.15 returned the key from SCAN 0 MATCH pattern
   * (checked by hand with redis-cli over the keys "", a, b, ], ^, _, `, \, [, -, ab, abc, a*, aXb, x).
   */
  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "**|\"\"|false",
        "*|\"\"|true", // the matcher itself says true for '*' only through SCAN's special case; see below
        "[a-]|a|true",
        "[a-]|]|true",
        "[a-]|^|true",
        "[a-]|_|true",
        "[a-]|`|true",
        "[a-]|b|false",
        "[a-]|-|false",
        "[|[|false",
        "[|a|false",
        "[^|a|true",
        "[^|[|true",
        "[^|ab|false",
        "[]|]|false",
        "[^]|]|true",
        "\\|\\|true",
        "a\\|a|false",
        "[a|a|true",
        "[a|[|false",
        "[a\\|\\|true",
        "[a\\|a|true",
        "[\\]|]|true",
        "[a-\\]|\\|true",
        "[a-\\]|]|true",
        "[a-\\]|b|false",
        "a[|a|false",
        "a*?|a|false",
        "a*?|ab|true",
        "a*|a|true",
        "[!a]|a|true",
        "[!a]|b|false",
        "[z-a]|x|true",
        "[z-a]|-|false",
        "*b|aXb|true",
        "a\\*|a*|true",
        "a\\*|ab|false",
      })
  void matches_edgeCases_asRedis(String pattern, String key, boolean expected) {
    if (pattern.equals("*") && key.isEmpty()) {
      // Redis's SCAN and KEYS never call the matcher for '*' alone; the matcher says no, as Redis's does
      assertThat(Glob.matches(b(pattern), b(key))).isFalse();
      return;
    }
    assertThat(Glob.matches(b(pattern), b(key))).isEqualTo(expected);
    assertThat(RedisReference.matches(b(pattern), b(key))).isEqualTo(expected);
  }

  @Test
  void matches_randomSmallInputs_agreesWithRedisRecursiveMatcher() {
    Random random = new Random(18);
    byte[] patternAlphabet = b("ab*?[]^-\\");
    byte[] keyAlphabet = b("ab]^-\\[");
    for (int i = 0; i < 50_000; i++) {
      byte[] pattern = random(random, patternAlphabet, random.nextInt(9));
      byte[] key = random(random, keyAlphabet, random.nextInt(7));
      boolean expected = RedisReference.matches(pattern, key);
      assertThat(Glob.compile(pattern, 16).matches(key))
          .as("%s ~ %s", new String(pattern, StandardCharsets.ISO_8859_1), new String(key, StandardCharsets.ISO_8859_1))
          .isEqualTo(expected);
    }
  }

  @Test
  void matches_pathologicalPatternsOn16KiBKeys_stayWithinLinearStepsPerPatternWord() {
    byte[] as = filled(KEY, 'a');
    byte[] asThenB = Arrays.copyOf(as, KEY);
    asThenB[KEY - 1] = 'b';
    // at most 1000 runs of stars before the end: beyond, a pattern matches nothing (as in Redis)
    String manyStars = "*a".repeat(999) + "*b";
    String starQuestion = "*?".repeat(999) + "*b";
    String starsThenLiterals = "*a".repeat(999) + "*" + "a".repeat(14_000) + "b";
    String[] patterns = {"*a*a*a*a*a*b", "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", manyStars, starQuestion, starsThenLiterals,
        "*" + "a".repeat(8000) + "b", "a*".repeat(999) + "b", "*[a-b]*[^c]*?*a*b"};
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      for (String p : patterns) {
        Glob glob = Glob.compile(b(p), KEY);
        int words = (tokens(p) + 1 + 63) / 64;
        long bound = (2L * KEY + 1) * words;
        assertThat(glob.matches(as)).as("%s on a's", abbreviate(p)).isFalse();
        assertThat(glob.lastSteps).as("steps of %s", abbreviate(p)).isLessThanOrEqualTo(bound);
        assertThat(glob.matches(asThenB)).as("%s on a's then b", abbreviate(p)).isTrue();
        assertThat(glob.lastSteps).as("steps of %s", abbreviate(p)).isLessThanOrEqualTo(bound);
      }
    });
  }

  @Test
  void compile_patternLongerThanAnyKey_matchesNothingWithoutBuildingTables() {
    byte[] pattern = filled(4 * 1024 * 1024, '?');
    Glob glob = Glob.compile(pattern, KEY);
    assertThat(glob.matches(filled(KEY, 'a'))).isFalse();
    assertThat(glob.lastSteps).isZero();
  }

  @Test
  void matches_configNames_asBefore() {
    assertThat(Glob.matches(b("key:*"), b("key:123"))).isTrue();
    assertThat(Glob.matches(b("*x*y*"), b("axbxcy"))).isTrue();
    assertThat(Glob.matches(b("max*"), b("maxmemory-policy"))).isTrue();
    assertThat(Glob.matches(b("save"), b("appendonly"))).isFalse();
  }

  private static int tokens(String p) {
    return p.replaceAll("\\*+", "*").length();
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "...(" + s.length() + ")" : s;
  }

  private static byte[] filled(int n, char c) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) c);
    return b;
  }

  private static byte[] random(Random random, byte[] alphabet, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = alphabet[random.nextInt(alphabet.length)];
    }
    return b;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * A line-by-line port of Redis 7.0's recursive stringmatchlen_impl (util.c, case-sensitive),
   * exponential in the worst case: the reference for small inputs only.
   */
  static final class RedisReference {
    static boolean matches(byte[] p, byte[] s) {
      return match(p, 0, p.length, s, 0, s.length, new boolean[1]);
    }

    private static int at(byte[] p, int i) {
      return i < p.length ? p[i] : 0; // Redis's patterns are NUL-terminated
    }

    private static boolean match(byte[] p, int pi, int pl, byte[] s, int si, int sl, boolean[] skipLonger) {
      while (pl > 0 && sl > 0) {
        switch (p[pi]) {
          case '*':
            while (pl > 0 && at(p, pi + 1) == '*') {
              pi++;
              pl--;
            }
            if (pl == 1) {
              return true;
            }
            while (sl > 0) {
              if (match(p, pi + 1, pl - 1, s, si, sl, skipLonger)) {
                return true;
              }
              if (skipLonger[0]) {
                return false;
              }
              si++;
              sl--;
            }
            skipLonger[0] = true;
            return false;
          case '?':
            si++;
            sl--;
            break;
          case '[': {
            pi++;
            pl--;
            boolean not = at(p, pi) == '^';
            if (not) {
              pi++;
              pl--;
            }
            boolean match = false;
            while (true) {
              if (at(p, pi) == '\\' && pl >= 2) {
                pi++;
                pl--;
                if (p[pi] == s[si]) {
                  match = true;
                }
              } else if (at(p, pi) == ']') {
                break;
              } else if (pl == 0) {
                pi--;
                pl++;
                break;
              } else if (pl >= 3 && p[pi + 1] == '-') {
                int start = p[pi] & 0xFF;
                int end = p[pi + 2] & 0xFF;
                int c = s[si] & 0xFF;
                if (start > end) {
                  int t = start;
                  start = end;
                  end = t;
                }
                pi += 2;
                pl -= 2;
                if (c >= start && c <= end) {
                  match = true;
                }
              } else if (p[pi] == s[si]) {
                match = true;
              }
              pi++;
              pl--;
            }
            if (not) {
              match = !match;
            }
            if (!match) {
              return false;
            }
            si++;
            sl--;
            break;
          }
          case '\\':
            if (pl >= 2) {
              pi++;
              pl--;
            }
            // fall through
          default:
            if (p[pi] != s[si]) {
              return false;
            }
            si++;
            sl--;
            break;
        }
        pi++;
        pl--;
        if (sl == 0) {
          while (at(p, pi) == '*' && pl > 0) {
            pi++;
            pl--;
          }
          break;
        }
      }
      return pl == 0 && sl == 0;
    }
  }

  /**
   * Redis 7.0.15 (Debian 7.0.15-1~deb12u10) stops matching at a recursion depth of 1000 and answers
   * no match: checked with SCAN 0 MATCH against keys of 16,000 a's and a number, side by side with a
   * node (1000 runs of stars before the end: every key; 1001: none).
   */
  @Test
  void moreThanAThousandStarRunsBeforeThePatternsEnd_matchNothing_asInRedis() {
    byte[] key = ("a".repeat(16_000) + "17").getBytes(StandardCharsets.US_ASCII);
    assertThat(Glob.compile(("*a".repeat(1000) + "*").getBytes(StandardCharsets.US_ASCII), KEY).matches(key)).isTrue();
    assertThat(Glob.compile(("*a".repeat(1001) + "*").getBytes(StandardCharsets.US_ASCII), KEY).matches(key)).isFalse();
    assertThat(Glob.compile(("*a".repeat(1001) + "*17").getBytes(StandardCharsets.US_ASCII), KEY).matches(key)).isFalse();
    // a run that ends the pattern is not counted; escaped stars and stars in a class are literals
    assertThat(Glob.compile(("a*".repeat(1001)).getBytes(StandardCharsets.US_ASCII), KEY).matches(key)).isTrue();
    byte[] stars = "*".repeat(3000).getBytes(StandardCharsets.US_ASCII);
    assertThat(Glob.compile(("*\\*".repeat(1001) + "*").getBytes(StandardCharsets.US_ASCII), KEY).matches(stars)).isFalse();
    assertThat(Glob.compile(("\\**".repeat(1000) + "[*]").getBytes(StandardCharsets.US_ASCII), KEY).matches(stars)).isTrue();
  }

  @Test
  void cost_boundsTheStepsOfEveryMatch() {
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      byte[] pattern = new byte[1 + random.nextInt(300)];
      byte[] key = new byte[1 + random.nextInt(3000)];
      for (int j = 0; j < pattern.length; j++) {
        pattern[j] = (byte) "ab*?".charAt(random.nextInt(4));
      }
      for (int j = 0; j < key.length; j++) {
        key[j] = (byte) "ab".charAt(random.nextInt(2));
      }
      Glob glob = Glob.compile(pattern, KEY);
      glob.matches(key);
      assertThat(glob.lastSteps).as("steps of %s", new String(pattern, StandardCharsets.US_ASCII)).isLessThanOrEqualTo(glob.cost(key.length) + 8);
    }
  }
}
