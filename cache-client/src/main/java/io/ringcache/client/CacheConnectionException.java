package io.ringcache.client;

/**
 * A node could not be reached, or the connection to it was lost with the request in flight. The
 * message names the node's address. The client refreshes its topology when it sees one, so a
 * retry after the cluster has ejected the node goes to the new owner.
 */
public class CacheConnectionException extends CacheException {

  private static final long serialVersionUID = 1L;

  private final String address;

  /** The node at {@code address} (may be null when several were tried) failed; {@code cause} may be null. */
  public CacheConnectionException(String address, String message, Throwable cause) {
    super(message, cause);
    this.address = address;
  }

  @Override
  CacheException forCaller() {
    return new CacheConnectionException(address, getMessage(), this);
  }

  /** The {@code host:port} of the node that could not be reached. */
  public String address() {
    return address;
  }
}
