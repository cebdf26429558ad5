/**
 * The JCache (JSR-107) provider of ringcache: caches whose entries live in a ringcache cluster.
 *
 * <ul>
 *   <li>{@link io.ringcache.jcache.RingcacheCachingProvider}: the provider {@code Caching} finds;
 *       a cache manager's URI names the cluster.
 *   <li>{@code RingcacheCacheManager}: one {@code CacheClient} per manager; destroys caches by
 *       deleting their keys.
 *   <li>{@code RingcacheCache}: the operations, expiry policies as ringcache TTLs, loaders,
 *       writers, listeners and entry processors run in this JVM.
 *   <li>{@code ValueSerializer}: keys and values to bytes (UTF-8 strings, else Java serialization).
 *   <li>{@code Management}: the configuration and statistics MBeans.
 * </ul>
 */
package io.ringcache.jcache;
