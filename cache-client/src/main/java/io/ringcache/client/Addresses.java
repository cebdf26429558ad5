package io.ringcache.client;

import java.net.InetSocketAddress;

/** {@code host:port} strings, the form topologies, seeds and redirects use. */
final class Addresses {

  private Addresses() {}

  /** Checks that {@code address} is {@code host:port} with a port from 1 to 65535. */
  static String requireValid(String address) {
    if (address == null) {
      throw new IllegalArgumentException("address must not be null");
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException("address must be host:port: " + address);
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("address must be host:port with a numeric port: " + address);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1 to 65535: " + address);
    }
    return address;
  }

  /** The socket address of {@code host:port}; an IPv6 host may be written in brackets. */
  static InetSocketAddress toSocketAddress(String address) {
    requireValid(address);
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new InetSocketAddress(host, Integer.parseInt(address.substring(colon + 1)));
  }
}
