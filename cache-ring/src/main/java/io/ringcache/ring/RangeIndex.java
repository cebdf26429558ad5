package io.ringcache.ring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/*
 * A set of disjoint hash ranges, each with a tag, looked up by binary search instead of a scan of
 * every range (a join of one weight-1 node moves 160 ranges; a lookup per key per request, or per
 * entry of a store scan, must not cost 160 comparisons).
 *
 * Each range (start, end] becomes intervals over the unsigned hashes as longs: low (exclusive, may be
 * -1) and high (inclusive); a wrapping range splits in two, the whole circle is (-1, 2^32 - 1].
 * Intervals are sorted by high; a hash h falls in the first interval with high >= h if its low < h.
 * That interval is found by a binary search narrowed by the hash's top BUCKET_BITS bits: first[b]
 * is the first interval with high >= the smallest hash of bucket b, so the answer for a hash of
 * bucket b lies in [first[b], first[b + 1]], usually one or two intervals (a join of one weight-1
 * node cuts the circle into about 320 intervals; a handoff's walk asks this of every entry of the
 * store, and a node's routing of every keyed request).
 */

/** Disjoint hash ranges with tags, for allocation-free membership lookups. */
public final class RangeIndex {

  private static final int BUCKET_BITS = 10;
  private static final RangeIndex EMPTY = new RangeIndex(new long[0], new long[0], new int[0]);

  private final long[] lows;
  private final long[] highs;
  private final int[] tags;
  /** Per bucket of the hash's top bits, and one past the last: the first interval with high >= the bucket's first hash. */
  private final int[] first = new int[(1 << BUCKET_BITS) + 1];

  private RangeIndex(long[] lows, long[] highs, int[] tags) {
    this.lows = lows;
    this.highs = highs;
    this.tags = tags;
    int i = 0;
    for (int b = 0; b < first.length; b++) {
      long bucketStart = (long) b << (32 - BUCKET_BITS);
      while (i < highs.length && highs[i] < bucketStart) {
        i++;
      }
      first[b] = i;
    }
  }

  /** An index of {@code ranges}, each tagged with 0. The ranges must not overlap. */
  public static RangeIndex of(List<HashRange> ranges) {
    return ofTagged(List.of(ranges));
  }

  /** An index where every range of {@code groups.get(i)} is tagged {@code i}. No two ranges may overlap. */
  public static RangeIndex ofTagged(List<List<HashRange>> groups) {
    List<long[]> intervals = new ArrayList<>();
    for (int tag = 0; tag < groups.size(); tag++) {
      for (HashRange r : groups.get(tag)) {
        if (r.start() < r.end()) {
          intervals.add(new long[] {r.start(), r.end(), tag});
        } else if (r.start() == r.end()) {
          intervals.add(new long[] {-1, HashRange.MAX, tag});
        } else {
          intervals.add(new long[] {r.start(), HashRange.MAX, tag});
          intervals.add(new long[] {-1, r.end(), tag});
        }
      }
    }
    if (intervals.isEmpty()) {
      return EMPTY;
    }
    intervals.sort((a, b) -> Long.compare(a[1], b[1]));
    long[] lows = new long[intervals.size()];
    long[] highs = new long[intervals.size()];
    int[] tags = new int[intervals.size()];
    for (int i = 0; i < lows.length; i++) {
      lows[i] = intervals.get(i)[0];
      highs[i] = intervals.get(i)[1];
      tags[i] = (int) intervals.get(i)[2];
    }
    return new RangeIndex(lows, highs, tags);
  }

  /** The tag of the range holding {@code hash}, or -1 when none does. */
  public int tagOf(int hash) {
    long h = Integer.toUnsignedLong(hash);
    int b = hash >>> (32 - BUCKET_BITS);
    int i = Arrays.binarySearch(highs, first[b], first[b + 1], h);
    if (i < 0) {
      i = -i - 1;
    }
    return i < highs.length && lows[i] < h ? tags[i] : -1;
  }

  /** Whether a range holds {@code hash}. */
  public boolean contains(int hash) {
    return tagOf(hash) >= 0;
  }

  public boolean isEmpty() {
    return highs.length == 0;
  }
}
