package io.ringcache.node;

/** Redis glob patterns ({@code * ? [abc] [^a-z] \x}), as MATCH and CONFIG GET use them. */
final class Glob {

  private Glob() {}

  static boolean matches(byte[] pattern, byte[] s) {
    return matches(pattern, 0, s, 0, 0);
  }

  private static boolean matches(byte[] p, int pi, byte[] s, int si, int depth) {
    if (depth > 1000) {
      return false;
    }
    while (pi < p.length) {
      byte c = p[pi];
      switch (c) {
        case '*':
          while (pi + 1 < p.length && p[pi + 1] == '*') {
            pi++;
          }
          if (pi + 1 == p.length) {
            return true;
          }
          for (int k = si; k <= s.length; k++) {
            if (matches(p, pi + 1, s, k, depth + 1)) {
              return true;
            }
          }
          return false;
        case '?':
          if (si >= s.length) {
            return false;
          }
          si++;
          break;
        case '[':
          {
            if (si >= s.length) {
              return false;
            }
            pi++;
            boolean not = pi < p.length && p[pi] == '^';
            if (not) {
              pi++;
            }
            boolean match = false;
            while (pi < p.length && p[pi] != ']') {
              if (p[pi] == '\\' && pi + 1 < p.length) {
                pi++;
                if (p[pi] == s[si]) {
                  match = true;
                }
              } else if (pi + 2 < p.length && p[pi + 1] == '-') {
                int lo = p[pi] & 0xFF;
                int hi = p[pi + 2] & 0xFF;
                if (lo > hi) {
                  int t = lo;
                  lo = hi;
                  hi = t;
                }
                int ch = s[si] & 0xFF;
                if (ch >= lo && ch <= hi) {
                  match = true;
                }
                pi += 2;
              } else if (p[pi] == s[si]) {
                match = true;
              }
              pi++;
            }
            if (not) {
              match = !match;
            }
            if (!match) {
              return false;
            }
            si++;
            break;
          }
        case '\\':
          if (pi + 1 < p.length) {
            pi++;
          }
          // fall through: compare the escaped byte literally
        default:
          if (si >= s.length || p[pi] != s[si]) {
            return false;
          }
          si++;
          break;
      }
      pi++;
    }
    return si == s.length;
  }
}
