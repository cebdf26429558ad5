package io.ringcache.resp.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketOption;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;

/*
 * A long-lived connection the network silently stopped carrying (its packets dropped: a partition,
 * a firewall or conntrack entry lost, a stateful firewall failing over, a host gone without a
 * reset) is otherwise kept until the kernel gives up retransmitting, about 15 minutes, and every
 * request sent on it meanwhile waits that long. The kernel can tell such a connection from a slow
 * peer, which the application cannot: a live peer's kernel acknowledges what it receives, however
 * long its answer takes. So:
 *
 *   - TCP_USER_TIMEOUT: data left unacknowledged USER_TIMEOUT_MILLIS closes the connection (a
 *     request sent into a black hole);
 *   - keepalive after KEEPALIVE_IDLE_SECONDS without traffic, probed every KEEPALIVE_INTERVAL_SECONDS,
 *     KEEPALIVE_PROBES times: a connection whose peer's acknowledgements stop while nothing is being
 *     sent (a request acknowledged, then its reply lost; an idle pooled connection) is closed too.
 *
 * A command that takes long at a live peer (KEYS walking a large node) is not cut: its request was
 * acknowledged, and so are the probes. The native transports (epoll, io_uring) get both; NIO gets
 * keepalive only (the JDK has no TCP_USER_TIMEOUT): it catches an idle connection that died, but
 * a request sent into a black hole keeps the connection busy retransmitting, so under NIO that
 * request still waits for the kernel. Epoll is the default on Linux.
 */

/** Kernel-level detection of dead peers on a client connection (TCP_USER_TIMEOUT and keepalive). */
public final class DeadPeers {

  /** Sent data unacknowledged this long closes the connection (native transports). */
  public static final int USER_TIMEOUT_MILLIS = 5_000;
  /** Idle time before the first keepalive probe. */
  public static final int KEEPALIVE_IDLE_SECONDS = 5;
  /** Time between keepalive probes. */
  public static final int KEEPALIVE_INTERVAL_SECONDS = 1;
  /** Unanswered probes before the connection is closed. */
  public static final int KEEPALIVE_PROBES = 3;

  private DeadPeers() {}

  /**
   * Keepalive, with the timing above, on a blocking socket (the router's control connections to
   * the nodes): a reply that waits a long time (RING.STREAM waits for a whole stream) on a
   * connection that went silent fails within seconds instead of never (its request was
   * acknowledged long before, so nothing is retransmitted and the kernel would not give up). The
   * JDK has no TCP_USER_TIMEOUT; a connection that goes silent while a request is unacknowledged
   * waits for the kernel, but those requests are small and acknowledged at once.
   */
  public static Socket detect(Socket socket) throws IOException {
    socket.setKeepAlive(true);
    Set<SocketOption<?>> supported = socket.supportedOptions();
    if (supported.contains(ExtendedSocketOptions.TCP_KEEPIDLE)) {
      socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS);
      socket.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, KEEPALIVE_INTERVAL_SECONDS);
      socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, KEEPALIVE_PROBES);
    }
    return socket;
  }

  /** Redis's default {@code tcp-keepalive}: the seconds a client connection stays idle before its first probe. */
  public static final int DEFAULT_CLIENT_KEEPALIVE_SECONDS = 300;

  /**
   * Keepalive on the connections a server accepts, as Redis's {@code tcp-keepalive}: the first
   * probe after {@code seconds} idle, then every third of it (at least 1 s), closed after 3
   * unanswered, so a client whose host went away without a word (a crash, a power cut, a NAT that
   * forgot it) does not hold its slot and its buffers for ever; 0 leaves keepalive off. Returns
   * {@code bootstrap}.
   */
  public static ServerBootstrap clientKeepalive(ServerBootstrap bootstrap, Class<? extends ServerChannel> serverType,
      int seconds) {
    if (seconds < 0) {
      throw new IllegalArgumentException("tcp-keepalive must not be negative (0 turns it off): " + seconds);
    }
    if (seconds == 0) {
      return bootstrap;
    }
    int interval = Math.max(1, seconds / 3);
    Names names = Names.of(EpollServerSocketChannel.class.isAssignableFrom(serverType),
        IoUringServerSocketChannel.class.isAssignableFrom(serverType));
    bootstrap.childOption(ChannelOption.SO_KEEPALIVE, true)
        .childOption(names.idle(), seconds)
        .childOption(names.interval(), interval)
        .childOption(names.probes(), KEEPALIVE_PROBES);
    return bootstrap;
  }

  /** Sets the options on {@code bootstrap}, whose channels are of {@code channelType}; returns it. */
  public static Bootstrap detect(Bootstrap bootstrap, Class<? extends Channel> channelType) {
    Names names = Names.of(EpollSocketChannel.class.isAssignableFrom(channelType),
        IoUringSocketChannel.class.isAssignableFrom(channelType));
    bootstrap.option(ChannelOption.SO_KEEPALIVE, true)
        .option(names.idle(), KEEPALIVE_IDLE_SECONDS)
        .option(names.interval(), KEEPALIVE_INTERVAL_SECONDS)
        .option(names.probes(), KEEPALIVE_PROBES);
    if (names.userTimeout() != null) {
      bootstrap.option(names.userTimeout(), USER_TIMEOUT_MILLIS);
    }
    return bootstrap;
  }

  /** Each transport's own names of the options (NIO has no TCP_USER_TIMEOUT: null). */
  private record Names(ChannelOption<Integer> idle, ChannelOption<Integer> interval, ChannelOption<Integer> probes,
      ChannelOption<Integer> userTimeout) {

    static Names of(boolean epoll, boolean ioUring) {
      if (epoll) {
        return new Names(EpollChannelOption.TCP_KEEPIDLE, EpollChannelOption.TCP_KEEPINTVL, EpollChannelOption.TCP_KEEPCNT,
            EpollChannelOption.TCP_USER_TIMEOUT);
      }
      if (ioUring) {
        return new Names(IoUringChannelOption.TCP_KEEPIDLE, IoUringChannelOption.TCP_KEEPINTVL,
            IoUringChannelOption.TCP_KEEPCNT, IoUringChannelOption.TCP_USER_TIMEOUT);
      }
      return new Names(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE),
          NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL),
          NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), null);
    }
  }
}
