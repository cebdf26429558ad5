package io.ringcache.node.cluster;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** One pipelined connection per peer address, dialled on first use and again after a failure. */
public final class PeerPool implements AutoCloseable {

  private static final int CONNECT_TIMEOUT_MILLIS = 2000;

  private final EventLoopGroup group;
  private final Class<? extends Channel> channelType;
  private final String password;
  private final Map<String, CompletableFuture<PeerClient>> clients = new ConcurrentHashMap<>();

  public PeerPool(EventLoopGroup group, Class<? extends Channel> channelType, String password) {
    this.group = group;
    this.channelType = channelType;
    this.password = password;
  }

  /** The connection to {@code address}, dialling it when there is none or the last one failed. */
  CompletableFuture<PeerClient> get(String address) {
    return clients.compute(address, (a, existing) -> {
      if (existing != null && (!existing.isDone() || (!existing.isCompletedExceptionally() && existing.join().isUsable()))) {
        return existing;
      }
      return PeerClient.connect(group, channelType, a, password, CONNECT_TIMEOUT_MILLIS);
    });
  }

  /** A connection of its own (streaming uses one per handoff, so that reads through are not queued behind batches). */
  CompletableFuture<PeerClient> dedicated(String address) {
    return PeerClient.connect(group, channelType, address, password, CONNECT_TIMEOUT_MILLIS);
  }

  @Override
  public void close() {
    clients.values().forEach(f -> f.thenAccept(PeerClient::close));
    clients.clear();
  }
}
