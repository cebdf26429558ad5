package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringcache.node.NodeServer;
import io.ringcache.testkit.core.Await;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * POST /nodes resolves the new node's name off the request, within a bound, and a repeated add of a
 * node that is joining follows its event. A real router and real nodes; only the name lookup stands
 * in for DNS (a slow or failing one cannot be had on loopback).
 */
class JoinResolutionIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  private TestCluster cluster;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    cluster = new TestCluster(2);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void postNodes_slowNameLookup_answers202WithoutWaitingForIt_andARepeatFollowsTheSameEvent() throws Exception {
    NodeServer fourth = cluster.startNode();
    String name = TestCluster.name(fourth);
    CountDownLatch dnsAnswers = new CountDownLatch(1);
    cluster.router.coordinator().resolveWith(host -> {
      try {
        dnsAnswers.await(); // a DNS that has not heard of the name yet
      } catch (InterruptedException e) {
        throw new UnknownHostException("interrupted");
      }
      return InetAddress.getAllByName(host);
    }, Duration.ofSeconds(60));

    long started = System.nanoTime();
    HttpResponse<String> first = post(name);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    JsonNode event = JSON.readTree(first.body());
    assertThat(event.path("status").asText()).isEqualTo("RUNNING");

    HttpResponse<String> again = post(name);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    JsonNode followed = JSON.readTree(again.body());
    assertThat(followed.path("id").asText()).isEqualTo(event.path("id").asText());
    assertThat(followed.path("alreadyRunning").asBoolean()).isTrue();

    dnsAnswers.countDown();
    JsonNode done = awaitEnd(event.path("id").asText());
    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("DONE");
    assertThat(cluster.topology().node(name)).isPresent();
  }

  @Test
  void postNodes_nameThatNeverResolves_isRefusedWithTheReason_andChangesNothing() throws Exception {
    NodeServer fourth = cluster.startNode();
    String name = TestCluster.name(fourth);
    long epoch = cluster.topology().epoch();
    cluster.router.coordinator().resolveWith(host -> {
      throw new UnknownHostException(host);
    }, Duration.ofMillis(500));

    HttpResponse<String> response = post(name);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).path("error").asText())
        .startsWith("cannot resolve 127.0.0.1 (node " + name + ") within 0.5 s: unknown host");
    assertThat(cluster.topology().epoch()).isEqualTo(epoch);
    assertThat(cluster.router.coordinator().busy()).isFalse();
  }

  @Test
  void postNodes_lookupThatHangs_endsTheEventFailedAtTheBound() throws Exception {
    NodeServer fourth = cluster.startNode();
    String name = TestCluster.name(fourth);
    CountDownLatch never = new CountDownLatch(1);
    cluster.router.coordinator().resolveWith(host -> {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new UnknownHostException("interrupted");
    }, Duration.ofSeconds(5));

    HttpResponse<String> response = post(name); // answered after the 3 s wait, before the 5 s bound
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    JsonNode done = awaitEnd(JSON.readTree(response.body()).path("id").asText());
    assertThat(done.path("status").asText()).isEqualTo("FAILED");
    assertThat(done.path("message").asText()).contains("cannot resolve 127.0.0.1", "the lookup did not answer");
    assertThat(cluster.topology().node(name)).isEmpty();
  }

  private HttpResponse<String> post(String name) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.router.adminPort() + "/nodes"))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode awaitEnd(String id) {
    JsonNode[] last = new JsonNode[1];
    Await.until(() -> {
      try {
        HttpResponse<String> response = http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.router.adminPort() + "/events/" + id)).build(),
            HttpResponse.BodyHandlers.ofString());
        last[0] = JSON.readTree(response.body());
        return !last[0].path("status").asText().equals("RUNNING");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, Duration.ofSeconds(60), "event " + id + " to end");
    return last[0];
  }
}
