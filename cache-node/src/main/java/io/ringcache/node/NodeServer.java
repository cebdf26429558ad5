package io.ringcache.node;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.ringcache.node.cluster.ClusterState;
import io.ringcache.node.cluster.HandoffStreamer;
import io.ringcache.node.cluster.PeerPool;
import io.ringcache.node.cluster.ReadThrough;
import io.ringcache.node.metrics.NodeMetrics;
import io.ringcache.node.store.Clock;
import io.ringcache.node.store.Store;
import io.ringcache.node.store.Stores;
import io.ringcache.resp.RespDecoder;
import io.ringcache.resp.net.ClientMemory;
import io.ringcache.resp.net.Descriptors;
import io.ringcache.resp.net.FailStop;
import io.ringcache.resp.net.HostPort;
import io.ringcache.resp.net.Tls;
import io.ringcache.resp.net.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The node's Netty server: one boss loop accepts, N worker loops read, execute and write
 * (commands run on the worker loop of their connection; nothing blocks). Native epoll on Linux,
 * io_uring when -Dringcache.transport=io_uring (or RINGCACHE_TRANSPORT) asks for it, NIO otherwise or
 * when asked (see Transport). Pooled direct buffers. Per connection:
 * TCP_NODELAY, and write-buffer watermarks (LOW/HIGH) that drive the decoder's backpressure and the
 * OutputGuard's stall timeout.
 *
 * The server channel binds with autoRead off and starts accepting only once the node's name and
 * advertised address (which default to the bound port) are known.
 *
 * close() is graceful: stop accepting, stop reading from every client, flush what has been answered
 * (requests are executed as they are decoded, so everything read is answered), close each client
 * once its replies are written, waiting up to CLOSE_TIMEOUT for clients that do not read; then stop
 * the loops.
 */

/** A running cache node. Start with {@link #start}; {@link #close()} shuts it down gracefully. */
public final class NodeServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NodeServer.class);

  static final int LOW_WATERMARK = 64 * 1024;
  static final int HIGH_WATERMARK = 256 * 1024;
  private static final long CLOSE_TIMEOUT_MS = 5_000;

  private final NodeConfig config;
  private final Store store;
  private final Clock clock;
  private final NodeStats stats = new NodeStats();
  /** This run's random identity, 40 hex digits, as Redis's run_id (INFO). */
  private final String runId = randomHex(20);
  private final ClientMemory clientMemory;
  /** The keys clients WATCH; told of every change the store makes (see WatchingStore). */
  private final KeyWatches watches = new KeyWatches();
  private LoopLocks locks;
  private io.netty.handler.ssl.SslContext tls;
  private final NodeMetrics metrics = new NodeMetrics();
  private final CommandTable commands = countedCommands(Commands.table(), metrics, stats);
  private final io.ringcache.resp.command.Handshake.Server handshake = Commands.handshake(Commands.introspection(commands));
  private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final long startNanos = System.nanoTime();
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel serverChannel;
  private ScheduledFuture<?> housekeeping;
  private volatile ClusterState cluster;
  private final java.util.concurrent.ExecutorService clusterWork =
      java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "ringcache-cluster");
        thread.setDaemon(true);
        return thread;
      });
  /**
   * Where a command's long walk of the store runs (KEYS on a large node) instead of on an event
   * loop: one thread, so that walks queue rather than hold several replies' keys at once.
   */
  private final java.util.concurrent.ExecutorService walks =
      java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "ringcache-walk");
        thread.setDaemon(true);
        return thread;
      });
  private PeerPool peers;
  private ReadThrough readThrough;
  private HandoffStreamer streamer;
  private volatile int port;
  /** max-clients, lowered to what the process's open-files limit allows. */
  private volatile int effectiveMaxClients;
  private final ClusterReserve clusterReserve;
  private String transport;

  private NodeServer(NodeConfig config, Store store, Clock clock) {
    this.config = config;
    this.store = new WatchingStore(store, watches);
    this.clock = clock;
    this.clientMemory = new ClientMemory(config.limits().clientsMemoryCap(), "max-clients-memory", stats.clientsMemoryCloses);
    this.clusterReserve = new ClusterReserve(config.clusterReserve());
  }

  /** Starts a node with a store of {@code config.store()} type and {@code config.maxMemory()} bytes on the system clock. */
  public static NodeServer start(NodeConfig config) {
    return start(config, newStore(config, Clock.SYSTEM), Clock.SYSTEM);
  }

  /** A new store of {@code config.store()} type bounded at {@code config.maxMemory()}, on {@code clock}. */
  static Store newStore(NodeConfig config, Clock clock) {
    return switch (config.store()) {
      case PACKED -> Stores.packed(config.maxMemory(), clock);
      case CAFFEINE -> Stores.caffeine(config.maxMemory(), clock, Runnable::run);
      case OFFHEAP -> Stores.offHeap(config.maxMemory(), clock);
    };
  }

  /** Starts a node over {@code store}; {@code clock} must be the store's clock. */
  public static NodeServer start(NodeConfig config, Store store, Clock clock) {
    NodeServer server = new NodeServer(config, store, clock);
    try {
      server.bind();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void bind() {
    if (config.cluster() && config.clusterSecret() == null && !HostPort.isLoopback(config.bind())) {
      throw new IllegalArgumentException("a cluster member (--cluster) listening on " + config.bind()
          + " (not loopback) needs a cluster secret: without one, only loopback peers could run the cluster's"
          + " RING.* commands, and the router could not reach this node; set --cluster-secret-file"
          + " (CACHE_CLUSTER_SECRET_FILE) or CACHE_CLUSTER_SECRET, the same on the router and every node");
    }
    io.netty.handler.ssl.SslContext peerTls = null;
    if (config.tls()) {
      tls = Tls.server(config.tlsKeystore(), config.tlsKeystorePassword());
      peerTls = Tls.client(config.tlsCaCert());
    }
    Transport chosen = Transport.current();
    Class<? extends ServerChannel> channelClass = chosen.serverChannel();
    transport = chosen.name();
    boss = chosen.newGroup(1);
    workers = chosen.newGroup(config.threads());
    locks = new LoopLocks(workers);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(channelClass)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(LOW_WATERMARK, HIGH_WATERMARK))
            .childHandler(new NodeInitializer(this));
    chosen.configureChildren(bootstrap);
    io.ringcache.resp.net.DeadPeers.clientKeepalive(bootstrap, channelClass, config.tcpKeepaliveSeconds());
    effectiveMaxClients = Descriptors.maxClients(config.limits().maxClients(), "max-clients");
    serverChannel = io.ringcache.resp.net.Listen.bind(bootstrap, config.bind(), config.port(), "RESP port");
    port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    cluster = new ClusterState(config.nameOr(port), config.advertiseOr(port), store, clusterWork,
        ClusterState.newIncarnation(), config.cluster(), System::nanoTime);
    log.info("incarnation {}{}", Long.toUnsignedString(cluster.incarnation(), 16),
        config.cluster() ? ": a cluster member, serving nothing until a router admits this process" : "");
    if (config.cluster()) {
      // the first topology pushed is adopted on an event loop: load its code now, off the loops
      clusterWork.execute(() -> {
        long started = System.nanoTime();
        try {
          ClusterState.warmUp();
          log.debug("topology code warmed up in {} ms", (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException e) {
          log.warn("warming up the topology code failed (the first push will be slower): {}", e.toString());
        }
      });
    }
    peers = new PeerPool(workers, chosen.socketChannel(), config.requirepass(),
        config.clusterSecret(), peerTls);
    readThrough = new ReadThrough(store, peers);
    streamer = new HandoffStreamer(store, peers, clusterWork, config.handoffRate());
    if (config.handoffRate() > 0) {
      log.info("each handoff stream from this node sends at most {} entries/s (handoff-rate)", config.handoffRate());
    }
    metrics.bind(cluster.name(), store, stats.connectedClients::get, stats.totalConnections::sum, stats.hits::sum, stats.misses::sum);
    metrics.bindOutputCloses(stats.outputLimitCloses::sum, stats.outputStallCloses::sum);
    metrics.bindLimitCounter("replies.refused", "max-output-buffer", stats.repliesTooLarge::sum,
        "Replies refused with an error before they were built, because they would exceed max-output-buffer");
    metrics.bindLimitCounter("client.memory.closes", "max-clients-memory", stats.clientsMemoryCloses::sum,
        "Connections closed, largest first, because all clients' buffers together exceeded max-clients-memory");
    metrics.bindLimitCounter("auth.timeout.closes", "auth-timeout", stats.authTimeoutCloses::sum,
        "Connections closed because they did not authenticate within auth-timeout");
    metrics.bindLimitCounter("rejected.connections", "max-clients", stats.rejectedConnections::sum,
        "Connections refused because max-clients were open");
    housekeeping =
        boss.next()
            .scheduleAtFixedRate(
                FailStop.guard("housekeeping", () -> {
                  stats.sample();
                  store.clock().resync(); // follow a step of the wall clock (absolute expiry times)
                  store.cleanUp();
                }),
                1,
                1,
                TimeUnit.SECONDS);
    serverChannel.config().setAutoRead(true);
    log.info(
        "cache node '{}' listening on {}:{} (advertised as {}), transport {}, 1 boss + {} worker threads, "
            + "max-memory {} bytes ({}), store {} ({} eviction), auth {}, cluster commands {}, tls {}",
        cluster.name(),
        config.bind(),
        port,
        cluster.advertisedAddress(),
        transport,
        config.threads(),
        config.maxMemory(),
        Info.human(config.maxMemory()),
        config.store().name().toLowerCase(java.util.Locale.ROOT),
        store.evictionPolicy(),
        config.requirepass() == null ? "off" : "on",
        config.clusterSecret() == null ? "from loopback peers only (no cluster secret)" : "for the cluster user only",
        tls == null ? "off" : "on (" + Tls.engine() + "; peers dialled with TLS, trusting " + (config.tlsCaCert() == null ? "the JDK's authorities" : config.tlsCaCert()) + ")");
    log.info("limits: {}; all clients' buffers together: {} bytes (max-clients-memory); max-clients {} and {} more"
            + " waiting to show they are the cluster's (cluster-reserve){}",
        config.limits(), clientMemory.cap(), effectiveMaxClients, config.clusterReserve(),
        config.requirepass() == null || config.limits().authTimeoutSeconds() == 0 ? ""
            : "; unauthenticated connections closed after " + config.limits().authTimeoutSeconds() + " s (auth-timeout)");
    if (config.requirepass() == null && !HostPort.isLoopback(config.bind())) {
      log.warn("listening on {} (not loopback) without a password: anyone who can reach it can read, write and"
          + " flush the cache; set --requirepass (CACHE_NODE_REQUIREPASS)", config.bind());
    }
  }

  /**
   * Serves the node's Prometheus metrics at {@code GET /metrics} on its bind address.
   *
   * @param port the metrics port; 0 picks a free one
   * @return the port the metrics are served on
   */
  public int serveMetrics(int port) {
    return metrics.serve(config.bind(), port);
  }

  /**
   * The command table with each command counted: calls, time, and failures (replies that start with
   * '-', whose code also goes to INFO errorstats), as Redis's call() counts them; on a connection,
   * through its {@link CommandTally}.
   */
  private static CommandTable countedCommands(CommandTable table, NodeMetrics metrics, NodeStats stats) {
    CommandTable counted = new CommandTable();
    for (CommandTable.Spec s : table.all()) {
      NodeMetrics.CommandCounter counter = metrics.command(s.name());
      CommandTable.Command command = s.command();
      boolean quick = s.has(CommandTable.QUICK);
      counted.add(s, (c, r) -> {
        io.netty.buffer.ByteBuf out = c.out();
        int mark = out.writerIndex();
        CommandTally tally = c.tally();
        long start = tally != null ? tally.begin(counter) : System.nanoTime();
        command.execute(c, r);
        boolean error = !c.closing() && c.out() == out && out.writerIndex() > mark && out.getByte(mark) == '-';
        if (tally != null) {
          tally.end(counter, start, error, quick && CommandTally.small(r));
        } else {
          counter.executed(System.nanoTime() - start, error);
        }
        if (error) {
          stats.errorReply(out, mark);
        }
      });
    }
    return counted;
  }

  /** This run's random identity (INFO's run_id and master_replid), new at every start. */
  String runId() {
    return runId;
  }

  private static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    new java.security.SecureRandom().nextBytes(b);
    return java.util.HexFormat.of().formatHex(b);
  }

  /** The counters of each command (INFO commandstats; the dispatcher counts its refusals there). */
  NodeMetrics metrics() {
    return metrics;
  }

  /** The server TLS context of the port, or null when it is plaintext. */
  io.netty.handler.ssl.SslContext tls() {
    return tls;
  }

  /** The port the node listens on. */
  public int port() {
    return port;
  }

  /** The node's store. */
  public Store store() {
    return store;
  }

  /** The node's cluster view (ownership seam). */
  public ClusterState cluster() {
    return cluster;
  }

  /** The node's connections to its peers. */
  PeerPool peers() {
    return peers;
  }

  /** Reads keys of imported ranges through from their source. */
  ReadThrough readThrough() {
    return readThrough;
  }

  /** Streams handoffs this node is the source of. */
  HandoffStreamer streamer() {
    return streamer;
  }

  /** Runs the long walks of the store that commands take off their event loops. */
  java.util.concurrent.Executor walks() {
    return walks;
  }

  /** "io_uring", "epoll" or "nio". */
  public String transport() {
    return transport;
  }

  /** Connections beyond max-clients that wait to show they are the cluster's. */
  ClusterReserve clusterReserve() {
    return clusterReserve;
  }

  /** Concurrent connections accepted: max-clients, or less when the open-files limit is lower. */
  int maxClients() {
    return effectiveMaxClients;
  }

  /** Connected clients now. */
  public int connectedClients() {
    return stats.connectedClients.get();
  }

  /** The most bytes of replies seen queued for one connection at the end of a read batch. */
  public long outputBufferPeak() {
    return stats.outputBufferPeak.get();
  }

  NodeConfig config() {
    return config;
  }

  NodeStats stats() {
    return stats;
  }

  /** The cap on all clients' buffers together (max-clients-memory). */
  ClientMemory clientMemory() {
    return clientMemory;
  }

  CommandTable commands() {
    return commands;
  }

  /** The keys clients WATCH. */
  KeyWatches watches() {
    return watches;
  }

  /** The per-loop locks that make EXEC atomic. */
  LoopLocks locks() {
    return locks;
  }

  /** What the node serves of the handshake family (COMMAND's answers over {@link #commands()}). */
  io.ringcache.resp.command.Handshake.Server handshake() {
    return handshake;
  }

  Clock clock() {
    return clock;
  }

  long uptimeSeconds() {
    return (System.nanoTime() - startNanos) / 1_000_000_000L;
  }

  void register(Channel ch) {
    clients.add(ch);
  }

  /** The client connections open now (CLIENT LIST). */
  Iterable<Channel> clientChannels() {
    return clients;
  }

  /** A future that completes when the server channel closes. */
  public Future<Void> closeFuture() {
    return serverChannel.closeFuture();
  }

  /** Stops accepting, answers what was read, closes every client, stops the loops. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (housekeeping != null) {
      housekeeping.cancel(false);
    }
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    List<Channel> open = new ArrayList<>(clients);
    for (Channel ch : open) {
      ch.eventLoop()
          .execute(
              () -> {
                io.netty.channel.ChannelHandlerContext decoder = ch.pipeline().context(RespDecoder.class);
                if (decoder != null) {
                  ((RespDecoder) decoder.handler()).stop(decoder);
                }
                ch.config().setAutoRead(false);
                ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
              });
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_TIMEOUT_MS);
    for (Channel ch : open) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !ch.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
        ch.close();
      }
    }
    if (!open.isEmpty()) {
      log.info("closed {} client connections", open.size());
    }
    if (peers != null) {
      peers.close();
    }
    clusterWork.shutdownNow();
    walks.shutdownNow();
    metrics.close();
    List<Future<?>> shutdowns = new ArrayList<>();
    if (workers != null) {
      shutdowns.add(workers.shutdownGracefully(0, 1, TimeUnit.SECONDS));
    }
    if (boss != null) {
      shutdowns.add(boss.shutdownGracefully(0, 1, TimeUnit.SECONDS));
    }
    for (Future<?> f : shutdowns) {
      f.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    log.info("cache node on port {} stopped", serverChannel == null ? config.port() : port);
  }
}
