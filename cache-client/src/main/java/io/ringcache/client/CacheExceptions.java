package io.ringcache.client;

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

  /** Whether {@code message} is a reply of this kind (its first word is {@code code}). */
  static boolean is(String message, String code) {
    return message.startsWith(code)
        && (message.length() == code.length() || message.charAt(code.length()) == ' ');
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
   * A parsed {@code -MOVED <epoch> <host>:<port>}; {@code null} if the message has another shape.
   * Redis Cluster's {@code -MOVED <slot> <host>:<port>} parses too (the slot reads as the epoch).
   */
  static Moved parseMoved(String message) {
    if (!is(message, MOVED)) {
      return null;
    }
    int first = message.indexOf(' ');
    int second = message.indexOf(' ', first + 1);
    if (first < 0 || second < 0) {
      return null;
    }
    long epoch;
    try {
      epoch = Long.parseLong(message.substring(first + 1, second));
    } catch (NumberFormatException e) {
      return null;
    }
    String address = message.substring(second + 1).trim();
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      return null;
    }
    return new Moved(epoch, address);
  }

  /** A redirect: the node at {@code address} owns the key as of topology {@code epoch}. */
  record Moved(long epoch, String address) {}
}
