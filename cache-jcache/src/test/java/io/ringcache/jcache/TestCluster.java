package io.ringcache.jcache;

import io.ringcache.testkit.EmbeddedCluster;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real ringcache cluster in the test JVM (the testkit's {@link EmbeddedCluster}: three nodes and
 * the router, ephemeral loopback ports), started once per test run and named to the JCache provider
 * by its default URI (the system property {@code ringcache.jcache.uri}): the JSR-107 TCK's
 * {@code Caching.getCachingProvider()} then uses it without knowing. The cluster lives as long as
 * the run, so no key outlives it.
 */
final class TestCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TestCluster.class);
  private static volatile TestCluster shared;

  private final EmbeddedCluster cluster;

  private TestCluster(int size) {
    cluster = EmbeddedCluster.builder().nodes(size).maxMemory(128L << 20).start();
  }

  /** The cluster of this test run, started on first use. */
  static synchronized TestCluster shared() {
    if (shared == null) {
      try {
        shared = new TestCluster(3);
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the test cluster: " + e, e);
      }
      System.setProperty(RingcacheCachingProvider.URI_PROPERTY, shared.uri());
      log.info("test cluster up: {}", shared.uri());
    }
    return shared;
  }

  /** {@code ringcache://<router>,<node>,...}. */
  String uri() {
    StringBuilder uri = new StringBuilder("ringcache://").append(cluster.proxyAddress());
    for (String node : cluster.nodeAddresses()) {
      uri.append(',').append(node);
    }
    return uri.toString();
  }

  @Override
  public void close() {
    cluster.close();
  }

  /** Starts the cluster when a test run begins (if the run asks for it) and stops it at the end. */
  public static final class Session implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
      if (Boolean.getBoolean("ringcache.tck.cluster")) {
        shared();
      }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
      TestCluster cluster;
      synchronized (TestCluster.class) {
        cluster = shared;
        shared = null;
      }
      if (cluster != null) {
        javax.cache.Caching.getCachingProvider().close();
        cluster.close();
      }
    }
  }
}
