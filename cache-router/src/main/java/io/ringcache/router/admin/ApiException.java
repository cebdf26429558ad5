package io.ringcache.router.admin;

import io.ringcache.router.control.InvalidScaleRequestException;
import io.ringcache.router.control.ScaleConflictException;
import io.ringcache.router.control.ScaleRequestException;
import io.ringcache.router.control.UnknownNodeException;

/** A refused admin request: an HTTP status and a message that says why. */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  ApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  int status() {
    return status;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  static ApiException conflict(String message) {
    return new ApiException(409, message);
  }

  /**
   * The answer to a scale request the control plane refused, with its message: 400 for an invalid
   * request, 409 for one the cluster's state does not allow now, 404 for an unknown node.
   */
  static ApiException of(ScaleRequestException refused) {
    if (refused instanceof InvalidScaleRequestException) {
      return badRequest(refused.getMessage());
    }
    if (refused instanceof ScaleConflictException) {
      return conflict(refused.getMessage());
    }
    if (refused instanceof UnknownNodeException) {
      return notFound(refused.getMessage());
    }
    throw new IllegalArgumentException("no HTTP status for " + refused.getClass().getName(), refused);
  }
}
