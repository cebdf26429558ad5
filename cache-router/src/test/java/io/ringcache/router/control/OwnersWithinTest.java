package io.ringcache.router.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.ring.HashRange;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.NodeInfo;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** ScaleCoordinator.ownersWithin: the parts of a range by owner, as a pruned handoff re-targets them. */
class OwnersWithinTest {

  private final HashRing ring = HashRing.of(List.of(NodeInfo.of("a:1", 1), NodeInfo.of("b:1", 2), NodeInfo.of("c:1", 1)));

  @Test
  void ownersWithin_everyHashOfTheRange_isInThePartOfItsOwner_andNothingElse() {
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      HashRange range = HashRange.of(random.nextInt(), random.nextInt());
      Map<String, List<HashRange>> owners = ScaleCoordinator.ownersWithin(ring, range);
      long covered = owners.values().stream().flatMap(List::stream).mapToLong(HashRange::size).sum();
      assertThat(covered).as("the parts cover %s exactly", range).isEqualTo(range.size());
      for (int i = 0; i < 2_000; i++) {
        int hash = random.nextInt();
        String inPart = null;
        for (Map.Entry<String, List<HashRange>> e : owners.entrySet()) {
          for (HashRange part : e.getValue()) {
            if (part.contains(hash)) {
              assertThat(inPart).as("parts overlap at %s", hash).isNull();
              inPart = e.getKey();
            }
          }
        }
        assertThat(inPart).isEqualTo(range.contains(hash) ? ring.ownerOfHash(hash) : null);
      }
    }
  }
}
