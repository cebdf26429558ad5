package io.ringcache.jcache;

import java.io.Serializable;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.spi.CachingProvider;

/**
 * The JCache example of docs/client.md, as a program: plain JSR-107, no Spring, against the cluster
 * {@code bin/cachectl cluster up} starts (or the URI given as the first argument). {@code JCacheIT}
 * runs it against a cluster in the test JVM.
 */
public final class JCacheExample {

  public record User(String name, int age) implements Serializable {}

  public static void main(String[] args) {
    URI cluster = URI.create(args.length > 0 ? args[0] : "ringcache://127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002");
    CachingProvider provider = Caching.getCachingProvider();          // ringcache's, found on the class path
    try (CacheManager manager = provider.getCacheManager(cluster, JCacheExample.class.getClassLoader())) {
      MutableConfiguration<String, User> config = new MutableConfiguration<String, User>()
          .setTypes(String.class, User.class)
          .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 10)));
      Cache<String, User> users = manager.getCache("users", String.class, User.class);
      if (users == null) {
        users = manager.createCache("users", config);                 // keys: jcache:users:<key>
      }
      users.put("u1", new User("alice", 31));                          // SET ... PX 600000
      User alice = users.get("u1");
      boolean added = users.putIfAbsent("u2", new User("bob", 40));
      users.remove("u2");
      System.out.println("read back " + alice + "; u2 added: " + added + "; u1 present: " + users.containsKey("u1"));
    }
  }
}
