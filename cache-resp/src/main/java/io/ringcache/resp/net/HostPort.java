package io.ringcache.resp.net;

import java.net.InetSocketAddress;

/**
 * A {@code host:port} address, the form topologies, seeds, redirects and options use; an IPv6 host
 * is written in brackets. The one parser of such addresses in node, router and client.
 */
public record HostPort(String host, int port) {

  /**
   * Parses {@code host:port}, split at the last colon, with a port from 1 to 65535.
   *
   * @throws IllegalArgumentException if {@code address} is null or not of that form
   */
  public static HostPort parse(String address) {
    if (address == null) {
      throw new IllegalArgumentException("address must not be null");
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException("address must be host:port: " + address);
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("address must be host:port: " + address);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be between 1 and 65535: " + address);
    }
    return new HostPort(host, port);
  }

  /** The socket address to connect to (resolving the host). */
  public InetSocketAddress toSocketAddress() {
    return new InetSocketAddress(host, port);
  }

  /** Whether {@code host} (a name or a literal) resolves to a loopback address; false if it does not resolve. */
  public static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
