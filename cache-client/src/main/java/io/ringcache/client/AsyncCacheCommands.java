package io.ringcache.client;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The cache operations, non-blocking: the same contract as {@link CacheCommands}, each result
 * delivered through a {@link CompletableFuture} that completes exceptionally with a {@link
 * CacheException}. Futures complete on the client's I/O threads: callbacks attached with {@code
 * then...} run there and must not block; use the {@code ...Async} variants with an executor for
 * slow work. Thread-safe.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface AsyncCacheCommands<K, V> {

  /** @see CacheCommands#withTimeout */
  AsyncCacheCommands<K, V> withTimeout(Duration timeout);

  /**
   * Walks every key of the cluster that matches {@code options}, as {@link
   * CacheCommands#scan(ScanOptions)} does, handing each to {@code action} on a client I/O thread
   * (it must not block); the future completes with the number of keys handed over once the walk
   * ends, or with the first step's failure.
   */
  CompletableFuture<Long> scan(ScanOptions options, Consumer<? super K> action);

  /** @see CacheCommands#get */
  CompletableFuture<V> get(K key);

  /** @see CacheCommands#put(Object, Object) */
  CompletableFuture<Void> put(K key, V value);

  /** @see CacheCommands#put(Object, Object, Duration) */
  CompletableFuture<Void> put(K key, V value, Duration ttl);

  /** @see CacheCommands#delete */
  CompletableFuture<Boolean> delete(K key);

  /** @see CacheCommands#getAll */
  CompletableFuture<Map<K, V>> getAll(Collection<? extends K> keys);

  /** @see CacheCommands#putAll */
  CompletableFuture<Void> putAll(Map<? extends K, ? extends V> entries);

  /** @see CacheCommands#exists */
  CompletableFuture<Boolean> exists(K key);

  /** @see CacheCommands#expire */
  CompletableFuture<Boolean> expire(K key, Duration ttl);

  /** @see CacheCommands#ttl */
  CompletableFuture<Optional<Duration>> ttl(K key);

  /** @see CacheCommands#persist */
  CompletableFuture<Boolean> persist(K key);

  /** @see CacheCommands#putIfAbsent(Object, Object) */
  CompletableFuture<Boolean> putIfAbsent(K key, V value);

  /** @see CacheCommands#putIfAbsent(Object, Object, Duration) */
  CompletableFuture<Boolean> putIfAbsent(K key, V value, Duration ttl);

  /** @see CacheCommands#replace(Object, Object) */
  CompletableFuture<Boolean> replace(K key, V value);

  /** @see CacheCommands#replace(Object, Object, Duration) */
  CompletableFuture<Boolean> replace(K key, V value, Duration ttl);

  /** @see CacheCommands#putKeepingTtl */
  CompletableFuture<Void> putKeepingTtl(K key, V value);

  /** @see CacheCommands#getAndSet */
  CompletableFuture<V> getAndSet(K key, V value);

  /** @see CacheCommands#getAndDelete */
  CompletableFuture<V> getAndDelete(K key);

  /** @see CacheCommands#deleteAll */
  CompletableFuture<Long> deleteAll(Collection<? extends K> keys);

  /** @see CacheCommands#existsAll */
  CompletableFuture<Long> existsAll(Collection<? extends K> keys);

  /** @see CacheCommands#incr */
  CompletableFuture<Long> incr(K key);

  /** @see CacheCommands#incrBy */
  CompletableFuture<Long> incrBy(K key, long delta);

  /** @see CacheCommands#decr */
  CompletableFuture<Long> decr(K key);

  /** @see CacheCommands#decrBy */
  CompletableFuture<Long> decrBy(K key, long delta);

  /** @see CacheCommands#transaction */
  CompletableFuture<TransactionResult> transaction(java.util.function.Consumer<CacheTransaction<K, V>> body);
}
