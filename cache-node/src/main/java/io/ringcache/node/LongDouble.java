package io.ringcache.node;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/*
 * INCRBYFLOAT computes in C's long double, which on x86-64 (Debian's redis-server) is the x87
 * 80-bit extended format: a 64-bit significand, normal numbers in [2^-16382, 2^16384), subnormals
 * down to 2^-16445. Its answers (1e400 is a valid float; 0.1 + 0.2 is 0.3 at 17 decimals) only come
 * out byte for byte with that precision, so this class emulates it exactly: a value is sign *
 * significand * 2^exponent, every parse and sum is computed exactly (BigInteger) and rounded once to
 * nearest-even, as the FPU does.
 *
 * parse() is Redis 7.0's string2ld: strtold (decimal, hexadecimal "0x1.8p3", "inf", "infinity",
 * "nan"), refused when the text is empty or 5120 bytes or longer, starts with a space, is not
 * consumed to its end (a NUL byte stops it short), overflows, underflows to zero, or is a
 * NaN. format() is ld2string(LD_STR_HUMAN): printf's "%.17Lf" (the exact decimal expansion rounded
 * half-even to 17 places), trailing zeros and a trailing '.' removed, "-0" printed as "0".
 */

/** A C long double (x87 80-bit extended) for INCRBYFLOAT, parsed and printed as Redis 7.0 does. */
final class LongDouble {

  private static final int PRECISION = 64;
  /** The exponent of the smallest subnormal's unit. */
  private static final int MIN_EXPONENT = -16445;
  /** Values are below 2^MAX_BIT. */
  private static final int MAX_BIT = 16384;
  /** Redis's MAX_LONG_DOUBLE_CHARS: a text this long or longer is not a float. */
  private static final int MAX_CHARS = 5 * 1024;

  static final LongDouble INFINITY = new LongDouble(false, BigInteger.ZERO, 0, true);

  private final boolean negative;
  private final BigInteger significand;
  private final int exponent;
  private final boolean infinite;

  private LongDouble(boolean negative, BigInteger significand, int exponent, boolean infinite) {
    this.negative = negative;
    this.significand = significand;
    this.exponent = exponent;
    this.infinite = infinite;
  }

  boolean isInfinite() {
    return infinite;
  }

  /** The long double {@code text} stands for, as string2ld reads it, or null if it is not one. */
  static LongDouble parse(byte[] text) {
    if (text.length == 0 || text.length >= MAX_CHARS || isSpace(text[0])) {
      return null;
    }
    for (byte b : text) {
      if (b == 0) {
        return null; // strtold stops at the NUL, short of the text's length
      }
    }
    String s = new String(text, StandardCharsets.ISO_8859_1);
    int i = 0;
    boolean negative = false;
    if (s.charAt(0) == '+' || s.charAt(0) == '-') {
      negative = s.charAt(0) == '-';
      i = 1;
    }
    String rest = s.substring(i).toLowerCase(java.util.Locale.ROOT);
    if (rest.equals("inf") || rest.equals("infinity")) {
      return new LongDouble(negative, BigInteger.ZERO, 0, true);
    }
    if (rest.startsWith("nan")) {
      return null; // NaN, or not consumed to the end: refused either way
    }
    if (rest.length() > 2 && rest.charAt(0) == '0' && rest.charAt(1) == 'x') {
      return parseHex(negative, rest.substring(2));
    }
    return parseDecimal(negative, rest);
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || (b >= '\t' && b <= '\r');
  }

  private static LongDouble parseDecimal(boolean negative, String s) {
    StringBuilder digits = new StringBuilder();
    int i = 0;
    int fraction = 0;
    boolean seenDigit = false;
    boolean point = false;
    for (; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch >= '0' && ch <= '9') {
        seenDigit = true;
        digits.append(ch);
        if (point) {
          fraction++;
        }
      } else if (ch == '.' && !point) {
        point = true;
      } else {
        break;
      }
    }
    if (!seenDigit) {
      return null;
    }
    long exp = exponentAt(s, i, 'e');
    if (exp == Long.MIN_VALUE) {
      return null;
    }
    BigInteger d = new BigInteger(digits.toString());
    if (d.signum() == 0) {
      return new LongDouble(negative, BigInteger.ZERO, 0, false);
    }
    long e = exp - fraction;
    int n = d.toString().length();
    if (n - 1 + e > 4933) {
      return null; // overflows: ERANGE and HUGE_VALL
    }
    if (n + e < -4952) {
      return null; // below half the smallest subnormal: ERANGE and 0
    }
    BigInteger num = e >= 0 ? d.multiply(BigInteger.TEN.pow((int) e)) : d;
    BigInteger den = e >= 0 ? BigInteger.ONE : BigInteger.TEN.pow((int) -e);
    return fromStrtold(round(negative, num, den, 0));
  }

  private static LongDouble parseHex(boolean negative, String s) {
    BigInteger h = BigInteger.ZERO;
    int i = 0;
    int fraction = 0;
    boolean seenDigit = false;
    boolean point = false;
    for (; i < s.length(); i++) {
      int v = Character.digit(s.charAt(i), 16);
      if (v >= 0) {
        seenDigit = true;
        h = h.shiftLeft(4).or(BigInteger.valueOf(v));
        if (point) {
          fraction++;
        }
      } else if (s.charAt(i) == '.' && !point) {
        point = true;
      } else {
        break;
      }
    }
    if (!seenDigit) {
      return null; // strtold reads the "0" only
    }
    long exp = exponentAt(s, i, 'p');
    if (exp == Long.MIN_VALUE) {
      return null;
    }
    if (h.signum() == 0) {
      return new LongDouble(negative, BigInteger.ZERO, 0, false);
    }
    long e = exp - 4L * fraction;
    if (h.bitLength() + e > MAX_BIT + 1) {
      return null;
    }
    if (h.bitLength() + e < MIN_EXPONENT - 2) {
      return null;
    }
    return fromStrtold(round(negative, h, BigInteger.ONE, (int) e));
  }

  /**
   * The exponent after a mantissa ending at {@code i} ({@code marker} then an optional sign and
   * digits, saturated), 0 if there is none, or Long.MIN_VALUE if the text does not end there.
   */
  private static long exponentAt(String s, int i, char marker) {
    if (i == s.length()) {
      return 0;
    }
    if (s.charAt(i) != marker) {
      return Long.MIN_VALUE;
    }
    int j = i + 1;
    boolean negative = false;
    if (j < s.length() && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
      negative = s.charAt(j) == '-';
      j++;
    }
    if (j == s.length()) {
      return Long.MIN_VALUE; // "1e", "1e+": strtold stops before the marker
    }
    long exp = 0;
    for (; j < s.length(); j++) {
      char ch = s.charAt(j);
      if (ch < '0' || ch > '9') {
        return Long.MIN_VALUE;
      }
      exp = Math.min(exp * 10 + (ch - '0'), 1_000_000_000L);
    }
    return negative ? -exp : exp;
  }

  /** A parsed value as string2ld keeps it: an overflow (infinity) or an underflow to zero refused. */
  private static LongDouble fromStrtold(LongDouble value) {
    return value.infinite || value.significand.signum() == 0 ? null : value;
  }

  /**
   * {@code num / den * 2^shift} (num > 0, den > 0) rounded to nearest-even in the extended format;
   * infinity when it overflows, zero when it underflows.
   */
  private static LongDouble round(boolean negative, BigInteger num, BigInteger den, int shift) {
    // p: the position of the leading bit of num/den, 2^p <= num/den < 2^(p+1)
    int p = num.bitLength() - den.bitLength();
    if (p >= 0 ? num.compareTo(den.shiftLeft(p)) < 0 : num.shiftLeft(-p).compareTo(den) < 0) {
      p--;
    }
    long e = (long) p + shift - (PRECISION - 1);
    if (e < MIN_EXPONENT) {
      e = MIN_EXPONENT;
    }
    // q = num / den * 2^(shift - e), truncated, with the remainder for rounding
    long scale = shift - e;
    BigInteger scaledNum = scale >= 0 ? num.shiftLeft((int) scale) : num;
    BigInteger scaledDen = scale >= 0 ? den : den.shiftLeft((int) -scale);
    BigInteger[] qr = scaledNum.divideAndRemainder(scaledDen);
    BigInteger q = qr[0];
    int half = qr[1].shiftLeft(1).compareTo(scaledDen);
    if (half > 0 || (half == 0 && q.testBit(0))) {
      q = q.add(BigInteger.ONE);
    }
    if (q.bitLength() > PRECISION) {
      q = q.shiftRight(1);
      e++;
    }
    if (q.signum() != 0 && q.bitLength() + e > MAX_BIT) {
      return new LongDouble(negative, BigInteger.ZERO, 0, true);
    }
    return new LongDouble(negative, q, (int) e, false);
  }

  /** {@code this + other}, rounded as the FPU does; infinity (or NaN, also reported as infinity) if either is. */
  LongDouble add(LongDouble other) {
    if (infinite || other.infinite) {
      return INFINITY;
    }
    int min = Math.min(exponent, other.exponent);
    BigInteger a = significand.shiftLeft(exponent - min);
    BigInteger b = other.significand.shiftLeft(other.exponent - min);
    BigInteger sum = (negative ? a.negate() : a).add(other.negative ? b.negate() : b);
    if (sum.signum() == 0) {
      return new LongDouble(negative && other.negative, BigInteger.ZERO, 0, false);
    }
    return round(sum.signum() < 0, sum.abs(), BigInteger.ONE, min);
  }

  /** printf("%.17Lf"), then trailing zeros and a trailing point dropped, "-0" as "0" (Redis's LD_STR_HUMAN). */
  String format() {
    if (infinite) {
      throw new IllegalStateException("infinity is not formatted: INCRBYFLOAT refuses it first");
    }
    BigDecimal exact = exponent >= 0 ? new BigDecimal(significand.shiftLeft(exponent))
        : new BigDecimal(significand.multiply(BigInteger.valueOf(5).pow(-exponent)), -exponent);
    String s = exact.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
    int end = s.length();
    while (s.charAt(end - 1) == '0') {
      end--;
    }
    if (s.charAt(end - 1) == '.') {
      end--;
    }
    s = s.substring(0, end);
    if (negative && !s.equals("0")) {
      s = "-" + s;
    }
    return s;
  }
}
