package io.ringcache.router.control;

/** A scale request naming a node that the topology does not list. */
public final class UnknownNodeException extends ScaleRequestException {
  private static final long serialVersionUID = 1L;

  public UnknownNodeException(String message) {
    super(message);
  }
}
