package io.ringcache.resp.command;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * One client connection as the handshake commands ({@link Handshake}) see it: where replies go,
 * the connection's state (authentication, name, library, reply mode) and the server it belongs to.
 * The node's connection and the proxy's client handler implement it; a unit test implements it
 * over a heap buffer.
 *
 * <p>Where the node and the proxy answer differently on purpose, the difference is a method here
 * and its javadoc says so: {@link #clusterSecret()} (only a node has the cluster user),
 * {@link #server()} (the CLIENT and CONFIG subcommands each serves, what COMMAND lists, CONFIG
 * SET's refusal), {@link #configParameters()} (each server's own settings), {@link #clientInfo()}
 * and {@link #clients()} (only a node serves CLIENT INFO and CLIENT LIST). Everything else is
 * Redis 7.0's answer, the same on both.
 */
public interface HandshakeSession {

  /** The buffer this command's replies go to. */
  ByteBuf out();

  /** This connection's id (CLIENT ID, HELLO's {@code id}). */
  long id();

  /**
   * The protocol this connection's replies speak: 2 (RESP2, the default) or 3 (RESP3, after {@code
   * HELLO 3}); replies are converted with {@link io.ringcache.resp.Resp3} when it is 3.
   */
  int protocol();

  /** HELLO switched the protocol: 2 or 3. */
  void protocol(int version);

  /** Whether this connection has authenticated, or needs not (no password). */
  boolean authenticated();

  /** Marks this connection authenticated, as the cluster user or as the default user. */
  void authenticatedAs(boolean clusterUser);

  /**
   * The default user's password ({@code requirepass}), or null if the server has none: then
   * {@code AUTH <password>} is refused and {@code AUTH default <anything>} accepted, as Redis 7.0
   * answers them.
   */
  String password();

  /**
   * The cluster user's secret ({@code AUTH ringcache-cluster <secret>}, see {@link
   * io.ringcache.resp.net.ClusterAuth}), or null if this server has no cluster user. Differs on
   * purpose: a node answers with its {@code --cluster-secret}; the proxy answers null (the router
   * and peer nodes talk to nodes, never through the proxy), so there the cluster user is an unknown
   * user ({@code -WRONGPASS}).
   */
  String clusterSecret();

  /** The name CLIENT SETNAME or HELLO SETNAME gave, or null. */
  String name();

  void name(String value);

  /** CLIENT SETINFO LIB-NAME's value (a server that does not show it may ignore it). */
  void libName(String value);

  /** CLIENT SETINFO LIB-VER's value (a server that does not show it may ignore it). */
  void libVersion(String value);

  /** The command name with its subcommand ({@code client|setname}), as CLIENT LIST's {@code cmd=} shows it; may be ignored. */
  void lastCommand(String command);

  /**
   * CLIENT REPLY's mode: {@code on}, {@code off} or {@code skip}, set before the command's +OK is
   * written to {@link #out()}: the session drops that reply for {@code off} and {@code skip}.
   */
  void replyMode(String mode);

  /** Sends the replies so far and closes the connection once they are written (QUIT). */
  void closeAfterReplies();

  /** What this connection's server serves of the handshake family; the same for every connection of the server. */
  Handshake.Server server();

  /**
   * CONFIG GET's parameters as name/value pairs, in the order CONFIG GET lists them. Differs on
   * purpose: each server answers with its own settings (a node its store's, the proxy its port's).
   */
  String[][] configParameters();

  /**
   * This connection as one line of CLIENT INFO and CLIENT LIST, without the newline. Called only
   * if {@link #server()} serves those subcommands: a node does, the proxy does not (its clients'
   * lines would not be a node's).
   */
  default String clientInfo() {
    throw new UnsupportedOperationException("CLIENT INFO is not served here");
  }

  /** Every open client connection of the server, this one included, for CLIENT LIST; see {@link #clientInfo()}. */
  default List<? extends HandshakeSession> clients() {
    throw new UnsupportedOperationException("CLIENT LIST is not served here");
  }
}
