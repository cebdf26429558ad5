package io.ringcache.resp;

/**
 * The Java shapes of RESP2 replies, as {@link ReplyParser} (and {@link RespReplyDecoder}) emits
 * them: a simple string is a {@link String}, an error a {@link Error}, an integer a {@link Long}, a
 * bulk string a {@code byte[]}, an array an {@code Object[]} of these, and a null bulk or null array
 * {@link #NIL}.
 */
public final class RespReply {

  /** The null bulk string ({@code $-1}) and the null array ({@code *-1}). */
  public static final Object NIL =
      new Object() {
        @Override
        public String toString() {
          return "(nil)";
        }
      };

  /** The {@code +OK} simple string, shared: no allocation for the most common reply. */
  public static final String OK = "OK";

  private RespReply() {}

  /** An error reply, its text without the leading {@code '-'}. */
  public record Error(String message) {}
}
