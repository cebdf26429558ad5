package io.ringcache.client;

/**
 * The node answered with an error reply, for example {@code -ERR value is not an integer} or
 * {@code -WRONGTYPE ...}. {@link #code()} is the reply's first word ({@code ERR}, {@code
 * WRONGTYPE}, {@code NOAUTH}, ...).
 */
public class CacheServerException extends CacheException {

  private static final long serialVersionUID = 1L;

  private final String code;
  private final String address;

  /** The error reply {@code message} (prefix {@code code}) from the node at {@code address}. */
  public CacheServerException(String address, String code, String message) {
    super(message + " (from " + address + ")");
    this.code = code;
    this.address = address;
  }

  /** A copy of {@code original} for a blocking caller, caused by it. */
  CacheServerException(CacheServerException original) {
    super(original.getMessage(), original);
    this.code = original.code;
    this.address = original.address;
  }

  @Override
  CacheException forCaller() {
    return new CacheServerException(this);
  }

  /** The error's prefix, the first word of the reply: {@code ERR}, {@code WRONGTYPE}, ... */
  public String code() {
    return code;
  }

  /** The {@code host:port} of the node that answered. */
  public String address() {
    return address;
  }
}
