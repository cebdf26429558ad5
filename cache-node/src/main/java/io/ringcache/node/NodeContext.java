package io.ringcache.node;

import io.ringcache.resp.Request;

/**
 * Everything the node's command families need of a connection, the union of their narrow contexts:
 * what a {@link CommandTable.Command} runs on. {@link Connection} implements it over its channel and
 * node; a unit test's context implements it without sockets and can then run any command of the
 * table, queued ones inside EXEC included.
 */
interface NodeContext extends RingContext, ConnectionContext, TransactionContext, InfoContext {

  /** Whether the connection is closing (QUIT, a refused HTTP request): its command's reply is its last. */
  boolean closing();

  /** Where this connection's commandstats counts accumulate before they are published, or null: counted at once. */
  default CommandTally tally() {
    return null;
  }

  @Override
  default void runQueued(CommandTable.Spec spec, Request r) {
    spec.command().execute(this, r);
  }
}
