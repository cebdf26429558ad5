package io.ringcache.node;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.ringcache.node.cluster.ClusterState;
import io.ringcache.node.cluster.Expiry;
import io.ringcache.node.cluster.ImportState;
import io.ringcache.node.store.Clock;
import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.resp.ProtocolError;
import io.ringcache.resp.Request;
import io.ringcache.resp.Resp;
import io.ringcache.resp.Resp3;
import io.ringcache.resp.net.ClusterAuth;
import io.ringcache.resp.net.FailStop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Executes decoded requests on the connection's event loop and queues their replies.
 *
 * Dispatch order, the same for every command: look the name up; refuse before AUTH unless the
 * command is NO_AUTH; refuse an INTERNAL command (-NOPERM) unless the connection is the cluster
 * user's, or a loopback peer's on a node without a cluster secret (ClusterAuth); check the arity; for keyed commands check each key against max-key-size and,
 * when the node holds a topology, route: all keys SERVE -> run; all keys the same REDIRECT or
 * TRYAGAIN -> that error; keys with different routes -> -CROSSNODE. Then run the command, under its
 * loop's lock (LoopLocks), or, inside MULTI, queue it (Transaction): an error of any of these checks
 * while queuing makes EXEC answer -EXECABORT, as Redis's processCommand does.
 *
 * Replies accumulate in the Connection's buffer and go out in one write and one flush at
 * channelReadComplete, so a pipelined batch is answered with one syscall. After each command the
 * bytes queued for the connection are compared with max-output-buffer: a client whose replies
 * exceed it (one enormous MGET, say; steady floods are held by the decoder's backpressure, and
 * closed by the OutputGuard if they are not read for output-stall-timeout) is closed. Once a
 * connection's commands have run TURN_NANOS in one turn of the loop, the rest of its input waits for
 * the loop's next pass (RespDecoder's yield): many slow requests in one read (KEYS pipelined by the
 * thousand) share the loop with its other connections instead of holding it past the node's lease.
 */

/** Runs commands for one connection. Not sharable: it holds the connection's state. */
final class CommandHandler extends ChannelInboundHandlerAdapter implements ClusterReserve.Waiter {

  private static final Logger log = LoggerFactory.getLogger(CommandHandler.class);

  /** A refused internal command is the client's to repeat: one line per 10 s (LogThrottle). */
  private static final io.ringcache.resp.net.LogThrottle REFUSED_INTERNAL_LOG = io.ringcache.resp.net.LogThrottle.tenSeconds();
  private static final int MAX_RANGE_WAITS = 3;
  private static final long RANGE_WAIT_MILLIS = 200;
  /**
   * How long one connection's commands may run in one turn of the event loop before the rest of
   * what it sent waits for the loop's next pass: far above a pipelined batch of GETs and SETs (about
   * a microsecond each), short beside a lease.
   */
  static final long TURN_NANOS = 5_000_000;

  private final NodeServer node;
  private final Connection connection;
  private final CommandTable table;
  private boolean accepted;
  private ChannelHandlerContext ctx;
  /** Beyond max-clients and waiting in the cluster reserve for a first command that admits it. */
  private boolean waiting;
  /** Whether the connection ran a cluster-internal command: it is the router's or a peer's. */
  private boolean internalSeen;
  private io.netty.util.concurrent.ScheduledFuture<?> waitTimer;
  /** The command being executed, and whether it ran: a refusal counts as its rejected call (INFO commandstats). */
  private CommandTable.Spec dispatched;
  private boolean ran;

  CommandHandler(NodeServer node, Connection connection) {
    this.node = node;
    this.connection = connection;
    this.table = node.commands();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    connection.attach(ctx, this);
    this.ctx = ctx;
    NodeStats stats = node.stats();
    int clients = stats.connectedClients.incrementAndGet();
    accepted = true;
    stats.totalConnections.increment();
    if (clients > node.maxClients()) {
      java.net.SocketAddress peer = ctx.channel().remoteAddress();
      if (node.clusterReserve().enter(this, peer instanceof java.net.InetSocketAddress inet ? inet.getAddress() : peer)) {
        waiting = true; // its first command decides (ClusterReserve)
        io.netty.handler.ssl.SslHandler tls = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (tls == null) {
          startWaitTimer(ctx);
        } else {
          // the wait counts from the end of the handshake, which on a loaded machine can take longer
          // than the wait; one that fails or times out (10 s) closes the connection
          tls.handshakeFuture().addListener(f -> startWaitTimer(ctx));
        }
      } else {
        refuseBeyondMaxClients();
      }
      return;
    }
    open(ctx);
  }

  /** Serves the connection: it is within max-clients, or the cluster reserve admitted it. */
  private void open(ChannelHandlerContext ctx) {
    node.register(ctx.channel());
    int authTimeout = node.config().limits().authTimeoutSeconds();
    if (!connection.authenticated() && authTimeout > 0) {
      ctx.executor().schedule(() -> {
        if (!connection.authenticated() && ctx.channel().isActive()) {
          node.stats().authTimeoutCloses.increment();
          log.debug("closing {}: not authenticated within {} s (auth-timeout)", connection.describe(), authTimeout);
          ctx.close();
        }
      }, authTimeout, TimeUnit.SECONDS);
    }
    ctx.fireChannelActive();
  }

  private void refuseBeyondMaxClients() {
    node.stats().rejectedConnections.increment();
    Resp.error(connection.out(), "ERR max number of clients reached (expected: <= " + node.maxClients() + ", max-clients)");
    connection.closeAfterReplies();
  }

  /** Refuses the connection if it still waits in the cluster reserve: it was silent, or was displaced. */
  @Override
  public void refuseWaiting() {
    if (!ctx.executor().inEventLoop()) {
      ctx.executor().execute(this::refuseWaiting);
      return;
    }
    if (waiting) {
      stopWaiting();
      refuseBeyondMaxClients();
    }
  }

  private void startWaitTimer(ChannelHandlerContext ctx) {
    if (waiting) {
      waitTimer = ctx.executor().schedule(this::refuseWaiting, ClusterReserve.WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void stopWaiting() {
    waiting = false;
    node.clusterReserve().leave(this);
    if (waitTimer != null) {
      waitTimer.cancel(false);
    }
  }

  /**
   * The first commands of a connection waiting in the cluster reserve: AUTH and HELLO run; the
   * cluster user's AUTH admits it, and so does a RING.* command from a connection that may run the
   * internal ones (a loopback peer when the node has no secret). Anything else refuses it. True
   * when {@code msg} was handled here.
   */
  private boolean whileWaiting(ChannelHandlerContext ctx, Object msg) {
    CommandTable.Spec spec = msg instanceof Request r ? table.lookup(r) : null;
    String name = spec == null ? "" : spec.name();
    if (name.equals("auth") || name.equals("hello")) {
      execute((Request) msg);
      if (connection.clusterUser() && !connection.closing()) {
        admit(ctx, "authenticated as the cluster user");
      }
      return true;
    }
    if (name.startsWith("ring.") && connection.authenticated() && connection.mayRunInternal()) {
      admit(ctx, "a loopback peer's " + name.toUpperCase(java.util.Locale.ROOT) + " (no cluster secret)");
      return false; // runs as any admitted connection's command
    }
    stopWaiting();
    refuseBeyondMaxClients();
    return true;
  }

  private void admit(ChannelHandlerContext ctx, String why) {
    stopWaiting();
    log.info("admitted {} beyond max-clients {}: {} (cluster reserve)", connection.describe(), node.maxClients(), why);
    open(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (waiting) {
      stopWaiting();
    }
    connection.publishCounters(node.stats());
    if (accepted) {
      accepted = false;
      node.stats().connectedClients.decrementAndGet();
    }
    connection.releaseOutput();
    connection.endTransaction();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (connection.closing()) {
      return;
    }
    if (waiting && whileWaiting(ctx, msg)) {
      return;
    }
    if (msg instanceof Request request) {
      if (connection.deferred()) {
        connection.queue(request);
        return;
      }
      execute(request);
      long pending = connection.pendingOutput();
      long max = node.config().limits().maxOutputBuffer();
      if (pending > max) {
        node.stats().observeOutput(pending); // INFO's client_recent_max_output_buffer: what was held before the close
        node.stats().outputLimitCloses.increment();
        log.warn("closing {}: {} bytes of replies queued (expected: <= {}, max-output-buffer)", connection.describe(), pending, max);
        connection.releaseOutput();
        ctx.close();
        return;
      }
      connection.afterCommand();
      if (connection.tally().turnNanos() > TURN_NANOS && !connection.deferred()) {
        // a read brought many slow requests (KEYS, a large SCAN page, ... pipelined): the rest waits for
        // the loop's next pass, so the loop's other connections, the router's heartbeats among them,
        // are served between this connection's turns instead of after all of them
        connection.yieldInput();
        connection.tally().newTurn();
      }
    } else if (msg instanceof ProtocolError error) {
      node.stats().protocolErrors.increment();
      log.debug("protocol error from {}: {}", connection.describe(), error.message());
      ByteBuf out = connection.out();
      int mark = out.writerIndex();
      Resp.error(out, "ERR Protocol error: " + error.message());
      node.stats().errorReply(out, mark);
      connection.closeAfterReplies();
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (connection.closing()) {
      return;
    }
    connection.publishCounters(node.stats());
    connection.tally().newTurn();
    node.stats().observeOutput(connection.pendingOutput());
    connection.batchRan(System.nanoTime());
    connection.flush();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      log.debug("closing idle connection {}", connection.describe());
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    FailStop.haltIfFatal("node event loop (client connection " + connection.id() + ")", cause);
    if (cause instanceof IOException) {
      log.debug("connection {} failed: {}", connection.describe(), cause.toString());
    } else if (cause.getCause() instanceof javax.net.ssl.SSLException tls) {
      log.info("connection {} refused: TLS failed: {}", connection.describe(), tls.getMessage());
    } else {
      log.warn("connection {} failed", connection.describe(), cause);
    }
    ctx.close();
  }

  /** Runs a request that just arrived (or queued behind a deferred one). */
  void execute(Request r) {
    connection.rangeWaits = 0;
    connection.sourceReadFailed = false;
    connection.beginCommand();
    ByteBuf out = connection.out();
    int mark = out.writerIndex();
    ran = false;
    dispatched = null;
    dispatch(r);
    if (!ran && !connection.closing() && connection.out() == out && out.writerIndex() > mark && out.getByte(mark) == '-') {
      // refused before it ran (an executed command's errors are counted where it runs: NodeServer)
      node.stats().errorReply(out, mark);
      if (dispatched != null) {
        node.metrics().command(dispatched.name()).rejected();
      }
    }
  }

  private void dispatch(Request r) {
    connection.batchCommands++;
    boolean queuing = connection.inMulti();
    CommandTable.Spec spec = table.lookup(r);
    dispatched = spec;
    if (spec == null) {
      unknown(r);
      refusedWhileQueuing(queuing);
      return;
    }
    connection.lastCommand(spec.name());
    if (!connection.authenticated() && !spec.has(CommandTable.NO_AUTH)) {
      reject(spec, queuing, "NOAUTH Authentication required.");
      return;
    }
    if (queuing && spec.has(CommandTable.NO_MULTI)) {
      Resp.error(connection.out(), Transaction.NOT_ALLOWED);
      refusedWhileQueuing(true);
      return;
    }
    if (spec.has(CommandTable.INTERNAL) && !exemptIfInternal()) {
      long leftOut = REFUSED_INTERNAL_LOG.admit();
      if (leftOut >= 0) {
        log.warn("refused {} from {}: {}{}", spec.name(), connection.describe(), node.config().clusterSecret() == null
            ? "not a loopback peer, and the node has no cluster secret" : "not authenticated as the cluster user",
            io.ringcache.resp.net.LogThrottle.leftOut(leftOut));
      }
      Resp.error(connection.out(), ClusterAuth.noPermission(spec.name()));
      refusedWhileQueuing(queuing);
      return;
    }
    int argc = r.argc();
    if (spec.arity() > 0 ? argc != spec.arity() : argc < -spec.arity()) {
      reject(spec, queuing, "ERR wrong number of arguments for '" + spec.name() + "' command");
      return;
    }
    if (queuing && !spec.has(CommandTable.IMMEDIATE) && io.ringcache.resp.command.Handshake.refuseSubcommand(connection, r)) {
      refusedWhileQueuing(true);
      return;
    }
    if (spec.keyed()) {
      ClusterState.Route route = checkKeys(spec, r);
      if (route == null) {
        refusedWhileQueuing(queuing);
        return;
      }
      if (route.action() == ClusterState.Action.TRYAGAIN) {
        if (route.source() != null && !queuing && !connection.sourceReadFailed && spec.name().equals("get")) {
          readAtSource(r, route);
        } else {
          waitForRange(r);
        }
        return;
      }
      if (route.action() == ClusterState.Action.IMPORT) {
        if (queuing || spec.has(CommandTable.IMMEDIATE)) {
          // a transaction, or WATCH, needs every key served here alone: writes may still come from the source
          Resp.error(connection.out(), Transaction.IMPORTING);
          refusedWhileQueuing(queuing);
          return;
        }
        if (importing(spec, r, route.importState())) {
          return; // run with touched marks, or deferred until the source answered
        }
      }
    }
    if (queuing && !spec.has(CommandTable.IMMEDIATE)) {
      connection.transaction().queue(connection, spec, r);
      return;
    }
    run(spec, r);
  }

  /**
   * Whether this connection may run the cluster-internal commands; the first time it does, it is
   * the router's or a peer's, and max-clients-memory no longer counts or closes it (ClientMemory#exempt).
   */
  private boolean exemptIfInternal() {
    if (!connection.mayRunInternal()) {
      return false;
    }
    if (!internalSeen) {
      internalSeen = true;
      connection.exemptFromClientsMemory();
    }
    return true;
  }

  /**
   * Replies {@code error} for a command the dispatcher refused. EXEC refused (before AUTH, or with
   * arguments) discards the transaction and says why, as Redis's execCommandAbort does.
   */
  private void reject(CommandTable.Spec spec, boolean queuing, String error) {
    if (spec.has(CommandTable.EXCLUSIVE)) {
      connection.transaction().reset();
      Resp.error(connection.out(), "EXECABORT Transaction discarded because of: "
          + (error.startsWith("ERR ") ? error.substring(4) : error));
      return;
    }
    Resp.error(connection.out(), error);
    refusedWhileQueuing(queuing);
  }

  /** Inside MULTI, a command the dispatcher refused makes EXEC answer -EXECABORT, as in Redis. */
  private void refusedWhileQueuing(boolean queuing) {
    if (queuing) {
      connection.transaction().flagError();
    }
  }

  /** Runs a command under its loop's lock (EXEC takes every loop's: see LoopLocks). */
  private void run(CommandTable.Spec spec, Request r) {
    ran = true;
    java.util.concurrent.locks.ReentrantLock lock = spec.has(CommandTable.EXCLUSIVE) ? null : connection.stripe();
    if (lock != null) {
      lock.lock();
    }
    try {
      if (connection.resp3()) {
        ByteBuf out = connection.out();
        int mark = out.writerIndex();
        spec.command().execute(connection, r);
        // EXEC's elements were converted as each ran (Connection.runQueued)
        connection.toResp3(out, mark, spec.has(CommandTable.EXCLUSIVE) ? Resp3.Shape.EXEC : Resp3.shape(r));
      } else {
        spec.command().execute(connection, r);
      }
    } catch (RuntimeException e) {
      log.error("command {} failed", spec.name(), e);
      Resp.error(connection.out(), "ERR internal error: " + e);
    } finally {
      if (lock != null) {
        lock.unlock();
      }
    }
  }

  /**
   * A command on a range this node imports. Keys it neither holds nor touched are read through
   * from the source first (unless the command overwrites them blindly); if that read fails, the
   * command gets -TRYAGAIN: a source that does not answer is never taken for a miss. A write marks
   * its keys touched only once it succeeded (see ImportState), so a rejected write leaves the
   * source's copy to arrive, and nothing older from the source can replace what it stored.
   *
   * @return true if the command was run here or deferred until the source answered
   */
  private boolean importing(CommandTable.Spec spec, Request r, ImportState state) {
    List<Key> missing = null;
    int last = spec.lastKey() < 0 ? r.argc() + spec.lastKey() : spec.lastKey();
    if (!overwritesBlindly(spec.name(), r.argc())) {
      Store store = node.store();
      for (int i = spec.firstKey(); i <= last; i += spec.keyStep()) {
        Key key = connection.key(r.arg(i));
        if (!state.isTouched(key) && !store.contains(key)) {
          if (missing == null) {
            missing = new ArrayList<>();
          }
          missing.add(key);
        }
      }
    }
    if (missing == null) {
      runImporting(spec, r, state);
      return true;
    }
    Request kept = r.copy();
    List<Key> fetch = missing;
    connection.defer(node.readThrough().fetch(state, fetch), (ignored, error) -> {
      if (error != null) {
        node.stats().readThroughFailures.increment();
        Resp.error(connection.out(), "TRYAGAIN the source of this key's range did not answer, retry");
        return;
      }
      runImporting(spec, kept, state);
    });
    return true;
  }

  /**
   * Whether a command replaces its keys' values without reading them, so an importing node need not
   * read them through from the source first: only SET without options and MSET. Every other write
   * (APPEND, SETRANGE, GETSET, SETNX, MSETNX, GETEX, INCR, EXPIRE, SET with NX/XX/GET/KEEPTTL, ...)
   * depends on the value or TTL held, and reads through.
   */
  static boolean overwritesBlindly(String command, int argc) {
    return command.equals("mset") || (command.equals("set") && argc == 3);
  }

  /** Runs a command on an imported range; a write touches its keys only if it succeeded. */
  private void runImporting(CommandTable.Spec spec, Request r, ImportState state) {
    if (!spec.has(CommandTable.WRITE)) {
      run(spec, r);
      return;
    }
    int last = spec.lastKey() < 0 ? r.argc() + spec.lastKey() : spec.lastKey();
    for (int i = spec.firstKey(); i <= last; i += spec.keyStep()) {
      state.beginWrite(connection.key(r.arg(i)));
    }
    ByteBuf out = connection.out();
    int replyAt = out.writerIndex();
    boolean succeeded = false;
    try {
      run(spec, r);
      succeeded = out.writerIndex() > replyAt && out.getByte(replyAt) != '-';
    } finally {
      for (int i = spec.firstKey(); i <= last; i += spec.keyStep()) {
        state.endWrite(connection.key(r.arg(i)), succeeded);
      }
    }
  }

  /**
   * A request for a range that is moving to this node waits here for the node's next change of
   * state (the activation, the end of the purge), at most {@value #RANGE_WAIT_MILLIS} ms each time and
   * {@value #MAX_RANGE_WAITS} times, then runs again from the start: the client sees a slightly
   * slower reply instead of -TRYAGAIN and its back-off.
   */
  private void waitForRange(Request r) {
    Request kept = r.copy();
    connection.rangeWaits++;
    CompletableFuture<Void> change =
        node.cluster().nextChange().copy().completeOnTimeout(null, RANGE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    connection.defer(change, (ignored, error) -> dispatch(kept));
  }

  /**
   * A GET of a range this node will import but does not serve yet (its handoff is PREPARED or
   * SEALED here) is answered from the handoff's source, RING.READ (which ignores the seal), instead
   * of waiting for the activation. The answer is not stored: before the activation the source may
   * still accept writes. It is used only if, when it arrives, the key's route here is still the one
   * it was read for (same topology, lease still valid, nothing purging): then this node has not
   * been activated, so nobody but the source can have written the key since the GET arrived, and
   * the source's answer was current when it was read (docs/architecture.md, "Reads before
   * activation"). Otherwise the GET is dispatched again under the new route. If the source does not
   * answer within {@value #RANGE_WAIT_MILLIS} ms, or answers an error, the GET waits for the range
   * as before, without reading the source again: a failure is never a miss.
   */
  private void readAtSource(Request r, ClusterState.Route route) {
    Request kept = r.copy();
    byte[] key = kept.arg(1);
    ClusterState cluster = node.cluster();
    int hash = cluster.hashTag().hash(key);
    connection.defer(node.readThrough().peek(route.source(), route.sourceName(), route.handoffId(), key, RANGE_WAIT_MILLIS), (entry, error) -> {
      if (error != null) {
        node.stats().sourceReadFailures.increment();
        connection.sourceReadFailed = true;
        dispatch(kept); // waits for the range, then -TRYAGAIN, as without the read
        return;
      }
      if (cluster.route(hash) != route) {
        connection.rangeWaits++; // bounds the rounds: each one took a change of topology, lease or purge
        dispatch(kept);
        return;
      }
      node.stats().sourceReads.increment();
      byte[] value = entry == null || expired(entry.expireAtMillis()) ? null : entry.value();
      long start = System.nanoTime();
      ByteBuf out = connection.out();
      int mark = out.writerIndex();
      if (connection.lookedUp(value) == null) {
        Resp.nil(out);
      } else {
        Resp.bulk(out, value);
      }
      if (connection.resp3()) {
        connection.toResp3(out, mark, Resp3.shape(kept));
      }
      ran = true;
      node.metrics().command("get").executed(System.nanoTime() - start, false);
    });
  }

  /** Whether an entry expiring at {@code expireAtMillis} (Unix ms, -1: never) has expired by this node's clock. */
  private boolean expired(long expireAtMillis) {
    if (expireAtMillis == Expiry.NONE) {
      return false;
    }
    Clock clock = node.store().clock();
    return Math.floorDiv(clock.nanoTime() + clock.wallOffsetNanos(), 1_000_000L) >= expireAtMillis;
  }

  /** Runs the requests that queued behind a deferred command, until one defers again. */
  void resume() {
    connection.tally().newTurn();
    Request next;
    while (!connection.deferred() && !connection.closing() && (next = connection.nextQueued()) != null) {
      execute(next);
      connection.afterCommand();
    }
    if (!connection.closing()) {
      connection.flush();
      if (!connection.deferred() && connection.context().channel().isWritable()) {
        connection.context().channel().config().setAutoRead(true);
      }
    }
  }

  /** Key size limit and ownership: the route of the request's keys, or null if an error was replied. */
  private ClusterState.Route checkKeys(CommandTable.Spec spec, Request r) {
    int last = spec.lastKey() < 0 ? r.argc() + spec.lastKey() : spec.lastKey();
    int maxKey = node.config().limits().maxKeySize();
    ClusterState cluster = node.cluster();
    boolean route = !cluster.isStandalone();
    ClusterState.Route first = null;
    for (int i = spec.firstKey(); i <= last; i += spec.keyStep()) {
      int length = r.argLength(i);
      if (length > maxKey) {
        Resp.error(connection.out(), "ERR key too large: " + length + " bytes (expected: <= " + maxKey + ", max-key-size)");
        return null;
      }
      if (route) {
        ClusterState.Route decision = cluster.route(cluster.hashTag().hash(connection.borrowKey(r, i)));
        if (first == null) {
          first = decision;
        } else if (decision != first && !(decision.waitable() && first.waitable())) {
          Resp.error(connection.out(), "CROSSNODE keys in request are owned by different nodes");
          return null;
        }
      }
    }
    if (first == null) {
      return ClusterState.Route.SERVE;
    }
    if (first.action() == ClusterState.Action.REDIRECT
        || (first.action() == ClusterState.Action.TRYAGAIN && !(first.waitable() && connection.rangeWaits < MAX_RANGE_WAITS))) {
      Resp.error(connection.out(), first.error());
      return null;
    }
    return first;
  }

  private void unknown(Request r) {
    Resp.error(connection.out(), io.ringcache.resp.command.UnknownCommand.error(r.argc(), r::arg));
  }
}
