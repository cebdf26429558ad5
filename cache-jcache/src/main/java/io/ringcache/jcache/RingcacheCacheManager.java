package io.ringcache.jcache;

import io.ringcache.client.CacheClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;

/**
 * A JCache cache manager on one ringcache cluster: one {@code CacheClient} shared by its caches.
 * The caches it knows are the ones created through it (a cache's configuration lives in the JVM);
 * their entries live in the cluster under {@code <namespace>:<cache name>:<key>}, so two JVMs that
 * create a cache of the same name in the same namespace share its entries.
 */
final class RingcacheCacheManager implements CacheManager {

  /** Property: the cluster's password ({@code AUTH}); none by default. */
  static final String PASSWORD = "ringcache.password";
  /** Property: the first part of every key this manager's caches store; {@value #DEFAULT_NAMESPACE} by default. */
  static final String NAMESPACE = "ringcache.namespace";
  /** Property: the client's command timeout in milliseconds; the client's default (2 s) otherwise. */
  static final String COMMAND_TIMEOUT_MILLIS = "ringcache.commandTimeoutMillis";
  static final String DEFAULT_NAMESPACE = "jcache";

  private final RingcacheCachingProvider provider;
  private final URI uri;
  private final ClassLoader classLoader;
  private final Properties properties;
  private final String namespace;
  private final ConcurrentHashMap<String, RingcacheCache<?, ?>> caches = new ConcurrentHashMap<>();
  private volatile CacheClient client;
  private volatile boolean closed;

  RingcacheCacheManager(RingcacheCachingProvider provider, URI uri, ClassLoader classLoader, Properties properties) {
    this.provider = provider;
    this.uri = uri;
    this.classLoader = classLoader;
    this.properties = properties;
    this.namespace = properties.getProperty(NAMESPACE, DEFAULT_NAMESPACE);
  }

  /** The client, built on first use: a manager nobody creates a cache with never connects. */
  CacheClient client() {
    CacheClient c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          c = client = buildClient();
        }
      }
    }
    return c;
  }

  private CacheClient buildClient() {
    CacheClient.Builder builder = CacheClient.builder().seeds(seeds()).ioThreads(1);
    String password = properties.getProperty(PASSWORD);
    if (password != null) {
      builder.password(password);
    }
    String timeout = properties.getProperty(COMMAND_TIMEOUT_MILLIS);
    if (timeout != null) {
      builder.commandTimeout(Duration.ofMillis(Long.parseLong(timeout.trim())));
    }
    try {
      return builder.build();
    } catch (RuntimeException e) {
      throw new CacheException("cannot reach the ringcache cluster of " + uri + " (seeds " + seeds() + "): " + e.getMessage(), e);
    }
  }

  /** The seeds the URI names, or the default URI's when it is not a ringcache URI. */
  List<String> seeds() {
    URI source = "ringcache".equalsIgnoreCase(uri.getScheme()) ? uri : provider.getDefaultURI();
    if (!"ringcache".equalsIgnoreCase(source.getScheme()) || source.getAuthority() == null) {
      throw new CacheException("not a ringcache URI: " + source + " (expected: ringcache://host:port[,host:port...])");
    }
    List<String> seeds = new ArrayList<>();
    for (String seed : source.getAuthority().split(",")) {
      if (!seed.isBlank()) {
        seeds.add(seed.trim());
      }
    }
    return seeds;
  }

  String namespace() {
    return namespace;
  }

  @Override
  public CachingProvider getCachingProvider() {
    return provider;
  }

  @Override
  public URI getURI() {
    return uri;
  }

  @Override
  public ClassLoader getClassLoader() {
    return classLoader;
  }

  @Override
  public Properties getProperties() {
    return properties;
  }

  @Override
  public <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(String cacheName, C configuration) {
    checkOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    Objects.requireNonNull(configuration, "configuration");
    MutableConfiguration<K, V> copy =
        configuration instanceof CompleteConfiguration<K, V> complete
            ? new MutableConfiguration<>(complete)
            : new MutableConfiguration<K, V>().setTypes(configuration.getKeyType(), configuration.getValueType())
                .setStoreByValue(configuration.isStoreByValue());
    if (!copy.isStoreByValue()) {
      throw new UnsupportedOperationException("ringcache stores entries by value only (they live in the cluster): "
          + "store-by-reference is not supported");
    }
    RingcacheCache<K, V> cache;
    synchronized (caches) { // the cache creates its loader, writer and listeners: only once the name is free
      if (caches.containsKey(cacheName)) {
        throw new CacheException("a cache named " + cacheName + " already exists");
      }
      cache = new RingcacheCache<>(this, cacheName, copy);
      caches.put(cacheName, cache);
    }
    if (copy.isManagementEnabled()) {
      cache.setManagementEnabled(true);
    }
    if (copy.isStatisticsEnabled()) {
      cache.setStatisticsEnabled(true);
    }
    return cache;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K, V> Cache<K, V> getCache(String cacheName, Class<K> keyType, Class<V> valueType) {
    checkOpen();
    Objects.requireNonNull(keyType, "keyType");
    Objects.requireNonNull(valueType, "valueType");
    RingcacheCache<?, ?> cache = caches.get(Objects.requireNonNull(cacheName, "cacheName"));
    if (cache == null) {
      return null;
    }
    CompleteConfiguration<?, ?> configuration = cache.getConfiguration(CompleteConfiguration.class);
    if (configuration.getKeyType() != keyType || configuration.getValueType() != valueType) {
      throw new ClassCastException("cache " + cacheName + " holds " + configuration.getKeyType().getName() + " -> "
          + configuration.getValueType().getName() + ", not " + keyType.getName() + " -> " + valueType.getName());
    }
    return (Cache<K, V>) cache;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K, V> Cache<K, V> getCache(String cacheName) {
    checkOpen();
    return (Cache<K, V>) caches.get(Objects.requireNonNull(cacheName, "cacheName"));
  }

  @Override
  public Iterable<String> getCacheNames() {
    checkOpen();
    return Collections.unmodifiableList(new ArrayList<>(caches.keySet()));
  }

  /** Removes every entry of the cache from the cluster, then forgets the cache. */
  @Override
  public void destroyCache(String cacheName) {
    checkOpen();
    RingcacheCache<?, ?> cache = caches.remove(Objects.requireNonNull(cacheName, "cacheName"));
    if (cache != null) {
      try {
        cache.clear();
      } finally {
        cache.closeForManager();
      }
    }
  }

  @Override
  public void enableManagement(String cacheName, boolean enabled) {
    checkOpen();
    RingcacheCache<?, ?> cache = caches.get(Objects.requireNonNull(cacheName, "cacheName"));
    if (cache != null) {
      cache.setManagementEnabled(enabled);
    }
  }

  @Override
  public void enableStatistics(String cacheName, boolean enabled) {
    checkOpen();
    RingcacheCache<?, ?> cache = caches.get(Objects.requireNonNull(cacheName, "cacheName"));
    if (cache != null) {
      cache.setStatisticsEnabled(enabled);
    }
  }

  /** A cache closed itself: forget it (its entries stay in the cluster). */
  void released(RingcacheCache<?, ?> cache) {
    caches.remove(cache.getName(), cache);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (RingcacheCache<?, ?> cache : caches.values()) {
      cache.closeForManager();
    }
    caches.clear();
    CacheClient c = client;
    if (c != null) {
      c.close();
    }
    provider.released(this);
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  /** This manager, or its {@code CacheClient}. */
  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isAssignableFrom(getClass())) {
      return clazz.cast(this);
    }
    if (clazz.isAssignableFrom(CacheClient.class)) {
      return clazz.cast(client());
    }
    throw new IllegalArgumentException("a ringcache cache manager unwraps to itself or its CacheClient, not " + clazz.getName());
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the cache manager " + uri + " is closed");
    }
  }

  @Override
  public String toString() {
    return "RingcacheCacheManager{" + uri + ", namespace " + namespace + ", caches " + caches.keySet() + "}";
  }
}
