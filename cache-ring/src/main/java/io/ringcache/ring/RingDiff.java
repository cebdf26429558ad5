package io.ringcache.ring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/*
 * The difference between two rings as the ranges that change owner.
 *
 * Take the union of both rings' points, u0 < u1 < ... < uk (unsigned). No point of either ring lies
 * strictly inside an elementary interval (u(i-1), u(i)], so every hash in it has one owner in the old
 * ring (the owner of hash u(i)) and one in the new. Intervals whose owners differ are the moved
 * ranges; neighbours with the same (from, to) are merged, across the wrap too. So a key moves if and
 * only if its hash lies in one of the ranges, and it moves from `from` to `to`.
 *
 * For a join of X, every moved range ends at one of X's new points and goes to X; for a leave of X,
 * every moved range is one of X's and goes to its successor: the successor-range handoff.
 */

/** The ranges of the hash circle whose owner differs between an old ring and a new ring. */
public final class RingDiff {

  private final List<MovedRange> ranges;

  private RingDiff(List<MovedRange> ranges) {
    this.ranges = ranges;
  }

  /**
   * The moved ranges from {@code before} to {@code after}. If either ring is empty nothing can move
   * (there is no old owner or no new owner) and the diff is empty.
   */
  public static RingDiff between(HashRing before, HashRing after) {
    if (before.isEmpty() || after.isEmpty()) {
      return new RingDiff(List.of());
    }
    int[] union = unionOfPoints(before, after);
    int k = union.length;
    List<MovedRange> moved = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      int end = union[i];
      String from = before.ownerOfHash(end);
      String to = after.ownerOfHash(end);
      if (from.equals(to)) {
        continue;
      }
      int start = union[(i - 1 + k) % k];
      MovedRange last = moved.isEmpty() ? null : moved.get(moved.size() - 1);
      if (last != null
          && last.from().equals(from)
          && last.to().equals(to)
          && last.range().end() == Integer.toUnsignedLong(start)) {
        moved.set(moved.size() - 1, new MovedRange(new HashRange(last.range().start(), Integer.toUnsignedLong(end)), from, to));
      } else {
        moved.add(new MovedRange(HashRange.of(k == 1 ? end : start, end), from, to));
      }
    }
    // merge the run that ends at the top of the circle with the one that starts at its bottom
    if (moved.size() > 1) {
      MovedRange first = moved.get(0);
      MovedRange last = moved.get(moved.size() - 1);
      if (first.from().equals(last.from())
          && first.to().equals(last.to())
          && first.range().start() == last.range().end()
          && first.range().start() == Integer.toUnsignedLong(union[k - 1])) {
        moved.set(0, new MovedRange(new HashRange(last.range().start(), first.range().end()), first.from(), first.to()));
        moved.remove(moved.size() - 1);
      }
    }
    return new RingDiff(List.copyOf(moved));
  }

  private static int[] unionOfPoints(HashRing a, HashRing b) {
    int[] out = new int[a.pointCount() + b.pointCount()];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < a.pointCount() || j < b.pointCount()) {
      int next;
      if (j >= b.pointCount()
          || (i < a.pointCount() && Integer.compareUnsigned(a.pointAt(i), b.pointAt(j)) <= 0)) {
        next = a.pointAt(i++);
      } else {
        next = b.pointAt(j++);
      }
      if (n == 0 || out[n - 1] != next) {
        out[n++] = next;
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /** Every moved range, in ascending order of its end. */
  public List<MovedRange> ranges() {
    return ranges;
  }

  /** The moved ranges grouped by (old owner, new owner), in order of first appearance. */
  public Map<Transfer, List<HashRange>> groups() {
    Map<Transfer, List<HashRange>> groups = new LinkedHashMap<>();
    for (MovedRange range : ranges) {
      groups.computeIfAbsent(new Transfer(range.from(), range.to()), t -> new ArrayList<>()).add(range.range());
    }
    groups.replaceAll((t, list) -> List.copyOf(list));
    return groups;
  }

  /** Whether no range changes owner. */
  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** Whether a key of CRC32 {@code hash} changes owner. */
  public boolean moves(int hash) {
    for (MovedRange range : ranges) {
      if (range.range().contains(hash)) {
        return true;
      }
    }
    return false;
  }

  /** The fraction of the hash circle that changes owner. */
  public double movedShare() {
    long total = 0;
    for (MovedRange range : ranges) {
      total += range.range().size();
    }
    return total / 4294967296.0;
  }

  @Override
  public String toString() {
    return "RingDiff" + groups();
  }
}
