package io.ringcache.jcache;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.client.CacheClient;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The provider as an application uses it, on a real cluster in this JVM: found through {@code
 * Caching}, two managers (as two JVMs would be) sharing a cache's entries, expiry policies as
 * ringcache TTLs, and the key layout {@code <namespace>:<cache>:<key>}.
 */
class JCacheIT {

  private static TestCluster cluster;
  private static CachingProvider provider;

  @BeforeAll
  static void start() {
    cluster = TestCluster.shared();
    provider = Caching.getCachingProvider();
  }

  @AfterAll
  static void stop() {
    provider.close();
  }

  private CacheManager manager(String namespace) {
    Properties properties = new Properties();
    properties.setProperty("ringcache.namespace", namespace);
    return provider.getCacheManager(URI.create(cluster.uri()), new ClassLoader(getClass().getClassLoader()) {}, properties);
  }

  @Test
  void caching_findsTheRingcacheProvider_andTwoManagersShareACachesEntries() {
    assertThat(provider).isInstanceOf(RingcacheCachingProvider.class);
    CacheManager one = manager("it1");
    CacheManager two = manager("it1");
    assertThat(one).isNotSameAs(two);
    Cache<String, Integer> a = one.createCache("scores", new MutableConfiguration<String, Integer>().setTypes(String.class, Integer.class));
    Cache<String, Integer> b = two.createCache("scores", new MutableConfiguration<String, Integer>().setTypes(String.class, Integer.class));
    a.put("alice", 31);
    assertThat(b.get("alice")).isEqualTo(31);
    assertThat(b.getAndPut("alice", 32)).isEqualTo(31);
    assertThat(a.get("alice")).isEqualTo(32);

    CacheClient client = one.unwrap(CacheClient.class);
    assertThat(client.exists("it1:scores:Salice")).as("String keys are stored readable").isTrue();
    one.destroyCache("scores");
    assertThat(b.containsKey("alice")).isFalse();
    one.close();
    two.close();
  }

  @Test
  void createdExpiryPolicy_becomesTheEntrysRingcacheTtl() {
    CacheManager manager = manager("it2");
    Cache<String, String> sessions = manager.createCache("sessions", new MutableConfiguration<String, String>()
        .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new javax.cache.expiry.Duration(TimeUnit.MINUTES, 5))));
    sessions.put("s1", "x");
    CacheClient client = manager.unwrap(CacheClient.class);
    Duration left = client.ttl("it2:sessions:Ss1").orElseThrow();
    assertThat(left).isGreaterThan(Duration.ofMinutes(4)).isLessThanOrEqualTo(Duration.ofMinutes(5));
    sessions.put("s1", "y"); // an update keeps the creation's TTL (the policy says "unchanged")
    assertThat(client.ttl("it2:sessions:Ss1")).isPresent();
    assertThat(sessions.get("s1")).isEqualTo("y");
    manager.close();
  }

  @Test
  void theDocumentedExample_runsAgainstARealCluster() {
    java.io.PrintStream out = System.out;
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      JCacheExample.main(new String[] {cluster.uri()});
    } finally {
      System.setOut(out);
    }
    assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8).trim())
        .isEqualTo("read back User[name=alice, age=31]; u2 added: true; u1 present: true");
    try (CacheManager manager = provider.getCacheManager(URI.create(cluster.uri()), getClass().getClassLoader())) {
      CacheClient client = manager.unwrap(CacheClient.class);
      assertThat(client.ttl("jcache:users:Su1").orElseThrow()).isGreaterThan(Duration.ofMinutes(9));
    }
  }

  /** An expiry policy that counts what it is asked (as the TCK's does). */
  public static final class CountingPolicy implements ExpiryPolicy, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    static final AtomicInteger accesses = new AtomicInteger();

    @Override
    public javax.cache.expiry.Duration getExpiryForCreation() {
      return javax.cache.expiry.Duration.ETERNAL;
    }

    @Override
    public javax.cache.expiry.Duration getExpiryForAccess() {
      accesses.incrementAndGet();
      return null;
    }

    @Override
    public javax.cache.expiry.Duration getExpiryForUpdate() {
      return null;
    }
  }

  @Test
  void iterator_returnsEveryEntry_andCountsAsAnAccessOfEach() {
    CacheManager manager = manager("it3");
    Cache<Integer, Integer> cache = manager.createCache("numbers",
        new MutableConfiguration<Integer, Integer>().setExpiryPolicyFactory(FactoryBuilder.factoryOf(new CountingPolicy())));
    Map<Integer, Integer> expected = new HashMap<>();
    for (int i = 0; i < 1_200; i++) {
      cache.put(i, i * i);
      expected.put(i, i * i);
    }
    CountingPolicy.accesses.set(0);
    Map<Integer, Integer> seen = new HashMap<>();
    for (Iterator<Cache.Entry<Integer, Integer>> it = cache.iterator(); it.hasNext(); ) {
      Cache.Entry<Integer, Integer> e = it.next();
      seen.put(e.getKey(), e.getValue());
    }
    assertThat(seen).isEqualTo(expected);
    assertThat(CountingPolicy.accesses.get()).isEqualTo(1_200);
    manager.close();
  }
}
