package io.ringcache.client;

/**
 * The nodes kept redirecting the request ({@code -MOVED}) or asking to try again ({@code
 * -TRYAGAIN}) more times than the client allows; usually the cluster is in the middle of a scale
 * event that takes longer than expected.
 */
public class CacheRedirectException extends CacheException {

  private static final long serialVersionUID = 1L;

  /** Redirects or retries ran out, as {@code message} says. */
  public CacheRedirectException(String message) {
    super(message);
  }

  /** {@code message}, caused by {@code cause}. */
  public CacheRedirectException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  CacheException forCaller() {
    return new CacheRedirectException(getMessage(), this);
  }
}
