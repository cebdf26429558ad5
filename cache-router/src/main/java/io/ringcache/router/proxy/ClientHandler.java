package io.ringcache.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.ringcache.resp.ProtocolError;
import io.ringcache.resp.Request;
import io.ringcache.resp.Resp3;
import io.ringcache.resp.Resp;
import io.ringcache.resp.RespLimits;
import io.ringcache.resp.command.Handshake;
import io.ringcache.resp.command.HandshakeSession;
import io.ringcache.resp.net.LogThrottle;
import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * One client of the proxy port. Requests come decoded from the node's RespDecoder; each gets a
 * Pending slot in a FIFO, is answered locally or sent to nodes through the loop's Dispatcher, and
 * the slots leave from the head in order as they complete (pipelined requests are answered in
 * order). Replies accumulate in one buffer, written every WRITE_THRESHOLD bytes and flushed once
 * per batch (the end of the client's read batch or of a node's); a batch of one reply (one
 * request at a time, redis-benchmark -P 1) is written as the node's reply slice itself, without
 * that buffer or the copy, when nothing of the client's is queued.
 *
 * Backpressure, both ways:
 *  - a client whose replies do not drain makes its channel unwritable; the decoder then stops
 *    decoding and reading it (the node's own mechanism); the OutputGuard ahead of this handler
 *    closes it if they stay undrained for proxy-output-stall-timeout, or exceed
 *    proxy-max-output-buffer (replies of requests already sent to nodes keep arriving);
 *  - a client with MAX_PENDING requests unanswered (the nodes are slow) is made unwritable too,
 *    through a user-defined writability bit, so the decoder pauses the same way; the bit clears
 *    when half of them are answered. The guard does not count this as a stall.
 */

/** Serves one client connection of the proxy port. Not sharable. */
final class ClientHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);
  /** Lines a client can repeat at will: one per 10 s each (LogThrottle). */
  private static final LogThrottle REPLY_TOO_LARGE_LOG = LogThrottle.tenSeconds();
  private static final LogThrottle CROSS_PROTOCOL_LOG = LogThrottle.tenSeconds();

  static final int MAX_PENDING = 1024;
  private static final int PENDING_BIT = 1;
  private static final int WRITE_THRESHOLD = 64 * 1024;

  private final ProxyServer server;
  private final long id;
  /**
   * The deques start with room for one (an array of 2 instead of ArrayDeque's default 17): most
   * clients of a proxy have one request out at a time or none, and a proxy holds thousands of them;
   * a pipelining client's grows on its first pipeline and keeps that.
   */
  private final ArrayDeque<Pending> pending = new ArrayDeque<>(1);
  private ChannelHandlerContext ctx;
  private Dispatcher dispatcher;
  private volatile boolean authenticated;
  private boolean open = true;
  private boolean closing;
  private boolean throttled;
  private boolean dirty;
  /** Replies handed to the channel (at WRITE_THRESHOLD) and not flushed yet. */
  private boolean unflushed;
  /** This batch's replies: the only one itself (outIsReply), or a buffer they were copied into. */
  private ByteBuf out;
  private boolean outIsReply;
  private final Session session = new Session();
  private String name;
  /** The protocol of this client's replies: 2, or 3 after HELLO 3 (replies are converted, see Resp3). */
  private int protocol = 2;
  /** RESP3 only: the shape of the current request's reply; null for a RESP2 client (nothing is converted). */
  private Resp3.Shape shape;
  /** CLIENT REPLY OFF: no replies until CLIENT REPLY ON. */
  private boolean repliesOff;
  /** CLIENT REPLY SKIP: the next request's reply is dropped. */
  private boolean skipNext;
  /** The current request's reply is dropped (set as each request begins, see execute). */
  private boolean silent;
  /** Calls of this client being redirected; while any is, new requests wait in `held`. */
  private int redirecting;
  private final ArrayDeque<byte[][]> held = new ArrayDeque<>(1);
  /**
   * Requests of this client sent to nodes and not answered yet, and the topology epoch they were
   * routed by. A request routed by another epoch waits in `held` until they are answered: two
   * requests of one pipeline for one key never travel to two nodes at once.
   */
  private int routedOut;
  private long routedEpoch;
  /** The next request's place in this client's order (see Pending.seq). */
  private long nextSeq;
  /** MULTI/WATCH state, created on first use. */
  private ClientTransaction transaction;
  /** A request is out on the transaction's own connection: new requests wait until it is answered. */
  private boolean transactionOut;
  /** Redirected calls waiting to be sent again, in request order; one timer sends them all. */
  private final ArrayDeque<Call> retries = new ArrayDeque<>(1);
  private boolean retryScheduled;

  ClientHandler(ProxyServer server, long id) {
    this.server = server;
    this.id = id;
    this.authenticated = server.password() == null;
  }

  boolean authenticated() {
    return authenticated;
  }

  boolean isOpen() {
    return open;
  }

  /**
   * Bytes one merged reply may take: proxy-max-output-buffer. (Replies that add up past it for a
   * client that does not read close it in the OutputGuard, as before.)
   */
  long replyBudget() {
    return server.maxOutputBuffer();
  }

  long maxOutputBuffer() {
    return server.maxOutputBuffer();
  }

  /** Counts and logs a reply refused before it was merged. */
  void replyTooLarge(String command, long bytes) {
    server.stats().repliesTooLarge.increment();
    long leftOut = REPLY_TOO_LARGE_LOG.admit();
    if (leftOut >= 0) {
      log.warn("refused {} reply to proxy client {}: more than {} bytes (expected: <= {}, proxy-max-output-buffer){}",
          command, ctx.channel().remoteAddress(), bytes, server.maxOutputBuffer(), LogThrottle.leftOut(leftOut));
    }
  }

  ByteBufAllocator alloc() {
    return ctx.alloc();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.dispatcher = server.dispatcher(ctx.channel().eventLoop());
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    int clients = server.clientConnected();
    if (clients > server.maxClients()) {
      server.stats().rejectedConnections.increment();
      log.debug("refusing proxy client {}: {} clients connected (proxy-max-clients {})", ctx.channel().remoteAddress(),
          clients - 1, server.maxClients());
      closing = true;
      ctx.channel().config().setAutoRead(false);
      ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(MAX_CLIENTS_REACHED)).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    java.time.Duration timeout = server.authTimeout();
    if (!authenticated && !timeout.isZero()) {
      ctx.executor().schedule(() -> {
        if (!authenticated && ctx.channel().isActive()) {
          server.stats().authTimeoutCloses.increment();
          log.debug("closing proxy client {}: not authenticated within {} s (auth-timeout)", ctx.channel().remoteAddress(),
              timeout.toSeconds());
          ctx.close();
        }
      }, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    ctx.fireChannelActive();
  }

  /** Redis's reply to a connection beyond maxclients, before it closes it. */
  private static final byte[] MAX_CLIENTS_REACHED =
      "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      return;
    }
    if (msg instanceof Request r) {
      if (redirecting == 0 && !transactionOut && held.isEmpty() && forwarded(r)) {
        return;
      }
      byte[][] args = new byte[r.argc()][];
      for (int i = 0; i < args.length; i++) {
        args[i] = r.arg(i);
      }
      if (redirecting > 0 || transactionOut || !held.isEmpty()) {
        held.add(args);
        if (!throttled && held.size() + pending.size() >= MAX_PENDING) {
          throttled = true;
          setPendingWritable(false);
        }
      } else if (!execute(args) && !throttled && held.size() + pending.size() >= MAX_PENDING) {
        throttled = true;
        setPendingWritable(false);
      }
    } else if (msg instanceof ProtocolError e) {
      log.debug("protocol error from proxy client {}: {}", ctx.channel().remoteAddress(), e.message());
      localError("ERR Protocol error: " + e.message());
      closeWhenAnswered();
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    dispatcher.flushSoon();
    flush();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    server.clientDisconnected();
    open = false;
    if (transaction != null) {
      transaction.reset();
    }
    if (out != null) {
      out.release();
      out = null;
      outIsReply = false;
    }
    Pending p;
    while ((p = pending.poll()) != null) {
      if (p.reply != null) {
        p.reply.release();
        p.reply = null;
      }
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    io.ringcache.resp.net.FailStop.haltIfFatal("proxy event loop (client connection " + id + ")", cause);
    if (cause instanceof IOException) {
      log.debug("proxy client {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    } else if (cause.getCause() instanceof javax.net.ssl.SSLException) {
      log.info("proxy client {} refused: {}", ctx.channel().remoteAddress(), cause.getCause().getMessage());
    } else {
      log.warn("proxy client {} failed", ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }

  // ---- dispatch

  /**
   * The hot path: a single-key command with nothing ahead of it is forwarded as the bytes the
   * client sent (a retained slice of the read buffer; only its key is copied out, to route it),
   * without decoding its arguments into arrays and encoding them again. It does what {@link
   * #execute} does for such a command; anything else (not authenticated, CLIENT REPLY OFF/SKIP,
   * MULTI, a newer topology than the requests out, an inline request) returns false for execute.
   */
  private boolean forwarded(Request r) {
    if (!authenticated || repliesOff || skipNext || (transaction != null && transaction.multi())) {
      return false;
    }
    ProxyCommands.Spec spec = ProxyCommands.lookup(r);
    if (spec == null || spec.kind() != ProxyCommands.Kind.KEYED || spec.oneNodeOnly() || !spec.arityOk(r.argc())) {
      return false;
    }
    RoutingTable table = dispatcher.routes().current();
    if (routedOut > 0 && table.epoch() != routedEpoch) {
      return false;
    }
    ByteBuf raw = r.retainedRaw();
    if (raw == null) {
      return false;
    }
    routedEpoch = table.epoch();
    silent = false;
    shape = protocol == 3 ? Resp3.shape(r) : null;
    Pending p = enqueue(dispatcher.forwardingPending(this, spec.name()));
    p.partsLeft = 1;
    dispatcher.route(dispatcher.forwardingCall(p, raw, r, 1, dispatcher.now()), table);
    return true;
  }

  /** Runs a request; false if it must wait (it is then first in `held`) for the client's requests out at nodes. */
  private boolean execute(byte[][] args) {
    if (Request.is(args[0], "post") || Request.is(args[0], "host:")) {
      // an HTTP request (cross-protocol scripting: a browser steered to the port): as Redis 7.0's
      // securityWarningCommand, closed unanswered, before AUTH or anything else, and nothing after it runs
      long leftOut = CROSS_PROTOCOL_LOG.admit();
      if (leftOut >= 0) {
        log.warn("possible security attack: '{}' sent as a command by proxy client {}, as an HTTP client would "
            + "(cross-protocol scripting); connection closed unanswered{}", text(args[0]), ctx.channel().remoteAddress(),
            LogThrottle.leftOut(leftOut));
      }
      held.clear();
      closing = true;
      ctx.close();
      return true;
    }
    ProxyCommands.Spec spec = ProxyCommands.lookup(args[0]);
    RoutingTable table = dispatcher.routes().current();
    if (spec != null && spec.kind().routed() && authenticated) {
      if (routedOut > 0 && table.epoch() != routedEpoch) {
        held.addFirst(args); // routed by a newer topology: after the older requests are answered
        return false;
      }
      routedEpoch = table.epoch();
    }
    silent = repliesOff || skipNext; // CLIENT REPLY, as Redis: applies to this request's reply
    skipNext = false;
    shape = protocol == 3 ? Resp3.shape(args[0], args.length > 1 ? args[1] : null) : null;
    boolean queuing = transaction != null && transaction.multi();
    if (spec == null) {
      unknown(args);
      if (queuing) {
        transaction.flagError();
      }
      return true;
    }
    if (!authenticated && !spec.noAuth()) {
      refuse(spec, queuing, "NOAUTH Authentication required.");
      return true;
    }
    if (!spec.arityOk(args.length)) {
      refuse(spec, queuing, "ERR wrong number of arguments for '" + spec.name() + "' command");
      return true;
    }
    if (spec.kind() == ProxyCommands.Kind.TRANSACTION || (queuing && !spec.name().equals("quit"))) {
      if (transaction == null) {
        transaction = new ClientTransaction(this);
      }
      if (!transaction.execute(spec, args, table)) {
        held.addFirst(args); // sent on the transaction's connection once the requests out at nodes are answered
        return false;
      }
      return true;
    }
    switch (spec.kind()) {
      case KEYED -> {
        if (spec.oneNodeOnly() && !onOneNode(spec, args)) {
          return true;
        }
        Pending p = enqueue(new Pending(this, spec.kind(), spec.name()));
        p.partsLeft = 1;
        // routed by its first key: argument 1, or BITOP's destination (argument 2)
        dispatcher.route(new Call(p, args, args[spec.firstKey()], null, dispatcher.now()), table);
      }
      case MGET, SUM -> {
        byte[][] keys = new byte[args.length - 1][];
        System.arraycopy(args, 1, keys, 0, keys.length);
        Pending p = enqueue(new Pending(this, spec.kind(), spec.name()));
        if (spec.kind() == ProxyCommands.Kind.MGET) {
          p.expectValues(keys.length);
        }
        dispatcher.routeMany(p, args[0], keys, null, dispatcher.now(), table);
      }
      case MSET -> {
        if (args.length % 2 == 0) {
          localError("ERR wrong number of arguments for 'mset' command");
          return true;
        }
        int n = (args.length - 1) / 2;
        byte[][] keys = new byte[n][];
        byte[][] values = new byte[n][];
        for (int i = 0; i < n; i++) {
          keys[i] = args[1 + 2 * i];
          values[i] = args[2 + 2 * i];
        }
        Pending p = enqueue(new Pending(this, spec.kind(), spec.name()));
        dispatcher.routeMany(p, args[0], keys, values, dispatcher.now(), table);
      }
      case FANOUT -> {
        if (spec.name().equals("dbsize")) {
          Pending p = enqueue(new Pending(this, spec.kind(), spec.name()));
          dispatcher.fanOut(p, new byte[][] {Resp.ascii("DBSIZE")}, table);
          return true;
        }
        java.util.Set<String> sections = infoSections(args);
        if (sections == null || sections.contains("keyspace")) {
          Pending p = enqueue(new Pending(this, spec.kind(), spec.name()));
          p.infoSections = sections;
          dispatcher.fanOut(p, new byte[][] {Resp.ascii("INFO"), Resp.ascii("keyspace")}, table);
        } else {
          localReply(bulk(info(sections, -1, 0, 0)));
        }
      }
      case SCAN -> {
        long cursor = scanCursor(args[1]);
        if (cursor < 0) {
          localError("ERR invalid cursor");
          return true;
        }
        args[1] = Resp.ascii(Long.toString(cursor)); // as the nodes read it, whichever version they run
        Pending p = enqueue(new Pending(this, spec.kind(), spec.name()));
        p.scanFrom = cursor;
        p.scanHashTag = table.hashTag();
        dispatcher.fanOut(p, args, table);
      }
      case EVERY_NODE, KEYS, RANDOMKEY -> {
        Pending p = enqueue(new Pending(this, spec.kind(), spec.name()));
        dispatcher.fanOut(p, args, table);
      }
      case LOCAL -> local(spec, args);
      case UNSUPPORTED -> localError("ERR command '" + spec.name() + "' is not supported by the proxy: " + spec.why());
      default -> unknown(args);
    }
    return true;
  }

  /**
   * Answers {@code error} for a request refused before it ran; inside MULTI, EXEC will answer
   * -EXECABORT. EXEC itself refused discards the transaction and says why, as Redis does.
   */
  private void refuse(ProxyCommands.Spec spec, boolean queuing, String error) {
    if (spec.name().equals("exec")) {
      if (transaction != null) {
        transaction.reset();
      }
      localError("EXECABORT Transaction discarded because of: " + (error.startsWith("ERR ") ? error.substring(4) : error));
      return;
    }
    localError(error);
    if (queuing) {
      transaction.flagError();
    }
  }

  // ---- for ClientTransaction

  int routedOut() {
    return routedOut;
  }

  Dispatcher dispatcher() {
    return dispatcher;
  }

  /** The bound on the bytes of the commands one MULTI queues: the proxy's max-query-buffer. */
  long maxQueryBuffer() {
    return server.limits().maxQueryBuffer();
  }

  /** This client's share of proxy-max-clients-memory; null until its channel is set up. */
  private io.ringcache.resp.net.ClientMemory.Tracked memory;

  ClientHandler track(io.ringcache.resp.net.ClientMemory.Tracked memory) {
    this.memory = memory;
    return this;
  }

  /** What this client holds besides its buffers: the commands its MULTI queued, its name. */
  private long transactionHeld;
  private long nameHeld;

  /** The bytes of the commands this client's MULTI holds, counted with its buffers against proxy-max-clients-memory. */
  void transactionHolds(long bytes) {
    transactionHeld = bytes;
    reportHeld();
  }

  private void reportHeld() {
    if (memory != null) {
      memory.held(transactionHeld + nameHeld);
    }
  }

  /** Whether this client said HELLO 3: its replies are converted to RESP3 shapes. */
  boolean resp3() {
    return protocol == 3;
  }

  /** A slot for a request sent on the transaction's connection; later requests wait until it is answered. */
  Pending enqueueTransaction(String command) {
    transactionOut = true;
    return enqueue(new Pending(this, ProxyCommands.Kind.TRANSACTION, command));
  }

  /** The transaction's connection answered {@code p}. */
  void transactionReplied(Pending p, ByteBuf reply) {
    transactionOut = false;
    if (!open) {
      reply.release();
      completed(p);
      return;
    }
    p.reply = reply;
    completed(p);
    if (!held.isEmpty() && routedOut > 0) {
      ctx.executor().execute(this::releaseHeld); // what waited only for the transaction's reply
    }
  }

  /**
   * Whether every key of a command the proxy forwards whole (MSETNX, RENAME, RENAMENX, COPY, BITOP, LCS: its
   * keys from the spec's first to its last) lives on one node; if not, replies the error (the node's
   * -CROSSNODE, or Redis's arity error for a key without a value) and returns false. A node whose
   * ring disagrees answers -CROSSNODE itself, which reaches the client.
   */
  private boolean onOneNode(ProxyCommands.Spec spec, byte[][] args) {
    if (spec.lastKey() < 0 && (args.length - 1) % spec.step() != 0) {
      localError("ERR wrong number of arguments for '" + spec.name() + "' command");
      return false;
    }
    int last = spec.lastKey() < 0 ? args.length + spec.lastKey() : spec.lastKey();
    RoutingTable table = dispatcher.routes().current();
    String owner = null;
    try {
      for (int i = spec.firstKey(); i <= last; i += spec.step()) {
        String node = table.serverOf(args[i]);
        if (owner == null) {
          owner = node;
        } else if (!owner.equals(node)) {
          localError("CROSSNODE keys in request are owned by different nodes");
          return false;
        }
      }
    } catch (IllegalStateException e) {
      localError("ERR proxy: no node in the ring");
      return false;
    }
    return true;
  }

  /** A SCAN cursor: a position on the hash circle, [0, 2^32); -1 if it is not one. */
  private static long scanCursor(byte[] arg) {
    return io.ringcache.resp.command.ScanCursor.parse(arg); // -1 (INVALID) for Redis's invalid cursor
  }

  /** INFO's sections of the proxy: server, cluster, keyspace. */
  private static final java.util.List<String> INFO_SECTIONS = java.util.List.of("server", "cluster", "keyspace");

  /** The sections INFO asked for, lower case; null for all (none named, or all/default/everything). */
  private static java.util.Set<String> infoSections(byte[][] args) {
    if (args.length == 1) {
      return null;
    }
    java.util.Set<String> sections = new java.util.HashSet<>();
    for (int i = 1; i < args.length; i++) {
      String section = text(args[i]).toLowerCase(java.util.Locale.ROOT);
      if (section.equals("all") || section.equals("everything") || section.equals("default")) {
        return null;
      }
      sections.add(section);
    }
    return sections;
  }


  /**
   * One of this client's calls is being redirected. Requests that arrive from now on wait until it
   * is done, so that a retried write cannot land after a later request of the same pipeline.
   */
  void redirectStarted() {
    redirecting++;
  }

  void redirectEnded() {
    if (--redirecting == 0 && !held.isEmpty()) {
      ctx.executor().execute(this::releaseHeld); // not from inside a node's read
    }
  }

  private void releaseHeld() {
    byte[][] args;
    while (open && !closing && redirecting == 0 && !transactionOut && (args = held.poll()) != null) {
      if (!execute(args)) {
        break;
      }
    }
    dispatcher.flushSoon();
  }

  /**
   * Whether a redirected call must wait behind this client's calls already waiting to be sent
   * again: it must, if any is waiting, so that redirected calls reach nodes in request order.
   */
  boolean retriesWaiting() {
    return !retries.isEmpty();
  }

  /**
   * Sends {@code call} again after {@code delayMillis}, with this client's other redirected calls,
   * in request order and by one topology; to {@code via} if not null (a MOVED's member address).
   */
  void retryLater(Call call, String via, long delayMillis) {
    call.via = via;
    Call last = retries.peekLast();
    if (last == null || last.pending.seq <= call.pending.seq) {
      retries.addLast(call);
    } else { // an earlier request's call: put it in its place
      ArrayDeque<Call> later = new ArrayDeque<>();
      while (!retries.isEmpty() && retries.peekLast().pending.seq > call.pending.seq) {
        later.addFirst(retries.pollLast());
      }
      retries.addLast(call);
      retries.addAll(later);
    }
    if (!retryScheduled) {
      retryScheduled = true;
      ctx.executor().schedule(this::sendRetries, delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  private void sendRetries() {
    retryScheduled = false;
    RoutingTable table = dispatcher.routes().current();
    Call call;
    while ((call = retries.poll()) != null) {
      dispatcher.resend(call, table, open);
    }
    dispatcher.flushAll();
  }

  private Pending enqueue(Pending p) {
    p.silent = silent;
    p.shape = shape;
    p.seq = nextSeq++;
    if (p.kind.routed()) {
      routedOut++;
    }
    pending.add(p);
    if (!throttled && pending.size() >= MAX_PENDING) {
      throttled = true;
      setPendingWritable(false);
    }
    return p;
  }

  private void setPendingWritable(boolean writable) {
    ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
    if (buffer != null) {
      buffer.setUserDefinedWritability(PENDING_BIT, writable);
    }
  }

  /** A slot completed: writes every done slot from the head of the FIFO. */
  void completed(Pending p) {
    if (p.kind.routed() && --routedOut == 0 && !held.isEmpty() && open) {
      ctx.executor().execute(this::releaseHeld); // not from inside a node's read
    }
    if (!open) {
      if (p.reply != null) {
        p.reply.release();
        p.reply = null;
      }
      return;
    }
    if (pending.peek() != p) {
      return; // it waits for the slots ahead of it
    }
    Pending head;
    while ((head = pending.peek()) != null && head.reply != null) {
      pending.poll();
      if (head.silent) {
        head.reply.release();
      } else if (head.shape != null) {
        write(Resp3.convert(head.reply, head.shape, ctx.alloc()));
      } else {
        write(head.reply);
      }
      head.reply = null;
      if (head.recyclable) {
        dispatcher.written(head); // its call has ended: nothing refers to it any more
      }
    }
    if (throttled && pending.size() + held.size() <= MAX_PENDING / 2) {
      throttled = false;
      ctx.executor().execute(() -> setPendingWritable(true)); // not from inside a node's read
    }
    if (closing && pending.isEmpty()) {
      closeNow();
    }
  }

  private void write(ByteBuf reply) {
    ByteBuf b = out;
    if (b == null) {
      if (nothingQueued()) {
        b = out = reply; // goes out as it is if no other reply joins it before the flush: no copy
        outIsReply = true;
      } else {
        b = out = ctx.alloc().ioBuffer(Math.max(512, reply.readableBytes()));
        b.writeBytes(reply);
        reply.release();
      }
    } else {
      if (outIsReply) { // a second reply: both are copied into one buffer, written at once
        ByteBuf first = b;
        b = out = ctx.alloc().ioBuffer(Math.max(512, first.readableBytes() + reply.readableBytes()));
        b.writeBytes(first);
        first.release();
        outIsReply = false;
      }
      b.writeBytes(reply);
      reply.release();
    }
    if (b.readableBytes() >= WRITE_THRESHOLD) {
      out = null;
      outIsReply = false;
      unflushed = true;
      ctx.write(b, ctx.voidPromise());
    }
    if (!dirty) {
      dirty = true;
      dispatcher.dirty(this);
    }
  }

  /**
   * Whether the channel holds no bytes of earlier replies. Only then is a reply written as the
   * node's buffer itself: a slice that waits in a slow client's outbound buffer keeps the whole
   * read buffer it was cut from alive, so at most one such slice per client is ever waiting.
   */
  private boolean nothingQueued() {
    ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
    return buffer != null && buffer.totalPendingWriteBytes() == 0;
  }

  void flush() {
    dirty = false;
    if (!open) {
      return; // channelInactive releases what is left
    }
    ByteBuf b = out;
    if (b != null) {
      out = null;
      outIsReply = false;
      ctx.write(b, ctx.voidPromise());
    } else if (!unflushed) {
      return;
    }
    unflushed = false;
    ctx.flush();
  }

  private void closeWhenAnswered() {
    closing = true;
    ctx.channel().config().setAutoRead(false);
    if (pending.isEmpty()) {
      closeNow();
    }
  }

  private void closeNow() {
    ByteBuf b = out;
    out = null;
    outIsReply = false;
    ctx.writeAndFlush(b == null ? io.netty.buffer.Unpooled.EMPTY_BUFFER : b).addListener(ChannelFutureListener.CLOSE);
  }

  // ---- local replies

  void localReply(ByteBuf reply) {
    if (silent) {
      reply.release(); // CLIENT REPLY OFF or SKIP: nothing to keep a place for
      return;
    }
    if (shape != null) {
      reply = Resp3.convert(reply, shape, ctx.alloc());
    }
    if (pending.isEmpty()) {
      write(reply);
    } else {
      enqueue(Pending.done(this, reply)).shape = null; // converted already
    }
  }

  void localReply(byte[] raw) {
    localReply(ctx.alloc().buffer(raw.length).writeBytes(raw));
  }

  void localError(String text) {
    ByteBuf b = ctx.alloc().buffer();
    Resp.error(b, text);
    localReply(b);
  }

  private ByteBuf bulk(String text) {
    ByteBuf b = ctx.alloc().buffer();
    Resp.bulk(b, text);
    return b;
  }

  private void local(ProxyCommands.Spec spec, byte[][] args) {
    switch (spec.name()) {
      case "ping" -> handshake(Handshake::ping, args);
      case "echo" -> handshake(Handshake::echo, args);
      case "quit" -> handshake(Handshake::quit, args);
      case "auth" -> handshake(Handshake::auth, args);
      case "hello" -> handshake(Handshake::hello, args);
      case "client" -> handshake(Handshake::client, args);
      case "select" -> handshake(Handshake::select, args);
      case "command" -> handshake(Handshake::command, args);
      case "config" -> handshake(Handshake::config, args);
      case "function" -> handshake(Handshake::function, args);
      case "ring.topology" -> localReply(bulk(TopologyJson.write(server.topology())));
      case "time" -> {
        java.time.Instant now = java.time.Instant.now();
        ByteBuf b = ctx.alloc().buffer(48);
        Resp.arrayHeader(b, 2);
        Resp.bulk(b, Long.toString(now.getEpochSecond()));
        Resp.bulk(b, Long.toString(now.getNano() / 1000));
        localReply(b);
      }
      default -> unknown(args);
    }
  }

  /** Runs one of the handshake commands (cache-resp's {@link Handshake}) on this client's {@link Session}. */
  private void handshake(java.util.function.BiConsumer<HandshakeSession, Request> command, byte[][] args) {
    ByteBuf b = ctx.alloc().buffer();
    session.reply = b;
    try {
      command.accept(session, Request.of(args));
    } catch (RuntimeException e) {
      b.release();
      throw e;
    } finally {
      session.reply = null;
    }
    if (b.isReadable()) {
      localReply(b);
    } else {
      b.release();
    }
    if (session.quit) {
      closeWhenAnswered();
    }
  }

  /*
   * This client as the handshake commands see it. The proxy's own answers, on purpose (see
   * HandshakeSession): no cluster user, the CLIENT and CONFIG subcommands of ProxyCommands (no
   * CLIENT INFO or LIST, so no library attributes or command names to keep), its own CONFIG GET
   * parameters.
   */
  private final class Session implements HandshakeSession {

    /** The current handshake command's replies, handed to localReply when it returns. */
    private ByteBuf reply;
    /** QUIT ran: close once its reply is written. */
    private boolean quit;

    @Override
    public ByteBuf out() {
      return reply;
    }

    @Override
    public long id() {
      return id;
    }

    @Override
    public boolean authenticated() {
      return authenticated;
    }

    @Override
    public int protocol() {
      return protocol;
    }

    @Override
    public void protocol(int version) {
      protocol = version;
    }

    @Override
    public void authenticatedAs(boolean clusterUser) {
      authenticated = true;
    }

    @Override
    public String password() {
      return server.password();
    }

    /** None: the router and peer nodes talk to nodes, not through the proxy. */
    @Override
    public String clusterSecret() {
      return null;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void name(String value) {
      name = value;
      nameHeld = value == null ? 0 : value.length(); // as long as an argument may be: counted
      reportHeld();
    }

    @Override
    public void libName(String value) {
      // not shown: the proxy serves no CLIENT INFO
    }

    @Override
    public void libVersion(String value) {
      // not shown: the proxy serves no CLIENT INFO
    }

    @Override
    public void lastCommand(String command) {
      // not shown: the proxy serves no CLIENT LIST
    }

    /** CLIENT REPLY, as Redis: ON's own +OK is sent, OFF's and SKIP's are not. */
    @Override
    public void replyMode(String mode) {
      switch (mode) {
        case "on" -> {
          repliesOff = false;
          silent = false;
        }
        case "off" -> {
          repliesOff = true;
          silent = true;
        }
        case "skip" -> {
          skipNext = !repliesOff;
          silent = true;
        }
        default -> throw new IllegalArgumentException("reply mode: " + mode + " (expected: on, off or skip)");
      }
    }

    @Override
    public void closeAfterReplies() {
      quit = true;
    }

    @Override
    public Handshake.Server server() {
      return ProxyCommands.HANDSHAKE;
    }

    /**
     * The proxy's own settings (not a node's: each node has its own): what a client of a Redis
     * server asks (redis-benchmark: save, appendonly) and the proxy port's limits, named as Redis
     * names them.
     */
    @Override
    public String[][] configParameters() {
      RespLimits limits = server.limits();
      return new String[][] {
        {"save", ""},
        {"appendonly", "no"},
        {"databases", "1"},
        {"maxclients", Integer.toString(server.maxClients())},
        {"tcp-keepalive", Integer.toString(server.clientKeepaliveSeconds())},
        {"proto-max-bulk-len", Integer.toString(limits.maxBulkLength())},
        {"client-query-buffer-limit", Long.toString(limits.maxQueryBuffer())},
        {"port", Integer.toString(server.port())},
        {"bind", server.bind()},
      };
    }
  }

  /** The reply of a fan-out (DBSIZE or INFO) once every node answered. */
  ByteBuf fanoutReply(Pending p) {
    if (p.command.equals("dbsize")) {
      ByteBuf b = ctx.alloc().buffer(24);
      Resp.integer(b, p.sum);
      return b;
    }
    return bulk(info(p.infoSections, p.sum, p.expires, p.failures));
  }

  /**
   * INFO: the cluster as the proxy sees it, the sections asked for ({@code sections} null: all) in
   * Redis's format, every line {@code key:value} (redis-py's info() parses each); {@code keys} and
   * {@code expires} are the nodes' sums, {@code keys} < 0 when the keyspace was not asked for.
   */
  private String info(java.util.Set<String> sections, long keys, long expires, int unreachable) {
    StringBuilder s = new StringBuilder();
    for (String section : INFO_SECTIONS) {
      if (sections != null && !sections.contains(section)) {
        continue;
      }
      if (s.length() > 0) {
        s.append("\r\n");
      }
      switch (section) {
        case "server" -> s.append("# Server\r\n")
            .append("redis_version:").append(Handshake.VERSION).append("\r\n")
            .append("redis_git_sha1:00000000\r\nredis_git_dirty:0\r\n") // as a release build of Redis
            .append("redis_mode:standalone\r\n")
            .append("ringcache_role:router-proxy\r\n")
            .append("tcp_port:").append(server.port()).append("\r\n");
        case "cluster" -> cluster(s, keys >= 0, unreachable);
        case "keyspace" -> {
          s.append("# Keyspace\r\n");
          if (keys > 0) {
            // avg_ttl: not tracked by the nodes (docs/protocol.md)
            s.append("db0:keys=").append(keys).append(",expires=").append(Math.min(expires, keys)).append(",avg_ttl=0\r\n");
          }
        }
        default -> throw new IllegalStateException(section);
      }
    }
    return s.toString();
  }

  /**
   * INFO's cluster section: the topology, the proxy's counters, one {@code node<i>:name=...,address=
   * ...,weight=...,state=...} line per node (as Redis's {@code slave0:ip=...,port=...}), and, when
   * the nodes were asked, how many did not answer.
   */
  private void cluster(StringBuilder s, boolean asked, int unreachable) {
    Topology t = server.topology();
    RoutingTable table = dispatcher.routes().current();
    s.append("# Cluster\r\n")
        .append("epoch:").append(t.epoch()).append("\r\n")
        .append("nodes:").append(t.nodes().size()).append("\r\n")
        .append("nodes_in_ring:").append(table.ring().nodeNames().size()).append("\r\n")
        .append("handoffs:").append(t.handoffs().size()).append("\r\n");
    ProxyStats stats = server.stats();
    s.append("proxy_connected_clients:").append(server.connectedClients()).append("\r\n")
        .append("proxy_moved_followed:").append(stats.movedFollowed.sum()).append("\r\n")
        .append("proxy_tryagain_retries:").append(stats.retries.sum()).append("\r\n")
        .append("proxy_multikey_splits:").append(stats.splits.sum()).append("\r\n")
        .append("proxy_unreachable:").append(stats.unreachable.sum()).append("\r\n")
        .append("proxy_retry_budget_exhausted:").append(stats.budgetExhausted.sum()).append("\r\n")
        .append("proxy_output_buffer_limit_closes:").append(stats.outputLimitCloses.sum()).append("\r\n")
        .append("proxy_output_stall_closes:").append(stats.outputStallCloses.sum()).append("\r\n")
        .append("proxy_replies_too_large:").append(stats.repliesTooLarge.sum()).append("\r\n")
        .append("proxy_client_memory_closes:").append(stats.clientsMemoryCloses.sum()).append("\r\n")
        .append("proxy_rejected_connections:").append(stats.rejectedConnections.sum()).append("\r\n")
        .append("proxy_auth_timeout_closes:").append(stats.authTimeoutCloses.sum()).append("\r\n");
    int i = 0;
    for (var n : t.nodes()) {
      s.append("node").append(i++).append(":name=").append(n.name()).append(",address=").append(n.address())
          .append(",weight=").append(n.weight()).append(",state=").append(n.state()).append("\r\n");
    }
    if (asked) {
      s.append("nodes_unreachable:").append(unreachable).append("\r\n");
    }
  }

  private void unknown(byte[][] args) {
    localError(io.ringcache.resp.command.UnknownCommand.error(args.length, i -> args[i]));
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
