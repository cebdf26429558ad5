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
  private final SslContext tls;
  private final Map<String, CompletableFuture<PeerClient>> clients = new ConcurrentHashMap<>();

  /** {@code tls} is the client context peers are dialled with, or null for plaintext. */
  public PeerPool(EventLoopGroup group, Class<? extends Channel> channelType, String password, SslContext tls) {
    this.group = group;
    this.channelType = channelType;
    this.password = password;
    this.tls = tls;
  }

  /** The connection to {@code address}, dialling it when there is none or the last one failed. */
  CompletableFuture<PeerClient> get(String address) {
    return clients.compute(address, (a, existing) -> {
      if (existing != null && (!existing.isDone() || (!existing.isCompletedExceptionally() && existing.join().isUsable()))) {
        return existing;
      }
      return PeerClient.connect(group, channelType, a, password, tls, CONNECT_TIMEOUT_MILLIS);
    });
  }

  /** A connection of its own (streaming uses one per handoff, so that reads through are not queued behind batches). */
  CompletableFuture<PeerClient> dedicated(String address) {
    return PeerClient.connect(group, channelType, address, password, tls, CONNECT_TIMEOUT_MILLIS);
  }

  @Override
  public void close() {
    clients.values().forEach(f -> f.thenAccept(PeerClient::close));
    clients.clear();
  }
}
