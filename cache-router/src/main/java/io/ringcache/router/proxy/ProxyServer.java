package io.ringcache.router.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.ringcache.resp.RespLimits;
import io.ringcache.resp.net.ClientMemory;
import io.ringcache.resp.net.Descriptors;
import io.ringcache.resp.net.OutputGuard;
import io.ringcache.resp.RespDecoder;
import io.ringcache.resp.net.Transport;
import io.ringcache.ring.Topology;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's RESP proxy port: any Redis client (redis-cli, Jedis, Lettuce in standalone mode)
 * talks to the whole cluster through it. Keyed commands go to the owner of their key under the
 * router's live topology, multi-key commands are split per node and merged, and redirects during
 * scale events are followed inside the proxy. See docs/protocol.md, "Router proxy".
 */
public final class ProxyServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

  private final Supplier<Topology> topology;
  private final String password;
  private final RespLimits limits = RespLimits.defaults();
  private final Routes routes;
  private final EventLoopGroup group;
  private final Transport transport;
  private final int threads;
  private final Class<? extends ServerChannel> serverType;
  private final Class<? extends Channel> channelType;
  private final Map<EventLoop, Dispatcher> dispatchers = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final ProxyStats stats = new ProxyStats();
  private Channel serverChannel;
  private int port;
  private String bind;
  private io.netty.handler.ssl.SslContext tls;
  private io.netty.handler.ssl.SslContext nodeTls;
  private long maxOutputBuffer = RespLimits.DEFAULT_MAX_OUTPUT_BUFFER;
  private Duration outputStallTimeout = Duration.ofSeconds(RespLimits.DEFAULT_OUTPUT_STALL_SECONDS);
  private int maxClients = RespLimits.DEFAULT_MAX_CLIENTS;
  private long maxClientsMemory = RespLimits.DEFAULT_MAX_CLIENTS_MEMORY;
  private Duration authTimeout = Duration.ofSeconds(RespLimits.DEFAULT_AUTH_TIMEOUT_SECONDS);
  private int clientKeepaliveSeconds = io.ringcache.resp.net.DeadPeers.DEFAULT_CLIENT_KEEPALIVE_SECONDS;
  private ClientMemory clientMemory;
  private final AtomicInteger connected = new AtomicInteger();
  private final OutputGuard.Closes outputCloses =
      reason -> (reason == OutputGuard.Reason.STALLED ? stats.outputStallCloses : stats.outputLimitCloses).increment();

  /**
   * @param topology the router's live topology
   * @param password what clients must AUTH with and the proxy authenticates to nodes with; null for none
   * @param threads event loops
   */
  public ProxyServer(Supplier<Topology> topology, String password, int threads) {
    this.topology = topology;
    this.password = password == null || password.isEmpty() ? null : password;
    this.routes = new Routes(topology);
    this.transport = Transport.current();
    this.threads = threads;
    this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("ringcache-proxy", true),
        transport.ioHandlerFactory());
    this.serverType = transport.serverChannel();
    this.channelType = transport.socketChannel();
  }

  /**
   * Serves TLS only (before {@link #start}): every connection must begin with a TLS handshake; a
   * plaintext client's first bytes fail it and the connection is closed.
   */
  public ProxyServer tls(io.netty.handler.ssl.SslContext context) {
    this.tls = context;
    return this;
  }

  /**
   * Dials nodes with TLS (before {@link #start}), checking their certificates with {@code context}.
   */
  public ProxyServer nodeTls(io.netty.handler.ssl.SslContext context) {
    this.nodeTls = context;
    return this;
  }

  /**
   * Limits what the port holds for a client that does not read its replies (before {@link #start}):
   * it is closed once they exceed {@code maxOutputBuffer} bytes, or once they stay above the
   * write-buffer high watermark for {@code stallTimeout} ({@link Duration#ZERO}: never). Default
   * 64 MiB and 60 s. See {@link OutputGuard}.
   */
  public ProxyServer outputLimits(long maxOutputBuffer, Duration stallTimeout) {
    if (maxOutputBuffer <= 0) {
      throw new IllegalArgumentException("proxy-max-output-buffer must be positive: " + maxOutputBuffer);
    }
    if (stallTimeout.isNegative()) {
      throw new IllegalArgumentException("proxy-output-stall-timeout must not be negative: " + stallTimeout);
    }
    this.maxOutputBuffer = maxOutputBuffer;
    this.outputStallTimeout = stallTimeout;
    return this;
  }

  /**
   * Limits the port's clients (before {@link #start}): at most {@code maxClients} at once (lowered
   * when the open-files limit leaves too few descriptors), their buffers together at most
   * {@code maxClientsMemory} bytes (0: a quarter of the JVM's max heap, at least 64 MiB; the largest
   * are closed first), and a client that has not authenticated within {@code authTimeout}, when a
   * password is set, is closed ({@link Duration#ZERO}: never). Defaults 10,000, 0 and 10 s.
   */
  public ProxyServer clientLimits(int maxClients, long maxClientsMemory, Duration authTimeout) {
    if (maxClients <= 0) {
      throw new IllegalArgumentException("proxy-max-clients must be positive: " + maxClients);
    }
    this.maxClients = maxClients;
    this.maxClientsMemory = maxClientsMemory;
    this.authTimeout = authTimeout;
    return this;
  }

  /**
   * Keepalive on the clients' connections (before {@link #start}): the first probe after {@code
   * seconds} idle, as Redis's tcp-keepalive ({@link io.ringcache.resp.net.DeadPeers#clientKeepalive});
   * 0 for off. Default {@value io.ringcache.resp.net.DeadPeers#DEFAULT_CLIENT_KEEPALIVE_SECONDS}.
   */
  public ProxyServer clientKeepalive(int seconds) {
    if (seconds < 0) {
      throw new IllegalArgumentException("proxy-tcp-keepalive must not be negative (0 turns it off): " + seconds);
    }
    this.clientKeepaliveSeconds = seconds;
    return this;
  }

  /** The clients' keepalive idle seconds (0: off). */
  int clientKeepaliveSeconds() {
    return clientKeepaliveSeconds;
  }

  /** Binds {@code bind:port} (0 picks a free port) and serves. */
  public ProxyServer start(String bind, int requestedPort) throws InterruptedException {
    maxClients = Descriptors.maxClients(maxClients, "proxy-max-clients");
    long memoryCap = maxClientsMemory > 0 ? maxClientsMemory
        : RespLimits.clientsMemoryCap(0);
    clientMemory = new ClientMemory(memoryCap, "proxy-max-clients-memory", stats.clientsMemoryCloses);
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(serverType)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ClientHandler client = new ClientHandler(ProxyServer.this, ids.incrementAndGet());
            ClientMemory.Tracked memory = clientMemory.track(ch);
            ch.closeFuture().addListener(f -> memory.close());
            client.track(memory);
            if (tls != null) {
              ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
            }
            // between the client's handler and the transport (or TLS): it sees every reply written
            ch.pipeline().addLast("output",
                new OutputGuard(maxOutputBuffer, outputStallTimeout, "proxy-", outputCloses).track(memory));
            ch.pipeline().addLast("resp", new RespDecoder(limits, client::authenticated).track(memory));
            ch.pipeline().addLast("client", client);
          }
        });
    io.ringcache.resp.net.DeadPeers.clientKeepalive(b, serverType, clientKeepaliveSeconds);
    transport.configureChildren(b);
    serverChannel = io.ringcache.resp.net.Listen.bind(b, bind, requestedPort, "RESP proxy port");
    port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    this.bind = bind;
    log.info("RESP proxy on {}:{}{}{}, {} event loop{}, proxy-max-output-buffer {} bytes, proxy-output-stall-timeout {} s, "
        + "proxy-max-clients {}, proxy-max-clients-memory {} bytes{}", bind, port,
        tls == null ? "" : " (TLS)", password == null ? "" : " (AUTH required)", threads, threads == 1 ? "" : "s",
        maxOutputBuffer, outputStallTimeout.toSeconds(),
        maxClients, memoryCap, password == null || authTimeout.isZero() ? "" : ", auth-timeout " + authTimeout.toSeconds() + " s");
    return this;
  }

  /** The address the proxy port is bound to, as given to {@link #start}. */
  String bind() {
    return bind;
  }

  /** The request limits of the proxy port (the node's defaults). */
  RespLimits limits() {
    return limits;
  }

  /** The port the proxy listens on. */
  public int port() {
    return port;
  }

  /** The proxy's counters. */
  public ProxyStats stats() {
    return stats;
  }

  String password() {
    return password;
  }

  long maxOutputBuffer() {
    return maxOutputBuffer;
  }

  int maxClients() {
    return maxClients;
  }

  Duration authTimeout() {
    return authTimeout;
  }

  /** Counts a client in; returns the clients connected now, it included. */
  int clientConnected() {
    return connected.incrementAndGet();
  }

  void clientDisconnected() {
    connected.decrementAndGet();
  }

  /** Clients connected now. */
  public int connectedClients() {
    return connected.get();
  }

  Topology topology() {
    return topology.get();
  }

  /**
   * The bytes of requests one event loop may hold for one node that does not read them (a paused
   * node): a quarter of proxy-max-clients-memory shared by the loops, at least 16 MiB; four times it
   * for all its nodes. The clients' own buffers no longer hold a forwarded request once it was
   * decoded, so this is apart from their cap.
   */
  private long waitingCap() {
    long cap = clientMemory == null ? RespLimits.clientsMemoryCap(0) : clientMemory.cap();
    return Math.max(16L << 20, cap / 4 / threads);
  }

  Dispatcher dispatcher(EventLoop loop) {
    return dispatchers.computeIfAbsent(loop, l -> new Dispatcher(l, routes, password, channelType, nodeTls, stats,
        waitingCap()));
  }

  @Override
  public void close() {
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    for (Dispatcher d : dispatchers.values()) {
      d.loop().execute(d::close);
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
