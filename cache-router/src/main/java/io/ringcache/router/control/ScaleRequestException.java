package io.ringcache.router.control;

/**
 * A scale request (join, leave, weight change, re-admission, resume) that the {@link
 * ScaleCoordinator} refused before it started anything; the message says why, for an operator. The
 * kind says whose the fault is: {@link InvalidScaleRequestException} (the request cannot be carried
 * out as asked), {@link ScaleConflictException} (it could, but not in the cluster's state now) and
 * {@link UnknownNodeException} (it names no node of the topology). The admin API maps each kind to
 * an HTTP status; the control plane knows nothing of HTTP.
 */
public abstract sealed class ScaleRequestException extends RuntimeException
    permits InvalidScaleRequestException, ScaleConflictException, UnknownNodeException {
  private static final long serialVersionUID = 1L;

  ScaleRequestException(String message) {
    super(message);
  }
}
