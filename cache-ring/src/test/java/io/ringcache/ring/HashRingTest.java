package io.ringcache.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class HashRingTest {

  @Test
  void ownerOf_withOneNode_isThatNodeForEveryKey() {
    HashRing ring = HashRing.builder().add("127.0.0.1:7001", 1).build();
    Random random = new Random(7);
    for (int i = 0; i < 1000; i++) {
      assertThat(ring.ownerOfHash(random.nextInt())).isEqualTo("127.0.0.1:7001");
    }
    assertThat(ring.shareOf("127.0.0.1:7001")).isEqualTo(1.0);
    assertThat(ring.rangesOf("127.0.0.1:7001")).containsExactly(HashRange.all());
    assertThat(ring.pointsOf("127.0.0.1:7001")).isEqualTo(160);
  }

  @Test
  void nginxPoints_nameWithoutPort_hashesHostAndEmptyPort() {
    // nginx: base = crc32(host ‖ 0x00 ‖ port); a name without ':digits' is all host, port empty
    int[] points = HashRing.nginxPoints("cache-a", 1);
    int base = Crc32.update(Crc32.update(Crc32.start(), bytes("cache-a"), 0, 7), (byte) 0);
    assertThat(points[0]).isEqualTo(Crc32.finish(Crc32.updateIntLE(base, 0)));
    assertThat(points[1]).isEqualTo(Crc32.finish(Crc32.updateIntLE(base, points[0])));
  }

  @Test
  void nginxPoints_splitsAtTheLastColonOnlyWhenDigitsFollow() {
    assertThat(HashRing.nginxPoints("[::1]:7001", 1)).isEqualTo(expectedPoints("[::1]", "7001"));
    assertThat(HashRing.nginxPoints("host:abc", 1)).isEqualTo(expectedPoints("host:abc", ""));
    assertThat(HashRing.nginxPoints("host:", 1)).isEqualTo(expectedPoints("host", ""));
    assertThat(HashRing.nginxPoints("unix:/tmp/sock", 1)).isEqualTo(expectedPoints("/tmp/sock", ""));
  }

  @Test
  void build_withCollidingPoints_keepsTheFirstNodeInNodeOrder() {
    // "x" and "x:" both hash host "x" with an empty port: all 160 points collide
    HashRing ring = HashRing.builder().add("x", 1).add("x:", 1).add("y:1", 1).build();
    assertThat(ring.pointsOf("x")).isEqualTo(160);
    assertThat(ring.pointsOf("x:")).isZero();
    assertThat(ring.shareOf("x:")).isZero();
    assertThat(ring.pointCount()).isEqualTo(320);

    HashRing reversed = HashRing.builder().add("x:", 1).add("x", 1).add("y:1", 1).build();
    assertThat(reversed.pointsOf("x:")).isEqualTo(160);
    assertThat(reversed.pointsOf("x")).isZero();
  }

  @Test
  void ownerOf_emptyKeyAndOneMebibyteKey_useTheirCrc32() {
    HashRing ring = threeNodes();
    assertThat(ring.ownerOf(new byte[0])).isEqualTo(ring.ownerOfHash(0));
    assertThat(ring.ownerOf(new byte[0])).isEqualTo(ring.ownerOfPoint(0));

    byte[] big = new byte[1 << 20];
    new Random(3).nextBytes(big);
    CRC32 crc = new CRC32();
    crc.update(big);
    assertThat(ring.ownerOf(big)).isEqualTo(ring.ownerOfHash((int) crc.getValue()));
  }

  @Test
  void ownerOfHash_atAPointAndJustAfterIt_isThatPointsOwnerThenTheNext() {
    HashRing ring = threeNodes();
    for (int i = 0; i < ring.pointCount(); i++) {
      int next = (i + 1) % ring.pointCount();
      assertThat(ring.ownerOfHash(ring.pointAt(i))).isEqualTo(ring.ownerOfPoint(i));
      assertThat(ring.ownerOfHash(ring.pointAt(i) + 1)).isEqualTo(ring.ownerOfPoint(next));
    }
    // past the last point the search wraps to the first
    assertThat(ring.ownerOfHash(-1)).isEqualTo(ring.ownerOfPoint(0));
  }

  @Test
  void pointAt_isAscendingUnsigned() {
    HashRing ring = threeNodes();
    for (int i = 1; i < ring.pointCount(); i++) {
      assertThat(Integer.compareUnsigned(ring.pointAt(i - 1), ring.pointAt(i))).isNegative();
    }
  }

  @Test
  void shareOf_sumsToOne_andMatchesRanges() {
    HashRing ring = threeNodes();
    double sum = 0;
    for (String name : ring.nodeNames()) {
      double share = ring.shareOf(name);
      long rangeTotal = ring.rangesOf(name).stream().mapToLong(HashRange::size).sum();
      assertThat(rangeTotal / 4294967296.0).isCloseTo(share, within(1e-12));
      sum += share;
    }
    assertThat(sum).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void rangesOf_containExactlyTheHashesTheNodeOwns() {
    HashRing ring = threeNodes();
    Random random = new Random(11);
    for (int i = 0; i < 300; i++) {
      int hash = random.nextInt();
      String owner = ring.ownerOfHash(hash);
      for (String name : ring.nodeNames()) {
        boolean inRanges = ring.rangesOf(name).stream().anyMatch(r -> r.contains(hash));
        assertThat(inRanges).as("hash %s node %s", Integer.toUnsignedString(hash), name).isEqualTo(name.equals(owner));
      }
    }
    for (int i = 0; i < ring.pointCount(); i++) {
      for (int hash : new int[] {ring.pointAt(i), ring.pointAt(i) + 1}) {
        String owner = ring.ownerOfHash(hash);
        assertThat(ring.rangesOf(owner).stream().anyMatch(r -> r.contains(hash))).isTrue();
      }
    }
  }

  @Test
  void builder_rejectsBadNodes_withMessagesThatSayWhy() {
    assertThatThrownBy(() -> HashRing.builder().add("a", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight must be positive: 0 (node a)");
    assertThatThrownBy(() -> HashRing.builder().add("a", -3))
        .hasMessage("weight must be positive: -3 (node a)");
    assertThatThrownBy(() -> HashRing.builder().add("a", 1).add("a", 2))
        .hasMessage("duplicate node: a");
    assertThatThrownBy(() -> HashRing.builder().add(" ", 1))
        .hasMessage("node name must not be blank");
    assertThatThrownBy(() -> HashRing.builder().add("a", HashRing.MAX_WEIGHT + 1))
        .hasMessageStartingWith("weight must be at most");
  }

  @Test
  void ownerOf_onEmptyRing_failsClearly() {
    assertThatThrownBy(() -> HashRing.empty().ownerOfHash(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the ring has no node");
  }

  @Test
  void of_skipsEjectedNodes() {
    HashRing ring =
        HashRing.of(
            List.of(
                NodeInfo.of("a:1", 1),
                NodeInfo.of("b:1", 1).withState(NodeState.EJECTED),
                NodeInfo.of("c:1", 1).withState(NodeState.DOWN)));
    assertThat(ring.nodeNames()).containsExactly("a:1", "c:1");
  }

  private static HashRing threeNodes() {
    return HashRing.builder().add("127.0.0.1:7001", 1).add("127.0.0.1:7002", 2).add("127.0.0.1:7003", 1).build();
  }

  private static int[] expectedPoints(String host, String port) {
    int base = Crc32.update(Crc32.start(), bytes(host), 0, bytes(host).length);
    base = Crc32.update(base, (byte) 0);
    base = Crc32.update(base, bytes(port), 0, bytes(port).length);
    int[] points = new int[160];
    int prev = 0;
    for (int j = 0; j < 160; j++) {
      points[j] = Crc32.finish(Crc32.updateIntLE(base, prev));
      prev = points[j];
    }
    return points;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
