package io.ringcache.resp;

/** Strict decimal integers as Redis reads them: an optional '-', digits, no '+', no spaces, no leading zeros. */
public final class Decimal {

  private Decimal() {}

  /**
   * Parses {@code length} bytes of {@code bytes} from {@code offset} as a signed 64-bit integer.
   *
   * @throws NumberFormatException if they are not exactly such an integer
   */
  public static long parseLong(byte[] bytes, int offset, int length) {
    if (length <= 0 || length > 20) {
      throw new NumberFormatException("not an integer");
    }
    int i = offset;
    int end = offset + length;
    boolean negative = bytes[i] == '-';
    if (negative) {
      i++;
      if (i == end) {
        throw new NumberFormatException("not an integer");
      }
    }
    if (bytes[i] == '0' && (end - i > 1 || negative)) {
      throw new NumberFormatException("leading zero"); // "-0" too, as Redis's string2ll
    }
    long value = 0;
    for (; i < end; i++) {
      int d = bytes[i] - '0';
      if (d < 0 || d > 9) {
        throw new NumberFormatException("not an integer");
      }
      // accumulate negatively so that Long.MIN_VALUE parses
      if (value < (Long.MIN_VALUE + d) / 10) {
        throw new NumberFormatException("out of range");
      }
      value = value * 10 - d;
    }
    if (!negative) {
      if (value == Long.MIN_VALUE) {
        throw new NumberFormatException("out of range");
      }
      value = -value;
    }
    return value;
  }

  /** Parses all of {@code bytes}; see {@link #parseLong(byte[], int, int)}. */
  public static long parseLong(byte[] bytes) {
    return parseLong(bytes, 0, bytes.length);
  }

  /** The ASCII decimal form of {@code value}. */
  public static byte[] toBytes(long value) {
    return Long.toString(value).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
