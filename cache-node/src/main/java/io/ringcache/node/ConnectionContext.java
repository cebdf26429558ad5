package io.ringcache.node;

import io.ringcache.resp.command.Handshake;
import io.ringcache.resp.command.HandshakeSession;
import java.util.List;

/**
 * A node's connection as the handshake commands (cache-resp's {@link Handshake}: AUTH, HELLO,
 * CLIENT, COMMAND, CONFIG, ...) and {@link ConnectionCommands} see it: a {@link CommandContext} and
 * a {@link HandshakeSession}, whose node-specific answers (the cluster user, CONFIG GET's
 * parameters) come from the node's configuration and port.
 */
interface ConnectionContext extends CommandContext, HandshakeSession {

  /**
   * Closes the connection at once, dropping every reply not yet sent, its earlier requests' too (as
   * Redis frees a client it takes for an attacker): POST and Host: (cross-protocol scripting).
   */
  void closeUnanswered();


  /** The node's configuration. */
  NodeConfig config();

  /** The node's RESP port. */
  int port();

  @Override
  default String password() {
    return config().requirepass();
  }

  /** The node's {@code --cluster-secret}: the node has the cluster user (the proxy has not). */
  @Override
  default String clusterSecret() {
    return config().clusterSecret();
  }

  /** The node's settings, named as Redis names them (the proxy answers its own). */
  @Override
  default String[][] configParameters() {
    NodeConfig config = config();
    return new String[][] {
      {"save", ""},
      {"appendonly", "no"},
      {"databases", "1"},
      {"maxmemory", Long.toString(config.maxMemory())},
      // Redis's nearest names: CLOCK approximates LRU, W-TinyLFU is frequency-based
      {"maxmemory-policy", config.store() == NodeConfig.StoreType.CAFFEINE ? "allkeys-lfu" : "allkeys-lru"},
      {"maxclients", Integer.toString(config.limits().maxClients())},
      {"timeout", Integer.toString(config.limits().idleTimeoutSeconds())},
      {"tcp-keepalive", Integer.toString(config.tcpKeepaliveSeconds())},
      {"proto-max-bulk-len", Integer.toString(config.limits().maxBulkLength())},
      {"client-query-buffer-limit", Long.toString(config.limits().maxQueryBuffer())},
      {"port", Integer.toString(port())},
      {"bind", config.bind()},
    };
  }

  /** This connection as one line of CLIENT LIST / CLIENT INFO (a node serves both). */
  @Override
  String clientInfo();

  /** The node's open client connections, this one included. */
  @Override
  List<ConnectionContext> clients();
}
