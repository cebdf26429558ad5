package io.ringcache.client;

/**
 * The root of the client's exceptions: every failure of a cache operation is a {@code
 * CacheException} or one of its subclasses. It is unchecked, as Lettuce's and Jedis' are.
 *
 * <p>The subclasses say what went wrong: {@link CacheConnectionException} (a node could not be
 * reached or the connection dropped), {@link CacheTimeoutException} (no reply in time), {@link
 * CacheRedirectException} (too many redirects), {@link CacheOverloadException} (too many requests
 * in flight) and {@link CacheServerException} (the node answered with an error).
 */
public class CacheException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** An exception with {@code message}. */
  public CacheException(String message) {
    super(message);
  }

  /** An exception with {@code message}, caused by {@code cause}. */
  public CacheException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * A fresh exception of the same type and message, caused by this one: what a blocking call
   * throws, so that its stack is the caller's (this one's is the I/O thread's) and no two callers
   * share an instance.
   */
  CacheException forCaller() {
    return new CacheException(getMessage(), this);
  }
}
