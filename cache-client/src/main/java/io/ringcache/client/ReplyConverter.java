package io.ringcache.client;

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
