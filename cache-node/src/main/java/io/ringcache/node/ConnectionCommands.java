package io.ringcache.node;

import io.ringcache.resp.Request;
import io.ringcache.resp.Resp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's own connection command: the refusal of HTTP sent to a RESP port. The handshake
 * commands (PING, ECHO, QUIT, AUTH, HELLO, CLIENT, SELECT, COMMAND, CONFIG, FUNCTION) are
 * cache-resp's {@link io.ringcache.resp.command.Handshake}, shared with the proxy.
 */
final class ConnectionCommands {

  private static final Logger log = LoggerFactory.getLogger(ConnectionCommands.class);

  private ConnectionCommands() {}

  /**
   * POST or Host: as a command, before anything else (AUTH included): an HTTP request sent to the node,
   * possibly by a browser a web page steers (cross-protocol scripting). As Redis 7.0's
   * securityWarningCommand: a warning logged, the connection closed, nothing answered to it.
   */
  private static final io.ringcache.resp.net.LogThrottle CROSS_PROTOCOL_LOG = io.ringcache.resp.net.LogThrottle.tenSeconds();

  static void crossProtocol(ConnectionContext c, Request r) {
    c.stats().protocolErrors.increment();
    long leftOut = CROSS_PROTOCOL_LOG.admit();
    if (leftOut >= 0) {
      log.warn("possible security attack: '{}' sent as a command by {}, as an HTTP client would (cross-protocol "
          + "scripting); connection closed unanswered{}", r.string(0), c.describe(),
          io.ringcache.resp.net.LogThrottle.leftOut(leftOut));
    }
    c.closeUnanswered();
  }
}
