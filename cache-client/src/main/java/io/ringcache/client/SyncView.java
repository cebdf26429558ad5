package io.ringcache.client;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The blocking operations: the async ones, then a wait bounded by the command timeout. */
class SyncView<K, V> implements CacheCommands<K, V> {

  private final AsyncView<K, V> async;
  private final long waitNanos;

  SyncView(AsyncView<K, V> async) {
    this.async = async;
    // Requests fail by themselves at their deadline; the margin only guards against a lost reply.
    this.waitNanos = async.timeoutNanos() + TimeUnit.SECONDS.toNanos(1);
  }

  @Override
  public CacheCommands<K, V> withTimeout(Duration timeout) {
    return new SyncView<>(async.withTimeoutNanos(AsyncView.timeoutNanos(timeout)));
  }

  /**
   * Waits for {@code future}; a {@link CacheException} is thrown as a fresh exception of the same
   * type and message whose stack is the caller's, with the original (the I/O thread's) as its cause.
   */
  final <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(waitNanos, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = ClusterExecutor.unwrap(e);
      if (cause instanceof CacheException) {
        throw ((CacheException) cause).forCaller();
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new CacheException(cause.toString(), cause);
    } catch (TimeoutException e) {
      throw new CacheTimeoutException("no result within the command timeout");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("interrupted while waiting for the cache", e);
    }
  }

  @Override
  public Iterator<K> scan() {
    return scan(ScanOptions.DEFAULT);
  }

  @Override
  public Iterator<K> scan(ScanOptions options) {
    return new KeyIterator(async.newScan(options, true));
  }

  /** The keys of one walk, a step fetched whenever the last one is used up. */
  private final class KeyIterator implements Iterator<K> {
    private final ClusterScan scan;
    private final ArrayDeque<byte[]> step = new ArrayDeque<>();

    KeyIterator(ClusterScan scan) {
      this.scan = scan;
    }

    @Override
    public boolean hasNext() {
      while (step.isEmpty() && !scan.isDone()) {
        step.addAll(await(scan.next()));
      }
      return !step.isEmpty();
    }

    @Override
    public K next() {
      if (!hasNext()) {
        throw new NoSuchElementException("the scan is over");
      }
      return async.codec().decodeKey(step.poll());
    }
  }

  @Override
  public V get(K key) {
    return await(async.get(key, true));
  }

  @Override
  public TransactionResult transaction(java.util.function.Consumer<CacheTransaction<K, V>> body) {
    return await(async.transaction(body, true));
  }

  @Override
  public void put(K key, V value) {
    await(async.put(key, value, 0, true));
  }

  @Override
  public void put(K key, V value, Duration ttl) {
    await(async.putWithTtl(key, value, ttl, true));
  }

  @Override
  public boolean delete(K key) {
    return await(async.delete(key, true));
  }

  @Override
  public Map<K, V> getAll(Collection<? extends K> keys) {
    return await(async.getAll(keys, true));
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> entries) {
    await(async.putAll(entries, true));
  }

  @Override
  public boolean exists(K key) {
    return await(async.exists(key, true));
  }

  @Override
  public boolean expire(K key, Duration ttl) {
    return await(async.expire(key, ttl, true));
  }

  @Override
  public Optional<Duration> ttl(K key) {
    return await(async.ttl(key, true));
  }

  @Override
  public boolean persist(K key) {
    return await(async.persist(key, true));
  }

  @Override
  public boolean putIfAbsent(K key, V value) {
    return await(async.setIf(key, value, CommandType.NX, null, true));
  }

  @Override
  public boolean putIfAbsent(K key, V value, Duration ttl) {
    return await(async.setIf(key, value, CommandType.NX, ttl, true));
  }

  @Override
  public boolean replace(K key, V value) {
    return await(async.setIf(key, value, CommandType.XX, null, true));
  }

  @Override
  public boolean replace(K key, V value, Duration ttl) {
    return await(async.setIf(key, value, CommandType.XX, ttl, true));
  }

  @Override
  public void putKeepingTtl(K key, V value) {
    await(async.putKeepingTtl(key, value, true));
  }

  @Override
  public V getAndSet(K key, V value) {
    return await(async.getAndSet(key, value, true));
  }

  @Override
  public V getAndDelete(K key) {
    return await(async.getAndDelete(key, true));
  }

  @Override
  public long deleteAll(Collection<? extends K> keys) {
    return await(async.countAll(CommandType.DEL, keys, true));
  }

  @Override
  public long existsAll(Collection<? extends K> keys) {
    return await(async.countAll(CommandType.EXISTS, keys, true));
  }

  @Override
  public long decr(K key) {
    return await(async.decrBy(key, 1, true));
  }

  @Override
  public long decrBy(K key, long delta) {
    return await(async.decrBy(key, delta, true));
  }

  @Override
  public long incr(K key) {
    return await(async.incrBy(key, 1, true));
  }

  @Override
  public long incrBy(K key, long delta) {
    return await(async.incrBy(key, delta, true));
  }
}
