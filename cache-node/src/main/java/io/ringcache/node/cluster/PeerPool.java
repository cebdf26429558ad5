package io.ringcache.node.cluster;

import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.ConnectException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One pipelined connection per peer address, dialled on first use and again after a failure. */
public final class PeerPool implements AutoCloseable {

  private static final int CONNECT_TIMEOUT_MILLIS = 2000;

  private final EventLoopGroup group;
  private final Class<? extends Channel> channelType;
  private final String password;
  private final String clusterSecret;
  private final SslContext tls;
  private final Map<String, CompletableFuture<PeerClient>> clients = new ConcurrentHashMap<>();

  /**
   * @param password the user password peers require, or null
   * @param clusterSecret the cluster secret: when set, peers are authenticated as the cluster user
   *     with it (RING.IMPORT and RING.READ need it) instead of with the password; null for none
   * @param tls the client context peers are dialled with, or null for plaintext
   */
  public PeerPool(EventLoopGroup group, Class<? extends Channel> channelType, String password, String clusterSecret,
      SslContext tls) {
    this.group = group;
    this.channelType = channelType;
    this.password = password;
    this.clusterSecret = clusterSecret;
    this.tls = tls;
  }

  /** The connection to {@code address}, dialling it when there is none or the last one failed. */
  CompletableFuture<PeerClient> get(String address) {
    return clients.compute(address, (a, existing) -> {
      if (existing != null && (!existing.isDone() || (!existing.isCompletedExceptionally() && existing.join().isUsable()))) {
        return existing;
      }
      return PeerClient.connect(group, channelType, a, password, clusterSecret, tls, CONNECT_TIMEOUT_MILLIS);
    });
  }

  /** A connection of its own (streaming uses one per handoff, so that reads through are not queued behind batches). */
  CompletableFuture<PeerClient> dedicated(String address) {
    return PeerClient.connect(group, channelType, address, password, clusterSecret, tls, CONNECT_TIMEOUT_MILLIS);
  }

  /** What {@link #probe} found: "answered" (with the incarnation that did), "refused" or "silent", and what it saw. */
  public record Probe(String reach, long incarnation, String detail) {}

  /**
   * Dials the node {@code name} at {@code address} on a connection of its own, authenticated as the
   * peer connections are, and asks its incarnation (RING.HEARTBEAT 0 0 name: it renews nothing and
   * changes nothing there); never fails. The router asks this of other nodes when its own
   * connections to that node are refused (RING.PROBE): a port that refuses this node too is the
   * node's, one this node reaches means only the router's path refuses.
   */
  public CompletableFuture<Probe> probe(String name, String address, int timeoutMillis) {
    CompletableFuture<Probe> result = new CompletableFuture<>();
    CompletableFuture<PeerClient> dialled =
        PeerClient.connect(group, channelType, address, password, clusterSecret, tls, timeoutMillis, timeoutMillis);
    dialled.thenCompose(client -> result.isDone()
            ? CompletableFuture.failedFuture(new IOException("gave up before the connection was made"))
            : client.call("RING.HEARTBEAT", "0", "0", name))
        .orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .whenComplete((reply, error) -> result.complete(finding(reply, error, timeoutMillis)));
    // closed once the finding is in, whatever it is (a connection made after the timeout too)
    result.thenRun(() -> dialled.thenAccept(PeerClient::close));
    return result;
  }

  private static Probe finding(Object reply, Throwable error, int timeoutMillis) {
    if (error == null) {
      if (reply instanceof Object[] array && array.length == 4 && array[1] instanceof Long incarnation) {
        return new Probe("answered", incarnation, "incarnation " + Long.toUnsignedString(incarnation, 16));
      }
      return new Probe("silent", 0, "unexpected reply to RING.HEARTBEAT: "
          + (reply instanceof Object[] array ? java.util.Arrays.deepToString(array) : reply));
    }
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectTimeoutException || cause instanceof TimeoutException) {
        return new Probe("silent", 0, "no answer within " + timeoutMillis + " ms");
      }
      if (cause instanceof ConnectException) {
        return new Probe("refused", 0, String.valueOf(cause.getMessage()));
      }
    }
    Throwable root = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return new Probe("silent", 0, String.valueOf(root.getMessage()));
  }

  @Override
  public void close() {
    clients.values().forEach(f -> f.thenAccept(PeerClient::close));
    clients.clear();
  }
}
