package io.ringcache.router.control;

/**
 * A scale request that cannot be carried out as asked, whatever the cluster's state: a blank name,
 * an address that is not {@code host:port}, a weight out of range, a joining node whose name does
 * not resolve, that does not answer, or that was started standalone.
 */
public final class InvalidScaleRequestException extends ScaleRequestException {
  private static final long serialVersionUID = 1L;

  public InvalidScaleRequestException(String message) {
    super(message);
  }
}
