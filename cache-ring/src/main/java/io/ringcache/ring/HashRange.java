package io.ringcache.ring;

import static io.ringcache.ring.Checks.requireArgument;

/**
 * A range of the 32-bit hash circle, {@code (start, end]} in unsigned order, wrapping past
 * {@code 0xFFFFFFFF} when {@code end <= start} (unsigned). {@code start == end} is the whole circle:
 * the single range of a ring with one point.
 *
 * <p>In JSON the bounds are written as unsigned decimal numbers, as a person reads a CRC32.
 */
public record HashRange(long start, long end) {

  public static final long MAX = 0xFFFF_FFFFL;

  public HashRange {
    requireArgument(start >= 0 && start <= MAX, "start must be an unsigned 32-bit value: %s", start);
    requireArgument(end >= 0 && end <= MAX, "end must be an unsigned 32-bit value: %s", end);
  }

  /** The range {@code (start, end]} of two 32-bit hashes. */
  public static HashRange of(int start, int end) {
    return new HashRange(Integer.toUnsignedLong(start), Integer.toUnsignedLong(end));
  }

  /** The whole circle. */
  public static HashRange all() {
    return new HashRange(0, 0);
  }

  /** Whether {@code hash} (a 32-bit CRC, compared unsigned) falls in this range. */
  public boolean contains(int hash) {
    long h = Integer.toUnsignedLong(hash);
    if (start < end) {
      return h > start && h <= end;
    }
    if (start > end) {
      return h > start || h <= end;
    }
    return true;
  }

  /** Whether this range wraps past the top of the circle (or is the whole circle). */
  public boolean wraps() {
    return end <= start;
  }

  /** How many hash values the range holds, 1 to 2^32. */
  public long size() {
    long size = (end - start) & MAX;
    return size == 0 ? MAX + 1 : size;
  }

  @Override
  public String toString() {
    return "(" + start + ", " + end + "]";
  }
}
