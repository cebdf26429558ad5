package io.ringcache.resp.net;

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

/**
 * The Netty transport of every event loop in the project (node, router, proxy port, client):
 * native epoll where it is available (Linux), NIO otherwise or when the system property {@value
 * #PROPERTY} is {@code nio}. The property is read when {@link #current()} is called, so a process
 * (or a test) that sets it before starting a server or client gets NIO there.
 */
public final class Transport {

  /** The system property that forces NIO: {@code -Dringcache.transport=nio}. */
  public static final String PROPERTY = "ringcache.transport";

  private static final Transport EPOLL = new Transport(true);
  private static final Transport NIO = new Transport(false);

  private final boolean epoll;

  private Transport(boolean epoll) {
    this.epoll = epoll;
  }

  /** Epoll when it is available and {@value #PROPERTY} is not {@code nio}; else NIO. */
  public static Transport current() {
    return Epoll.isAvailable() && !"nio".equalsIgnoreCase(System.getProperty(PROPERTY)) ? EPOLL : NIO;
  }

  /** {@code "epoll"} or {@code "nio"}. */
  public String name() {
    return epoll ? "epoll" : "nio";
  }

  public IoHandlerFactory ioHandlerFactory() {
    return epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  /** An event loop group of {@code threads} loops on this transport. */
  public MultiThreadIoEventLoopGroup newGroup(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory());
  }

  public Class<? extends ServerChannel> serverChannel() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public Class<? extends SocketChannel> socketChannel() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  @Override
  public String toString() {
    return name();
  }
}
