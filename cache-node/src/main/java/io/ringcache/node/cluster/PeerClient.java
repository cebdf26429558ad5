package io.ringcache.node.cluster;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.ringcache.resp.RespReply;
import io.ringcache.resp.RespReplyDecoder;
import io.ringcache.resp.net.ClusterAuth;
import io.ringcache.resp.Resp;
import io.ringcache.resp.net.HostPort;
import io.ringcache.resp.net.Tls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * One pipelined connection from this node to another (read-through and handoff streaming). Commands
 * are encoded straight into a pooled buffer and written from any thread (Netty hands the write to
 * the channel's loop); replies complete the oldest pending future, in order. When the connection
 * fails, every pending future fails with the cause, and the client is closed for good: PeerPool
 * dials a new one on next use.
 *
 * A connection that goes silent is failed too: when a command has waited REPLY_TIMEOUT_MILLIS with
 * no sign of the peer meanwhile, the peer is taken for gone and the connection closed. A sign is
 * any byte read from it (a large reply in progress counts) or the kernel taking more of what
 * waits to be written (a large command in progress on a slow link counts); a write that only went
 * into the socket's buffer does not, since a black hole takes those too. Without
 * that, a connection whose packets are dropped (a partition between two nodes that both still
 * answer the router, a firewall or conntrack entry lost, a host gone without a reset) held a
 * handoff's stream until the kernel gave up on it, about 15 minutes of retransmissions, and kept the
 * pooled read-through connection, so that every read through that source timed out (-TRYAGAIN) as
 * long. Closed, the stream fails and resumes on a new connection when the router asks again, and
 * the next read through dials afresh. A peer that is slow but alive answers something within the
 * timeout: a target applies a batch in one turn of its loop, a source answers a read from memory.
 */

/** A pipelined RESP2 client connection to a peer node. */
final class PeerClient {

  private static final Logger log = LoggerFactory.getLogger(PeerClient.class);

  /** How long a command may wait with no sign of the peer (see above) before the connection is failed. */
  static final long REPLY_TIMEOUT_MILLIS = 5_000;

  private final String address;
  private final Channel channel;
  /** Futures awaiting replies, oldest first; touched only on the channel's event loop. */
  private final ArrayDeque<CompletableFuture<Object>> pending = new ArrayDeque<>();
  private volatile Throwable failure;
  /**
   * When the peer last showed it is there (bytes read, outbound bytes taken by the kernel), or a
   * command was sent on a connection with none waiting (System.nanoTime; the channel's event loop only).
   */
  private long lastSignNanos;
  /** Outbound bytes still in the channel's buffer at the last check (the event loop only). */
  private long lastUnflushedBytes;
  private final long replyTimeoutNanos;

  private PeerClient(String address, Channel channel, long replyTimeoutMillis) {
    this.address = address;
    this.channel = channel;
    this.replyTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(replyTimeoutMillis);
  }

  /**
   * Connects to {@code host:port}; the future completes once connected (after the TLS handshake,
   * when {@code tls} is given, and authenticated: as the cluster user when a cluster secret is
   * given, else with the password, if one is given).
   */
  static CompletableFuture<PeerClient> connect(EventLoopGroup group, Class<? extends Channel> channelType,
      String address, String password, String clusterSecret, SslContext tls, int timeoutMillis) {
    return connect(group, channelType, address, password, clusterSecret, tls, timeoutMillis, REPLY_TIMEOUT_MILLIS);
  }

  /** As above, with a silent peer failed after {@code replyTimeoutMillis} instead of {@link #REPLY_TIMEOUT_MILLIS}. */
  static CompletableFuture<PeerClient> connect(EventLoopGroup group, Class<? extends Channel> channelType,
      String address, String password, String clusterSecret, SslContext tls, int timeoutMillis, long replyTimeoutMillis) {
    CompletableFuture<PeerClient> result = new CompletableFuture<>();
    InetSocketAddress target;
    try {
      target = parse(address);
    } catch (IllegalArgumentException e) {
      result.completeExceptionally(e);
      return result;
    }
    PeerClient[] holder = new PeerClient[1];
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(channelType)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            PeerClient client = new PeerClient(address, ch, replyTimeoutMillis);
            holder[0] = client;
            if (tls != null) {
              ch.pipeline().addLast("tls", Tls.clientHandler(tls, ch.alloc(), target.getHostString(), target.getPort()));
            }
            ch.pipeline().addFirst("peer-signs", client.new SignsOfLife());
            ch.pipeline().addLast(new RespReplyDecoder()).addLast(client.new Handler());
          }
        });
    ChannelFuture connect = bootstrap.connect(target);
    connect.addListener(f -> {
      if (!f.isSuccess()) {
        result.completeExceptionally(new IOException("cannot connect to " + address + ": " + f.cause().getMessage(), f.cause()));
        return;
      }
      PeerClient client = holder[0];
      SslHandler handshake = client.channel.pipeline().get(SslHandler.class);
      if (handshake == null) {
        authenticate(client, password, clusterSecret, result);
        return;
      }
      handshake.handshakeFuture().addListener(h -> {
        if (h.isSuccess()) {
          authenticate(client, password, clusterSecret, result);
        } else {
          client.close();
          result.completeExceptionally(new IOException(
              "TLS handshake with " + address + " failed: " + rootMessage(h.cause()), h.cause()));
        }
      });
    });
    return result;
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  private static void authenticate(PeerClient client, String password, String clusterSecret,
      CompletableFuture<PeerClient> result) {
    CompletableFuture<Object> auth;
    if (clusterSecret != null && !clusterSecret.isEmpty()) {
      auth = client.call("AUTH", ClusterAuth.CLUSTER_USER, clusterSecret);
    } else if (password != null && !password.isEmpty()) {
      auth = client.call("AUTH", password);
    } else {
      result.complete(client);
      return;
    }
    auth.whenComplete((reply, error) -> {
      if (error != null) {
        client.close();
        result.completeExceptionally(error);
      } else {
        result.complete(client);
      }
    });
  }

  private static InetSocketAddress parse(String address) {
    return HostPort.parse(address).toSocketAddress();
  }

  String address() {
    return address;
  }

  boolean isUsable() {
    return failure == null && channel.isActive();
  }

  /** Sends a command whose arguments are Strings, longs or byte arrays; completes with its reply. */
  CompletableFuture<Object> call(Object... args) {
    ByteBuf buf = channel.alloc().ioBuffer(64);
    encode(buf, args);
    return send(buf);
  }

  /** Sends one already-encoded command (the caller's buffer is released by the write). */
  CompletableFuture<Object> send(ByteBuf command) {
    CompletableFuture<Object> future = new CompletableFuture<>();
    if (channel.eventLoop().inEventLoop()) {
      enqueue(command, future);
    } else {
      channel.eventLoop().execute(() -> enqueue(command, future));
    }
    return future;
  }

  private void enqueue(ByteBuf command, CompletableFuture<Object> future) {
    Throwable failed = failure;
    if (failed != null || !channel.isActive()) {
      command.release();
      future.completeExceptionally(failed != null ? failed : new ClosedChannelException());
      return;
    }
    if (pending.isEmpty()) {
      lastSignNanos = System.nanoTime();
    }
    pending.addLast(future);
    channel.writeAndFlush(command).addListener(f -> {
      if (!f.isSuccess()) {
        fail(f.cause());
      }
    });
  }

  /** Encodes a command as a RESP array of bulk strings (Strings and numbers as their UTF-8 text). */
  static void encode(ByteBuf buf, Object... args) {
    byte[][] bytes = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      bytes[i] = args[i] instanceof byte[] b ? b : String.valueOf(args[i]).getBytes(StandardCharsets.UTF_8);
    }
    Resp.command(buf, bytes);
  }

  private void fail(Throwable cause) {
    if (failure == null) {
      failure = cause instanceof IOException ? cause : new IOException("connection to " + address + " failed: " + cause, cause);
    }
    closeNow();
    // newest first: whoever waits on the oldest command finds every later one failed already
    CompletableFuture<Object> f;
    while ((f = pending.pollLast()) != null) {
      f.completeExceptionally(failure);
    }
  }

  void close() {
    if (channel.eventLoop().inEventLoop()) {
      closeNow();
      return;
    }
    try {
      channel.eventLoop().execute(this::closeNow);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      channel.close(); // the loop is shutting down
    }
  }

  /**
   * Closes the channel, on its loop. With commands unanswered the close is abortive (SO_LINGER 0:
   * a reset, the unsent bytes dropped): a normal close leaves the kernel retransmitting what the
   * peer has not acknowledged, so on a connection that went silent (a partition) a batch of a
   * stream given up on would reach the target once it heals, after the stream had resumed on a new
   * connection.
   */
  private void closeNow() {
    if (!pending.isEmpty() && channel.isOpen()) {
      try {
        channel.config().setOption(ChannelOption.SO_LINGER, 0);
      } catch (RuntimeException e) {
        // the transport refused the option: the close below still goes ahead
      }
    }
    channel.close();
  }

  /** Fails the connection if a command has waited past the timeout with no sign of the peer meanwhile. */
  private void checkSilence() {
    io.netty.channel.ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
    long unflushed = outbound == null ? 0 : outbound.totalPendingWriteBytes();
    long now = System.nanoTime();
    if (unflushed < lastUnflushedBytes) {
      lastSignNanos = now; // the kernel took some: the peer acknowledges what it receives
    }
    lastUnflushedBytes = unflushed;
    if (!pending.isEmpty() && now - lastSignNanos > replyTimeoutNanos) {
      log.warn("no reply from {} for {} ms while {} command(s) waited: closing the connection (the peer is taken for"
          + " unreachable; the next use dials it again)", address, TimeUnit.NANOSECONDS.toMillis(replyTimeoutNanos),
          pending.size());
      fail(new IOException("no reply from " + address + " for " + TimeUnit.NANOSECONDS.toMillis(replyTimeoutNanos)
          + " ms: connection closed"));
    }
  }

  /** First in the pipeline (before TLS): every read is a sign of the peer, a whole reply or not. */
  private final class SignsOfLife extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      lastSignNanos = System.nanoTime();
      ctx.fireChannelRead(msg);
    }
  }

  private final class Handler extends ChannelInboundHandlerAdapter {
    private ScheduledFuture<?> watchdog;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      long period = Math.max(1, replyTimeoutNanos / 5);
      watchdog = ctx.executor().scheduleAtFixedRate(PeerClient.this::checkSilence, period, period, TimeUnit.NANOSECONDS);
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      CompletableFuture<Object> future = pending.pollFirst();
      if (future == null) {
        fail(new IOException("unexpected reply from " + address + ": " + msg));
        return;
      }
      if (msg instanceof RespReply.Error error) {
        future.completeExceptionally(new IOException(error.message() + " (from " + address + ")"));
      } else {
        future.complete(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (watchdog != null) {
        watchdog.cancel(false);
      }
      fail(new IOException("connection to " + address + " closed"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      io.ringcache.resp.net.FailStop.haltIfFatal("node event loop (peer connection)", cause);
      fail(cause);
    }
  }
}
