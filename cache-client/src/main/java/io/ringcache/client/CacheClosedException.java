package io.ringcache.client;

/**
 * The client was closed before the operation completed (or the operation was started after it
 * was closed). {@link CacheClient#close()} fails every queued, in-flight and retried operation
 * with it before the client's I/O threads stop.
 */
public class CacheClosedException extends CacheException {

  private static final long serialVersionUID = 1L;

  /** An operation ended by {@link CacheClient#close()}, as {@code message} says. */
  public CacheClosedException(String message) {
    super(message);
  }

  /** {@code message}, caused by {@code cause}. */
  public CacheClosedException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  CacheException forCaller() {
    return new CacheClosedException(getMessage(), this);
  }
}
