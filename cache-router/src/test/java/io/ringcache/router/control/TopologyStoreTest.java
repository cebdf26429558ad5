package io.ringcache.router.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyStoreTest {

  @TempDir Path dir;

  @Test
  void update_persistsEveryChange_andLoadReadsTheLatest() {
    TopologyStore store = TopologyStore.open(dir, Topology.of(1, List.of(NodeInfo.of("a:1", 1))));
    assertThat(TopologyStore.load(dir)).contains(Topology.of(1, List.of(NodeInfo.of("a:1", 1))));

    Topology next = store.update(t -> t.next(List.of(NodeInfo.of("a:1", 1), NodeInfo.of("b:1", 2)), List.of()));
    assertThat(next.epoch()).isEqualTo(2);
    assertThat(TopologyStore.load(dir)).contains(next);
    assertThat(dir.resolve("topology.json.tmp")).doesNotExist();
  }

  @Test
  void update_returningTheSameTopology_changesNothing() {
    TopologyStore store = TopologyStore.open(dir, Topology.of(5, List.of()));
    assertThat(store.update(t -> t)).isSameAs(store.current());
    assertThat(store.current().epoch()).isEqualTo(5);
  }

  @Test
  void update_withAnEpochThatDoesNotIncrease_isRefused() {
    TopologyStore store = TopologyStore.open(dir, Topology.of(5, List.of()));
    assertThatThrownBy(() -> store.update(t -> Topology.of(5, List.of(NodeInfo.of("a:1", 1)))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("epoch must increase: 5 -> 5");
    assertThat(TopologyStore.load(dir)).contains(Topology.of(5, List.of()));
  }

  @Test
  void load_ofACorruptFile_failsWithTheFileAndTheReason() throws IOException {
    Files.writeString(dir.resolve("topology.json"), "{\"epoch\": \"x\"");
    assertThatThrownBy(() -> TopologyStore.load(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("topology.json is not a valid topology document");
  }

  @Test
  void load_ofAnEmptyDirectory_isEmpty() {
    assertThat(TopologyStore.load(dir)).isEmpty();
  }
}
