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

  static void crossProtocol(ConnectionContext c, Request r) {
    c.stats().protocolErrors.increment();
    log.warn("cross-protocol request ({}) from {}: closing", r.string(0), c.describe());
    Resp.error(c.out(), "ERR Protocol error: cross-protocol request refused: '" + r.string(0) + "' (is this an HTTP client?)");
    c.closeAfterReplies();
  }
}
