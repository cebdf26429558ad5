package io.ringcache.node;

import io.ringcache.resp.command.CommandIntrospection;
import java.util.List;

/**
 * What the connection commands ({@link ConnectionCommands}: AUTH, HELLO, CLIENT, COMMAND, CONFIG,
 * FUNCTION, QUIT) need beyond a {@link CommandContext}: the connection's own state (authentication,
 * name, library, reply mode), the node's configuration and port, COMMAND's answers, and the other
 * clients CLIENT LIST shows.
 */
interface ConnectionContext extends CommandContext {

  /** This connection's id (CLIENT ID). */
  long id();

  /** Whether this connection has authenticated (or needs not). */
  boolean authenticated();

  /** Marks this connection authenticated, as the cluster user or as the default user. */
  void authenticatedAs(boolean clusterUser);

  /** The name CLIENT SETNAME gave, or null. */
  String name();

  void name(String value);

  void libName(String value);

  void libVersion(String value);

  /** This connection as one line of CLIENT LIST / CLIENT INFO. */
  String clientInfo();

  /** The command name (with subcommand) as INFO commandstats and errors name it. */
  void lastCommand(String command);

  /** CLIENT REPLY's mode: on, off or skip. */
  void replyMode(String mode);

  /** Flushes the replies so far and closes once they are written. */
  void closeAfterReplies();

  /** The node's configuration. */
  NodeConfig config();

  /** The node's RESP port. */
  int port();

  /** COMMAND's answers for the node's table. */
  CommandIntrospection introspection();

  /** The node's open client connections, this one included. */
  List<ConnectionContext> clients();
}
