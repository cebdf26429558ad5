package io.ringcache.resp;

import io.netty.handler.codec.DecoderException;

/**
 * A reply stream that cannot be resynchronised, thrown by {@link ReplyParser} (and so by {@link
 * RespReplyDecoder} and {@link RespReplyFramer} into the pipeline): it carries the same {@link
 * ProtocolError} the request decoder emits, so malformed input has one error type on both sides.
 * The connection must be closed.
 */
public final class RespProtocolException extends DecoderException {

  private static final long serialVersionUID = 1L;

  private final transient ProtocolError error;

  public RespProtocolException(ProtocolError error) {
    super(error.message());
    this.error = error;
  }

  /** What was wrong, naming the value and the bound. */
  public ProtocolError error() {
    return error;
  }
}
