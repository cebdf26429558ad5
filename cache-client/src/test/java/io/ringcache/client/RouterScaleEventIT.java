package io.ringcache.client;

import io.ringcache.ring.Topology;
import io.ringcache.testkit.core.Await;
import io.ringcache.testkit.EmbeddedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client through real scale events: three nodes and the real router, eight callers reading and
 * writing, and a node that joins (or leaves) through the admin API. The handoff moves ranges while
 * the client follows -MOVED and -TRYAGAIN; no operation may fail and no read may return anything
 * but the caller's last acknowledged write.
 */
class RouterScaleEventIT {

  private EmbeddedCluster nodes;
  private int joining;
  private CacheClient cache;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void start() throws Exception {
    nodes = EmbeddedCluster.builder().nodes(3).start();
    joining = nodes.startNode(); // a node that joins is started with --cluster
    long epoch = nodes.topology().epoch();
    cache = CacheClient.builder().seeds(nodes.nodeAddress(0), nodes.nodeAddress(1)).build();
    assertThat(cache.topologyEpoch()).isEqualTo(epoch);
  }

  @AfterEach
  void stop() {
    if (cache != null) {
      cache.close();
    }
    if (nodes != null) {
      nodes.close();
    }
  }

  private static void await(BooleanSupplier condition, String what) {
    Await.until(condition, Duration.ofSeconds(30), what);
  }

  private HttpResponse<String> admin(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(nodes.adminUrl() + path)).timeout(Duration.ofSeconds(10));
    request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
        : request.method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Runs eight callers, each writing its own keys and reading them back, until {@code stop}. */
  private List<Thread> load(AtomicBoolean stop, AtomicLong ops, Map<String, String> lastWritten, List<Throwable> errors) {
    List<Thread> callers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int id = t;
      Thread caller = new Thread(() -> {
        for (int i = 0; !stop.get(); i++) {
          String key = "scale:" + id + ":" + (i % 250);
          String value = "v" + i;
          try {
            if (i % 4 == 3) {
              cache.async().put(key, value).join();
            } else {
              cache.put(key, value);
            }
            lastWritten.put(key, value);
            String read = i % 2 == 0 ? cache.get(key) : cache.async().get(key).join();
            if (!value.equals(read)) {
              errors.add(new AssertionError(key + ": read " + read + " right after writing " + value));
            }
            ops.incrementAndGet();
          } catch (Throwable e) {
            errors.add(e);
          }
        }
      }, "scale-caller-" + t);
      callers.add(caller);
      caller.start();
    }
    return callers;
  }

  private void runScaleEventUnderLoad(String method, String path, String body) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong ops = new AtomicLong();
    Map<String, String> lastWritten = new ConcurrentHashMap<>();
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    List<Thread> callers = load(stop, ops, lastWritten, errors);
    try {
      await(() -> ops.get() > 3_000, "load running");
      long before = nodes.topology().epoch();
      HttpResponse<String> response = admin(method, path, body);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
      await(() -> {
        Topology t = nodes.topology();
        return t.epoch() > before && t.handoffs().isEmpty();
      }, "the scale event finished");
      long after = ops.get() + 3_000;
      await(() -> ops.get() > after, "load continuing after the event");
    } finally {
      stop.set(true);
      for (Thread caller : callers) {
        caller.join(TimeUnit.SECONDS.toMillis(20));
      }
    }
    assertThat(errors).as("failed operations and stale reads").isEmpty();
    long[] redirectsAndRetries = ((DefaultCacheClient) cache).redirectsAndRetries();
    org.slf4j.LoggerFactory.getLogger(RouterScaleEventIT.class)
        .info("{} operations; {} -MOVED followed, {} -TRYAGAIN retried", ops.get(), redirectsAndRetries[0],
            redirectsAndRetries[1]);
    assertThat(cache.refreshTopology()).isEqualTo(nodes.topology().epoch());
    Map<String, String> read = cache.getAll(lastWritten.keySet());
    assertThat(read).containsExactlyInAnyOrderEntriesOf(lastWritten);
  }

  @Test
  void nodeJoins_underConcurrentLoad_noOperationFailsAndNoWriteIsLost() throws Exception {
    runScaleEventUnderLoad("POST", "/nodes", "{\"name\": \"" + nodes.nodeAddress(joining) + "\"}");
    assertThat(RespTestClient.callOnce(nodes.nodeAddress(joining), "DBSIZE")).isNotEqualTo(":0");
  }

  @Test
  void nodeLeaves_underConcurrentLoad_noOperationFailsAndNoWriteIsLost() throws Exception {
    runScaleEventUnderLoad("DELETE", "/nodes/" + nodes.nodeAddress(2), null);
    assertThat(nodes.topology().node(nodes.nodeAddress(2))).isEmpty();
  }
}
