package io.ringcache.client;

import io.ringcache.resp.RespReply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/*
 * The operations on one codec, as requests. The sync view uses the same methods with mayWait set,
 * then waits. Converters are fields, so a call allocates its request and its arguments only.
 */

/** The non-blocking operations for keys and values of one codec. */
final class AsyncView<K, V> implements AsyncCacheCommands<K, V> {

  private static final ReplyConverter<Void> TO_VOID = reply -> null;
  private static final ReplyConverter<Boolean> TO_BOOLEAN = reply -> (Long) reply > 0;
  private static final ReplyConverter<Long> TO_LONG = reply -> (Long) reply;
  private static final ReplyConverter<Object[]> TO_ARRAY = reply -> (Object[]) reply;
  private static final ReplyConverter<Boolean> TO_STORED = reply -> reply != RespReply.NIL;
  private static final ReplyConverter<Optional<Duration>> TO_TTL =
      reply -> {
        long millis = (Long) reply;
        return millis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(millis)); // -2: no key, -1: no TTL
      };

  private final ClusterExecutor executor;
  private final Codec<K, V> codec;
  private final ReplyConverter<V> toValue;
  private final int maxKeySize;
  private final int maxValueSize;
  /** How long each operation of this view may take: the command timeout, or a per-view one. */
  private final long timeoutNanos;

  AsyncView(ClusterExecutor executor, Codec<K, V> codec) {
    this(executor, codec, executor.commandTimeoutNanos());
  }

  private AsyncView(ClusterExecutor executor, Codec<K, V> codec, long timeoutNanos) {
    this.executor = executor;
    this.codec = codec;
    this.toValue = reply -> reply == RespReply.NIL ? null : codec.decodeValue((byte[]) reply);
    this.maxKeySize = executor.options().maxKeySize();
    this.maxValueSize = executor.options().maxValueSize();
    this.timeoutNanos = timeoutNanos;
  }

  /** The same view with {@code timeout} for each operation instead of the command timeout. */
  AsyncView<K, V> withTimeoutNanos(long timeoutNanos) {
    return new AsyncView<>(executor, codec, timeoutNanos);
  }

  @Override
  public AsyncCacheCommands<K, V> withTimeout(Duration timeout) {
    return withTimeoutNanos(timeoutNanos(timeout));
  }

  /** {@code timeout} in nanoseconds, refused unless at least a millisecond. */
  static long timeoutNanos(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.toMillis() < 1) {
      throw new IllegalArgumentException("timeout must be at least 1 ms: " + timeout);
    }
    return timeout.toNanos();
  }

  /** How long each operation of this view may take, in nanoseconds. */
  long timeoutNanos() {
    return timeoutNanos;
  }

  Codec<K, V> codec() {
    return codec;
  }

  ClusterExecutor executor() {
    return executor;
  }

  /** The key's bytes; refused before anything is sent if the nodes would refuse it. */
  private byte[] key(K key) {
    byte[] bytes = codec.encodeKey(Objects.requireNonNull(key, "key"));
    if (bytes.length > maxKeySize) {
      throw new IllegalArgumentException(
          "key of " + bytes.length + " bytes (expected: <= " + maxKeySize + ", the client's maxKeySize)");
    }
    return bytes;
  }

  /** The value's bytes; refused before anything is sent if the nodes would refuse it. */
  private byte[] value(V value) {
    byte[] bytes = codec.encodeValue(Objects.requireNonNull(value, "value"));
    if (bytes.length > maxValueSize) {
      throw new IllegalArgumentException(
          "value of " + bytes.length + " bytes (expected: <= " + maxValueSize + ", the client's maxValueSize)");
    }
    return bytes;
  }

  private static long millis(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive: " + ttl);
    }
    long millis = ttl.toMillis();
    return millis == 0 ? 1 : millis;
  }

  /**
   * Refuses a blocking call on one of the client's I/O threads (in a callback of an async result,
   * say): the reply would be read by that very thread, so the wait would never end.
   */
  private static void checkMayBlock(boolean mayWait) {
    if (mayWait && ClusterExecutor.onIoThread()) {
      throw new IllegalStateException(
          "blocking cache call on a ringcache I/O thread (in a callback of an async result?); use async() there");
    }
  }

  private <T> Request<T> run(Request<T> request, boolean mayWait) {
    checkMayBlock(mayWait);
    request.mayWait = mayWait;
    return executor.execute(request, timeoutNanos);
  }

  Request<V> get(K key, boolean mayWait) {
    return run(Request.of(CommandType.GET, key(key), toValue), mayWait);
  }

  Request<Void> put(K key, V value, long ttlMillis, boolean mayWait) {
    return run(new Request<>(CommandType.SET, key(key), value(value), ttlMillis, null, TO_VOID), mayWait);
  }

  Request<Void> putWithTtl(K key, V value, Duration ttl, boolean mayWait) {
    return put(key, value, millis(ttl), mayWait);
  }

  Request<Boolean> delete(K key, boolean mayWait) {
    return run(Request.of(CommandType.DEL, key(key), TO_BOOLEAN), mayWait);
  }

  Request<Boolean> exists(K key, boolean mayWait) {
    return run(Request.of(CommandType.EXISTS, key(key), TO_BOOLEAN), mayWait);
  }

  Request<Boolean> expire(K key, Duration ttl, boolean mayWait) {
    return run(new Request<>(CommandType.PEXPIRE, key(key), null, millis(ttl), null, TO_BOOLEAN), mayWait);
  }

  Request<Optional<Duration>> ttl(K key, boolean mayWait) {
    return run(Request.of(CommandType.PTTL, key(key), TO_TTL), mayWait);
  }

  Request<Boolean> persist(K key, boolean mayWait) {
    return run(Request.of(CommandType.PERSIST, key(key), TO_BOOLEAN), mayWait);
  }

  /** {@code SET key value NX|XX [PX ms]}: whether it was stored. */
  Request<Boolean> setIf(K key, V value, byte[] condition, Duration ttl, boolean mayWait) {
    byte[][] options =
        ttl == null
            ? new byte[][] {condition}
            : new byte[][] {condition, CommandType.PX_OPTION, Long.toString(millis(ttl)).getBytes(StandardCharsets.US_ASCII)};
    return run(new Request<>(CommandType.SET, key(key), value(value), 0, options, TO_STORED), mayWait);
  }

  Request<Void> putKeepingTtl(K key, V value, boolean mayWait) {
    return run(new Request<>(CommandType.SET, key(key), value(value), 0, new byte[][] {CommandType.KEEPTTL}, TO_VOID), mayWait);
  }

  Request<V> getAndSet(K key, V value, boolean mayWait) {
    return run(new Request<>(CommandType.SET, key(key), value(value), 0, new byte[][] {CommandType.GET_OPTION}, toValue), mayWait);
  }

  Request<V> getAndDelete(K key, boolean mayWait) {
    return run(Request.of(CommandType.GETDEL, key(key), toValue), mayWait);
  }

  Request<Long> decrBy(K key, long delta, boolean mayWait) {
    return run(new Request<>(CommandType.DECRBY, key(key), null, delta, null, TO_LONG), mayWait);
  }

  /** One multi-key {@code DEL} or {@code EXISTS} per node, pipelined; the sum of their counts. */
  CompletableFuture<Long> countAll(CommandType type, Collection<? extends K> keys, boolean mayWait) {
    checkMayBlock(mayWait);
    byte[][] encoded = new byte[keys.size()][];
    int n = 0;
    for (K key : keys) {
      encoded[n++] = key(key);
    }
    if (encoded.length == 0) {
      return CompletableFuture.completedFuture(0L);
    }
    Map<String, List<Integer>> groups;
    try {
      groups = executor.groupByNode(encoded);
    } catch (CacheException e) {
      return CompletableFuture.failedFuture(e);
    }
    List<CompletableFuture<Long>> parts = new ArrayList<>(groups.size());
    for (Map.Entry<String, List<Integer>> group : groups.entrySet()) {
      List<Integer> indexes = group.getValue();
      byte[][] args = new byte[indexes.size()][];
      for (int i = 0; i < args.length; i++) {
        args[i] = encoded[indexes.get(i)];
      }
      Request<Long> request = Request.keyless(type, args, TO_LONG);
      request.mayWait = mayWait;
      parts.add(executor.executeAt(group.getKey(), request, timeoutNanos));
    }
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
        .thenApply(ignored -> parts.stream().mapToLong(CompletableFuture::join).sum());
  }

  Request<Long> incrBy(K key, long delta, boolean mayWait) {
    if (delta == 1) {
      return run(Request.of(CommandType.INCR, key(key), TO_LONG), mayWait);
    }
    return run(new Request<>(CommandType.INCRBY, key(key), null, delta, null, TO_LONG), mayWait);
  }

  CompletableFuture<Map<K, V>> getAll(Collection<? extends K> keys, boolean mayWait) {
    checkMayBlock(mayWait);
    List<K> keyList = new ArrayList<>(keys);
    byte[][] encoded = new byte[keyList.size()][];
    for (int i = 0; i < encoded.length; i++) {
      encoded[i] = key(keyList.get(i));
    }
    if (encoded.length == 0) {
      return CompletableFuture.completedFuture(new LinkedHashMap<>());
    }
    Map<String, List<Integer>> groups;
    try {
      groups = executor.groupByNode(encoded);
    } catch (CacheException e) {
      return CompletableFuture.failedFuture(e);
    }
    Object[] values = new Object[encoded.length];
    CompletableFuture<?>[] parts = new CompletableFuture<?>[groups.size()];
    int p = 0;
    for (Map.Entry<String, List<Integer>> group : groups.entrySet()) {
      List<Integer> indexes = group.getValue();
      byte[][] args = new byte[indexes.size()][];
      for (int i = 0; i < args.length; i++) {
        args[i] = encoded[indexes.get(i)];
      }
      Request<Object[]> mget = Request.keyless(CommandType.MGET, args, TO_ARRAY);
      mget.mayWait = mayWait;
      executor.executeAt(group.getKey(), mget, timeoutNanos);
      parts[p++] =
          mget.thenAccept(
              replies -> {
                for (int i = 0; i < replies.length; i++) {
                  values[indexes.get(i)] = replies[i];
                }
              });
    }
    return CompletableFuture.allOf(parts).thenApply(
        ignored -> {
          Map<K, V> result = new LinkedHashMap<>();
          for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v != RespReply.NIL && v != null) {
              result.put(keyList.get(i), codec.decodeValue((byte[]) v));
            }
          }
          return result;
        });
  }

  CompletableFuture<Void> putAll(Map<? extends K, ? extends V> entries, boolean mayWait) {
    checkMayBlock(mayWait);
    if (entries.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    byte[][] keys = new byte[entries.size()][];
    byte[][] vals = new byte[entries.size()][];
    int n = 0;
    for (Map.Entry<? extends K, ? extends V> e : entries.entrySet()) {
      keys[n] = key(e.getKey());
      vals[n] = value(e.getValue());
      n++;
    }
    Map<String, List<Integer>> groups;
    try {
      groups = executor.groupByNode(keys);
    } catch (CacheException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<?>[] parts = new CompletableFuture<?>[groups.size()];
    int p = 0;
    for (Map.Entry<String, List<Integer>> group : groups.entrySet()) {
      List<Integer> indexes = group.getValue();
      byte[][] args = new byte[2 * indexes.size()][];
      for (int i = 0; i < indexes.size(); i++) {
        args[2 * i] = keys[indexes.get(i)];
        args[2 * i + 1] = vals[indexes.get(i)];
      }
      Request<Void> mset = Request.keyless(CommandType.MSET, args, TO_VOID);
      mset.mayWait = mayWait;
      parts[p++] = executor.executeAt(group.getKey(), mset, timeoutNanos);
    }
    return CompletableFuture.allOf(parts);
  }

  /** A walk over the cluster's keys with this view's timeout per step. */
  ClusterScan newScan(ScanOptions options, boolean mayWait) {
    checkMayBlock(mayWait);
    return new ClusterScan(executor, Objects.requireNonNull(options, "options"), timeoutNanos, mayWait);
  }

  @Override
  public CompletableFuture<Long> scan(ScanOptions options, Consumer<? super K> action) {
    Objects.requireNonNull(action, "action");
    ClusterScan scan = newScan(options, false);
    CompletableFuture<Long> result = new CompletableFuture<>();
    scanSteps(scan, action, result, 0);
    return result;
  }

  private void scanSteps(ClusterScan scan, Consumer<? super K> action, CompletableFuture<Long> result, long handed) {
    scan.next().whenComplete((keys, error) -> {
      if (error != null) {
        result.completeExceptionally(ClusterExecutor.unwrap(error));
        return;
      }
      try {
        for (byte[] key : keys) {
          action.accept(codec.decodeKey(key));
        }
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
        return;
      }
      long total = handed + keys.size();
      if (scan.isDone()) {
        result.complete(total);
      } else {
        scanSteps(scan, action, result, total);
      }
    });
  }

  /** The operations a transaction's body queued, as commands, with their keys and reply converters. */
  private final class QueuedTransaction implements CacheTransaction<K, V> {
    final List<byte[][]> commands = new ArrayList<>();
    final List<ReplyConverter<?>> converters = new ArrayList<>();
    final List<byte[]> keys = new ArrayList<>();

    private CacheTransaction<K, V> add(ReplyConverter<?> converter, byte[] key, byte[]... command) {
      commands.add(command);
      converters.add(converter);
      keys.add(key);
      return this;
    }

    private byte[] ascii(String s) {
      return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public CacheTransaction<K, V> get(K key) {
      byte[] k = key(key);
      return add(toValue, k, ascii("GET"), k);
    }

    @Override
    public CacheTransaction<K, V> put(K key, V value) {
      byte[] k = key(key);
      return add(TO_VOID, k, ascii("SET"), k, value(value));
    }

    @Override
    public CacheTransaction<K, V> put(K key, V value, Duration ttl) {
      byte[] k = key(key);
      return add(TO_VOID, k, ascii("SET"), k, value(value), ascii("PX"), ascii(Long.toString(millis(ttl))));
    }

    @Override
    public CacheTransaction<K, V> delete(K key) {
      byte[] k = key(key);
      return add(TO_BOOLEAN, k, ascii("DEL"), k);
    }

    @Override
    public CacheTransaction<K, V> expire(K key, Duration ttl) {
      byte[] k = key(key);
      return add(TO_BOOLEAN, k, ascii("PEXPIRE"), k, ascii(Long.toString(millis(ttl))));
    }

    @Override
    public CacheTransaction<K, V> incrBy(K key, long delta) {
      byte[] k = key(key);
      return add(TO_LONG, k, ascii("INCRBY"), k, ascii(Long.toString(delta)));
    }
  }

  /**
   * Runs the operations {@code body} queues as one MULTI ... EXEC on the node that owns all their
   * keys, written to its connection in one piece (no other request of this client in between).
   * Never sent again by the client: after a failure the caller decides whether to run it again.
   */
  CompletableFuture<TransactionResult> transaction(java.util.function.Consumer<CacheTransaction<K, V>> body,
      boolean mayWait) {
    checkMayBlock(mayWait);
    QueuedTransaction queued = new QueuedTransaction();
    body.accept(queued);
    if (queued.commands.isEmpty()) {
      return CompletableFuture.completedFuture(new TransactionResult(List.of()));
    }
    Map<String, List<Integer>> groups;
    try {
      groups = executor.groupByNode(queued.keys.toArray(new byte[0][]));
    } catch (CacheException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (groups.size() > 1) {
      return CompletableFuture.failedFuture(new CacheServerException(null, CacheExceptions.CROSSNODE,
          "CROSSNODE keys in request are owned by different nodes: " + groups.keySet()
              + " (a transaction runs on one node; keep its keys together)"));
    }
    String address = groups.keySet().iterator().next();
    List<ReplyConverter<?>> converters = queued.converters;
    Request<TransactionResult> request = Request.transaction(queued.commands.toArray(new byte[0][][]),
        reply -> transactionResult(address, (Object[]) reply, converters));
    request.mayWait = mayWait;
    return executor.executeAt(address, request, timeoutNanos);
  }

  /** EXEC's outcome: the results, or the exception for a transaction the node did not run. */
  private static TransactionResult transactionResult(String address, Object[] replies, List<ReplyConverter<?>> converters) {
    Object exec = replies[replies.length - 1];
    if (replies[0] instanceof RespReply.Error multi) {
      throw CacheExceptions.fromServerError(address, multi.message());
    }
    if (exec instanceof RespReply.Error error) {
      for (int i = 1; i < replies.length - 1; i++) { // why it was aborted: the first command refused while queued
        if (replies[i] instanceof RespReply.Error refused) {
          throw CacheExceptions.fromServerError(address, refused.message());
        }
      }
      throw CacheExceptions.fromServerError(address, error.message());
    }
    if (!(exec instanceof Object[] results) || results.length != converters.size()) {
      throw new CacheException("unexpected reply to EXEC from " + address + ": " + exec);
    }
    List<Object> converted = new ArrayList<>(results.length);
    for (int i = 0; i < results.length; i++) {
      if (results[i] instanceof RespReply.Error failed) {
        converted.add(new CacheServerException(address, CacheExceptions.code(failed.message()), failed.message()));
      } else {
        converted.add(converters.get(i).convert(results[i]));
      }
    }
    return new TransactionResult(converted);
  }

  @Override
  public CompletableFuture<TransactionResult> transaction(java.util.function.Consumer<CacheTransaction<K, V>> body) {
    return transaction(body, false);
  }

  @Override
  public CompletableFuture<V> get(K key) {
    return get(key, false);
  }

  @Override
  public CompletableFuture<Void> put(K key, V value) {
    return put(key, value, 0, false);
  }

  @Override
  public CompletableFuture<Void> put(K key, V value, Duration ttl) {
    return put(key, value, millis(ttl), false);
  }

  @Override
  public CompletableFuture<Boolean> delete(K key) {
    return delete(key, false);
  }

  @Override
  public CompletableFuture<Map<K, V>> getAll(Collection<? extends K> keys) {
    return getAll(keys, false);
  }

  @Override
  public CompletableFuture<Void> putAll(Map<? extends K, ? extends V> entries) {
    return putAll(entries, false);
  }

  @Override
  public CompletableFuture<Boolean> exists(K key) {
    return exists(key, false);
  }

  @Override
  public CompletableFuture<Boolean> expire(K key, Duration ttl) {
    return expire(key, ttl, false);
  }

  @Override
  public CompletableFuture<Optional<Duration>> ttl(K key) {
    return ttl(key, false);
  }

  @Override
  public CompletableFuture<Boolean> persist(K key) {
    return persist(key, false);
  }

  @Override
  public CompletableFuture<Boolean> putIfAbsent(K key, V value) {
    return setIf(key, value, CommandType.NX, null, false);
  }

  @Override
  public CompletableFuture<Boolean> putIfAbsent(K key, V value, Duration ttl) {
    return setIf(key, value, CommandType.NX, ttl, false);
  }

  @Override
  public CompletableFuture<Boolean> replace(K key, V value) {
    return setIf(key, value, CommandType.XX, null, false);
  }

  @Override
  public CompletableFuture<Boolean> replace(K key, V value, Duration ttl) {
    return setIf(key, value, CommandType.XX, ttl, false);
  }

  @Override
  public CompletableFuture<Void> putKeepingTtl(K key, V value) {
    return putKeepingTtl(key, value, false);
  }

  @Override
  public CompletableFuture<V> getAndSet(K key, V value) {
    return getAndSet(key, value, false);
  }

  @Override
  public CompletableFuture<V> getAndDelete(K key) {
    return getAndDelete(key, false);
  }

  @Override
  public CompletableFuture<Long> deleteAll(Collection<? extends K> keys) {
    return countAll(CommandType.DEL, keys, false);
  }

  @Override
  public CompletableFuture<Long> existsAll(Collection<? extends K> keys) {
    return countAll(CommandType.EXISTS, keys, false);
  }

  @Override
  public CompletableFuture<Long> decr(K key) {
    return decrBy(key, 1, false);
  }

  @Override
  public CompletableFuture<Long> decrBy(K key, long delta) {
    return decrBy(key, delta, false);
  }

  @Override
  public CompletableFuture<Long> incr(K key) {
    return incrBy(key, 1, false);
  }

  @Override
  public CompletableFuture<Long> incrBy(K key, long delta) {
    return incrBy(key, delta, false);
  }
}
