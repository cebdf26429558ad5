package io.ringcache.jcache;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;
import javax.cache.CacheManager;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;

/**
 * The JCache (JSR-107) provider of ringcache, found by {@code Caching.getCachingProvider()} through
 * {@code META-INF/services}. Its cache managers keep their caches' entries in a ringcache cluster,
 * through one {@code CacheClient} each.
 *
 * <p>A cache manager's URI names the cluster: {@code ringcache://host:port[,host:port...]}, the
 * client's seeds (the router's RESP port and a few nodes). Any other URI is only a name for a
 * separate manager on the default cluster. The default URI is the system property {@value
 * #URI_PROPERTY}, else {@value #DEFAULT_URI_TEXT}. Properties given with the URI: {@value
 * RingcacheCacheManager#PASSWORD}, {@value RingcacheCacheManager#NAMESPACE} and {@value
 * RingcacheCacheManager#COMMAND_TIMEOUT_MILLIS}.
 */
public final class RingcacheCachingProvider implements CachingProvider {

  /** The system property that sets the default URI. */
  public static final String URI_PROPERTY = "ringcache.jcache.uri";

  /** The default URI when {@value #URI_PROPERTY} is not set: the router on this machine. */
  public static final String DEFAULT_URI_TEXT = "ringcache://127.0.0.1:7000";

  private final Map<ClassLoader, Map<URI, RingcacheCacheManager>> managers = new WeakHashMap<>();

  @Override
  public synchronized CacheManager getCacheManager(URI uri, ClassLoader classLoader, Properties properties) {
    URI key = uri == null ? getDefaultURI() : uri;
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    Map<URI, RingcacheCacheManager> byUri = managers.computeIfAbsent(loader, l -> new HashMap<>());
    RingcacheCacheManager manager = byUri.get(key);
    if (manager == null || manager.isClosed()) {
      Properties copy = new Properties();
      if (properties != null) {
        copy.putAll(properties);
      }
      manager = new RingcacheCacheManager(this, key, loader, copy);
      byUri.put(key, manager);
    }
    return manager;
  }

  @Override
  public CacheManager getCacheManager(URI uri, ClassLoader classLoader) {
    return getCacheManager(uri, classLoader, getDefaultProperties());
  }

  @Override
  public CacheManager getCacheManager() {
    return getCacheManager(getDefaultURI(), getDefaultClassLoader(), getDefaultProperties());
  }

  @Override
  public ClassLoader getDefaultClassLoader() {
    return getClass().getClassLoader();
  }

  @Override
  public URI getDefaultURI() {
    return URI.create(System.getProperty(URI_PROPERTY, DEFAULT_URI_TEXT));
  }

  @Override
  public Properties getDefaultProperties() {
    return new Properties();
  }

  @Override
  public synchronized void close() {
    for (Map<URI, RingcacheCacheManager> byUri : managers.values()) {
      for (RingcacheCacheManager manager : byUri.values().toArray(new RingcacheCacheManager[0])) {
        manager.close();
      }
    }
    managers.clear();
  }

  @Override
  public synchronized void close(ClassLoader classLoader) {
    Map<URI, RingcacheCacheManager> byUri = managers.remove(classLoader == null ? getDefaultClassLoader() : classLoader);
    if (byUri != null) {
      for (RingcacheCacheManager manager : byUri.values().toArray(new RingcacheCacheManager[0])) {
        manager.close();
      }
    }
  }

  @Override
  public synchronized void close(URI uri, ClassLoader classLoader) {
    Map<URI, RingcacheCacheManager> byUri = managers.get(classLoader == null ? getDefaultClassLoader() : classLoader);
    if (byUri != null) {
      RingcacheCacheManager manager = byUri.remove(uri == null ? getDefaultURI() : uri);
      if (manager != null) {
        manager.close();
      }
    }
  }

  /** A manager closed itself: forget it. */
  synchronized void released(RingcacheCacheManager manager) {
    Map<URI, RingcacheCacheManager> byUri = managers.get(manager.getClassLoader());
    if (byUri != null) {
      byUri.remove(manager.getURI(), manager);
    }
  }

  /** Stores by value only: entries live in the cluster, serialized. */
  @Override
  public boolean isSupported(OptionalFeature optionalFeature) {
    return false;
  }
}
