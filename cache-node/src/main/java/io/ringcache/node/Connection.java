package io.ringcache.node;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.ringcache.resp.Request;
import io.ringcache.resp.Resp;
import io.ringcache.resp.RespDecoder;
import io.ringcache.resp.net.ClusterAuth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's state: authentication, name, and the buffer its replies accumulate in
 * until the end of the read batch (one write and one flush per batch). Confined to the
 * connection's event loop.
 */
final class Connection implements NodeContext, io.ringcache.resp.RespDecoder.Lookahead {

  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  /** Replies are handed to the channel when this much accumulates, so writability tracks them. */
  private static final int WRITE_THRESHOLD = 64 * 1024;
  /** A reply buffer up to this capacity is kept for the connection's next read batch (see flush). */
  static final int KEPT_CAPACITY = 16 * 1024;

  private final long id;
  private final NodeServer node;
  private final long createdNanos;
  private ChannelHandlerContext ctx;
  private ByteBuf out;
  private volatile boolean authenticated;
  /** Authenticated as {@link ClusterAuth#CLUSTER_USER}: may run the cluster-internal RING.* commands. */
  private boolean clusterUser;
  // read by CLIENT LIST on other connections' loops: diagnostics, a stale value is harmless
  private volatile String name;
  private volatile String libName;
  private volatile String libVersion;
  /**
   * The name of the last command run, as CLIENT LIST's cmd= (container commands: "client|list"),
   * and when the last read batch ended, for idle=. Plain fields on the hot path: another loop's
   * CLIENT LIST may read a slightly stale value (a String is safely published by its final fields).
   */
  private String lastCommand = "NULL";
  private long lastBatchNanos;
  /**
   * The protocol of this connection's replies, 2 or 3 (HELLO 3). A plain field, read for every
   * command: another loop's CLIENT LIST may read a stale value (diagnostics), as lastCommand.
   */
  private int protocol = 2;
  /** CLIENT REPLY OFF: no replies until CLIENT REPLY ON. */
  private boolean repliesOff;
  /** CLIENT REPLY SKIP: the next command's reply is dropped. */
  private boolean skipNext;
  /** The current command's replies are dropped (CLIENT REPLY OFF or SKIP). */
  private boolean silent;
  /** Where a silent command's replies go: cleared before each command, never written. */
  private ByteBuf discard;
  /** EXEC is running the queued commands: a CLIENT REPLY among them takes effect after EXEC's reply. */
  private boolean executing;
  /** MULTI/EXEC and WATCH state, created on first use. */
  private Transaction transaction;
  /** The lock this connection's loop takes around each command (LoopLocks). */
  private java.util.concurrent.locks.ReentrantLock stripe;

  /** The connection of a channel, for CLIENT LIST. */
  static final io.netty.util.AttributeKey<Connection> KEY = io.netty.util.AttributeKey.valueOf(Connection.class, "connection");
  private boolean closing;
  private boolean unflushed;
  /** A command waiting for another node; later requests queue behind it (replies stay in order). */
  private boolean deferred;
  private final java.util.ArrayDeque<Request> queued = new java.util.ArrayDeque<>();
  private CommandHandler handler;
  /** How many times the current request has waited for a range moving to this node. */
  int rangeWaits;
  /** Whether the current request's read at the source of its range failed (it then only waits: CommandHandler). */
  boolean sourceReadFailed;
  /** Counters of the current read batch, added to the node's once per batch (no shared write per command). */
  long batchCommands;
  long batchHits;
  long batchMisses;

  Connection(long id, NodeServer node) {
    this.id = id;
    this.node = node;
    this.authenticated = node.config().requirepass() == null;
    this.createdNanos = System.nanoTime();
  }

  /** Whether this connection answered a RING.HEARTBEAT, and when (see ClusterState#heartbeat). */
  private boolean heartbeatAnswered;
  private long heartbeatAnsweredNanos;

  @Override
  public boolean heartbeatAnswered() {
    return heartbeatAnswered;
  }

  @Override
  public long heartbeatAnsweredNanos() {
    return heartbeatAnsweredNanos;
  }

  @Override
  public void heartbeatAnswered(long nanos) {
    heartbeatAnswered = true;
    heartbeatAnsweredNanos = nanos;
  }

  void attach(ChannelHandlerContext ctx, CommandHandler handler) {
    this.ctx = ctx;
    this.handler = handler;
    this.stripe = node.locks().stripe(ctx.executor());
    this.borrowedKeys = ctx.executor().inEventLoop() ? BORROWED_KEYS.get() : null;
    ctx.channel().attr(KEY).set(this);
  }

  /**
   * A request begins (not a re-run of a deferred one): applies CLIENT REPLY. Its replies, written
   * now or when a deferred command completes (later requests wait behind it), are dropped if replies
   * are off or the previous command was CLIENT REPLY SKIP, as in Redis.
   */
  void beginCommand() {
    silent = repliesOff || skipNext;
    skipNext = false;
    if (silent && discard != null) {
      discard.clear();
    }
  }

  /**
   * CLIENT REPLY ON|OFF|SKIP; ON's own reply is sent, OFF's and SKIP's are not. Inside EXEC the mode
   * changes for the requests after EXEC, whose reply stays whole.
   */
  @Override
  public void replyMode(String mode) {
    switch (mode) {
      case "on" -> {
        repliesOff = false;
        skipNext = false;
        silent = silent && executing;
      }
      case "off" -> {
        repliesOff = true;
        silent = silent || !executing;
      }
      case "skip" -> {
        skipNext = !repliesOff;
        silent = silent || !executing;
      }
      default -> throw new IllegalArgumentException("reply mode: " + mode + " (expected: on, off or skip)");
    }
  }

  /** This connection's share of max-clients-memory; null until the channel is set up (unit tests). */
  private io.ringcache.resp.net.ClientMemory.Tracked memory;

  void track(io.ringcache.resp.net.ClientMemory.Tracked memory) {
    this.memory = memory;
  }

  /** This connection is the router's or a peer node's: max-clients-memory neither counts nor closes it. */
  void exemptFromClientsMemory() {
    if (memory != null) {
      memory.exempt();
    }
  }

  /** What this connection holds besides its buffers: its transaction's queue and watched keys, its names. */
  private long transactionHeld;
  private long namesHeld;

  @Override
  public void transactionHolds(long bytes) {
    transactionHeld = bytes;
    reportHeld();
  }

  private void reportHeld() {
    if (memory != null) {
      memory.held(transactionHeld + namesHeld);
    }
  }

  /** EXEC begins or ends running the queued commands. */
  @Override
  public void executing(boolean value) {
    executing = value;
  }

  /** This connection's MULTI/WATCH state. */
  @Override
  public Transaction transaction() {
    Transaction t = transaction;
    if (t == null) {
      t = transaction = new Transaction(node.watches());
    }
    return t;
  }

  /** Whether MULTI was called and neither EXEC nor DISCARD since. */
  boolean inMulti() {
    return transaction != null && transaction.open();
  }

  /** Ends the transaction and forgets the watched keys: the connection closed. */
  void endTransaction() {
    if (transaction != null) {
      transaction.reset();
    }
  }

  /** The lock this connection's loop takes around each command. */
  java.util.concurrent.locks.ReentrantLock stripe() {
    return stripe;
  }

  @Override
  public int protocol() {
    return protocol;
  }

  @Override
  public void protocol(int version) {
    protocol = version;
  }

  /** Whether this connection's replies must be converted to RESP3 (see Resp3). */
  boolean resp3() {
    return protocol == 3;
  }

  /**
   * Converts to RESP3, as {@code shape} says, the reply a command wrote to {@code out} from {@code
   * mark}, if it went to {@code out} (not dropped by CLIENT REPLY).
   */
  void toResp3(ByteBuf out, int mark, io.ringcache.resp.Resp3.Shape shape) {
    if (out == this.out && out.writerIndex() > mark) {
      io.ringcache.resp.Resp3.convert(out, mark, shape);
    }
  }

  /** EXEC runs a queued command: its reply, an element of EXEC's array, in this connection's protocol. */
  @Override
  public void runQueued(CommandTable.Spec spec, Request r) {
    if (protocol != 3) {
      spec.command().execute(this, r);
      return;
    }
    ByteBuf b = out();
    int mark = b.writerIndex();
    spec.command().execute(this, r);
    toResp3(b, mark, io.ringcache.resp.Resp3.shape(r));
  }

  @Override
  public void lastCommand(String command) {
    lastCommand = command;
  }

  /** A read batch was run (CLIENT LIST's idle= counts from the last one). */
  void batchRan(long nanos) {
    lastBatchNanos = nanos;
  }

  /**
   * Suspends this connection until {@code work} completes; then, on the connection's event loop,
   * {@code reply} writes the command's reply and the requests that queued meanwhile run in order.
   */
  @Override
  public <T> void defer(java.util.concurrent.CompletionStage<T> work, java.util.function.BiConsumer<T, Throwable> reply) {
    deferred = true;
    ctx.channel().config().setAutoRead(false);
    work.whenComplete((value, error) -> ctx.executor().execute(() -> {
      if (!ctx.channel().isActive()) {
        deferred = false;
        queued.clear();
        return;
      }
      deferred = false;
      try {
        reply.accept(value, error);
      } catch (RuntimeException e) {
        Resp.error(out(), "ERR internal error: " + e);
      }
      handler.resume();
    }));
  }

  @Override
  public <T> void aside(java.util.function.Supplier<T> work, java.util.function.Consumer<T> reply) {
    if (executing) {
      reply.accept(work.get()); // EXEC: whole, under its locks
      return;
    }
    defer(java.util.concurrent.CompletableFuture.supplyAsync(work, node.walks()), (value, error) -> {
      if (error != null) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause() : error;
        log.error("a walk for {} failed", describe(), cause);
        Resp.error(out(), "ERR internal error: " + cause);
        return;
      }
      reply.accept(value);
    });
  }

  @Override
  public void yieldInput() {
    RespDecoder decoder = ctx.pipeline().get(RespDecoder.class);
    if (decoder != null) {
      decoder.yieldAfterRequest();
    }
  }

  boolean deferred() {
    return deferred;
  }

  /** Keeps a request that arrived while a command was deferred. */
  void queue(Request request) {
    queued.addLast(request.copy());
  }

  Request nextQueued() {
    return queued.pollFirst();
  }

  ChannelHandlerContext context() {
    return ctx;
  }

  @Override
  public long id() {
    return id;
  }

  /** {@code bytes} as a stored key, hashed for placement as the node's topology says (its hash tag, if any). */
  @Override
  public io.ringcache.node.store.Key key(byte[] bytes) {
    return io.ringcache.node.store.Key.of(bytes, node().cluster().hashTag());
  }

  @Override
  public int keyHash(byte[] bytes) {
    return node.cluster().hashTag().hash(bytes);
  }

  /** Keys up to this long are borrowed into an event loop's reused arrays; longer ones are copied out. */
  private static final int MAX_BORROWED_KEY = 256;

  /** Per event loop thread: one reused array per key length, made when a key of that length first comes. */
  private static final ThreadLocal<byte[][]> BORROWED_KEYS = ThreadLocal.withInitial(() -> new byte[MAX_BORROWED_KEY + 1][]);

  /** This connection's loop's reused key arrays (commands run on the loop that attached it). */
  private byte[][] borrowedKeys;

  @Override
  public byte[] borrowKey(Request r, int i) {
    int length = r.argLength(i);
    byte[][] arrays = borrowedKeys;
    if (length > MAX_BORROWED_KEY || arrays == null || r.argBuffer(i) == null) {
      return r.arg(i); // long, or already an array: no copy
    }
    byte[] key = arrays[length];
    if (key == null) {
      key = arrays[length] = new byte[length];
    }
    r.argBytes(i, key);
    return key;
  }

  @Override
  public byte[] borrowKey(io.netty.buffer.ByteBuf buffer, int index, int length) {
    byte[][] arrays = borrowedKeys;
    if (length > MAX_BORROWED_KEY || arrays == null) {
      byte[] key = new byte[length];
      buffer.getBytes(index, key);
      return key;
    }
    byte[] key = arrays[length];
    if (key == null) {
      key = arrays[length] = new byte[length];
    }
    buffer.getBytes(index, key);
    return key;
  }

  NodeServer node() {
    return node;
  }

  /** The placement hashes of a read's keys, for the store's prefetch (one array per connection). */
  private int[] aheadHashes;
  /** What the prefetches read, kept so that the reads are not elided. */
  private int aheadSink;

  /**
   * A read brought several requests: the store brings the entries of their keys into the cache
   * together (their misses overlap), before they run one by one.
   */
  @Override
  public void keys(io.netty.buffer.ByteBuf in, int[] offsets, int[] lengths, int count) {
    if (!authenticated() || borrowedKeys == null) {
      return;
    }
    int[] hashes = aheadHashes;
    if (hashes == null) {
      hashes = aheadHashes = new int[io.ringcache.resp.RespDecoder.LOOKAHEAD];
    }
    int n = 0;
    for (int i = 0; i < count; i++) {
      if (lengths[i] <= MAX_BORROWED_KEY) {
        hashes[n++] = keyHash(borrowKey(in, offsets[i], lengths[i]));
      }
    }
    aheadSink += node.store().prefetch(hashes, n);
  }

  @Override
  public io.ringcache.node.store.Store store() {
    return node.store();
  }

  @Override
  public void flushAll() {
    node.cluster().flushImports();
    node.store().clear();
  }

  @Override
  public NodeConfig.Limits limits() {
    return node.config().limits();
  }

  @Override
  public io.ringcache.node.store.Clock clock() {
    return node.clock();
  }

  @Override
  public NodeStats stats() {
    return node.stats();
  }

  @Override
  public KeyWatches watches() {
    return node.watches();
  }

  @Override
  public NodeConfig config() {
    return node.config();
  }

  @Override
  public int port() {
    return node.port();
  }

  @Override
  public io.ringcache.resp.command.Handshake.Server server() {
    return node.handshake();
  }

  @Override
  public java.util.List<ConnectionContext> clients() {
    java.util.List<ConnectionContext> connections = new java.util.ArrayList<>();
    for (io.netty.channel.Channel channel : node.clientChannels()) {
      Connection other = channel.attr(KEY).get();
      if (other != null) {
        connections.add(other);
      }
    }
    return connections;
  }

  @Override
  public io.ringcache.node.cluster.ClusterState cluster() {
    return node.cluster();
  }

  @Override
  public LoopLocks locks() {
    return node.locks();
  }

  @Override
  public long uptimeSeconds() {
    return node.uptimeSeconds();
  }

  @Override
  public String transport() {
    return node.transport();
  }

  @Override
  public String runId() {
    return node.runId();
  }

  @Override
  public io.ringcache.node.metrics.NodeMetrics metrics() {
    return node.metrics();
  }

  @Override
  public io.ringcache.node.cluster.HandoffStreamer streamer() {
    return node.streamer();
  }

  @Override
  public io.ringcache.node.cluster.ReadThrough readThrough() {
    return node.readThrough();
  }

  @Override
  public io.ringcache.node.cluster.PeerPool peers() {
    return node.peers();
  }

  @Override
  public boolean authenticated() {
    return authenticated;
  }

  void authenticated(boolean value) {
    authenticated = value;
  }

  /** Authenticates as the default user ({@code clusterUser} false) or as the cluster user. */
  @Override
  public void authenticatedAs(boolean clusterUser) {
    this.authenticated = true;
    this.clusterUser = clusterUser;
  }

  /** Whether this connection authenticated as {@link ClusterAuth#CLUSTER_USER}. */
  boolean clusterUser() {
    return authenticated && clusterUser;
  }

  /** Whether this connection may run the cluster-internal RING.* commands (see {@link ClusterAuth}). */
  boolean mayRunInternal() {
    return ClusterAuth.mayRunInternal(node.config().clusterSecret(), clusterUser,
        ctx == null ? null : ctx.channel().remoteAddress());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void name(String value) {
    name = value;
    namesChanged();
  }

  @Override
  public void libName(String value) {
    libName = value;
    namesChanged();
  }

  @Override
  public void libVersion(String value) {
    libVersion = value;
    namesChanged();
  }

  /** A name can be as long as an argument (32 MiB): what the names hold counts against max-clients-memory. */
  private void namesChanged() {
    namesHeld = length(name) + length(libName) + length(libVersion);
    reportHeld();
  }

  private static long length(String s) {
    return s == null ? 0 : s.length();
  }

  long ageSeconds() {
    return (System.nanoTime() - createdNanos) / 1_000_000_000L;
  }

  /**
   * This connection as one line of CLIENT LIST / CLIENT INFO, in Redis 7.0's format and field order
   * (fields a node does not track, such as fd and the buffer sizes, are left out), with Redis 7.2's
   * lib-name and lib-ver at the end.
   */
  @Override
  public String clientInfo() {
    java.net.SocketAddress remote = ctx == null ? null : ctx.channel().remoteAddress();
    java.net.SocketAddress local = ctx == null ? null : ctx.channel().localAddress();
    String user = !authenticated ? "default" : clusterUser ? ClusterAuth.CLUSTER_USER : "default";
    Transaction t = transaction; // another loop's CLIENT LIST may read a stale count: diagnostics
    int multi = t == null ? -1 : t.queuedCount();
    return "id=" + id
        + " addr=" + format(remote)
        + " laddr=" + format(local)
        + " name=" + (name == null ? "" : name)
        + " age=" + ageSeconds()
        + " idle=" + (lastBatchNanos == 0 ? ageSeconds() : (System.nanoTime() - lastBatchNanos) / 1_000_000_000L)
        + " flags=" + (multi < 0 ? "N" : "x") + " db=0 sub=0 psub=0 ssub=0 multi=" + multi
        + " cmd=" + lastCommand
        + " user=" + user
        + " redir=-1 resp=" + protocol
        + " lib-name=" + (libName == null ? "" : libName)
        + " lib-ver=" + (libVersion == null ? "" : libVersion);
  }

  /** ip:port as Redis prints a peer ([ip]:port for IPv6), without Java's leading slash. */
  static String format(java.net.SocketAddress address) {
    if (address instanceof java.net.InetSocketAddress inet && inet.getAddress() != null) {
      String ip = inet.getAddress().getHostAddress();
      return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + inet.getPort();
    }
    return address == null ? "?" : address.toString();
  }

  @Override
  public String describe() {
    return "id=" + id
        + " addr=" + format(ctx == null ? null : ctx.channel().remoteAddress())
        + " name=" + (name == null ? "" : name)
        + " age=" + ageSeconds()
        + " lib-name=" + (libName == null ? "" : libName)
        + " lib-ver=" + (libVersion == null ? "" : libVersion);
  }

  /** The buffer to append replies to (one that is never sent while replies are off or skipped). */
  @Override
  public ByteBuf out() {
    if (silent) {
      if (discard == null) {
        discard = io.netty.buffer.Unpooled.buffer(512);
      } else if (discard.writerIndex() > WRITE_THRESHOLD) {
        discard.clear();
      }
      return discard;
    }
    ByteBuf b = out;
    if (b == null) {
      b = out = ctx.alloc().ioBuffer(512);
    }
    return b;
  }

  /** Hands accumulated replies to the channel once they are large enough. */
  void afterCommand() {
    ByteBuf b = out;
    if (b != null && b.readableBytes() >= WRITE_THRESHOLD) {
      out = null;
      unflushed = true;
      ctx.write(b, ctx.voidPromise());
    }
  }

  /** Bytes of replies queued for this connection, written or not. */
  long pendingOutput() {
    ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
    long pending = buffer == null ? 0 : buffer.totalPendingWriteBytes();
    return pending + (out == null ? 0 : out.readableBytes());
  }

  /** This connection's commandstats counts not yet added to the node's. */
  private final CommandTally tally = new CommandTally();

  @Override
  public CommandTally tally() {
    return tally;
  }

  /** Adds this batch's counters to the node's. */
  void publishCounters(NodeStats stats) {
    tally.publish();
    if (batchCommands != 0) {
      stats.commands.add(batchCommands);
      batchCommands = 0;
    }
    if (batchHits != 0) {
      stats.hits.add(batchHits);
      batchHits = 0;
    }
    if (batchMisses != 0) {
      stats.misses.add(batchMisses);
      batchMisses = 0;
    }
  }

  /** Counts a lookup and passes its result through. */
  @Override
  public byte[] lookedUp(byte[] value) {
    if (value == null) {
      batchMisses++;
    } else {
      batchHits++;
    }
    return value;
  }

  /**
   * Writes and flushes what accumulated; returns whether anything was flushed. The reply buffer,
   * if it is at most {@link #KEPT_CAPACITY}, is kept for the next read batch once the socket took
   * all of it (the usual case: the flush writes it at once), so a batch allocates no buffer, nor
   * grows one: Redis keeps a 16 KiB reply buffer per client for the same reason. One still queued
   * in the channel (a client that does not read) is left to the channel, and the next batch takes
   * a new one.
   */
  boolean flush() {
    ByteBuf b = out;
    out = null;
    boolean kept = false;
    if (b != null) {
      if (b.isReadable()) {
        kept = b.capacity() <= KEPT_CAPACITY;
        if (kept) {
          b.retain(); // ours, beside the channel's: released by the channel once written
        }
        ctx.write(b, ctx.voidPromise());
        unflushed = true;
      } else if (ctx.channel().isActive()) {
        out = b; // nothing to send: kept as it is
      } else {
        b.release();
      }
    }
    tally.publish(); // before anyone can see these replies
    boolean flushed = unflushed;
    if (unflushed) {
      unflushed = false;
      ctx.flush();
    }
    if (kept) {
      if (b.refCnt() == 1 && ctx.channel().isActive()) {
        b.clear(); // written and released by the channel: only our reference is left
        out = b;
      } else {
        b.release();
      }
    }
    return flushed;
  }

  @Override
  public void closeUnanswered() {
    closing = true;
    tally.publish();
    releaseOutput();
    ctx.channel().config().setAutoRead(false);
    ctx.channel().close(); // replies written and not flushed are dropped with the channel
  }

  /** Flushes the replies so far and closes once they are written. */
  @Override
  public void closeAfterReplies() {
    closing = true;
    tally.publish();
    ByteBuf b = out;
    out = null;
    ctx.channel().config().setAutoRead(false);
    ctx.writeAndFlush(b == null ? io.netty.buffer.Unpooled.EMPTY_BUFFER : b)
        .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
  }

  @Override
  public boolean closing() {
    return closing;
  }

  void releaseOutput() {
    if (out != null) {
      out.release();
      out = null;
    }
  }
}
