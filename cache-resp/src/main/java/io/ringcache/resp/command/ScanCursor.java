package io.ringcache.resp.command;

/** SCAN's cursor argument, read as Redis 7.0 reads it (the node's and the proxy's). */
public final class ScanCursor {

  /** What {@link #parse} answers for a cursor Redis refuses with {@code -ERR invalid cursor}. */
  public static final long INVALID = -1;

  private ScanCursor() {}

  /**
   * The position on the 32-bit hash circle that {@code arg} names, or {@link #INVALID}. As Redis's
   * parseScanCursorOrReply (strtoul, base 10): a C string (up to a NUL), no leading space, an optional
   * sign, decimal digits, nothing after them; {@code ""}, {@code "00"}, {@code "+0"} and {@code "-0"}
   * are 0, a negative value wraps modulo 2^64 ({@code "-1"} is 2^64 - 1), a magnitude beyond 2^64 - 1
   * is invalid. A ringcache cursor is a position on the circle: the value's low 32 bits, as Redis
   * masks a cursor to its table's size.
   */
  public static long parse(byte[] arg) {
    int end = 0;
    while (end < arg.length && arg[end] != 0) {
      end++;
    }
    int i = 0;
    boolean negative = false;
    if (i < end && (arg[i] == '+' || arg[i] == '-')) {
      negative = arg[i] == '-';
      i++;
    }
    if (i == end) {
      return i == 0 ? 0 : INVALID; // "" is 0 (strtoul reads nothing and stops at the end); "+", "-" are not
    }
    long value = 0; // unsigned
    for (; i < end; i++) {
      int d = arg[i] - '0';
      if (d < 0 || d > 9) {
        return INVALID; // a space (leading or trailing), a letter, "0x..."
      }
      if (Long.compareUnsigned(value, Long.divideUnsigned(-1L - d, 10)) > 0) {
        return INVALID; // beyond 2^64 - 1: ERANGE
      }
      value = value * 10 + d;
    }
    return (negative ? -value : value) & 0xFFFFFFFFL;
  }
}
