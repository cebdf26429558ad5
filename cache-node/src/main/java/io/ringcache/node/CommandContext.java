package io.ringcache.node;

import io.netty.buffer.ByteBuf;
import io.ringcache.node.store.Clock;
import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.resp.Request;

/*
 * What the data commands (KeyCommands, ServerCommands) and the shared error helpers in Commands
 * need of the connection that runs them and of its node: the buffer replies go to, the store and
 * its clock, the limits, and the node's counters and watches. Connection implements it over its
 * channel and NodeServer; a unit test implements it over a real store and a heap buffer, so a family
 * runs without sockets. RingContext adds what RING.* needs, ConnectionContext what the
 * handshake commands (cache-resp's Handshake: AUTH, HELLO, CLIENT, ...) need, TransactionContext
 * what MULTI/EXEC/WATCH need, InfoContext what INFO needs; NodeContext is all of them, what a
 * table command runs on.
 */

/** What a data command needs of its connection and node. */
interface CommandContext {

  /** The buffer to append replies to. */
  ByteBuf out();

  /** {@code bytes} as a stored key, hashed for placement as the node's topology says. */
  Key key(byte[] bytes);

  /**
   * Argument {@code i} of {@code r} as key bytes that a store call only reads during the call
   * (GET's and SET's single key): possibly an array of this event loop's reused for the next
   * borrowed key of the same length, so a request allocates nothing for its key. Valid until the
   * next call of this method; never kept, never passed where a {@link Key} is made from it without
   * a copy.
   */
  default byte[] borrowKey(Request r, int i) {
    return r.arg(i);
  }

  /**
   * As {@link #borrowKey(Request, int)} for the {@code length} bytes of {@code buffer} at
   * {@code index} (a key inside an argument: an entry of a streamed batch).
   */
  default byte[] borrowKey(ByteBuf buffer, int index, int length) {
    byte[] key = new byte[length];
    buffer.getBytes(index, key);
    return key;
  }

  /** The placement hash of {@code key} (the node's hash tag, if any): {@code key(key).ringHash()} without a {@link Key}. */
  default int keyHash(byte[] key) {
    return key(key).ringHash();
  }

  /** Counts a lookup as a hit or a miss and passes its result through. */
  byte[] lookedUp(byte[] value);

  /** Counts a lookup whose value was written in place as a hit or a miss; returns {@code hit}. */
  default boolean lookedUp(boolean hit) {
    lookedUp(hit ? PRESENT : null);
    return hit;
  }

  /** A stand-in for a value that was found (and written in place) for {@link #lookedUp(byte[])}. */
  byte[] PRESENT = new byte[0];

  /** The connection as log lines name it. */
  String describe();

  /**
   * Runs {@code work} where it does not hold up the event loop (a long walk of the store), then
   * {@code reply} on the loop with its result; the connection's later requests wait for that reply,
   * in order, while other connections are served. Inside EXEC, which runs whole under its locks, and
   * on a context without an event loop (a unit test's), both run here, now.
   */
  default <T> void aside(java.util.function.Supplier<T> work, java.util.function.Consumer<T> reply) {
    reply.accept(work.get());
  }

  /** The node's store (changes made through it signal WATCH). */
  Store store();

  /**
   * Removes every key the node holds (FLUSHALL, FLUSHDB). On a node importing ranges this first
   * counts every key of those handoffs as written here, so nothing the source read before its own
   * flush (a batch in flight, a read-through answer) lands after this one.
   */
  void flushAll();

  /** The node's limits (max-value-size, max-key-size, max-output-buffer). */
  NodeConfig.Limits limits();

  /** The node's clock: the store's. */
  Clock clock();

  /** The node's counters. */
  NodeStats stats();

  /** The node's watched keys. */
  KeyWatches watches();
}
