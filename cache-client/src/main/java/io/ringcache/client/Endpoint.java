package io.ringcache.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.ringcache.resp.RespReplyDecoder;
import io.ringcache.resp.net.HostPort;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * A node that stops answering (SIGSTOP, a hang, a cut the socket does not notice) keeps its
 * connection open, so nothing closes: the connection reports it instead (two or more requests timed
 * out with no reply at all since). From then on the endpoint fails requests fast, as for a refused
 * node, and every reconnect delay it sends one PING of its own and asks for a topology refresh (the
 * router ejects such a node; the refresh takes its keys elsewhere). Any reply on the endpoint's
 * connection, the PING's or a late one, ends the state. Timed-out requests give their permit back at
 * once, so a hung node never looks like an overloaded one; and a request that finds no permit while
 * nothing has come back for a while is told that the node is not answering, not that it is
 * overloaded. Since timed-out requests stay on the connection until answered, the connection's
 * unanswered requests are bounded separately, at twice maxInFlight.
 */

/** A node the client talks to: connection, in-flight bound and reconnect backoff. */
final class Endpoint implements CommandHandler.Listener {

  private static final Logger log = LoggerFactory.getLogger(Endpoint.class);

  /** Requests timed out with no reply since, that make a node "not answering". */
  static final int NOT_ANSWERING_TIMEOUTS = 2;

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

  /** Set while the node is not answering: requests fail fast; cleared by any reply. */
  private volatile boolean notAnswering;
  private volatile long notAnsweringSinceNanos;
  private volatile int notAnsweringTimeouts;
  // Guarded by this.
  private boolean probing;
  private Request<Object> probe;

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
    if (notAnswering && request.type != CommandType.AUTH) {
      request.completeExceptionally(notAnswering());
      return;
    }
    CommandHandler current = connection;
    if (current != null && current.waiting() >= 2 * maxInFlight) {
      // timed-out requests gave their slots back but are still unanswered on the connection: a
      // node slower than its callers must not collect an unbounded backlog
      request.completeExceptionally(refused());
      return;
    }
    if (!acquire(request)) {
      request.completeExceptionally(refused());
      return;
    }
    request.holdsPermit = true;
    if (closed) { // woken by shutdown(), or retired meanwhile
      release(request);
      executor.resend(request, address);
      return;
    }
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
    if (executor.isClosed()) {
      // close() may have failed this connection's requests before this one was queued
      request.completeExceptionally(executor.closedException(request));
    }
  }

  /** Why a request found no permit: the node is not answering, or it is really overloaded. */
  private CacheException refused() {
    if (executor.isClosed()) {
      return new CacheClosedException("the client is closed");
    }
    CommandHandler c = connection;
    long silent = c == null ? 0 : c.silentNanos();
    if (silent >= executor.silenceThresholdNanos()) {
      return new CacheConnectionException(
          address,
          "node " + address + " is not answering: no reply for " + TimeUnit.NANOSECONDS.toMillis(silent)
              + " ms with " + maxInFlight + " requests waiting",
          null);
    }
    int waiting = c == null ? 0 : c.waiting();
    return new CacheOverloadException(
        "too many requests in flight to node " + address + " (max " + maxInFlight + "; " + waiting
            + " written and unanswered, timed-out ones included), and it is answering");
  }

  private CacheConnectionException notAnswering() {
    return new CacheConnectionException(
        address,
        "node " + address + " is not answering: " + notAnsweringTimeouts + " requests got no reply within the command"
            + " timeout, nothing has come back for "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - notAnsweringSinceNanos)
            + " ms; its requests fail fast until it answers again",
        null);
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
    String why = lastFailure == null ? "no connection" : CommandHandler.reason(lastFailure);
    return new CacheConnectionException(address, "node " + address + " is unreachable: " + why, lastFailure);
  }

  private synchronized CommandHandler connect() {
    CommandHandler c = connection;
    if (c != null && !c.isClosed()) {
      return c;
    }
    if (closed || executor.isClosed() || (lastFailure != null && System.nanoTime() - retryAfterNanos < 0)) {
      return null;
    }
    EventLoop loop = group.next();
    CommandHandler handler = new CommandHandler(address, loop, this, executor.sweepPeriodNanos());
    String password = executor.options().password();
    if (password != null) {
      Request<Object> auth =
          Request.keyless(CommandType.AUTH, new byte[][] {password.getBytes(StandardCharsets.UTF_8)}, reply -> reply);
      // part of opening the connection: its own time, so that a short command timeout cannot fail it
      auth.timeoutNanos = executor.options().connectTimeout().toNanos() + executor.commandTimeoutNanos();
      auth.deadlineNanos = System.nanoTime() + auth.timeoutNanos;
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
    executor.register(handler);
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
                        InetSocketAddress peer = HostPort.parse(address).toSocketAddress();
                        ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), peer.getHostString(), peer.getPort()));
                      }
                      ch.pipeline().addLast(new RespReplyDecoder(), handler);
                    }
                  })
              .connect(HostPort.parse(address).toSocketAddress());
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
      CommandHandler retired = c;
      if (!executor.schedule(retired::close, executor.commandTimeoutNanos())) {
        retired.close();
      }
    }
  }

  /**
   * The client is closing: marks the endpoint closed (requests that still reach it are handed back
   * to the executor, which fails them) and wakes blocking callers waiting for a permit.
   */
  void shutdown() {
    synchronized (this) {
      closed = true;
    }
    permits.release(Integer.MAX_VALUE / 2);
  }

  @Override
  public void onReply(CommandHandler connection, Request<?> request, Object reply) {
    release(request);
    if (notAnswering) {
      notAnswering = false;
      log.info("node {} answers again, after {} ms", address,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - notAnsweringSinceNanos));
    }
    executor.onReply(connection.address(), request, reply);
  }

  @Override
  public void onTimedOut(CommandHandler connection, Request<?> request) {
    release(request); // its reply may never come: the slot is free again
  }

  @Override
  public void onTimeouts(CommandHandler connection, int sinceReply, long silentNanos) {
    executor.onNodeTimeout(address); // the cluster may have ejected the node: refresh (rate-limited)
    if (sinceReply >= NOT_ANSWERING_TIMEOUTS) {
      onNotAnswering(silentNanos, sinceReply);
    }
  }

  /*
   * Setting the state and starting the probe loop, and the loop's decision to stop, are under the
   * endpoint's lock, so the state is never set with no loop running to end it. Clearing it (a reply,
   * a closed connection) needs no lock: the loop sees it on its next round and stops.
   */
  private void onNotAnswering(long silentNanos, int timedOut) {
    boolean startProbing;
    synchronized (this) {
      notAnsweringTimeouts = timedOut;
      if (!notAnswering) {
        notAnsweringSinceNanos = System.nanoTime() - silentNanos;
        notAnswering = true;
        log.warn("node {} is not answering: {} requests got no reply, nothing for {} ms; failing its requests fast"
            + " until it answers", address, timedOut, TimeUnit.NANOSECONDS.toMillis(silentNanos));
      }
      startProbing = !probing;
      probing = true;
    }
    if (startProbing) {
      probe();
    }
  }

  /*
   * While the node is not answering: ask for a topology refresh (rate-limited by the topology
   * manager) and keep one PING outstanding, every reconnect delay, until any reply ends the state.
   */
  private void probe() {
    synchronized (this) {
      if (!notAnswering || closed || executor.isClosed()) {
        probing = false;
        return;
      }
    }
    executor.onNodeTimeout(address);
    Request<Object> previous = probe;
    if (previous == null || previous.isDone()) {
      Request<Object> ping = Request.keyless(CommandType.PING, null, reply -> reply);
      ping.fixedAddress = address;
      ping.resentAfterLoss = true; // a probe belongs to its connection: never sent again elsewhere
      ping.timeoutNanos = executor.commandTimeoutNanos();
      ping.deadlineNanos = System.nanoTime() + ping.timeoutNanos;
      CommandHandler c = connection;
      if (c == null || c.isClosed()) {
        c = connect();
      }
      if (c != null) {
        probe = ping;
        c.send(ping);
      }
    }
    long delay = Math.max(executor.options().reconnectDelay().toNanos(), TimeUnit.MILLISECONDS.toNanos(10));
    if (!executor.schedule(this::probe, delay)) {
      synchronized (this) {
        probing = false;
      }
    }
  }

  @Override
  public void onFailure(CommandHandler connection, Request<?> request, CacheException cause, boolean written) {
    release(request);
    if (request.isDone()) {
      return;
    }
    if (executor.isClosed()) {
      request.completeExceptionally(executor.closedException(request));
    } else if (resendable(connection, request, cause, written)) {
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
    executor.unregister(closedConnection);
    if (notAnswering && closedConnection == connection) {
      notAnswering = false; // the next connection tells whether the node is down, or answers again
    }
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
