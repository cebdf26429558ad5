package io.ringcache.resp.net;

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;

/** Binds a server's listening port, and when it cannot, says which port, for what, and why. */
public final class Listen {

  private Listen() {}

  /**
   * Binds {@code bootstrap} to {@code host:port}; {@code what} names the port in the error
   * ("RESP port", "admin API").
   *
   * @throws StartFailure naming the address and the reason, e.g. another process holds the port
   */
  public static Channel bind(AbstractBootstrap<?, ?> bootstrap, String host, int port, String what) {
    ChannelFuture bound = bootstrap.bind(host, port).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      throw new StartFailure("cannot listen on " + new HostPort(host, port) + " (" + what + "): " + reason(bound.cause()),
          bound.cause());
    }
    return bound.channel();
  }

  /** The kernel's reason in words, from Netty's native error text ("bind(..) failed with error(-98): ..."). */
  static String reason(Throwable cause) {
    String message = String.valueOf(cause.getMessage());
    if (message.contains("Address already in use")) {
      return "address already in use (another process listens on that port)";
    }
    if (message.contains("Cannot assign requested address")) {
      return "no network interface of this host has that address";
    }
    if (message.contains("Permission denied")) {
      return "permission denied (a port below 1024 needs privileges)";
    }
    return message;
  }
}
