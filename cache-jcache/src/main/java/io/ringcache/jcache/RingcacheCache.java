package io.ringcache.jcache;

import io.ringcache.client.CacheCommands;
import io.ringcache.client.ScanOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import javax.cache.processor.MutableEntry;
import javax.management.ObjectName;

/*
 * A JCache cache whose entries live in the ringcache cluster, one ringcache key per entry:
 * <namespace>:<cache name>:<serialized key> -> <serialized value> (ValueSerializer).
 *
 * Expiry: the policy's durations become ringcache TTLs. Creation: SET ... PX <creation> (an
 * ETERNAL one: no TTL; ZERO: nothing stored). Update: SET ... PX <update>, or SET ... KEEPTTL when
 * the policy leaves it unchanged (null), or a delete when it is ZERO. Access: PEXPIRE <access> (or
 * PERSIST for ETERNAL, a delete for ZERO) after a read that found the entry, only when the policy
 * returns a duration for access. The node expires entries itself, so an entry expires even if no
 * JVM touches it again.
 *
 * Round trips: put is one SET when the policy treats creation and update alike (eternal, or equal
 * durations) and no listener needs the old value; otherwise a GET, then the SET the policy asks for.
 * Compound operations (replace(k, old, new), remove(k, v), invoke, getAndReplace) read, decide in
 * this JVM, then write: they are NOT atomic across JVMs (see docs/client.md, JCache).
 *
 * Listeners, loaders, writers, entry processors and statistics run in this JVM and see this cache
 * object's own operations: a listener is not told of writes made by another JVM, and an EXPIRED
 * event is sent only when this cache removes an entry because of a ZERO duration (the node's own
 * expiry is silent). Listeners are called synchronously, on the caller's thread.
 */

/** A JCache {@link Cache} stored in ringcache. */
final class RingcacheCache<K, V> implements Cache<K, V> {

  private static final byte[] GLOB_SPECIAL = "*?[]\\".getBytes(StandardCharsets.US_ASCII);
  private static final int PAGE = 500;
  private static final Set<Class<?>> STANDARD_POLICIES = Set.of(
      javax.cache.expiry.EternalExpiryPolicy.class, javax.cache.expiry.CreatedExpiryPolicy.class,
      javax.cache.expiry.ModifiedExpiryPolicy.class, javax.cache.expiry.AccessedExpiryPolicy.class,
      javax.cache.expiry.TouchedExpiryPolicy.class);

  private final RingcacheCacheManager manager;
  private final String name;
  private final MutableConfiguration<K, V> configuration;
  private final CacheCommands<byte[], byte[]> store;
  private final ValueSerializer serializer;
  private final byte[] prefix;
  private final ExpiryPolicy expiry;
  private final CacheLoader<K, V> loader;
  private final CacheWriter<? super K, ? super V> writer;
  private final List<Registration<K, V>> registrations = new CopyOnWriteArrayList<>();
  private final Management.Statistics statistics = new Management.Statistics();
  /** loadAll calls still running in the background: close() lets them end before it closes the loader. */
  private final Set<CompletableFuture<Void>> loading = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean statisticsEnabled;
  /** Whether the expiry policy is one of the five of javax.cache.expiry, whose answers are fixed. */
  private final boolean standardPolicy;
  private volatile boolean closed;

  RingcacheCache(RingcacheCacheManager manager, String name, MutableConfiguration<K, V> configuration) {
    this.manager = manager;
    this.name = name;
    this.configuration = configuration;
    this.store = manager.client().binary();
    this.serializer = new ValueSerializer(manager.getClassLoader());
    this.prefix = (manager.namespace() + ":" + name + ":").getBytes(StandardCharsets.UTF_8);
    this.expiry = configuration.getExpiryPolicyFactory().create();
    this.standardPolicy = STANDARD_POLICIES.contains(expiry.getClass());
    Factory<CacheLoader<K, V>> loaderFactory = configuration.getCacheLoaderFactory();
    this.loader = loaderFactory == null ? null : loaderFactory.create();
    Factory<javax.cache.integration.CacheWriter<? super K, ? super V>> writerFactory = configuration.getCacheWriterFactory();
    this.writer = writerFactory == null ? null : writerFactory.create();
    for (CacheEntryListenerConfiguration<K, V> listener : configuration.getCacheEntryListenerConfigurations()) {
      registrations.add(new Registration<>(listener));
    }
  }

  // ---- keys, values, TTLs

  private byte[] key(K key) {
    Objects.requireNonNull(key, "key");
    Class<K> type = configuration.getKeyType();
    if (type != Object.class && !type.isInstance(key)) {
      throw new ClassCastException("cache " + name + " holds keys of " + type.getName() + ", not " + key.getClass().getName());
    }
    byte[] encoded = serializer.encode(key);
    byte[] out = new byte[prefix.length + encoded.length];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(encoded, 0, out, prefix.length, encoded.length);
    return out;
  }

  @SuppressWarnings("unchecked")
  private K keyOf(byte[] storedKey) {
    byte[] encoded = java.util.Arrays.copyOfRange(storedKey, prefix.length, storedKey.length);
    return (K) serializer.decode(encoded);
  }

  private byte[] value(V value) {
    Objects.requireNonNull(value, "value");
    Class<V> type = configuration.getValueType();
    if (type != Object.class && !type.isInstance(value)) {
      throw new ClassCastException("cache " + name + " holds values of " + type.getName() + ", not " + value.getClass().getName());
    }
    return serializer.encode(value);
  }

  @SuppressWarnings("unchecked")
  private V valueOf(byte[] bytes) {
    return bytes == null ? null : (V) serializer.decode(bytes);
  }

  /** The policy's duration for a creation; a policy that throws counts as ETERNAL... as the spec's "unchanged" would not do. */
  private Duration creation() {
    try {
      Duration d = expiry.getExpiryForCreation();
      return d == null ? Duration.ETERNAL : d;
    } catch (RuntimeException e) {
      return Duration.ETERNAL;
    }
  }

  /** The policy's duration for an update; null: leave the TTL as it is (also when the policy throws). */
  private Duration update() {
    try {
      return expiry.getExpiryForUpdate();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private Duration access() {
    try {
      return expiry.getExpiryForAccess();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static java.time.Duration ttl(Duration d) {
    return java.time.Duration.ofMillis(Math.max(1, d.getTimeUnit().toMillis(d.getDurationAmount())));
  }

  /** Stores {@code v} with the TTL {@code d} asks: none for ETERNAL; a ZERO one stores nothing and deletes. */
  private void set(byte[] k, byte[] v, Duration d) {
    if (d.isZero()) {
      store.delete(k);
    } else if (d.isEternal()) {
      store.put(k, v);
    } else {
      store.put(k, v, ttl(d));
    }
  }

  /** After a read found {@code k}: apply the policy's access duration, if it has one. */
  private void accessed(K key, byte[] k, byte[] value) {
    Duration d = access();
    if (d == null) {
      return;
    }
    if (d.isZero()) {
      if (store.delete(k)) {
        fire(EventType.EXPIRED, key, valueOf(value), null);
      }
    } else if (d.isEternal()) {
      store.persist(k);
    } else {
      store.expire(k, ttl(d));
    }
  }

  /** Marks a previous value as not fetched yet, for {@link #write}. */
  private static final byte[] UNKNOWN = new byte[0];

  /**
   * Stores {@code v} as a creation or an update, as the expiry policy says, and fires CREATED,
   * UPDATED or EXPIRED. {@code knownOld} is the stored value already read ({@code null}: none), or
   * {@link #UNKNOWN}. The policy is asked once, for a creation or for an update, as the spec says:
   * so an unknown one costs a GET first. The five standard policies are known in advance, and then
   * a put with no listener needs no GET. Returns the previous value's bytes when fetched (else null)
   * and whether anything was stored (a ZERO duration stores nothing).
   */
  private Written write(K key, byte[] k, V value, byte[] v, boolean needOld, byte[] knownOld) {
    boolean listening = !registrations.isEmpty();
    if (standardPolicy && knownOld == UNKNOWN && !listening && !needOld) {
      Duration creation = creation();
      Duration update = update();
      if ((update == null && creation.isEternal()) || creation.equals(update)) {
        set(k, v, creation);
        return new Written(null, !creation.isZero());
      }
      if (update == null && !creation.isZero()) { // Created/AccessedExpiryPolicy: the TTL is set once, at creation
        if (!store.putIfAbsent(k, v, ttl(creation))) {
          store.putKeepingTtl(k, v);
        }
        return new Written(null, true);
      }
    }
    boolean stored;
    byte[] old = knownOld == UNKNOWN ? (needOld || listening ? getForWrite(k) : store.get(k)) : knownOld;
    if (old == null) {
      Duration creation = creation();
      set(k, v, creation);
      stored = !creation.isZero();
      if (stored) {
        fire(EventType.CREATED, key, value, null);
      }
    } else {
      Duration update = update();
      if (update == null) {
        store.putKeepingTtl(k, v);
      } else {
        set(k, v, update);
      }
      stored = update == null || !update.isZero();
      if (stored) {
        fire(EventType.UPDATED, key, value, valueOf(old));
      } else {
        fire(EventType.EXPIRED, key, valueOf(old), valueOf(old));
      }
    }
    return new Written(old, stored);
  }

  private byte[] getForWrite(byte[] k) {
    return store.get(k);
  }

  /** What {@link #write} did: the previous value's bytes (null if none or not fetched), whether it stored. */
  private record Written(byte[] old, boolean stored) {}

  // ---- reads

  @Override
  public V get(K key) {
    checkOpen();
    long start = System.nanoTime();
    byte[] k = key(key);
    byte[] raw = store.get(k);
    V value;
    if (raw != null) {
      value = valueOf(raw);
      accessed(key, k, raw);
      hit(start);
    } else {
      miss(start);
      value = readThrough(key, k);
    }
    return value;
  }

  /** Loads {@code key} if read-through; stores what the loader returns (as a creation, without the writer). */
  private V readThrough(K key, byte[] k) {
    if (!configuration.isReadThrough() || loader == null) {
      return null;
    }
    V loaded;
    try {
      loaded = loader.load(key);
    } catch (CacheLoaderException e) {
      throw e;
    } catch (Exception e) {
      throw new CacheLoaderException("the loader of cache " + name + " failed on " + key + ": " + e, e);
    }
    if (loaded != null && write(key, k, loaded, value(loaded), false, null).stored()) {
      put(System.nanoTime());
    }
    return loaded;
  }

  @Override
  public Map<K, V> getAll(Set<? extends K> keys) {
    checkOpen();
    Objects.requireNonNull(keys, "keys");
    long start = System.nanoTime();
    List<K> list = new ArrayList<>(keys);
    List<byte[]> encoded = new ArrayList<>(list.size());
    for (K key : list) {
      encoded.add(key(key));
    }
    Map<byte[], byte[]> found = store.getAll(encoded);
    Map<K, V> result = new LinkedHashMap<>();
    List<K> missing = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      byte[] raw = found.get(encoded.get(i));
      if (raw != null) {
        result.put(list.get(i), valueOf(raw));
        accessed(list.get(i), encoded.get(i), raw);
        hit(start);
      } else {
        missing.add(list.get(i));
        miss(start);
      }
    }
    if (!missing.isEmpty() && configuration.isReadThrough() && loader != null) {
      Map<K, V> loaded;
      try {
        loaded = loader.loadAll(missing);
      } catch (CacheLoaderException e) {
        throw e;
      } catch (Exception e) {
        throw new CacheLoaderException("the loader of cache " + name + " failed: " + e, e);
      }
      if (loaded != null) {
        for (Map.Entry<K, V> e : loaded.entrySet()) {
          if (e.getKey() != null && e.getValue() != null) {
            write(e.getKey(), key(e.getKey()), e.getValue(), value(e.getValue()), false, null);
            result.put(e.getKey(), e.getValue());
          }
        }
      }
    }
    return result;
  }

  @Override
  public boolean containsKey(K key) {
    checkOpen();
    return store.exists(key(key));
  }

  @Override
  public void loadAll(Set<? extends K> keys, boolean replaceExistingValues, CompletionListener completionListener) {
    checkOpen();
    Objects.requireNonNull(keys, "keys");
    for (K key : keys) {
      Objects.requireNonNull(key, "a key in keys");
    }
    CompletionListener listener = completionListener == null ? NO_LISTENER : completionListener;
    if (loader == null) {
      listener.onCompletion();
      return;
    }
    CompletableFuture<Void> task = new CompletableFuture<>();
    loading.add(task);
    ForkJoinPool.commonPool().execute(() -> {
      try {
        if (isClosed()) { // closed before the task started: the loader may be closed too
          listener.onException(new CacheLoaderException("cache " + name + " was closed before loadAll ran"));
          return;
        }
        List<K> toLoad = new ArrayList<>();
        for (K key : keys) {
          if (replaceExistingValues || !store.exists(key(key))) {
            toLoad.add(key);
          }
        }
        Map<K, V> loaded = toLoad.isEmpty() ? Map.of() : loader.loadAll(toLoad);
        if (loaded != null) {
          for (Map.Entry<K, V> e : loaded.entrySet()) {
            if (e.getKey() != null && e.getValue() != null) {
              write(e.getKey(), key(e.getKey()), e.getValue(), value(e.getValue()), false, UNKNOWN);
            }
          }
        }
        listener.onCompletion();
      } catch (Exception e) {
        listener.onException(e instanceof CacheLoaderException ? e : new CacheLoaderException(e));
      } finally {
        loading.remove(task);
        task.complete(null);
      }
    });
  }

  private static final CompletionListener NO_LISTENER =
      new CompletionListener() {
        @Override
        public void onCompletion() {}

        @Override
        public void onException(Exception e) {}
      };

  // ---- writes

  private void writeThrough(K key, V value) {
    if (configuration.isWriteThrough() && writer != null) {
      try {
        writer.write(new Entry<>(key, value));
      } catch (CacheWriterException e) {
        throw e;
      } catch (Exception e) {
        throw new CacheWriterException("the writer of cache " + name + " failed on " + key + ": " + e, e);
      }
    }
  }

  private void deleteThrough(K key) {
    if (configuration.isWriteThrough() && writer != null) {
      try {
        writer.delete(key);
      } catch (CacheWriterException e) {
        throw e;
      } catch (Exception e) {
        throw new CacheWriterException("the writer of cache " + name + " failed to delete " + key + ": " + e, e);
      }
    }
  }

  @Override
  public void put(K key, V value) {
    checkOpen();
    long start = System.nanoTime();
    byte[] k = key(key);
    byte[] v = value(value);
    writeThrough(key, value);
    if (write(key, k, value, v, false, UNKNOWN).stored()) {
      put(start);
    }
  }

  @Override
  public V getAndPut(K key, V value) {
    checkOpen();
    long start = System.nanoTime();
    byte[] k = key(key);
    byte[] v = value(value);
    writeThrough(key, value);
    Written written = write(key, k, value, v, true, UNKNOWN);
    if (written.old() == null) {
      miss(start);
    } else {
      hit(start);
    }
    if (written.stored()) {
      put(start);
    }
    return valueOf(written.old());
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> map) {
    checkOpen();
    Objects.requireNonNull(map, "map");
    long start = System.nanoTime();
    Map<K, V> entries = new LinkedHashMap<>();
    for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
      key(e.getKey());
      value(e.getValue());
      entries.put(e.getKey(), e.getValue());
    }
    CacheWriterException failure = null;
    if (configuration.isWriteThrough() && writer != null && !entries.isEmpty()) {
      List<Cache.Entry<? extends K, ? extends V>> pending = new ArrayList<>();
      for (Map.Entry<K, V> e : entries.entrySet()) {
        pending.add(new Entry<>(e.getKey(), e.getValue()));
      }
      try {
        writeAll(pending);
      } catch (Exception e) {
        failure = e instanceof CacheWriterException w ? w : new CacheWriterException("the writer of cache " + name + " failed: " + e, e);
        for (Cache.Entry<? extends K, ? extends V> notWritten : pending) {
          entries.remove(notWritten.getKey()); // what the writer left in the collection was not written
        }
      }
    }
    for (Map.Entry<K, V> e : entries.entrySet()) {
      if (write(e.getKey(), key(e.getKey()), e.getValue(), value(e.getValue()), false, UNKNOWN).stored()) {
        put(start);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** The writer's writeAll: its entries' types are what the cache holds, which the writer accepts ({@code ? super}). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private void writeAll(List<Cache.Entry<? extends K, ? extends V>> entries) {
    ((CacheWriter) writer).writeAll((Collection) entries);
  }

  @Override
  public boolean putIfAbsent(K key, V value) {
    checkOpen();
    long start = System.nanoTime();
    byte[] k = key(key);
    byte[] v = value(value);
    boolean stored;
    Duration creation;
    if (standardPolicy) {
      creation = creation();
      if (creation.isZero()) {
        stored = !store.exists(k);
      } else {
        stored = creation.isEternal() ? store.putIfAbsent(k, v) : store.putIfAbsent(k, v, ttl(creation));
      }
    } else { // ask the policy only once an entry was created
      stored = store.putIfAbsent(k, v);
      creation = stored ? creation() : Duration.ETERNAL;
      if (stored && creation.isZero()) {
        store.delete(k);
      } else if (stored && !creation.isEternal()) {
        store.expire(k, ttl(creation));
      }
    }
    if (stored) {
      try {
        writeThrough(key, value);
      } catch (CacheWriterException e) {
        store.delete(k);
        throw e;
      }
      if (!creation.isZero()) {
        fire(EventType.CREATED, key, value, null);
        put(start);
      }
      miss(start);
    } else {
      hit(start);
    }
    return stored;
  }

  @Override
  public boolean remove(K key) {
    checkOpen();
    long start = System.nanoTime();
    byte[] k = key(key);
    deleteThrough(key);
    boolean existed;
    if (registrations.isEmpty()) {
      existed = store.delete(k);
    } else {
      byte[] old = store.getAndDelete(k);
      existed = old != null;
      if (existed) {
        fire(EventType.REMOVED, key, valueOf(old), valueOf(old));
      }
    }
    if (existed) {
      removed(start);
    }
    return existed;
  }

  @Override
  public boolean remove(K key, V oldValue) {
    checkOpen();
    long start = System.nanoTime();
    byte[] k = key(key);
    value(oldValue);
    byte[] raw = store.get(k);
    if (raw == null) {
      miss(start);
      return false;
    }
    hit(start);
    V current = valueOf(raw);
    if (!current.equals(oldValue)) {
      accessed(key, k, raw);
      return false;
    }
    deleteThrough(key);
    store.delete(k);
    fire(EventType.REMOVED, key, current, current);
    removed(start);
    return true;
  }

  @Override
  public V getAndRemove(K key) {
    checkOpen();
    long start = System.nanoTime();
    byte[] k = key(key);
    deleteThrough(key);
    byte[] old = store.getAndDelete(k);
    if (old == null) {
      miss(start);
      return null;
    }
    hit(start);
    removed(start);
    V value = valueOf(old);
    fire(EventType.REMOVED, key, value, value);
    return value;
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    checkOpen();
    long start = System.nanoTime();
    byte[] k = key(key);
    value(oldValue);
    byte[] v = value(newValue);
    byte[] raw = store.get(k);
    if (raw == null) {
      miss(start);
      return false;
    }
    hit(start);
    V current = valueOf(raw);
    if (!current.equals(oldValue)) {
      accessed(key, k, raw);
      return false;
    }
    writeThrough(key, newValue);
    updateExisting(key, k, newValue, v, current);
    put(start);
    return true;
  }

  /** Stores {@code v} over an entry known to exist, with the policy's update duration. */
  private void updateExisting(K key, byte[] k, V value, byte[] v, V old) {
    Duration update = update();
    if (update == null) {
      store.putKeepingTtl(k, v);
    } else {
      set(k, v, update);
    }
    if (update != null && update.isZero()) {
      fire(EventType.EXPIRED, key, old, null);
    } else {
      fire(EventType.UPDATED, key, value, old);
    }
  }

  @Override
  public boolean replace(K key, V value) {
    checkOpen();
    long start = System.nanoTime();
    byte[] k = key(key);
    byte[] v = value(value);
    byte[] raw = store.get(k);
    if (raw == null) {
      miss(start);
      return false;
    }
    hit(start);
    writeThrough(key, value);
    updateExisting(key, k, value, v, valueOf(raw));
    put(start);
    return true;
  }

  @Override
  public V getAndReplace(K key, V value) {
    checkOpen();
    long start = System.nanoTime();
    byte[] k = key(key);
    byte[] v = value(value);
    byte[] raw = store.get(k);
    if (raw == null) {
      miss(start);
      return null;
    }
    hit(start);
    V old = valueOf(raw);
    writeThrough(key, value);
    updateExisting(key, k, value, v, old);
    put(start);
    return old;
  }

  @Override
  public void removeAll(Set<? extends K> keys) {
    checkOpen();
    Objects.requireNonNull(keys, "keys");
    for (K key : keys) {
      key(key);
    }
    Set<K> toRemove = new HashSet<>(keys);
    CacheWriterException failure = null;
    if (configuration.isWriteThrough() && writer != null && !toRemove.isEmpty()) {
      Collection<Object> pending = new ArrayList<>(toRemove);
      try {
        writer.deleteAll(pending);
      } catch (Exception e) {
        failure = e instanceof CacheWriterException w ? w : new CacheWriterException("the writer of cache " + name + " failed: " + e, e);
        toRemove.removeAll(pending); // what the writer left in the collection was not deleted
      }
    }
    for (K key : toRemove) {
      long start = System.nanoTime();
      byte[] k = key(key);
      if (registrations.isEmpty()) {
        if (store.delete(k)) {
          removed(start);
        }
      } else {
        byte[] old = store.getAndDelete(k);
        if (old != null) {
          removed(start);
          fire(EventType.REMOVED, key, valueOf(old), valueOf(old));
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void removeAll() {
    checkOpen();
    Set<K> keys = new HashSet<>();
    scanKeys(page -> {
      for (byte[] k : page) {
        keys.add(keyOf(k));
      }
    });
    removeAll(keys);
  }

  /** Removes every entry of this cache from the cluster: no writer, no listener, no statistics. */
  @Override
  public void clear() {
    checkOpen();
    scanKeys(page -> store.deleteAll(page));
  }

  /** Hands the stored keys of this cache to {@code pages}, a page at a time. */
  private void scanKeys(java.util.function.Consumer<List<byte[]>> pages) {
    Iterator<byte[]> keys = store.scan(ScanOptions.builder().match(prefixGlob()).count(PAGE).build());
    List<byte[]> page = new ArrayList<>(PAGE);
    while (keys.hasNext()) {
      page.add(keys.next());
      if (page.size() == PAGE) {
        pages.accept(page);
        page = new ArrayList<>(PAGE);
      }
    }
    if (!page.isEmpty()) {
      pages.accept(page);
    }
  }

  /** {@code <prefix>*} with the prefix's glob characters escaped. */
  private byte[] prefixGlob() {
    ByteArrayOutputStream glob = new ByteArrayOutputStream(prefix.length + 8);
    for (byte b : prefix) {
      for (byte special : GLOB_SPECIAL) {
        if (b == special) {
          glob.write('\\');
          break;
        }
      }
      glob.write(b);
    }
    glob.write('*');
    return glob.toByteArray();
  }

  // ---- entry processors

  @Override
  public <T> T invoke(K key, EntryProcessor<K, V, T> entryProcessor, Object... arguments) throws EntryProcessorException {
    checkOpen();
    Objects.requireNonNull(entryProcessor, "entryProcessor");
    long start = System.nanoTime();
    byte[] k = key(key);
    byte[] raw = store.get(k);
    ProcessedEntry entry = new ProcessedEntry(key, raw == null ? null : valueOf(raw));
    T result;
    try {
      result = entryProcessor.process(entry, arguments);
    } catch (EntryProcessorException e) {
      throw e;
    } catch (Exception e) {
      throw new EntryProcessorException(e);
    }
    if (raw != null) {
      hit(start);
    } else {
      miss(start);
    }
    switch (entry.operation) {
      case SET -> {
        byte[] v = value(entry.value);
        writeThrough(key, entry.value);
        if (write(key, k, entry.value, v, false, raw).stored()) {
          put(start);
        }
      }
      case REMOVE -> {
        deleteThrough(key); // the writer hears of it even if the entry did not exist, as the spec says
        if (raw != null) {
          store.delete(k);
          fire(EventType.REMOVED, key, entry.original, entry.original);
          removed(start);
        }
      }
      case LOADED -> {
        if (write(key, k, entry.value, value(entry.value), false, null).stored()) {
          put(start);
        }
      }
      case NONE -> {
        if (raw != null && entry.accessedValue) {
          accessed(key, k, raw);
        }
      }
    }
    return result;
  }

  @Override
  public <T> Map<K, EntryProcessorResult<T>> invokeAll(
      Set<? extends K> keys, EntryProcessor<K, V, T> entryProcessor, Object... arguments) {
    checkOpen();
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(entryProcessor, "entryProcessor");
    Map<K, EntryProcessorResult<T>> results = new HashMap<>();
    for (K key : keys) {
      try {
        T result = invoke(key, entryProcessor, arguments);
        if (result != null) {
          results.put(key, () -> result);
        }
      } catch (EntryProcessorException e) {
        results.put(key, () -> {
          throw e;
        });
      }
    }
    return results;
  }

  private enum Operation { NONE, SET, REMOVE, LOADED }

  /** The entry an entry processor sees; what it did is applied when it returns. */
  private final class ProcessedEntry implements MutableEntry<K, V> {
    private final K key;
    private final V original;
    private V value;
    private boolean exists;
    private boolean loaded;
    private boolean accessedValue;
    private Operation operation = Operation.NONE;

    ProcessedEntry(K key, V value) {
      this.key = key;
      this.original = value;
      this.value = value;
      this.exists = value != null;
    }

    @Override
    public boolean exists() {
      return exists;
    }

    @Override
    public void remove() {
      // created and removed in one process: nothing happened; otherwise the writer hears of a delete
      operation = operation == Operation.SET && original == null ? Operation.NONE : Operation.REMOVE;
      value = null;
      exists = false;
    }

    @Override
    public void setValue(V newValue) {
      Objects.requireNonNull(newValue, "value");
      value(newValue);
      value = newValue;
      exists = true;
      operation = Operation.SET;
    }

    @Override
    public K getKey() {
      return key;
    }

    @Override
    public V getValue() {
      accessedValue = true;
      if (!exists && operation == Operation.NONE && configuration.isReadThrough() && loader != null) {
        V fromLoader = readThroughValue();
        if (fromLoader != null) {
          value = fromLoader;
          exists = true;
          loaded = true;
          operation = Operation.LOADED;
        }
      }
      return value;
    }

    private V readThroughValue() {
      try {
        return loader.load(key);
      } catch (CacheLoaderException e) {
        throw e;
      } catch (Exception e) {
        throw new CacheLoaderException(e);
      }
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
      if (clazz.isInstance(this)) {
        return clazz.cast(this);
      }
      throw new IllegalArgumentException("unwraps to itself only, not " + clazz.getName());
    }
  }

  // ---- iteration

  /** The entries present as the walk passes them ({@code scan()} on the cluster, a page of values at a time). */
  @Override
  public Iterator<Cache.Entry<K, V>> iterator() {
    checkOpen();
    Iterator<byte[]> keys = store.scan(ScanOptions.builder().match(prefixGlob()).count(PAGE).build());
    return new Iterator<>() {
      /** Stored keys and values fetched, not handed out yet: each counts as accessed when next() hands it out. */
      private final java.util.ArrayDeque<byte[][]> page = new java.util.ArrayDeque<>();
      private Cache.Entry<K, V> last;

      @Override
      public boolean hasNext() {
        while (page.isEmpty() && keys.hasNext()) {
          List<byte[]> batch = new ArrayList<>();
          while (keys.hasNext() && batch.size() < PAGE) {
            batch.add(keys.next());
          }
          Map<byte[], byte[]> values = store.getAll(batch);
          for (byte[] k : batch) {
            byte[] raw = values.get(k);
            if (raw != null) {
              page.add(new byte[][] {k, raw});
            }
          }
        }
        return !page.isEmpty();
      }

      @Override
      public Cache.Entry<K, V> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        long start = System.nanoTime();
        byte[][] stored = page.poll();
        K key = keyOf(stored[0]);
        last = new Entry<>(key, valueOf(stored[1]));
        accessed(key, stored[0], stored[1]);
        hit(start);
        return last;
      }

      @Override
      public void remove() {
        if (last == null) {
          throw new IllegalStateException("next() was not called, or remove() was already called for its entry");
        }
        RingcacheCache.this.remove(last.getKey());
        last = null;
      }
    };
  }

  // ---- listeners

  @Override
  public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
    checkOpen();
    Objects.requireNonNull(listenerConfiguration, "listenerConfiguration");
    for (Registration<K, V> r : registrations) {
      if (r.configuration.equals(listenerConfiguration)) {
        throw new IllegalArgumentException("the listener configuration is already registered with cache " + name);
      }
    }
    configuration.addCacheEntryListenerConfiguration(listenerConfiguration);
    registrations.add(new Registration<>(listenerConfiguration));
  }

  @Override
  public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
    checkOpen();
    Objects.requireNonNull(listenerConfiguration, "listenerConfiguration");
    registrations.removeIf(r -> r.configuration.equals(listenerConfiguration));
    configuration.removeCacheEntryListenerConfiguration(listenerConfiguration);
  }

  private void fire(EventType type, K key, V value, V oldValue) {
    if (registrations.isEmpty()) {
      return;
    }
    for (Registration<K, V> r : registrations) {
      boolean withOld = r.configuration.isOldValueRequired();
      boolean gone = type == EventType.REMOVED || type == EventType.EXPIRED; // their value is the old one (JCache 1.1)
      r.fire(new Event(type, key, gone ? (withOld ? oldValue : null) : value, withOld ? oldValue : null));
    }
  }

  /** One registered listener, its filter and its configuration. */
  private static final class Registration<K, V> {
    final CacheEntryListenerConfiguration<K, V> configuration;
    final CacheEntryListener<? super K, ? super V> listener;
    final CacheEntryEventFilter<? super K, ? super V> filter;

    Registration(CacheEntryListenerConfiguration<K, V> configuration) {
      this.configuration = configuration;
      this.listener = configuration.getCacheEntryListenerFactory().create();
      Factory<CacheEntryEventFilter<? super K, ? super V>> filterFactory = configuration.getCacheEntryEventFilterFactory();
      this.filter = filterFactory == null ? null : filterFactory.create();
    }

    @SuppressWarnings("unchecked")
    void fire(CacheEntryEvent<K, V> event) {
      try {
        if (filter != null && !filter.evaluate(event)) {
          return;
        }
        Iterable<CacheEntryEvent<? extends K, ? extends V>> events = List.of(event);
        switch (event.getEventType()) {
          case CREATED -> {
            if (listener instanceof CacheEntryCreatedListener<?, ?> l) {
              ((CacheEntryCreatedListener<K, V>) l).onCreated(events);
            }
          }
          case UPDATED -> {
            if (listener instanceof CacheEntryUpdatedListener<?, ?> l) {
              ((CacheEntryUpdatedListener<K, V>) l).onUpdated(events);
            }
          }
          case REMOVED -> {
            if (listener instanceof CacheEntryRemovedListener<?, ?> l) {
              ((CacheEntryRemovedListener<K, V>) l).onRemoved(events);
            }
          }
          case EXPIRED -> {
            if (listener instanceof CacheEntryExpiredListener<?, ?> l) {
              ((CacheEntryExpiredListener<K, V>) l).onExpired(events);
            }
          }
        }
      } catch (CacheEntryListenerException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new CacheEntryListenerException(e);
      }
    }
  }

  /** An event of this cache. */
  private final class Event extends CacheEntryEvent<K, V> {
    private static final long serialVersionUID = 1L;
    private final transient K key;
    private final transient V value;
    private final transient V oldValue;

    Event(EventType type, K key, V value, V oldValue) {
      super(RingcacheCache.this, type);
      this.key = key;
      this.value = value;
      this.oldValue = oldValue;
    }

    @Override
    public K getKey() {
      return key;
    }

    @Override
    public V getValue() {
      return value;
    }

    @Override
    public V getOldValue() {
      return oldValue;
    }

    @Override
    public boolean isOldValueAvailable() {
      return oldValue != null;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
      if (clazz.isInstance(this)) {
        return clazz.cast(this);
      }
      throw new IllegalArgumentException("unwraps to itself only, not " + clazz.getName());
    }
  }

  /** A key and a value. */
  private static final class Entry<K, V> implements Cache.Entry<K, V> {
    private final K key;
    private final V value;

    Entry(K key, V value) {
      this.key = key;
      this.value = value;
    }

    @Override
    public K getKey() {
      return key;
    }

    @Override
    public V getValue() {
      return value;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
      if (clazz.isInstance(this)) {
        return clazz.cast(this);
      }
      throw new IllegalArgumentException("unwraps to itself only, not " + clazz.getName());
    }
  }

  // ---- statistics and management

  private void hit(long start) {
    if (statisticsEnabled) {
      statistics.hits.increment();
      statistics.getNanos.add(System.nanoTime() - start);
    }
  }

  private void miss(long start) {
    if (statisticsEnabled) {
      statistics.misses.increment();
      statistics.getNanos.add(System.nanoTime() - start);
    }
  }

  private void put(long start) {
    if (statisticsEnabled) {
      statistics.puts.increment();
      statistics.putNanos.add(System.nanoTime() - start);
    }
  }

  private void removed(long start) {
    if (statisticsEnabled) {
      statistics.removals.increment();
      statistics.removeNanos.add(System.nanoTime() - start);
    }
  }

  void setStatisticsEnabled(boolean enabled) {
    configuration.setStatisticsEnabled(enabled);
    statisticsEnabled = enabled;
    ObjectName bean = Management.name("CacheStatistics", this);
    if (enabled) {
      Management.register(statistics, bean);
    } else {
      Management.unregister(bean);
    }
  }

  void setManagementEnabled(boolean enabled) {
    configuration.setManagementEnabled(enabled);
    ObjectName bean = Management.name("CacheConfiguration", this);
    if (enabled) {
      Management.register(new Management.Configuration(this), bean);
    } else {
      Management.unregister(bean);
    }
  }

  CompleteConfiguration<K, V> configuration() {
    return configuration;
  }

  // ---- the rest

  @Override
  public <C extends Configuration<K, V>> C getConfiguration(Class<C> clazz) {
    if (clazz.isInstance(configuration)) {
      return clazz.cast(new MutableConfiguration<>(configuration));
    }
    throw new IllegalArgumentException("the configuration is a " + configuration.getClass().getName() + ", not a " + clazz.getName());
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public CacheManager getCacheManager() {
    return manager;
  }

  /** Closes this cache object; its entries stay in the cluster. */
  @Override
  public void close() {
    if (!closed) {
      closeForManager();
      manager.released(this);
    }
  }

  void closeForManager() {
    if (closed) {
      return;
    }
    closed = true;
    for (CompletableFuture<Void> task : loading) {
      try {
        task.get(10, java.util.concurrent.TimeUnit.SECONDS); // a loader still in use must not be closed under it
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        org.slf4j.LoggerFactory.getLogger(RingcacheCache.class).warn("cache {}: a loadAll still running at close: {}", name, e.toString());
      }
    }
    Management.unregister(Management.name("CacheStatistics", this));
    Management.unregister(Management.name("CacheConfiguration", this));
    for (Object closeable : new Object[] {loader, writer, expiry}) {
      if (closeable instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // a user's loader, writer or policy failed to close: nothing the cache can do about it
          org.slf4j.LoggerFactory.getLogger(RingcacheCache.class).warn("closing {} of cache {} failed", c, name, e);
        }
      }
    }
    for (Registration<K, V> r : registrations) {
      if (r.listener instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          org.slf4j.LoggerFactory.getLogger(RingcacheCache.class).warn("closing listener {} of cache {} failed", c, name, e);
        }
      }
    }
  }

  @Override
  public boolean isClosed() {
    return closed || manager.isClosed();
  }

  /** This cache. */
  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isAssignableFrom(getClass())) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("a ringcache JCache cache unwraps to itself only, not " + clazz.getName());
  }

  private void checkOpen() {
    if (isClosed()) {
      throw new IllegalStateException("cache " + name + " is closed");
    }
  }

  @Override
  public String toString() {
    return "RingcacheCache{" + name + " in " + manager.getURI() + "}";
  }

}
