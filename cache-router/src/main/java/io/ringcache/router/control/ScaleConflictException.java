package io.ringcache.router.control;

/**
 * A well-formed scale request that the cluster's state does not allow now: another scale event is
 * under way, the node or its address is already listed, it is the last node of the ring, it already
 * has that weight, it is not ejected, or a node of the ring has not answered the router yet. The
 * same request may succeed later.
 */
public final class ScaleConflictException extends ScaleRequestException {
  private static final long serialVersionUID = 1L;

  public ScaleConflictException(String message) {
    super(message);
  }
}
