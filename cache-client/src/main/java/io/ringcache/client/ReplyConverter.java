package io.ringcache.client;

import io.ringcache.resp.RespReply;

/** Turns a successful (non-error) reply into the operation's result. */
@FunctionalInterface
interface ReplyConverter<T> {

  /**
   * The result for {@code reply}, one of the {@link RespReply} shapes.
   *
   * @throws RuntimeException if the reply does not have the expected shape
   */
  T convert(Object reply);
}
