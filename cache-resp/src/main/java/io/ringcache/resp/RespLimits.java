package io.ringcache.resp;

/**
 * The bounds of the RESP2 protocol, the same for every reader in the project: what a request may
 * hold (node and proxy port, {@link RespDecoder}) and what a reply may hold (client, the node's
 * peer link, the proxy's backends, the router's control connections: {@link RespReplyDecoder}).
 * Every count and length read off the wire is checked against one of these before anything is
 * allocated for it. The connection-level defaults a RESP server applies to its clients (output
 * buffer, clients, their memory, auth timeout) are here too, so the node and the proxy port share
 * them; their values live in the servers' own options.
 *
 * @param maxMultibulkLength arguments of one request
 * @param maxBulkLength bytes of one request argument
 * @param maxInlineLength bytes of one inline request line
 * @param maxQueryBuffer bytes of one request, and of unparsed input held for a connection
 * @param maxReplyLineLength bytes of one reply header or simple/error line, without CRLF
 * @param maxReplyBulkLength bytes of one bulk string in a reply
 * @param maxReplyArrayLength elements of one array in a reply
 * @param maxReplyDepth arrays nested in one reply (a flat array is depth 1)
 */
public record RespLimits(
    int maxMultibulkLength,
    int maxBulkLength,
    int maxInlineLength,
    long maxQueryBuffer,
    int maxReplyLineLength,
    int maxReplyBulkLength,
    int maxReplyArrayLength,
    int maxReplyDepth) {

  public static final int DEFAULT_MAX_MULTIBULK_LENGTH = 1024 * 1024;
  public static final int DEFAULT_MAX_BULK_LENGTH = 32 * 1024 * 1024;
  public static final int DEFAULT_MAX_INLINE_LENGTH = 64 * 1024;
  public static final long DEFAULT_MAX_QUERY_BUFFER = 64L * 1024 * 1024;

  /** Arguments of one request before AUTH, when a password is set (as Redis). */
  public static final int UNAUTHENTICATED_MAX_MULTIBULK_LENGTH = 10;
  /** Bytes of one argument before AUTH, when a password is set (as Redis). */
  public static final int UNAUTHENTICATED_MAX_BULK_LENGTH = 16 * 1024;

  public static final int DEFAULT_MAX_REPLY_LINE_LENGTH = 64 * 1024;
  /** Redis 7.0's proto-max-bulk-len: no server we talk to sends a larger bulk string. */
  public static final int DEFAULT_MAX_REPLY_BULK_LENGTH = 512 * 1024 * 1024;
  public static final int DEFAULT_MAX_REPLY_ARRAY_LENGTH = 16 * 1024 * 1024;
  public static final int DEFAULT_MAX_REPLY_DEPTH = 8;

  /** Bytes of replies queued for a connection before it is closed. */
  public static final long DEFAULT_MAX_OUTPUT_BUFFER = 64L * 1024 * 1024;
  /** Seconds a connection's replies may stay unread above the high watermark before it is closed. */
  public static final int DEFAULT_OUTPUT_STALL_SECONDS = 60;
  public static final int DEFAULT_MAX_CLIENTS = 10_000;
  /** 0: a quarter of the JVM's maximum heap, at least {@link #MIN_DEFAULT_CLIENTS_MEMORY}. */
  public static final long DEFAULT_MAX_CLIENTS_MEMORY = 0;
  /** The least {@link #clientsMemoryCap(long)} picks by default: 64 MiB. */
  public static final long MIN_DEFAULT_CLIENTS_MEMORY = 64L * 1024 * 1024;
  public static final int DEFAULT_AUTH_TIMEOUT_SECONDS = 10;

  public RespLimits {
    positive("max-multibulk-length", maxMultibulkLength);
    positive("max-bulk-length", maxBulkLength);
    positive("max-inline-length", maxInlineLength);
    positive("max-query-buffer", maxQueryBuffer);
    positive("max-reply-line-length", maxReplyLineLength);
    positive("max-reply-bulk-length", maxReplyBulkLength);
    positive("max-reply-array-length", maxReplyArrayLength);
    positive("max-reply-depth", maxReplyDepth);
  }

  /** Request bounds as given, reply bounds at their defaults. */
  public RespLimits(int maxMultibulkLength, int maxBulkLength, int maxInlineLength, long maxQueryBuffer) {
    this(maxMultibulkLength, maxBulkLength, maxInlineLength, maxQueryBuffer, DEFAULT_MAX_REPLY_LINE_LENGTH,
        DEFAULT_MAX_REPLY_BULK_LENGTH, DEFAULT_MAX_REPLY_ARRAY_LENGTH, DEFAULT_MAX_REPLY_DEPTH);
  }

  /** Every bound at its default. */
  public static RespLimits defaults() {
    return new RespLimits(DEFAULT_MAX_MULTIBULK_LENGTH, DEFAULT_MAX_BULK_LENGTH, DEFAULT_MAX_INLINE_LENGTH,
        DEFAULT_MAX_QUERY_BUFFER);
  }

  /** These limits with the reply bounds given. */
  public RespLimits withReplyBounds(int lineLength, int bulkLength, int arrayLength, int depth) {
    return new RespLimits(maxMultibulkLength, maxBulkLength, maxInlineLength, maxQueryBuffer, lineLength, bulkLength,
        arrayLength, depth);
  }

  /**
   * The bytes all clients' buffers may take together: {@code maxClientsMemory}, or when that is 0 a
   * quarter of the JVM's maximum heap (Netty's direct memory is bounded by the heap size by
   * default), at least {@link #MIN_DEFAULT_CLIENTS_MEMORY}.
   */
  public static long clientsMemoryCap(long maxClientsMemory) {
    return maxClientsMemory > 0 ? maxClientsMemory
        : Math.max(MIN_DEFAULT_CLIENTS_MEMORY, Runtime.getRuntime().maxMemory() / 4);
  }

  private static void positive(String what, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(what + " must be positive: " + value);
    }
  }
}
