package io.ringcache.resp;

/**
 * A stream that cannot be resynchronised: the handler answers {@code -ERR Protocol error: <message>}
 * and closes the connection.
 */
public record ProtocolError(String message) {}
