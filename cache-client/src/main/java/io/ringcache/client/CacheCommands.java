package io.ringcache.client;

import java.time.Duration;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

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

  /**
   * This view with {@code timeout} for each operation (redirects and retries included) instead of
   * the client's {@link ClientOptions#commandTimeout()}; it shares the client's connections and is
   * cheap to make, so one may be made per call: {@code cache.withTimeout(Duration.ofMillis(20)).get(k)}.
   *
   * @throws IllegalArgumentException if {@code timeout} is shorter than a millisecond
   */
  CacheCommands<K, V> withTimeout(Duration timeout);

  /**
   * Every key of the cluster, as {@link #scan(ScanOptions)} with {@link ScanOptions#DEFAULT}.
   */
  Iterator<K> scan();

  /**
   * Every key of the cluster that matches {@code options}: each step sends {@code SCAN} to every
   * node from one position of the hash circle and merges their keys. A key present for the whole
   * iteration is returned, even across a scale event; a key is returned once while the ring is
   * still, and may come back twice (in two steps) if it moves during one. The iterator is not
   * thread-safe; each step blocks for at most the view's timeout, and its {@code hasNext()} throws
   * the step's {@link CacheException} (a node that cannot be reached fails the step: skipping it
   * would miss its keys silently).
   */
  Iterator<K> scan(ScanOptions options);

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
   * The remaining time to live of {@code key} (millisecond precision), {@code PTTL}: empty if the
   * key has no time to live or does not exist ({@link #exists} tells the two apart).
   */
  Optional<Duration> ttl(K key);

  /** Removes the time to live of {@code key} ({@code PERSIST}); returns whether it had one. */
  boolean persist(K key);

  /**
   * Stores {@code value} under {@code key} only if the key does not exist ({@code SET NX}), with no
   * time to live; returns whether it was stored.
   */
  boolean putIfAbsent(K key, V value);

  /** As {@link #putIfAbsent(Object, Object)}, expiring after {@code ttl} ({@code SET NX PX}). */
  boolean putIfAbsent(K key, V value, Duration ttl);

  /**
   * Stores {@code value} under {@code key} only if the key exists ({@code SET XX}); returns whether
   * it was stored. Like {@link #put(Object, Object)}, it clears the key's time to live.
   */
  boolean replace(K key, V value);

  /** As {@link #replace(Object, Object)}, expiring after {@code ttl} ({@code SET XX PX}). */
  boolean replace(K key, V value, Duration ttl);

  /** Stores {@code value} under {@code key}, keeping the key's time to live ({@code SET KEEPTTL}). */
  void putKeepingTtl(K key, V value);

  /**
   * Stores {@code value} under {@code key} with no time to live and returns the previous value, or
   * {@code null} if there was none ({@code SET GET}).
   */
  V getAndSet(K key, V value);

  /** Deletes {@code key} and returns its value, or {@code null} if there was none ({@code GETDEL}). */
  V getAndDelete(K key);

  /**
   * Deletes {@code keys} with one multi-key {@code DEL} per node, pipelined; returns how many
   * existed. Not atomic across nodes.
   */
  long deleteAll(Collection<? extends K> keys);

  /**
   * How many of {@code keys} exist, with one multi-key {@code EXISTS} per node; a key listed twice
   * counts twice, as with {@code EXISTS}.
   */
  long existsAll(Collection<? extends K> keys);

  /**
   * Adds one to the integer stored at {@code key} (a missing key counts as 0) and returns the new
   * value.
   *
   * @throws CacheServerException if the value is not a 64-bit decimal integer
   */
  long incr(K key);

  /** Adds {@code delta} to the integer stored at {@code key} and returns the new value. */
  long incrBy(K key, long delta);

  /** Subtracts one from the integer stored at {@code key} (a missing key counts as 0); returns the new value. */
  long decr(K key);

  /** Subtracts {@code delta} from the integer stored at {@code key} ({@code DECRBY}); returns the new value. */
  long decrBy(K key, long delta);

  /**
   * Runs the operations {@code body} queues on a {@link CacheTransaction} as one Redis transaction
   * ({@code MULTI ... EXEC}) on the node that owns their keys: no other client's command runs
   * between them. Every key must live on that one node. An operation that fails when it runs
   * (INCR of a non-integer) fails alone, in the result; the others still run. The transaction is
   * never sent again by the client.
   *
   * <pre>{@code
   * TransactionResult r = cache.transaction(tx -> tx.incr("stock:42").put("order:7", "42").get("stock:42"));
   * long left = r.get(0);
   * }</pre>
   *
   * @return each operation's result, in order
   * @throws CacheServerException with code {@code CROSSNODE} if the keys live on different nodes
   *     (nothing ran)
   * @throws CacheRedirectException if a key's range is moving or moved (a scale event): nothing ran;
   *     run it again
   */
  TransactionResult transaction(java.util.function.Consumer<CacheTransaction<K, V>> body);
}
