package io.ringcache.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * One multiplexed, pipelined connection to a node.
 *
 * Callers on any thread hand requests to send(): they go into a lock-free multi-producer queue and
 * at most one drain task is scheduled on the connection's event loop (the `wakeup` flag). The
 * drain task moves every queued request to the in-flight deque and encodes them all into one
 * buffer, one write and one flush: concurrent callers share system calls, as in Lettuce's write
 * coalescing. Replies arrive in request order (RESP), so each decoded reply completes the head of
 * the in-flight deque. The deque and the channel state are touched only on the event loop.
 *
 * The event loop is chosen before the channel exists, so requests can be queued while the
 * connection is being made; channelActive drains them. When the connection closes (or never
 * opens), every queued and in-flight request fails with a CacheConnectionException that names the
 * node, and requests handed over later fail on the next drain.
 *
 * Timeouts: a periodic sweep on the event loop fails requests whose deadline has passed. They stay
 * in the deque, since their reply will still come and must be matched; completing them again is a
 * no-op. The listener hears of each timeout at once (it gives the request's in-flight permit back),
 * then once per sweep how many requests timed out with no reply at all on the connection since:
 * two or more mean a paused or hung node, not a slow command.
 *
 * Progress: lastProgressNanos is when the connection last showed life (a reply, or the moment the
 * deque went from empty to non-empty); silentNanos() is how long requests have waited without it.
 */

/** A pipelined connection to one node: queues, writes and matches replies to requests. */
final class CommandHandler extends ChannelDuplexHandler {

  private static final Logger log = LoggerFactory.getLogger(CommandHandler.class);

  /** What happens to the attempts this connection carries; implemented by the executor. */
  interface Listener {

    /** {@code request}'s reply arrived (possibly an error reply, possibly after its timeout). */
    void onReply(CommandHandler connection, Request<?> request, Object reply);

    /** {@code request} could not be sent or its connection was lost before the reply. */
    void onFailure(CommandHandler connection, Request<?> request, CacheException cause, boolean written);

    /** The connection closed, or failed to open; called once. */
    void onClosed(CommandHandler connection, Throwable cause);

    /** {@code request} passed its deadline with no reply (it was just failed with a timeout). */
    void onTimedOut(CommandHandler connection, Request<?> request);

    /**
     * A sweep timed requests out: {@code sinceReply} requests have now timed out on this connection
     * with no reply at all since the first of them, and nothing came back for {@code silentNanos}.
     * Two or more mean the node is not answering (paused, hung, or cut off without the connection
     * noticing), not that one command was slow.
     */
    void onTimeouts(CommandHandler connection, int sinceReply, long silentNanos);
  }

  private final String address;
  private final EventLoop loop;
  private final Listener listener;
  private final long sweepPeriodNanos;

  private final Queue<Request<?>> queue = PlatformDependent.newMpscQueue();
  private final AtomicBoolean wakeup = new AtomicBoolean();
  private final Runnable drainTask = this::drain;

  // Event-loop state.
  private final ArrayDeque<Request<?>> inFlight = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private boolean active;
  private ScheduledFuture<?> sweeper;
  private Throwable closeCause;
  private volatile boolean everActive;
  private volatile long lastProgressNanos = System.nanoTime();
  /** inFlight.size(), published for other threads (written on the event loop only). */
  private volatile int waiting;
  private int timedOutSinceReply;

  private volatile boolean closed;

  CommandHandler(String address, EventLoop loop, Listener listener, long sweepPeriodNanos) {
    this.address = address;
    this.loop = loop;
    this.listener = listener;
    this.sweepPeriodNanos = sweepPeriodNanos;
  }

  String address() {
    return address;
  }

  EventLoop eventLoop() {
    return loop;
  }

  /** Whether the connection is closed (or failed to open); a closed connection fails its requests. */
  boolean isClosed() {
    return closed;
  }

  /** Queues {@code request} for sending; thread-safe, never blocks. */
  void send(Request<?> request) {
    queue.add(request);
    if (!wakeup.get() && wakeup.compareAndSet(false, true)) {
      try {
        loop.execute(drainTask);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // the client is closing and its I/O threads are gone: the caller's endpoint fails the request
        request.completeExceptionally(new CacheClosedException("the client is closed; " + request.type.wireName() + " was not sent"));
      }
    }
  }

  /** Marks the connection as never opened and fails what was queued. */
  void connectFailed(Throwable cause) {
    runOnLoop(
        () -> {
          if (!closed) {
            closeCause = cause;
            closed = true;
            failAll();
            listener.onClosed(this, cause);
          }
        });
  }

  /**
   * Fails every queued and in-flight request with {@code cause} and closes the connection; used
   * when the handshake ({@code AUTH}) fails, so nothing behind it runs unauthenticated.
   */
  void fail(CacheException cause) {
    Runnable task =
        () -> {
          if (!closed) {
            closeCause = cause;
            closed = true;
            failAll();
            if (ctx != null) {
              ctx.close();
            }
            listener.onClosed(this, cause);
          }
        };
    if (loop.inEventLoop()) {
      task.run();
    } else {
      runOnLoop(task);
    }
  }

  /**
   * Closes the connection; queued and in-flight requests fail (with {@code cause}, or as a lost
   * connection when it is null). Returns when that is done on the event loop, or at once if the
   * loop is gone.
   */
  io.netty.util.concurrent.Future<?> close(CacheException cause) {
    Runnable task =
        () -> {
          if (!closed) {
            closed = true;
            closeCause = cause;
            if (sweeper != null) {
              sweeper.cancel(false);
            }
            failAll();
            listener.onClosed(this, closeCause);
          }
          if (ctx != null) {
            ctx.close();
          }
        };
    try {
      return loop.submit(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return loop.newSucceededFuture(null);
    }
  }

  /** Closes the connection as a lost one; queued and in-flight requests fail. */
  void close() {
    close(null);
  }

  /** Runs {@code task} on the connection's loop, unless the loop has already stopped (the client closed). */
  private void runOnLoop(Runnable task) {
    try {
      loop.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("connection to {}: event loop stopped, task dropped", address);
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (closed) {
      ctx.close(); // closed before the channel existed: it must not stay open
      return;
    }
    if (ctx.channel().isActive()) {
      activate();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (!active) {
      activate();
    }
    ctx.fireChannelActive();
  }

  private void activate() {
    active = true;
    everActive = true;
    lastProgressNanos = System.nanoTime();
    if (sweepPeriodNanos > 0) {
      sweeper = loop.scheduleAtFixedRate(this::sweep, sweepPeriodNanos, sweepPeriodNanos, TimeUnit.NANOSECONDS);
    }
    drain();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    active = false;
    if (sweeper != null) {
      sweeper.cancel(false);
    }
    if (!closed) {
      closed = true;
      failAll();
      listener.onClosed(this, closeCause);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object reply) {
    if (closed) {
      return; // failed by fail(); the channel is closing
    }
    Request<?> request = inFlight.peek();
    if (request == null) {
      log.warn("reply from {} with no request waiting for it: {}; closing the connection", address, reply);
      ctx.close();
      return;
    }
    lastProgressNanos = System.nanoTime();
    timedOutSinceReply = 0;
    Object whole = request.collect(reply); // a transaction has several replies
    if (whole == null) {
      return;
    }
    inFlight.poll();
    waiting = inFlight.size();
    listener.onReply(this, request, whole);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (closeCause == null) {
      closeCause = cause;
    }
    log.warn("connection to {} failed, closing it: {}", address, reason(cause));
    ctx.close();
  }

  private void drain() {
    wakeup.set(false);
    if (closed) {
      failAll();
      return;
    }
    if (!active || ctx == null) {
      return; // channelActive drains
    }
    Request<?> first = queue.poll();
    if (first == null) {
      return;
    }
    if (inFlight.isEmpty()) {
      lastProgressNanos = System.nanoTime(); // the silence clock starts with the first request waiting
    }
    ByteBuf buffer = ctx.alloc().ioBuffer(256);
    boolean ok = false;
    try {
      Request<?> request = first;
      do {
        inFlight.add(request);
        RespRequestEncoder.encode(request, buffer);
        request = queue.poll();
      } while (request != null);
      waiting = inFlight.size();
      ok = true;
    } finally {
      if (!ok) {
        buffer.release();
      }
    }
    ctx.writeAndFlush(buffer, ctx.voidPromise());
  }

  private void failAll() {
    String why = closeCause == null ? "connection closed" : reason(closeCause);
    CacheException error =
        closeCause instanceof CacheException
            ? (CacheException) closeCause
            : everActive
            ? new CacheConnectionException(address, "connection to node " + address + " lost: " + why, closeCause)
            : new CacheConnectionException(address, "node " + address + " is unreachable: " + why, closeCause);
    Request<?> request;
    waiting = 0;
    while ((request = inFlight.poll()) != null) {
      listener.onFailure(this, request, error, true);
    }
    while ((request = queue.poll()) != null) {
      listener.onFailure(this, request, error, false);
    }
  }

  /**
   * Why a connection failed, for messages: a TLS failure names its root cause (an untrusted
   * certificate, a host the certificate does not name), which the TLS engine's own message hides.
   */
  static String reason(Throwable cause) {
    Throwable root = cause;
    boolean tls = false;
    for (Throwable t = cause; t != null; t = t.getCause()) {
      tls |= t instanceof javax.net.ssl.SSLException;
      root = t;
    }
    return tls ? "TLS handshake failed: " + describe(root) : describe(cause);
  }

  /** A throwable for a message: its message, or its class name when it has none (never "null"). */
  static String describe(Throwable t) {
    String message = t.getMessage();
    return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
  }

  void sweep() {
    if (inFlight.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    int timedOut = 0;
    for (Request<?> request : inFlight) {
      if (!request.isDone() && now - request.deadlineNanos > 0) {
        long waited = request.timeoutNanos > 0 ? request.timeoutNanos : 0;
        request.completeExceptionally(
            new CacheTimeoutException(
                "no reply to " + request.type.wireName() + " from node " + address + " within "
                    + TimeUnit.NANOSECONDS.toMillis(waited) + " ms"));
        listener.onTimedOut(this, request);
        timedOut++;
      }
    }
    if (timedOut > 0) {
      timedOutSinceReply += timedOut;
      listener.onTimeouts(this, timedOutSinceReply, now - lastProgressNanos);
    }
  }

  /** Requests written and not answered yet, timed-out ones included. Read from any thread. */
  int waiting() {
    return waiting;
  }

  /**
   * How long requests have been waiting on this connection with no reply: 0 when nothing is in
   * flight. Read from any thread (approximate there).
   */
  long silentNanos() {
    return waiting == 0 ? 0 : System.nanoTime() - lastProgressNanos;
  }

  /** Whether the connection ever opened. */
  boolean wasActive() {
    return everActive;
  }

  /** For tests: requests written and not yet answered. */
  int inFlightCount() {
    return inFlight.size();
  }
}
