package io.ringcache.client;

/**
 * What the client tells about its work, for metrics: each operation's command, time and outcome,
 * redirects, retries and topology refreshes. Set one with {@link CacheClient.Builder#metrics}; {@link
 * MicrometerMetrics} records them as Micrometer meters. Every method has an empty default, runs on
 * the thread where the event happened (often a client I/O thread), and must be quick and never
 * block or throw.
 */
public interface ClientMetrics {

  /** Records nothing: the default. */
  ClientMetrics NONE = new ClientMetrics() {};

  /**
   * An operation ended, redirects and retries included: {@code command} as sent ({@code GET},
   * {@code MGET}, {@code RING.TOPOLOGY}, ...), {@code nanos} since the caller started it, and {@code
   * failure} ({@code null} if it succeeded). A {@code getAll} spanning three nodes is three {@code
   * MGET}s; a scan step is one {@code SCAN} per node.
   */
  default void operationCompleted(String command, long nanos, Throwable failure) {}

  /** A {@code -MOVED} from {@code fromNode} was followed to {@code toNode}. */
  default void redirectFollowed(String fromNode, String toNode) {}

  /** A {@code -TRYAGAIN} from {@code node} was answered with a retry after a backoff. */
  default void tryAgainRetried(String node) {}

  /**
   * A topology fetch ended (the bootstrap in {@code build()} included): the epoch routed with before
   * and after ({@code after > before}: a newer topology was adopted), or {@code failure} if no source
   * answered with the epoch looked for.
   */
  default void topologyRefreshed(long epochBefore, long epochAfter, Throwable failure) {}
}
