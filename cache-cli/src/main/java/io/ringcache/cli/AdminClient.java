package io.ringcache.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The router's admin HTTP API, as cachectl uses it. Failures become {@link CliException}s that say why. */
final class AdminClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String base;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).version(HttpClient.Version.HTTP_1_1).build();

  AdminClient(String router, String token) {
    String r = router.startsWith("http://") || router.startsWith("https://") ? router : "http://" + router;
    this.base = r.endsWith("/") ? r.substring(0, r.length() - 1) : r;
    this.token = token == null || token.isEmpty() ? null : token;
  }

  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  JsonNode get(String path) {
    return send("GET", path, null);
  }

  JsonNode post(String path, Object body) {
    return send("POST", path, body);
  }

  JsonNode put(String path, Object body) {
    return send("PUT", path, body);
  }

  JsonNode delete(String path) {
    return send("DELETE", path, null);
  }

  private JsonNode send(String method, String path, Object body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      if (body == null) {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        request.header("Content-Type", "application/json");
        request.method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      }
      HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      JsonNode json = response.body().length == 0 ? JSON.nullNode() : JSON.readTree(response.body());
      if (response.statusCode() >= 400) {
        String message = json.hasNonNull("error") ? json.get("error").asText() : "HTTP " + response.statusCode();
        throw new CliException(message + " (HTTP " + response.statusCode() + " from " + base + path + ")");
      }
      return json;
    } catch (ConnectException e) {
      throw new CliException(
          "cannot reach the router's admin API at " + base + ": connection refused (is the router running? see --router)");
    } catch (IOException e) {
      throw new CliException("request to " + base + path + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }
}
