package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterReserveTest {

  private final List<String> refused = new ArrayList<>();

  private ClusterReserve.Waiter waiter(String name) {
    return () -> refused.add(name);
  }

  @Test
  void aFullReserve_refusesItsOldestWaiterToMakeRoomForTheNewest() {
    ClusterReserve reserve = new ClusterReserve(2);
    ClusterReserve.Waiter a = waiter("a");
    ClusterReserve.Waiter b = waiter("b");
    ClusterReserve.Waiter c = waiter("c");
    assertThat(reserve.enter(a, "x")).isTrue();
    assertThat(reserve.enter(b, "x")).isTrue();
    assertThat(refused).isEmpty();

    assertThat(reserve.enter(c, "x")).isTrue();

    assertThat(refused).containsExactly("a");
    assertThat(reserve.waiting()).isEqualTo(2);
  }

  @Test
  void aWaiterThatLeft_isNeitherCountedNorRefusedLater() {
    ClusterReserve reserve = new ClusterReserve(2);
    ClusterReserve.Waiter a = waiter("a");
    ClusterReserve.Waiter b = waiter("b");
    reserve.enter(a, "x");
    reserve.enter(b, "x");
    reserve.leave(a); // admitted, say
    reserve.leave(a); // and closed: leaving twice counts once

    reserve.enter(waiter("c"), "x");
    assertThat(refused).isEmpty();
    reserve.enter(waiter("d"), "x");

    assertThat(refused).containsExactly("b");
    assertThat(reserve.waiting()).isEqualTo(2);
  }

  @Test
  void aFloodFromOneAddress_onlyEverDisplacesItsOwnWaiters() {
    ClusterReserve reserve = new ClusterReserve(3);
    reserve.enter(waiter("router"), "10.0.0.1");
    for (int i = 0; i < 1_000; i++) {
      reserve.enter(waiter("flood-" + i), "10.0.0.2");
    }
    assertThat(refused).hasSize(998).doesNotContain("router");
    assertThat(refused.get(0)).isEqualTo("flood-0");
    assertThat(reserve.waiting()).isEqualTo(3);
  }

  @Test
  void onATie_theOldestSourcesOldestWaiterIsDisplaced() {
    ClusterReserve reserve = new ClusterReserve(2);
    reserve.enter(waiter("a"), "1");
    reserve.enter(waiter("b"), "2");
    reserve.enter(waiter("c"), "3");
    assertThat(refused).containsExactly("a");
  }

  @Test
  void noReserve_admitsNoWaiter() {
    ClusterReserve reserve = new ClusterReserve(0);
    assertThat(reserve.enter(waiter("a"), "x")).isFalse();
    assertThat(reserve.waiting()).isZero();
    assertThat(refused).isEmpty();
  }
}
