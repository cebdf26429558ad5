package io.ringcache.client;

/**
 * The request was refused before it was sent: the node's connection already had {@link
 * ClientOptions#maxInFlightPerNode()} requests in flight.
 */
public class CacheOverloadException extends CacheException {

  private static final long serialVersionUID = 1L;

  /** A refused request, as {@code message} says. */
  public CacheOverloadException(String message) {
    super(message);
  }

  /** {@code message}, caused by {@code cause}. */
  public CacheOverloadException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  CacheException forCaller() {
    return new CacheOverloadException(getMessage(), this);
  }
}
