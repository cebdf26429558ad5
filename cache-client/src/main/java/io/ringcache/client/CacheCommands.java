package io.ringcache.client;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Map;

/**
 * The cache operations, blocking. Each call goes to the node that owns the key (one hop) and
 * returns when it answers or the command timeout passes. Thread-safe.
 *
 * <p>Every failure is a {@link CacheException}: {@link CacheConnectionException} when the key's
 * node cannot be reached, {@link CacheTimeoutException}, {@link CacheRedirectException} or {@link
 * CacheServerException}.
 *
 * @param <K> the key type ({@code String} keys are UTF-8, {@code byte[]} keys are sent as they are)
 * @param <V> the value type
 */
public interface CacheCommands<K, V> {

  /** What {@link #ttl} returns for a key that exists and has no time to live. */
  Duration NO_EXPIRY = ChronoUnit.FOREVER.getDuration();

  /** The value of {@code key}, or {@code null} if there is none. */
  V get(K key);

  /** Stores {@code value} under {@code key} with no time to live (replacing any previous one). */
  void put(K key, V value);

  /** Stores {@code value} under {@code key}; it expires after {@code ttl} (at least a millisecond). */
  void put(K key, V value, Duration ttl);

  /** Deletes {@code key}; returns whether it existed. */
  boolean delete(K key);

  /**
   * The values of {@code keys} that exist, fetched with one {@code MGET} per node, pipelined. The
   * map iterates in the order of {@code keys} and holds no entry for a missing key. With {@code
   * byte[]} keys, the map's keys are the very arrays passed in (arrays compare by identity).
   */
  Map<K, V> getAll(Collection<? extends K> keys);

  /** Stores every entry of {@code entries}, with one {@code MSET} per node, pipelined. */
  void putAll(Map<? extends K, ? extends V> entries);

  /** Whether {@code key} exists. */
  boolean exists(K key);

  /** Sets {@code key} to expire after {@code ttl}; returns whether the key exists. */
  boolean expire(K key, Duration ttl);

  /**
   * The remaining time to live of {@code key} (millisecond precision): {@code null} if the key does
   * not exist, {@link #NO_EXPIRY} if it has no time to live.
   */
  Duration ttl(K key);

  /**
   * Adds one to the integer stored at {@code key} (a missing key counts as 0) and returns the new
   * value.
   *
   * @throws CacheServerException if the value is not a 64-bit decimal integer
   */
  long incr(K key);

  /** Adds {@code delta} to the integer stored at {@code key} and returns the new value. */
  long incrBy(K key, long delta);
}
