package io.ringcache.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The router's admin HTTP API, as cachectl uses it. Failures become {@link CliException}s that say why. */
final class AdminClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

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
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT);
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
        throw new HttpError(response.statusCode(), message + " (HTTP " + response.statusCode() + " from " + base + path + ")");
      }
      return json;
    } catch (ConnectException e) {
      throw new Unreachable(
          "cannot reach the router's admin API at " + base + ": connection refused (is the router running? see --router)");
    } catch (JsonProcessingException e) {
      throw new CliException("request to " + base + path + " failed: the answer is not JSON: " + e.getOriginalMessage());
    } catch (HttpTimeoutException e) { // a paused or overloaded router
      throw new Unreachable("the router's admin API at " + base + " did not answer " + method + " " + path + " within "
          + TIMEOUT.toSeconds() + " s" + unknownEffect(method));
    } catch (IOException e) { // cut off: a router killed or restarted
      throw new Unreachable("the router's admin API at " + base + " closed the connection before answering " + method + " "
          + path + " (" + e.getMessage() + ")" + unknownEffect(method));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  private static String unknownEffect(String method) {
    return method.equals("GET") ? "" : "; whether the request took effect is unknown: see cachectl status";
  }

  /** The router did not answer: refused, cut off or timed out. */
  static final class Unreachable extends CliException {
    private static final long serialVersionUID = 1L;

    Unreachable(String message) {
      super(message);
    }
  }

  /** The router answered with an error status. */
  static final class HttpError extends CliException {
    private static final long serialVersionUID = 1L;
    final int status;

    HttpError(int status, String message) {
      super(message);
      this.status = status;
    }
  }
}
