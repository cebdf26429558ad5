package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringcache.ring.NodeInfo;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's refusals: each bad request gets a clear JSON error and changes nothing. */
class RouterAdminIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "s3cret";

  @TempDir Path dir;
  private Router router;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    router = Router.start(RouterConfig.builder()
        .port(0)
        .adminPort(0)
        .dataDir(dir)
        .adminToken(TOKEN)
        .healthInterval(java.time.Duration.ofSeconds(30)) // its nodes never run: no ejection mid-test on a loaded machine
        .initialNodes(List.of(NodeInfo.of("127.0.0.1:" + freePort(), 1), NodeInfo.of("127.0.0.1:" + freePort(), 2)))
        .build());
  }

  @AfterEach
  void stop() {
    router.close();
  }

  @Test
  void health_needsNoToken_butEverythingElseDoes() throws Exception {
    assertThat(call("GET", "/health", null, null).statusCode()).isEqualTo(200);
    HttpResponse<String> denied = call("GET", "/topology", null, null);
    assertThat(denied.statusCode()).isEqualTo(401);
    assertThat(error(denied)).contains("admin token");
    assertThat(call("GET", "/topology", null, "wrong").statusCode()).isEqualTo(401);
    assertThat(call("GET", "/topology", null, TOKEN).statusCode()).isEqualTo(200);
  }

  @Test
  void postNodes_badRequests_areRefusedClearly_andChangeNothing() throws Exception {
    long epoch = router.topology().epoch();
    String existing = router.topology().nodes().get(0).name();

    assertRefused("POST", "/nodes", "{not json", 400, "malformed JSON");
    assertRefused("POST", "/nodes", "[1,2]", 400, "must be a JSON object");
    assertRefused("POST", "/nodes", "{\"address\":\"127.0.0.1:1\"}", 400, "missing field: name");
    assertRefused("POST", "/nodes", "{\"name\":\"n:1\",\"weight\":0}", 400, "weight must be between 1 and");
    assertRefused("POST", "/nodes", "{\"name\":\"n:1\",\"weight\":\"two\"}", 400, "weight must be an integer");
    assertRefused("POST", "/nodes", "{\"name\":\"n:1\",\"address\":\"nowhere\"}", 400, "address must be host:port");
    assertRefused("POST", "/nodes", "{\"name\":\"" + existing + "\"}", 409, "already in the topology");
    int port = freePort();
    assertRefused("POST", "/nodes", "{\"name\":\"127.0.0.1:" + port + "\"}", 400, "does not answer");

    assertThat(router.topology().epoch()).isEqualTo(epoch);
  }

  @Test
  void otherRoutes_unknownNodesAndMethods_areRefusedClearly() throws Exception {
    assertRefused("DELETE", "/nodes/no-such-node:1", null, 404, "no such node: no-such-node:1");
    assertRefused("PUT", "/nodes/no-such-node:1/weight", "{\"weight\":2}", 404, "no such node");
    String existing = router.topology().nodes().get(0).name();
    assertRefused("PUT", "/nodes/" + existing + "/weight", "{}", 400, "missing field: weight");
    assertRefused("PUT", "/nodes/" + existing + "/weight", "{\"weight\":-1}", 400, "weight must be between");
    assertRefused("GET", "/nope", null, 404, "no such resource: /nope");
    assertRefused("PATCH", "/topology", null, 405, "not allowed");
    assertRefused("GET", "/events/ev-999", null, 404, "no such event");
  }

  private void assertRefused(String method, String path, String body, int status, String message) throws Exception {
    HttpResponse<String> response = call(method, path, body, TOKEN);
    assertThat(response.statusCode()).as("%s %s %s", method, path, body).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).contains("application/json");
    assertThat(error(response)).contains(message);
  }

  private static String error(HttpResponse<String> response) throws Exception {
    JsonNode json = JSON.readTree(response.body());
    return json.path("error").asText();
  }

  private HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.adminPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
