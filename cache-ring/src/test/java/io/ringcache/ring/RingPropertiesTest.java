package io.ringcache.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Properties of the successor-range scheme over many random topologies, each from a fixed seed. */
class RingPropertiesTest {

  private static final int KEYS = 20_000;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void addingANode_movesOnlyKeysWhoseNewOwnerIsTheAddedNode_inProportionToItsShare(long seed) {
    Random random = new Random(seed);
    List<NodeInfo> nodes = randomNodes(random, 2 + random.nextInt(9));
    NodeInfo added = NodeInfo.of("10.9.9.9:" + (8000 + random.nextInt(1000)), 1 + random.nextInt(3));
    HashRing before = HashRing.of(nodes);
    List<NodeInfo> grown = new ArrayList<>(nodes);
    grown.add(random.nextInt(grown.size() + 1), added);
    HashRing after = HashRing.of(grown);

    int moved = 0;
    for (int i = 0; i < KEYS; i++) {
      int hash = random.nextInt();
      String from = before.ownerOfHash(hash);
      String to = after.ownerOfHash(hash);
      if (!from.equals(to)) {
        moved++;
        assertThat(to).isEqualTo(added.name());
      }
    }
    assertThat((double) moved / KEYS).isCloseTo(after.shareOf(added.name()), within(0.02));
    assertDiffCoversExactlyTheChangedKeys(before, after, random);
    for (Transfer transfer : RingDiff.between(before, after).groups().keySet()) {
      assertThat(transfer.to()).isEqualTo(added.name());
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40})
  void removingANode_movesOnlyItsKeys_eachToItsSuccessor(long seed) {
    Random random = new Random(seed);
    List<NodeInfo> nodes = randomNodes(random, 3 + random.nextInt(8));
    NodeInfo removed = nodes.get(random.nextInt(nodes.size()));
    HashRing before = HashRing.of(nodes);
    List<NodeInfo> shrunk = new ArrayList<>(nodes);
    shrunk.remove(removed);
    HashRing after = HashRing.of(shrunk);

    int moved = 0;
    for (int i = 0; i < KEYS; i++) {
      int hash = random.nextInt();
      String from = before.ownerOfHash(hash);
      String to = after.ownerOfHash(hash);
      if (!from.equals(to)) {
        moved++;
        assertThat(from).isEqualTo(removed.name());
        assertThat(to).isEqualTo(successorOwner(before, removed.name(), hash));
      } else {
        assertThat(from).isNotEqualTo(removed.name());
      }
    }
    assertThat((double) moved / KEYS).isCloseTo(before.shareOf(removed.name()), within(0.02));
    assertDiffCoversExactlyTheChangedKeys(before, after, random);
    for (Transfer transfer : RingDiff.between(before, after).groups().keySet()) {
      assertThat(transfer.from()).isEqualTo(removed.name());
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {41, 42, 43, 44, 45, 46, 47, 48, 49, 50})
  void changingAWeight_diffCoversExactlyTheChangedKeys(long seed) {
    Random random = new Random(seed);
    List<NodeInfo> nodes = randomNodes(random, 2 + random.nextInt(6));
    int index = random.nextInt(nodes.size());
    List<NodeInfo> changed = new ArrayList<>(nodes);
    NodeInfo node = nodes.get(index);
    changed.set(index, node.withWeight(node.weight() == 1 ? 3 : node.weight() - 1));
    assertDiffCoversExactlyTheChangedKeys(HashRing.of(nodes), HashRing.of(changed), random);
  }

  @ParameterizedTest
  @ValueSource(longs = {51, 52, 53, 54, 55})
  void weightTwoNode_ownsAboutTwiceTheShareOfAWeightOneNode(long seed) {
    Random random = new Random(seed);
    // averaged over the weight-1 nodes of one ring of 20, so that one node's luck does not decide
    HashRing.Builder builder = HashRing.builder();
    List<String> ones = new ArrayList<>();
    for (int i = 0; i < 19; i++) {
      String name = "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + i + ":7001";
      builder.add(name, 1);
      ones.add(name);
    }
    builder.add("10.0.0.2:7002", 2);
    HashRing ring = builder.build();
    double meanOne = ones.stream().mapToDouble(ring::shareOf).average().orElseThrow();
    assertThat(ring.shareOf("10.0.0.2:7002") / meanOne).isCloseTo(2.0, within(0.35));
  }

  /** Random hashes and every point boundary of both rings: diff.moves(h) iff the owner changes. */
  private static void assertDiffCoversExactlyTheChangedKeys(HashRing before, HashRing after, Random random) {
    RingDiff diff = RingDiff.between(before, after);
    List<Integer> hashes = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      hashes.add(random.nextInt());
    }
    for (HashRing ring : List.of(before, after)) {
      for (int i = 0; i < ring.pointCount(); i++) {
        hashes.add(ring.pointAt(i));
        hashes.add(ring.pointAt(i) + 1);
        hashes.add(ring.pointAt(i) - 1);
      }
    }
    Map<Transfer, List<HashRange>> groups = diff.groups();
    for (int hash : hashes) {
      String from = before.ownerOfHash(hash);
      String to = after.ownerOfHash(hash);
      boolean changes = !from.equals(to);
      assertThat(diff.moves(hash)).as("hash %s", Integer.toUnsignedString(hash)).isEqualTo(changes);
      if (changes) {
        List<HashRange> group = groups.get(new Transfer(from, to));
        assertThat(group).as("group %s -> %s", from, to).isNotNull();
        assertThat(group.stream().filter(r -> r.contains(hash)).count()).isEqualTo(1);
      }
    }
    // ranges never overlap
    List<MovedRange> ranges = diff.ranges();
    long total = ranges.stream().mapToLong(r -> r.range().size()).sum();
    assertThat(total).isLessThanOrEqualTo(1L << 32);
    assertThat(diff.movedShare()).isCloseTo(total / 4294967296.0, within(1e-12));
  }

  /** The owner of the first point after {@code hash} whose owner is not {@code removed}. */
  private static String successorOwner(HashRing ring, String removed, int hash) {
    int n = ring.pointCount();
    int start = 0;
    while (start < n && Integer.compareUnsigned(ring.pointAt(start), hash) < 0) {
      start++;
    }
    for (int k = 0; k < n; k++) {
      String owner = ring.ownerOfPoint((start + k) % n);
      if (!owner.equals(removed)) {
        return owner;
      }
    }
    throw new AssertionError("no other node");
  }

  private static List<NodeInfo> randomNodes(Random random, int count) {
    List<NodeInfo> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name =
          random.nextBoolean()
              ? "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + i + ":" + (7000 + random.nextInt(100))
              : "cache-" + i + "-" + Long.toHexString(random.nextLong());
      nodes.add(NodeInfo.of(name, 1 + random.nextInt(4)));
    }
    return nodes;
  }
}
