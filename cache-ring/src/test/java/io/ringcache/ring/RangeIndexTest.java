package io.ringcache.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RangeIndexTest {

  @Test
  void tagOf_agreesWithHashRangeContains_forRingDiffRangesAndTheirBoundaries() {
    HashRing before = HashRing.builder().add("a:1", 1).add("b:1", 2).add("c:1", 1).build();
    HashRing after = HashRing.builder().add("a:1", 1).add("b:1", 2).add("c:1", 1).add("d:1", 1).build();
    List<List<HashRange>> groups = RingDiff.between(before, after).groups().values().stream().toList();
    RangeIndex index = RangeIndex.ofTagged(groups);
    Random random = new Random(3);
    int[] probes = new int[20_000];
    for (int i = 0; i < probes.length; i++) {
      probes[i] = random.nextInt();
    }
    for (int i = 0; i < after.pointCount(); i++) {
      probes[i % probes.length] = after.pointAt(i) + (i % 3) - 1;
    }
    // the first and last hashes of the lookup's buckets (the top 10 bits), and their neighbours
    for (int b = 0; b < 1024; b++) {
      int bucketStart = b << 22;
      probes[1_000 + 6 * b] = bucketStart;
      probes[1_001 + 6 * b] = bucketStart - 1;
      probes[1_002 + 6 * b] = bucketStart + 1;
      probes[1_003 + 6 * b] = bucketStart + (1 << 22) - 1;
      probes[1_004 + 6 * b] = bucketStart + (1 << 22) - 2;
    }
    for (int hash : probes) {
      int expected = -1;
      for (int tag = 0; tag < groups.size(); tag++) {
        int t = tag;
        if (groups.get(tag).stream().anyMatch(r -> r.contains(hash))) {
          expected = t;
        }
      }
      assertThat(index.tagOf(hash)).as("hash %s", Integer.toUnsignedString(hash)).isEqualTo(expected);
    }
  }

  @Test
  void tagOf_rangesEndingAtBucketBoundaries_matchTheirEnds() {
    // ranges whose ends sit exactly on the lookup's bucket boundaries (multiples of 2^22), and on either side
    List<HashRange> ranges = List.of(new HashRange(0, 1L << 22), new HashRange((2L << 22) - 1, (3L << 22) + 1),
        new HashRange((5L << 22) + 1, (5L << 22) + 2), new HashRange(HashRange.MAX - 1, 3));
    RangeIndex index = RangeIndex.of(ranges);
    for (long h : new long[] {0, 1, 3, 4, (1L << 22) - 1, 1L << 22, (1L << 22) + 1, (2L << 22) - 1, 2L << 22,
        3L << 22, (3L << 22) + 1, (3L << 22) + 2, 5L << 22, (5L << 22) + 1, (5L << 22) + 2, (5L << 22) + 3,
        HashRange.MAX - 1, HashRange.MAX}) {
      boolean expected = ranges.stream().anyMatch(r -> r.contains((int) h));
      assertThat(index.contains((int) h)).as("hash %s", h).isEqualTo(expected);
    }
  }

  @Test
  void tagOf_wrappingAndWholeCircleRanges() {
    RangeIndex wrap = RangeIndex.of(List.of(new HashRange(4_000_000_000L, 10)));
    assertThat(wrap.contains(-1)).isTrue(); // 2^32 - 1
    assertThat(wrap.contains(0)).isTrue();
    assertThat(wrap.contains(10)).isTrue();
    assertThat(wrap.contains(11)).isFalse();
    assertThat(wrap.contains((int) 4_000_000_000L)).isFalse();
    assertThat(wrap.contains((int) 4_000_000_001L)).isTrue();

    RangeIndex all = RangeIndex.of(List.of(HashRange.all()));
    assertThat(all.contains(0)).isTrue();
    assertThat(all.contains(-1)).isTrue();
    assertThat(RangeIndex.of(List.of()).contains(5)).isFalse();
  }
}
