package io.ringcache.resp;

import io.ringcache.resp.net.HostPort;

/**
 * An error reply that sends a request elsewhere or later: {@code -MOVED <epoch> <host>:<port>},
 * {@code -TRYAGAIN ...} or {@code -CROSSNODE ...} (see docs/protocol.md). The one parser of these
 * replies: the client and the proxy follow them through it.
 *
 * <p>A reply is a redirect by its first word, exactly (so {@code MOVEDX} and {@code ERR MOVED} are
 * not). Only {@code MOVED} carries data: {@link #epoch} (Redis Cluster's slot parses as one) and
 * {@link #address}, as the node wrote it (an IPv6 host in brackets). The others carry neither.
 *
 * @param kind which redirect
 * @param epoch the topology epoch of a {@code MOVED}; -1 for the others
 * @param address the {@code host:port} of a {@code MOVED}; null for the others
 */
public record Redirect(Kind kind, long epoch, String address) {

  /** The redirect replies, by their error prefix. */
  public enum Kind {
    /** Another node owns the key as of an epoch: send it there. */
    MOVED,
    /** No node can serve the key now: send it again after a backoff. */
    TRYAGAIN,
    /** The keys of a multi-key request are not all routed the same way: split it. */
    CROSSNODE
  }

  /** A {@code MOVED} to {@code address} as of {@code epoch}. */
  public static Redirect moved(long epoch, String address) {
    return new Redirect(Kind.MOVED, epoch, address);
  }

  /**
   * Which redirect {@code message} (an error reply's text, without the leading {@code -}) is, by its
   * first word only; null if it is no redirect. Does not check the rest (see {@link #parse}).
   */
  public static Kind kindOf(String message) {
    if (isWord(message, "MOVED")) {
      return Kind.MOVED;
    }
    if (isWord(message, "TRYAGAIN")) {
      return Kind.TRYAGAIN;
    }
    if (isWord(message, "CROSSNODE")) {
      return Kind.CROSSNODE;
    }
    return null;
  }

  /**
   * Parses an error reply's text (without the leading {@code -}): null if it is no redirect.
   *
   * @throws IllegalArgumentException if it is a {@code MOVED} not of the form {@code MOVED <epoch>
   *     <host>:<port>} (an epoch from 0 to {@link Long#MAX_VALUE}, a port from 1 to 65535); the
   *     message quotes the reply
   */
  public static Redirect parse(String message) {
    Kind kind = kindOf(message);
    if (kind == null) {
      return null;
    }
    if (kind != Kind.MOVED) {
      return new Redirect(kind, -1, null);
    }
    int first = message.indexOf(' ');
    int second = first < 0 ? -1 : message.indexOf(' ', first + 1);
    if (second < 0 || message.indexOf(' ', second + 1) >= 0) {
      throw malformed(message, "three words");
    }
    long epoch;
    try {
      epoch = Long.parseLong(message, first + 1, second, 10);
    } catch (NumberFormatException e) {
      throw malformed(message, "an epoch from 0 to " + Long.MAX_VALUE);
    }
    if (epoch < 0) {
      throw malformed(message, "an epoch from 0 to " + Long.MAX_VALUE);
    }
    String address = message.substring(second + 1);
    try {
      HostPort.parse(address);
    } catch (IllegalArgumentException e) {
      throw malformed(message, "host:port with a port from 1 to 65535");
    }
    return moved(epoch, address);
  }

  private static boolean isWord(String message, String word) {
    return message.startsWith(word) && (message.length() == word.length() || message.charAt(word.length()) == ' ');
  }

  private static IllegalArgumentException malformed(String message, String expected) {
    String shown = message.length() > 200 ? message.substring(0, 200) + "..." : message;
    return new IllegalArgumentException(
        "malformed redirect: -" + shown + " (expected: MOVED <epoch> <host>:<port>, " + expected + ")");
  }
}
