package io.ringcache.jcache;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.CacheException;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.management.CacheMXBean;
import javax.cache.management.CacheStatisticsMXBean;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** A cache's JMX beans: its configuration and its statistics, in the platform MBean server. */
final class Management {

  private Management() {}

  /** {@code javax.cache:type=<type>,CacheManager=<uri>,Cache=<name>}, as the spec names them. */
  static ObjectName name(String type, RingcacheCache<?, ?> cache) {
    try {
      return new ObjectName("javax.cache:type=" + type + ",CacheManager=" + safe(cache.getCacheManager().getURI().toString())
          + ",Cache=" + safe(cache.getName()));
    } catch (Exception e) {
      throw new CacheException("cannot name the MBean of cache " + cache.getName() + ": " + e.getMessage(), e);
    }
  }

  private static String safe(String text) {
    return text == null ? "" : text.replaceAll(",|:|=|\n", ".");
  }

  static void register(Object bean, ObjectName name) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      if (!server.isRegistered(name)) {
        server.registerMBean(bean, name);
      }
    } catch (InstanceAlreadyExistsException e) {
      // registered meanwhile by the same cache: fine
    } catch (Exception e) {
      throw new CacheException("cannot register the MBean " + name + ": " + e.getMessage(), e);
    }
  }

  static void unregister(ObjectName name) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
    } catch (InstanceNotFoundException e) {
      // gone meanwhile
    } catch (Exception e) {
      throw new CacheException("cannot unregister the MBean " + name + ": " + e.getMessage(), e);
    }
  }

  /** The configuration of a cache, read live. */
  static final class Configuration implements CacheMXBean {
    private final RingcacheCache<?, ?> cache;

    Configuration(RingcacheCache<?, ?> cache) {
      this.cache = cache;
    }

    private CompleteConfiguration<?, ?> c() {
      return cache.configuration();
    }

    @Override
    public String getKeyType() {
      return c().getKeyType().getName();
    }

    @Override
    public String getValueType() {
      return c().getValueType().getName();
    }

    @Override
    public boolean isReadThrough() {
      return c().isReadThrough();
    }

    @Override
    public boolean isWriteThrough() {
      return c().isWriteThrough();
    }

    @Override
    public boolean isStoreByValue() {
      return c().isStoreByValue();
    }

    @Override
    public boolean isStatisticsEnabled() {
      return c().isStatisticsEnabled();
    }

    @Override
    public boolean isManagementEnabled() {
      return c().isManagementEnabled();
    }
  }

  /** What one cache did through this JVM (other JVMs' operations are not seen). */
  static final class Statistics implements CacheStatisticsMXBean {
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder puts = new LongAdder();
    final LongAdder removals = new LongAdder();
    final LongAdder evictions = new LongAdder();
    final LongAdder getNanos = new LongAdder();
    final LongAdder putNanos = new LongAdder();
    final LongAdder removeNanos = new LongAdder();

    @Override
    public void clear() {
      for (LongAdder a : new LongAdder[] {hits, misses, puts, removals, evictions, getNanos, putNanos, removeNanos}) {
        a.reset();
      }
    }

    @Override
    public long getCacheHits() {
      return hits.sum();
    }

    @Override
    public float getCacheHitPercentage() {
      long gets = getCacheGets();
      return gets == 0 ? 0 : hits.sum() * 100f / gets;
    }

    @Override
    public long getCacheMisses() {
      return misses.sum();
    }

    @Override
    public float getCacheMissPercentage() {
      long gets = getCacheGets();
      return gets == 0 ? 0 : misses.sum() * 100f / gets;
    }

    @Override
    public long getCacheGets() {
      return hits.sum() + misses.sum();
    }

    @Override
    public long getCachePuts() {
      return puts.sum();
    }

    @Override
    public long getCacheRemovals() {
      return removals.sum();
    }

    @Override
    public long getCacheEvictions() {
      return evictions.sum();
    }

    @Override
    public float getAverageGetTime() {
      long gets = getCacheGets();
      return gets == 0 ? 0 : getNanos.sum() / 1000f / gets;
    }

    @Override
    public float getAveragePutTime() {
      long n = puts.sum();
      return n == 0 ? 0 : putNanos.sum() / 1000f / n;
    }

    @Override
    public float getAverageRemoveTime() {
      long n = removals.sum();
      return n == 0 ? 0 : removeNanos.sum() / 1000f / n;
    }
  }
}
