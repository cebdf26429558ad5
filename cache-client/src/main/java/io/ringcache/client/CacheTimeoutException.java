package io.ringcache.client;

/** No reply arrived within the command timeout (retries and redirects included). */
public class CacheTimeoutException extends CacheException {

  private static final long serialVersionUID = 1L;

  /** A timeout described by {@code message}. */
  public CacheTimeoutException(String message) {
    super(message);
  }
}
