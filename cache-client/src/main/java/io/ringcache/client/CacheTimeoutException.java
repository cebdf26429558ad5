package io.ringcache.client;

/** No reply arrived within the command timeout (retries and redirects included). */
public class CacheTimeoutException extends CacheException {

  private static final long serialVersionUID = 1L;

  /** A timeout described by {@code message}. */
  public CacheTimeoutException(String message) {
    super(message);
  }

  /** {@code message}, caused by {@code cause}. */
  public CacheTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  CacheException forCaller() {
    return new CacheTimeoutException(getMessage(), this);
  }
}
