package io.ringcache.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/*
 * One node, by address: its current connection (made on first use, made again after it closes),
 * the bound on requests in flight, and the fail-fast window after it could not be reached.
 *
 * A permit is taken before an attempt is handed to the connection and given back when the attempt
 * ends (reply or failure), whichever thread that happens on; Request.holdsPermit makes the release
 * exactly-once. Connection replacement is under the endpoint's lock, so two callers never open two
 * connections at once.
 *
 * An endpoint whose node left the topology is retired when it is idle: removed from the executor's
 * map first, then marked closed, its connection closing a command timeout later. A request that
 * raced with that (it fetched the endpoint just before) finds it closed and is handed back to the
 * executor, which creates a fresh endpoint for the address.
 */

/** A node the client talks to: connection, in-flight bound and reconnect backoff. */
final class Endpoint implements CommandHandler.Listener {

  private final String address;
  private final ClusterExecutor executor;
  private final Bootstrap bootstrap;
  private final EventLoopGroup group;
  private final Semaphore permits;
  private final int maxInFlight;

  private volatile CommandHandler connection;
  private volatile boolean closed;
  private long retryAfterNanos;
  private Throwable lastFailure;

  Endpoint(String address, ClusterExecutor executor, Bootstrap bootstrap, EventLoopGroup group, int maxInFlight) {
    this.address = address;
    this.executor = executor;
    this.bootstrap = bootstrap;
    this.group = group;
    this.maxInFlight = maxInFlight;
    this.permits = new Semaphore(maxInFlight);
  }

  String address() {
    return address;
  }

  /** Sends one attempt of {@code request}, or fails it at once (overload, unreachable node). */
  void send(Request<?> request) {
    if (closed) {
      executor.resend(request, address); // retired after leaving the topology: a fresh endpoint takes it
      return;
    }
    if (!acquire(request)) {
      request.completeExceptionally(
          new CacheOverloadException(
              "too many requests in flight to node " + address + " (max " + maxInFlight + ")"));
      return;
    }
    request.holdsPermit = true;
    CommandHandler c = connection;
    if (c == null || c.isClosed()) {
      c = connect();
      if (c == null) {
        release(request);
        if (closed) {
          executor.resend(request, address);
        } else {
          request.completeExceptionally(unreachable());
        }
        return;
      }
    }
    c.send(request);
  }

  private boolean acquire(Request<?> request) {
    if (permits.tryAcquire()) {
      return true;
    }
    if (!request.mayWait) {
      return false;
    }
    long wait = request.deadlineNanos - System.nanoTime();
    try {
      return wait > 0 && permits.tryAcquire(wait, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void release(Request<?> request) {
    if (request.holdsPermit) {
      request.holdsPermit = false;
      permits.release();
    }
  }

  private synchronized CacheConnectionException unreachable() {
    String why = lastFailure == null ? "no connection" : String.valueOf(lastFailure.getMessage());
    return new CacheConnectionException(address, "node " + address + " is unreachable: " + why, lastFailure);
  }

  private synchronized CommandHandler connect() {
    CommandHandler c = connection;
    if (c != null && !c.isClosed()) {
      return c;
    }
    if (closed || (lastFailure != null && System.nanoTime() - retryAfterNanos < 0)) {
      return null;
    }
    EventLoop loop = group.next();
    CommandHandler handler = new CommandHandler(address, loop, this, executor.sweepPeriodNanos());
    String password = executor.options().password();
    if (password != null) {
      Request<Object> auth =
          Request.keyless(CommandType.AUTH, new byte[][] {password.getBytes(StandardCharsets.UTF_8)}, reply -> reply);
      auth.deadlineNanos = System.nanoTime() + executor.commandTimeoutNanos();
      auth.whenComplete(
          (ok, error) -> {
            if (error != null) {
              Throwable cause = ClusterExecutor.unwrap(error);
              handler.fail(
                  cause instanceof CacheException
                      ? (CacheException) cause
                      : new CacheConnectionException(address, "AUTH at " + address + " failed: " + cause, cause));
            }
          });
      handler.send(auth);
    }
    connection = handler;
    ChannelFuture future;
    try {
      future =
          bootstrap
              .clone(loop)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      SslContext tls = executor.tls();
                      if (tls != null) {
                        InetSocketAddress peer = Addresses.toSocketAddress(address);
                        ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), peer.getHostString(), peer.getPort()));
                      }
                      ch.pipeline().addLast(new RespReplyDecoder(), handler);
                    }
                  })
              .connect(Addresses.toSocketAddress(address));
    } catch (RuntimeException e) {
      handler.connectFailed(e);
      return handler;
    }
    future.addListener(
        f -> {
          if (!f.isSuccess()) {
            handler.connectFailed(f.cause());
          }
        });
    return handler;
  }

  /** Whether no request holds a permit: nothing is in flight or queued here. */
  boolean isIdle() {
    return permits.availablePermits() == maxInFlight;
  }

  /**
   * Retires the endpoint of a node that left the topology: new requests go to a fresh endpoint at
   * once; the connection closes after a command timeout, so a request that slipped in just before
   * still gets its reply.
   */
  void retire() {
    CommandHandler c;
    synchronized (this) {
      closed = true;
      c = connection;
    }
    if (c != null) {
      Runnable close = c::close;
      c.eventLoop().schedule(close, executor.commandTimeoutNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** Closes the connection now; requests that still reach this endpoint go to a fresh one. */
  void close() {
    CommandHandler c;
    synchronized (this) {
      closed = true;
      c = connection;
    }
    if (c != null) {
      c.close();
    }
  }

  @Override
  public void onReply(CommandHandler connection, Request<?> request, Object reply) {
    release(request);
    executor.onReply(connection.address(), request, reply);
  }

  @Override
  public void onFailure(CommandHandler connection, Request<?> request, CacheException cause, boolean written) {
    release(request);
    if (request.isDone()) {
      return;
    }
    if (resendable(connection, request, cause, written)) {
      request.resentAfterLoss = true;
      executor.resendAfterLoss(request);
    } else {
      request.completeExceptionally(cause);
    }
  }

  /*
   * A request whose established connection was lost goes out once more, on a new connection (the
   * node may have closed an idle connection, restarted, or the network blinked): always when it
   * was never written, and when it was written only if running it twice is harmless (reads). Not
   * after a refused connection (the node is down: the reconnect delay fails it fast anyway), an
   * AUTH failure, or an AUTH itself, which belongs to its connection.
   */
  private static boolean resendable(CommandHandler connection, Request<?> request, CacheException cause, boolean written) {
    return !request.resentAfterLoss
        && cause instanceof CacheConnectionException
        && connection.wasActive()
        && request.type != CommandType.AUTH
        && (!written || request.type.readOnly());
  }

  @Override
  public void onClosed(CommandHandler closedConnection, Throwable cause) {
    boolean neverOpened = !closedConnection.wasActive();
    synchronized (this) {
      if (neverOpened) {
        lastFailure = cause;
        retryAfterNanos = System.nanoTime() + executor.options().reconnectDelay().toNanos();
      }
    }
    if (!closed) {
      executor.onNodeFailure(address, cause);
    }
  }
}
