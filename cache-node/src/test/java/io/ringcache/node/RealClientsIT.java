package io.ringcache.node;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringcache.testkit.core.LaunchedCluster;
import java.util.List;
import org.junit.jupiter.api.Test;

/** redis-cli's bulk modes and redis-py against a node (RealClients; the proxy's twin is ProxyRealClientsIT). */
class RealClientsIT {

  @Test
  void redisCli_pipeBigkeysAndScanPattern_workAgainstANode() throws Exception {
    assumeTrue(RealClients.redisCliInstalled(), "redis-cli is not installed (.ci/run installs redis-tools)");
    try (LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().start()) {
      RealClients.redisCliBulkModes(nodes.nodePort(0));
    }
  }

  @Test
  void redisPy_setWithEveryOptionScanIterAndInfo_workAgainstANode() throws Exception {
    assumeTrue(RedisPy.installed(), RedisPy.MISSING);
    try (LaunchedCluster<NodeServer, Void> nodes = Nodes.standalone().start()) {
      RealClients.redisPySetScanInfo(nodes.nodePort(0), List.of("server", "clients", "memory", "stats", "keyspace", "ring",
          "all", "everything", "default"));
    }
  }
}
