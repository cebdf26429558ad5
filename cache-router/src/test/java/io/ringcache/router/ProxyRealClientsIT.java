package io.ringcache.router;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringcache.node.RealClients;
import io.ringcache.node.RedisPy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** redis-cli's bulk modes and redis-py through the proxy in front of three nodes (RealClients). */
class ProxyRealClientsIT {

  @Test
  void redisCli_pipeBigkeysAndScanPattern_workThroughTheProxy() throws Exception {
    assumeTrue(RealClients.redisCliInstalled(), "redis-cli is not installed (.ci/run installs redis-tools)");
    try (TestCluster cluster = new TestCluster(3)) {
      RealClients.redisCliBulkModes(cluster.router.port());
    }
  }

  @Test
  void redisPy_setWithEveryOptionScanIterAndInfo_workThroughTheProxy() throws Exception {
    assumeTrue(RedisPy.installed(), RedisPy.MISSING);
    try (TestCluster cluster = new TestCluster(3)) {
      RealClients.redisPySetScanInfo(cluster.router.port(), List.of("server", "cluster", "keyspace", "all", "default"));
    }
  }
}
