package io.ringcache.jcache;

import io.ringcache.node.NodeConfig;
import io.ringcache.node.NodeServer;
import io.ringcache.ring.NodeInfo;
import io.ringcache.router.Router;
import io.ringcache.router.RouterConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real ringcache cluster in the test JVM (three nodes and the router, ephemeral loopback ports),
 * started once per test run and named to the JCache provider by its default URI (the system property
 * {@code ringcache.jcache.uri}): the JSR-107 TCK's {@code Caching.getCachingProvider()} then uses it
 * without knowing. The cluster lives as long as the run, so no key outlives it.
 */
final class TestCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TestCluster.class);
  private static volatile TestCluster shared;

  private final List<NodeServer> nodes = new ArrayList<>();
  private final Router router;
  private final Path dataDir;

  private TestCluster(int size) throws Exception {
    dataDir = Files.createTempDirectory("ringcache-jcache-router");
    try {
      List<NodeInfo> members = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        NodeServer node = NodeServer.start(
            NodeConfig.builder().bind("127.0.0.1").port(0).maxMemory(128L << 20).threads(1).build());
        nodes.add(node);
        members.add(NodeInfo.of(address(node), 1));
      }
      router = Router.start(RouterConfig.builder().port(0).adminPort(0).dataDir(dataDir).initialNodes(members)
          .healthInterval(Duration.ofMillis(300)).healthMisses(5).build());
      long epoch = router.topology().epoch();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      for (NodeServer node : nodes) {
        while (epochOf(address(node)) < epoch) {
          if (System.nanoTime() - deadline > 0) {
            throw new IllegalStateException("node " + address(node) + " did not reach epoch " + epoch + " within 30 s");
          }
          LockSupport.parkNanos(5_000_000L);
        }
      }
    } catch (Exception e) {
      close();
      throw e;
    }
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
    StringBuilder uri = new StringBuilder("ringcache://127.0.0.1:").append(router.port());
    for (NodeServer node : nodes) {
      uri.append(',').append(address(node));
    }
    return uri.toString();
  }

  String routerAddress() {
    return "127.0.0.1:" + router.port();
  }

  List<String> nodeAddresses() {
    return nodes.stream().map(TestCluster::address).toList();
  }

  private static String address(NodeServer node) {
    return "127.0.0.1:" + node.port();
  }

  /** The epoch a node holds, asked with RING.TOPOLOGY over a plain socket; -1 if it has none. */
  private static long epochOf(String address) throws IOException {
    int colon = address.lastIndexOf(':');
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))), 2000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write("*1\r\n$13\r\nRING.TOPOLOGY\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[65536];
      int n = in.read(buffer);
      Matcher m = Pattern.compile("\"epoch\":(\\d+)").matcher(new String(buffer, 0, Math.max(0, n), StandardCharsets.UTF_8));
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
  }

  @Override
  public void close() {
    if (router != null) {
      router.close();
    }
    for (NodeServer node : nodes) {
      node.close();
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", dataDir, e.toString());
    }
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
