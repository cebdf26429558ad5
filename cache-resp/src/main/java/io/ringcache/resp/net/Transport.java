package io.ringcache.resp.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringAdaptiveBufferRingAllocator;
import io.netty.channel.uring.IoUringBufferRingConfig;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The choice, in order: the system property ringcache.transport, else the environment variable
 * RINGCACHE_TRANSPORT, else the default (epoll). A requested native transport the process cannot
 * use (io_uring refused by the kernel, by io_uring_disabled or by a container's seccomp profile;
 * epoll off Linux) falls back to the next one down, io_uring -> epoll -> NIO, and the fallback is
 * logged once with Netty's reason. An unknown name is an error, not a silent default: a typo must
 * not benchmark the wrong transport.
 *
 * Every transport is given the same channel options by its callers (only ChannelOption's generic
 * ones: TCP_NODELAY, SO_KEEPALIVE, SO_BACKLOG, SO_REUSEADDR, AUTO_READ, ALLOCATOR, watermarks,
 * CONNECT_TIMEOUT_MILLIS), so behaviour does not depend on the choice; the one exception is
 * DeadPeers (TCP_USER_TIMEOUT and keepalive timing, which each transport names its own way, and NIO
 * lacks TCP_USER_TIMEOUT). io_uring runs Netty's
 * defaults (128 submission and 4096 completion entries, single issuer; a ring of 1024 measured no
 * better; no SQPOLL: a polling kernel thread would take one of two cores); docs/benchmarks.md
 * ("io_uring against epoll") has what was measured and why epoll stays the default.
 */

/**
 * The Netty transport of every event loop in the project (node, router, proxy port, client):
 * io_uring, native epoll or NIO, chosen by the system property {@value #PROPERTY} or the
 * environment variable {@value #ENV} ({@code io_uring}, {@code epoll} or {@code nio}); epoll by
 * default. A native transport that is not available falls back to the next (io_uring, then epoll,
 * then NIO), logged once. The choice is made when {@link #current()} is called, so a process (or a
 * test) that sets the property before starting a server or client gets that transport there.
 */
public final class Transport {

  private static final Logger log = LoggerFactory.getLogger(Transport.class);

  /** The system property that chooses the transport: {@code -Dringcache.transport=io_uring|epoll|nio}. */
  public static final String PROPERTY = "ringcache.transport";

  /** The environment variable read when {@value #PROPERTY} is not set. */
  public static final String ENV = "RINGCACHE_TRANSPORT";

  /**
   * With io_uring, {@code -Dringcache.iouring.bufferRing=true} gives each loop a ring of provided
   * buffers and the accepted connections multishot receives from it (one recv submission per
   * connection instead of one per read). Off by default; see docs/benchmarks.md.
   */
  public static final String BUFFER_RING_PROPERTY = "ringcache.iouring.bufferRing";

  /** The buffer group id of the provided-buffer ring (one group per loop). */
  private static final short BUFFER_GROUP = 1;

  /** Provided buffers per loop; sized by the adaptive allocator as reads grow or shrink. */
  private static final short BUFFER_RING_SIZE = 512;

  /** The transport used when neither {@value #PROPERTY} nor {@value #ENV} names one. */
  public static final Kind DEFAULT = Kind.EPOLL;

  /** The transports, best first: each falls back to the next when it is not available. */
  public enum Kind {
    IO_URING("io_uring"),
    EPOLL("epoll"),
    NIO("nio");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    /** {@code "io_uring"}, {@code "epoll"} or {@code "nio"}. */
    public String label() {
      return label;
    }

    /** The kind named {@code name} (case-insensitive; {@code iouring} for io_uring too). */
    public static Kind parse(String name, String source) {
      String n = name.trim().toLowerCase(Locale.ROOT);
      return switch (n) {
        case "io_uring", "iouring", "io-uring" -> IO_URING;
        case "epoll" -> EPOLL;
        case "nio" -> NIO;
        default -> throw new IllegalArgumentException(
            source + ": '" + name + "' (expected: io_uring, epoll or nio)");
      };
    }
  }

  /** Log lines already written: a process makes many loops (client, proxy) and says each choice once. */
  private static final Set<String> logged = ConcurrentHashMap.newKeySet();

  private final Kind kind;
  private final String why;
  private final boolean fellBack;

  private Transport(Kind kind, String why, boolean fellBack) {
    this.kind = kind;
    this.why = why;
    this.fellBack = fellBack;
  }

  /**
   * The transport {@value #PROPERTY}, else {@value #ENV}, else {@link #DEFAULT} names, or the
   * next available one down; logs the choice (and any fallback) once per process.
   *
   * @throws IllegalArgumentException when the property or variable names no transport
   */
  public static Transport current() {
    Transport t = choose(System.getProperty(PROPERTY), System.getenv(ENV), Transport::ioUringAvailable,
        Transport::ioUringCause, Epoll::isAvailable, Epoll::unavailabilityCause);
    if (logged.add(t.kind + t.why)) {
      if (t.fellBack) {
        log.warn("transport {}: {}", t.name(), t.why);
      } else {
        log.info("transport {}: {}", t.name(), t.why);
      }
    }
    return t;
  }

  /** The choice, from what was requested and what is available (the seam {@link #current()} and tests share). */
  static Transport choose(String property, String env, BooleanSupplier ioUring, Supplier<Throwable> ioUringCause,
      BooleanSupplier epoll, Supplier<Throwable> epollCause) {
    Kind requested;
    String source;
    if (property != null && !property.isBlank()) {
      requested = Kind.parse(property, "-D" + PROPERTY);
      source = "-D" + PROPERTY + "=" + property.trim();
    } else if (env != null && !env.isBlank()) {
      requested = Kind.parse(env, ENV);
      source = ENV + "=" + env.trim();
    } else {
      requested = DEFAULT;
      source = "the default";
    }
    String why = "chosen by " + source;
    Kind k = requested;
    if (k == Kind.IO_URING && !ioUring.getAsBoolean()) {
      why = "io_uring (" + source + ") is unavailable (" + reason(ioUringCause.get())
          + "), so falling back to epoll";
      k = Kind.EPOLL;
    }
    if (k == Kind.EPOLL && !epoll.getAsBoolean()) {
      why = (requested == Kind.EPOLL ? "epoll (" + source + ")" : why + ", but epoll") + " is unavailable ("
          + reason(epollCause.get()) + "), so falling back to nio";
      k = Kind.NIO;
    }
    return new Transport(k, why, k != requested);
  }

  // io_uring's classes are looked up only when io_uring is asked for, and their absence (a classpath
  // without netty-transport-classes-io_uring) is one more reason it is unavailable
  private static boolean ioUringAvailable() {
    try {
      return IoUring.isAvailable();
    } catch (LinkageError e) {
      return false;
    }
  }

  private static Throwable ioUringCause() {
    try {
      return IoUring.unavailabilityCause();
    } catch (LinkageError e) {
      return e;
    }
  }

  private static String reason(Throwable cause) {
    if (cause == null) {
      return "no reason given";
    }
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == cause ? cause.toString() : cause + "; " + root;
  }

  /** The transport this is. */
  public Kind kind() {
    return kind;
  }

  /** {@code "io_uring"}, {@code "epoll"} or {@code "nio"}. */
  public String name() {
    return kind.label();
  }

  /** True when the requested transport was unavailable and this is the one it fell back to. */
  public boolean fellBack() {
    return fellBack;
  }

  /** Why this transport: what requested it, and the reason for any fallback. */
  public String why() {
    return why;
  }

  public IoHandlerFactory ioHandlerFactory() {
    return switch (kind) {
      case IO_URING -> IoUringIoHandler.newFactory(ioUringConfig());
      case EPOLL -> EpollIoHandler.newFactory();
      case NIO -> NioIoHandler.newFactory();
    };
  }

  private static boolean bufferRing() {
    return Boolean.getBoolean(BUFFER_RING_PROPERTY);
  }

  private static IoUringIoHandlerConfig ioUringConfig() {
    IoUringIoHandlerConfig config = new IoUringIoHandlerConfig();
    if (bufferRing()) {
      config.setBufferRingConfig(IoUringBufferRingConfig.builder()
          .bufferGroupId(BUFFER_GROUP)
          .bufferRingSize(BUFFER_RING_SIZE)
          .batchSize(BUFFER_RING_SIZE / 8)
          .allocator(new IoUringAdaptiveBufferRingAllocator(PooledByteBufAllocator.DEFAULT))
          .build());
    }
    return config;
  }

  /**
   * Sets the options this transport wants on a server's accepted connections beyond the ones every
   * transport gets: with io_uring and {@value #BUFFER_RING_PROPERTY}, the provided-buffer group.
   */
  public ServerBootstrap configureChildren(ServerBootstrap bootstrap) {
    if (kind == Kind.IO_URING && bufferRing()) {
      bootstrap.childOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, BUFFER_GROUP);
    }
    return bootstrap;
  }

  /** An event loop group of {@code threads} loops on this transport. */
  public MultiThreadIoEventLoopGroup newGroup(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory());
  }

  public Class<? extends ServerChannel> serverChannel() {
    return switch (kind) {
      case IO_URING -> IoUringServerSocketChannel.class;
      case EPOLL -> EpollServerSocketChannel.class;
      case NIO -> NioServerSocketChannel.class;
    };
  }

  public Class<? extends SocketChannel> socketChannel() {
    return switch (kind) {
      case IO_URING -> IoUringSocketChannel.class;
      case EPOLL -> EpollSocketChannel.class;
      case NIO -> NioSocketChannel.class;
    };
  }

  @Override
  public String toString() {
    return name();
  }
}
