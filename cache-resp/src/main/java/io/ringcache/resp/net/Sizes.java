package io.ringcache.resp.net;

import java.util.Locale;
import picocli.CommandLine;

/**
 * Sizes in options: a number of bytes with an optional k, m or g suffix (powers of 1024),
 * optionally followed by b or ib ({@code 256m}, {@code 16k}, {@code 2MiB}, {@code 1048576}).
 */
public final class Sizes {

  private Sizes() {}

  /**
   * The bytes {@code value} names.
   *
   * @throws IllegalArgumentException if it is not a size, negative, or larger than a long
   */
  public static long parse(String value) {
    String s = value.trim().toLowerCase(Locale.ROOT);
    if (s.endsWith("ib")) {
      s = s.substring(0, s.length() - 2);
    } else if (s.endsWith("b")) {
      s = s.substring(0, s.length() - 1);
    }
    long multiplier = 1;
    if (!s.isEmpty()) {
      switch (s.charAt(s.length() - 1)) {
        case 'k' -> multiplier = 1L << 10;
        case 'm' -> multiplier = 1L << 20;
        case 'g' -> multiplier = 1L << 30;
        default -> multiplier = 1;
      }
    }
    if (multiplier != 1) {
      s = s.substring(0, s.length() - 1);
    }
    long n;
    try {
      n = Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a size (expected e.g. 256m, 16k, 1048576): " + value);
    }
    if (n < 0) {
      throw new IllegalArgumentException("size must not be negative: " + value);
    }
    try {
      return Math.multiplyExact(n, multiplier);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("not a size (expected e.g. 256m, 16k, 1048576): " + value);
    }
  }

  /** {@link #parse} as a picocli converter, for the node's and the router's options. */
  public static final class Converter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
