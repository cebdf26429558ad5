package io.ringcache.client;

import java.util.concurrent.CompletableFuture;

/*
 * One operation: the command and its arguments, the conversion of its reply, and its retry
 * state. It is also the future the caller holds, so a single-key operation allocates one object
 * besides its arguments. An operation is sent again after -MOVED or -TRYAGAIN, never while an
 * earlier attempt can still be answered: an attempt ends when its reply arrives or its connection
 * fails, and only then does ClusterExecutor decide to send it again. So the mutable fields below
 * are touched by one thread at a time, and each hand-off (a queue, a scheduled task) publishes them.
 */

/** An operation in flight and the future of its result. */
final class Request<T> extends CompletableFuture<T> {

  final CommandType type;
  final byte[] key;
  final byte[] value;
  final long number;
  final byte[][] args;
  final ReplyConverter<T> converter;

  /** Where to send it; {@code null} to route it by its key. */
  String fixedAddress;
  /** When the caller stops waiting, {@link System#nanoTime()} based. */
  long deadlineNanos;
  /** The time it was given (its deadline minus its start), for messages. */
  long timeoutNanos;
  int redirects;
  int tryAgains;
  /** Whether it was already sent again after a lost connection (once at most). */
  boolean resentAfterLoss;
  /** Whether the caller is a thread that may wait for a permit (the sync API). */
  boolean mayWait;
  /** Whether this attempt holds one of its endpoint's in-flight permits. */
  boolean holdsPermit;
  /** Where its outcome is reported, or null (an internal part of a split batch, or no metrics). */
  ClientMetrics metrics;
  /** When the caller started it, {@link System#nanoTime()} based (set with {@link #metrics}). */
  long startNanos;
  private volatile int reported;
  private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Request> REPORTED =
      java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Request.class, "reported");
  /**
   * For {@link CommandType#MULTI_EXEC}: the queued commands (MULTI before them and EXEC after are
   * implied), and the replies collected so far: MULTI's, one per command, EXEC's.
   */
  final byte[][][] transaction;
  private Object[] replies;
  private int repliesSeen;

  Request(CommandType type, byte[] key, byte[] value, long number, byte[][] args, ReplyConverter<T> converter) {
    this.type = type;
    this.key = key;
    this.value = value;
    this.number = number;
    this.args = args;
    this.converter = converter;
    this.transaction = null;
  }

  private Request(byte[][][] transaction, ReplyConverter<T> converter) {
    this.type = CommandType.MULTI_EXEC;
    this.key = null;
    this.value = null;
    this.number = 0;
    this.args = null;
    this.converter = converter;
    this.transaction = transaction;
  }

  /** {@code MULTI}, {@code commands}, {@code EXEC}; the converter gets all their replies as an {@code Object[]}. */
  static <T> Request<T> transaction(byte[][][] commands, ReplyConverter<T> converter) {
    return new Request<>(commands, converter);
  }

  /**
   * Takes one reply of this request's connection: returns null while a transaction waits for more
   * of its replies, else the reply to hand on (a transaction's: all of them, as an {@code Object[]}).
   */
  Object collect(Object reply) {
    if (transaction == null) {
      return reply;
    }
    if (replies == null || repliesSeen == replies.length) { // a new attempt
      replies = new Object[transaction.length + 2];
      repliesSeen = 0;
    }
    replies[repliesSeen++] = reply;
    return repliesSeen == replies.length ? replies : null;
  }

  static <T> Request<T> of(CommandType type, byte[] key, ReplyConverter<T> converter) {
    return new Request<>(type, key, null, 0, null, converter);
  }

  static <T> Request<T> keyless(CommandType type, byte[][] args, ReplyConverter<T> converter) {
    return new Request<>(type, null, null, 0, args, converter);
  }

  /** Whether it is a multi-key batch for one node (MGET, MSET, multi-key DEL or EXISTS). */
  boolean isBatch() {
    return type == CommandType.MGET
        || type == CommandType.MSET
        || (key == null && args != null && (type == CommandType.DEL || type == CommandType.EXISTS));
  }

  /*
   * The outcome is reported before the future completes, so a caller that saw the result also sees
   * it counted. Only the first completion reports (a timeout racing a reply may, rarely, report the
   * one that then loses).
   */
  @Override
  public boolean complete(T value) {
    report(null);
    return super.complete(value);
  }

  @Override
  public boolean completeExceptionally(Throwable failure) {
    report(failure);
    return super.completeExceptionally(failure);
  }

  private void report(Throwable failure) {
    ClientMetrics m = metrics;
    if (m != null && !isDone() && REPORTED.compareAndSet(this, 0, 1)) {
      try {
        m.operationCompleted(type.wireName(), System.nanoTime() - startNanos, failure);
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(Request.class).warn("metrics {} failed on {}", m, type.wireName(), e);
      }
    }
  }

  @Override
  public String toString() {
    return type.wireName() + (isDone() ? " (done)" : " (pending)");
  }
}
