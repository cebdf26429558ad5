package io.ringcache.node.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal HTTP endpoint for Prometheus: {@code GET /metrics} answers the text exposition, anything
 * else 404 or 405. The JDK's HTTP server on one daemon thread, off the node's event loops.
 */
final class PrometheusEndpoint implements AutoCloseable {

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Logger log = LoggerFactory.getLogger(PrometheusEndpoint.class);

  private final HttpServer server;
  private final ExecutorService executor;

  private PrometheusEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  static PrometheusEndpoint start(String bind, int port, Supplier<String> scrape) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bind, port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on " + bind + ":" + port + ": " + e.getMessage(), e);
    }
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread thread = new Thread(r, "ringcache-metrics");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/", exchange -> handle(exchange, scrape));
    server.start();
    PrometheusEndpoint endpoint = new PrometheusEndpoint(server, executor);
    log.info("metrics on http://{}:{}/metrics", bind, endpoint.port());
    return endpoint;
  }

  private static void handle(HttpExchange exchange, Supplier<String> scrape) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals("/metrics")) {
        reply(exchange, 404, "text/plain; charset=utf-8", "not found: try /metrics\n");
      } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
        reply(exchange, 405, "text/plain; charset=utf-8", "method not allowed: use GET\n");
      } else {
        reply(exchange, 200, CONTENT_TYPE, scrape.get());
      }
    } catch (RuntimeException e) {
      log.warn("metrics request failed", e);
    }
  }

  private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
