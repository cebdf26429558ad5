package io.ringcache.client;

import io.ringcache.resp.Redirect;
import java.util.Locale;

/**
 * The one place where server error replies become exceptions, by their Redis prefix. Redirects
 * ({@code -MOVED}) and {@code -TRYAGAIN} are normally handled by the client before they get here;
 * they only reach the caller when their retry budget is spent.
 */
final class CacheExceptions {

  static final String MOVED = "MOVED";
  static final String TRYAGAIN = "TRYAGAIN";
  static final String CROSSNODE = "CROSSNODE";

  private CacheExceptions() {}

  /** The error's prefix: the first word of the reply, {@code ERR} when there is none. */
  static String code(String message) {
    int space = message.indexOf(' ');
    String word = space < 0 ? message : message.substring(0, space);
    return word.isEmpty() ? "ERR" : word;
  }

  /** The exception for the error reply {@code message} (without the leading '-') from {@code address}. */
  static CacheException fromServerError(String address, String message) {
    String code = code(message);
    String lower = message.toLowerCase(Locale.ROOT);
    switch (code) {
      case "NOAUTH":
      case "WRONGPASS":
        return new CacheAuthenticationException(address, code, message);
      case "ERR":
        if (lower.contains("invalid password") || lower.contains("invalid username-password")) {
          return new CacheAuthenticationException(address, code, message);
        }
        return new CacheServerException(address, code, message);
      case MOVED:
      case TRYAGAIN:
        return new CacheRedirectException(
            "gave up following redirects: last reply from " + address + " was -" + message);
      default:
        return new CacheServerException(address, code, message);
    }
  }

  /** Whether a node answered that it does not know the command (a plain Redis, for example). */
  static boolean isUnknownCommand(String message) {
    return message.startsWith("ERR unknown command") || message.startsWith("ERR Unknown command");
  }

  /**
   * A parsed {@code -MOVED <epoch> <host>:<port>} (see {@link Redirect#parse}); {@code null} if the
   * message is another reply or a malformed {@code -MOVED}, which then reaches the caller as it is.
   * Redis Cluster's {@code -MOVED <slot> <host>:<port>} parses too (the slot reads as the epoch).
   */
  static Redirect parseMoved(String message) {
    if (Redirect.kindOf(message) != Redirect.Kind.MOVED) {
      return null;
    }
    try {
      return Redirect.parse(message);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
