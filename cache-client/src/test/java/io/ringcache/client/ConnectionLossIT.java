package io.ringcache.client;

import io.ringcache.node.NodeConfig;
import io.ringcache.node.NodeServer;
import io.ringcache.testkit.core.Await;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A connection lost with requests in flight, between the client and a real node (through a relay
 * that drops what it holds and cuts): reads go out again on a new connection and succeed; a write
 * that may have run is not repeated and fails.
 */
class ConnectionLossIT {

  private CuttableRelay relay;
  private NodeServer node;
  private CacheClient cache;

  @BeforeEach
  void start() throws Exception {
    relay = new CuttableRelay();
    node = NodeServer.start(NodeConfig.builder().port(0).threads(1).advertise(relay.address()).build());
    relay.target(node.port());
    cache = CacheClient.builder().seeds(relay.address()).commandTimeout(Duration.ofSeconds(3)).build();
    cache.put("loss:key", "before");
  }

  @AfterEach
  void stop() throws Exception {
    if (cache != null) {
      cache.close();
    }
    if (node != null) {
      node.close();
    }
    relay.close();
  }

  @Test
  void readInFlight_whenTheConnectionIsLost_isSentAgainAndSucceeds() throws Exception {
    relay.hold(true);
    CompletableFuture<String> read = cache.async().get("loss:key");
    Await.until(() -> relay.heldBytes() > 0, Duration.ofSeconds(5), "the GET written into the relay");
    relay.hold(false); // before the cut: the request sent again must go through
    relay.cutAll();
    assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo("before");
    assertThat(cache.get("loss:key")).isEqualTo("before");
  }

  @Test
  void writeInFlight_whenTheConnectionIsLost_failsAndIsNotRepeated() throws Exception {
    relay.hold(true);
    CompletableFuture<Void> write = cache.async().put("loss:key", "after");
    Await.until(() -> relay.heldBytes() > 0, Duration.ofSeconds(5), "the SET written into the relay");
    relay.hold(false); // before the cut: the request sent again must go through
    relay.cutAll();
    assertThatThrownBy(() -> write.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(CacheConnectionException.class)
        .hasMessageContaining("lost");
    assertThat(cache.get("loss:key")).as("the SET never reached the node and was not sent again").isEqualTo("before");
  }
}
