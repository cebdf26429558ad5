package io.ringcache.client;

/**
 * The node refused the client's credentials ({@code -WRONGPASS}, {@code -ERR invalid password}) or
 * requires a password that was not configured ({@code -NOAUTH}).
 */
public class CacheAuthenticationException extends CacheServerException {

  private static final long serialVersionUID = 1L;

  /** The authentication error reply {@code message} (prefix {@code code}) from {@code address}. */
  public CacheAuthenticationException(String address, String code, String message) {
    super(address, code, message);
  }

  private CacheAuthenticationException(CacheAuthenticationException original) {
    super(original);
  }

  @Override
  CacheException forCaller() {
    return new CacheAuthenticationException(this);
  }
}
