package io.ringcache.client;

import java.time.Duration;

/**
 * The operations of one transaction, queued in order by the body given to {@link
 * CacheCommands#transaction} (or {@link AsyncCacheCommands#transaction}) and then run by the node
 * as one {@code MULTI ... EXEC}: no other client's command runs between them. Every key must live
 * on one node. Each method returns this transaction, and the operation's result takes the next
 * place in the {@link TransactionResult}. Not thread-safe; use it only inside the body.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface CacheTransaction<K, V> {

  /** {@code GET}: the value, or {@code null}. */
  CacheTransaction<K, V> get(K key);

  /** {@code SET}: {@code null}. */
  CacheTransaction<K, V> put(K key, V value);

  /** {@code SET ... PX}: {@code null}. */
  CacheTransaction<K, V> put(K key, V value, Duration ttl);

  /** {@code DEL}: whether the key existed ({@link Boolean}). */
  CacheTransaction<K, V> delete(K key);

  /** {@code PEXPIRE}: whether the key exists and got the TTL ({@link Boolean}). */
  CacheTransaction<K, V> expire(K key, Duration ttl);

  /** {@code INCRBY}: the new value ({@link Long}). */
  CacheTransaction<K, V> incrBy(K key, long delta);

  /** {@code INCR}: the new value ({@link Long}). */
  default CacheTransaction<K, V> incr(K key) {
    return incrBy(key, 1);
  }
}
