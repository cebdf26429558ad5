package io.ringcache.node.cluster;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

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

  @Override
  public void close() {
    clients.values().forEach(f -> f.thenAccept(PeerClient::close));
    clients.clear();
  }
}
