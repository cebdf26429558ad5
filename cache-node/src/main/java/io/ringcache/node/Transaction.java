package io.ringcache.node;

import io.netty.buffer.ByteBuf;
import io.ringcache.node.cluster.ClusterState;
import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.resp.Request;
import io.ringcache.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * One connection's MULTI/EXEC state and WATCHed keys, answering as Redis 7.0's multi.c.
 *
 * Queuing. Inside MULTI the dispatcher checks each command as Redis's processCommand does (known
 * command and subcommand, arity, not a cluster-internal command, and every key served plainly by
 * this node: SERVE, not importing, not moving) and hands it here to be queued (+QUEUED). A command
 * that fails those checks gets its error and flags the transaction, whose EXEC then answers
 * -EXECABORT. MULTI, EXEC, DISCARD, WATCH and QUIT run at once, as in Redis.
 *
 * EXEC. Under every loop's lock (LoopLocks: no other client's command runs meanwhile), EXEC checks
 * that each key of the queued commands and each watched key is still served plainly here; if not
 * (moved, sealed, importing, gained but not yet purged, lease expired) it answers -TRYAGAIN and runs
 * nothing. Then, if a watched key changed since WATCH, it answers a null array and runs nothing.
 * Then it weighs the transaction (TransactionCost) and refuses one that would hold every loop too
 * long (-EXECABORT, nothing run). Else it runs the queued commands one after another, their replies
 * (errors included) in one array, those past max-output-buffer dropped as they come (the connection
 * is then closed). A transaction is either run whole on this node or not at all.
 *
 * Memory. What the queue and the watched keys hold is reported to the connection's share of
 * max-clients-memory (transactionHolds) whenever it changes, as Redis counts multi-mem.
 *
 * WATCH. A watched key is dirty once a write through the store modified it (KeyWatches,
 * WatchingStore), or if it was present at WATCH and is absent at EXEC (it expired or was evicted),
 * or if the node adopted another topology since the first WATCH (a scale event: writes may have
 * gone to another node meanwhile; a false abort, listed in docs/protocol.md). EXEC, DISCARD,
 * UNWATCH and a closed connection forget the watched keys.
 *
 * Confined to the connection's event loop, except the watcher's dirty flag (KeyWatches).
 */

/** A connection's transaction: the commands queued since MULTI and the keys it watches. */
final class Transaction {

  private static final Logger log = LoggerFactory.getLogger(Transaction.class);

  static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
  static final String TOO_HEAVY = "EXECABORT Transaction discarded because it would hold every client of this node too long: "
      + "its commands read or write more than " + TransactionCost.BUDGET + " bytes of values (a key KEYS or SCAN walks "
      + "counts " + TransactionCost.KEY_WALKED + ", and " + TransactionCost.MATCH_STEP + " per step of matching its pattern);"
      + " split it, or walk keys with SCAN outside MULTI";
  static final String NOT_ALLOWED = "ERR Command not allowed inside a transaction";
  static final String IMPORTING =
      "TRYAGAIN this key's range is moving to this node; transactions and WATCH wait until it is served here, retry";
  private static final byte[] QUEUED = "+QUEUED\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
  /** What a queued request costs beyond its arguments' bytes (array, object headers), for the max-query-buffer bound. */
  private static final int OVERHEAD_PER_ARG = 16;
  /** What a watched key costs beyond its bytes (its Key, map entries, the watcher's registration). */
  private static final int WATCHED_KEY_OVERHEAD = 128;

  /** A command queued since MULTI, as checked by the dispatcher. */
  record Queued(CommandTable.Spec spec, Request request) {}

  private final KeyWatches watches;
  /** Replaced after each unwatch, so a late signal for a key no longer watched cannot mark the next WATCH dirty. */
  private KeyWatches.Watcher watcher = new KeyWatches.Watcher();
  private boolean open;
  private boolean aborted;
  private final List<Queued> queued = new ArrayList<>();
  private long queuedBytes;
  /** Watched keys, and whether each was present at WATCH. */
  private final Map<Key, Boolean> watched = new LinkedHashMap<>();
  /** What the watched keys hold: their bytes and WATCHED_KEY_OVERHEAD each. */
  private long watchedBytes;
  private long watchEpoch;

  Transaction(KeyWatches watches) {
    this.watches = watches;
  }

  /** Whether MULTI was called and neither EXEC nor DISCARD since. */
  boolean open() {
    return open;
  }

  /** CLIENT LIST's multi=: the commands queued since MULTI, -1 outside MULTI. */
  int queuedCount() {
    return open ? queued.size() : -1;
  }

  /** A command was refused while queuing: EXEC will answer -EXECABORT. */
  void flagError() {
    aborted = true;
  }

  /** MULTI. */
  void multi(TransactionContext c) {
    if (open) {
      Resp.error(c.out(), "ERR MULTI calls can not be nested");
      return;
    }
    open = true;
    Resp.raw(c.out(), Resp.OK);
  }

  /** Queues a command the dispatcher checked; refuses it if the transaction would outgrow max-query-buffer. */
  void queue(TransactionContext c, CommandTable.Spec spec, Request r) {
    long bytes = 0;
    for (int i = 0; i < r.argc(); i++) {
      bytes += r.arg(i).length + OVERHEAD_PER_ARG;
    }
    long max = c.limits().maxQueryBuffer();
    if (queuedBytes + bytes > max) {
      aborted = true;
      Resp.error(c.out(), "ERR transaction too large: " + (queuedBytes + bytes) + " bytes queued (expected: <= " + max
          + ", max-query-buffer)");
      return;
    }
    queuedBytes += bytes;
    queued.add(new Queued(spec, r.copy()));
    c.transactionHolds(queuedBytes + watchedBytes);
    Resp.raw(c.out(), QUEUED);
  }

  /** DISCARD. */
  void discard(TransactionContext c) {
    if (!open) {
      Resp.error(c.out(), "ERR DISCARD without MULTI");
      return;
    }
    reset();
    c.transactionHolds(0);
    Resp.raw(c.out(), Resp.OK);
  }

  /** WATCH key [key ...]; the dispatcher checked that this node serves every key. */
  void watch(TransactionContext c, Request r) {
    if (open) {
      Resp.error(c.out(), "ERR WATCH inside MULTI is not allowed");
      return;
    }
    if (watched.isEmpty()) {
      watchEpoch = c.cluster().epoch();
    }
    Store store = c.store();
    for (int i = 1; i < r.argc(); i++) {
      Key key = c.key(r.arg(i)); // hashed by the topology's tag, as the store and the writers' signals hash it
      if (!watched.containsKey(key)) {
        watches.watch(key, watcher); // register first, then read (see KeyWatches)
        watched.put(key, store.contains(key));
        watchedBytes += key.bytes().length + WATCHED_KEY_OVERHEAD;
      }
    }
    c.transactionHolds(queuedBytes + watchedBytes);
    Resp.raw(c.out(), Resp.OK);
  }

  /** UNWATCH (outside MULTI; inside, it is queued and runs in EXEC after the keys were unwatched). */
  void unwatch(TransactionContext c) {
    unwatchAll();
    c.transactionHolds(queuedBytes);
    Resp.raw(c.out(), Resp.OK);
  }

  /** EXEC: runs the queued commands with no other client's command in between, or none of them. */
  void exec(TransactionContext c) {
    if (!open) {
      Resp.error(c.out(), "ERR EXEC without MULTI");
      return;
    }
    if (aborted) {
      reset();
      c.transactionHolds(0);
      Resp.error(c.out(), EXECABORT);
      return;
    }
    LoopLocks locks = c.locks();
    locks.lockAll();
    try {
      String moved = unservedKey(c.cluster());
      if (moved != null) {
        Resp.error(c.out(), moved);
        return;
      }
      if (watchedKeyChanged(c)) {
        Resp.raw(c.out(), NULL_ARRAY);
        return;
      }
      long weight = TransactionCost.of(queued, c.store(), c::key, c.limits().maxValueSize(), c.limits().maxKeySize());
      if (weight > TransactionCost.BUDGET) {
        log.warn("refused EXEC of {}: {} commands weigh more than {} bytes (values read or written, {} per key walked)",
            c.describe(), queued.size(), TransactionCost.BUDGET, TransactionCost.KEY_WALKED);
        Resp.error(c.out(), TOO_HEAVY);
        return;
      }
      unwatchAll();
      List<Queued> commands = new ArrayList<>(queued);
      open = false;
      queued.clear();
      queuedBytes = 0;
      ByteBuf out = c.out();
      int start = out.writerIndex();
      Resp.arrayHeader(out, commands.size());
      c.executing(true);
      try {
        long max = c.limits().maxOutputBuffer();
        for (Queued q : commands) {
          int mark = out.writerIndex();
          run(c, q);
          if (mark - start > max) {
            // the reply already outgrew max-output-buffer, and the connection is closed once EXEC
            // returns (CommandHandler): this command ran, as the whole transaction must, but its reply
            // is dropped, so the buffer holds at most max-output-buffer plus one reply
            out.writerIndex(mark);
          }
        }
        long size = out.writerIndex() - start;
        if (size > max) {
          log.warn("EXEC of {}: replies of {} commands outgrew max-output-buffer ({} bytes kept, expected: <= {}); "
              + "every command ran, the later replies were dropped", c.describe(), commands.size(), size, max);
        }
      } finally {
        c.executing(false);
      }
    } finally {
      reset();
      locks.unlockAll();
      c.transactionHolds(0);
    }
  }

  private static void run(TransactionContext c, Queued q) {
    try {
      c.runQueued(q.spec(), q.request());
    } catch (RuntimeException e) {
      log.error("command {} failed in EXEC", q.spec().name(), e);
      Resp.error(c.out(), "ERR internal error: " + e);
    }
  }

  /** The -TRYAGAIN to answer if a key of the transaction is not served plainly here now; null if all are. */
  private String unservedKey(ClusterState cluster) {
    if (cluster.isStandalone()) {
      return null;
    }
    for (Key key : watched.keySet()) {
      if (cluster.route(key.ringHash()) != ClusterState.Route.SERVE) {
        return tryAgain(cluster);
      }
    }
    for (Queued q : queued) {
      CommandTable.Spec spec = q.spec();
      if (!spec.keyed()) {
        continue;
      }
      Request r = q.request();
      int last = spec.lastKey() < 0 ? r.argc() + spec.lastKey() : spec.lastKey();
      for (int i = spec.firstKey(); i <= last; i += spec.keyStep()) {
        if (cluster.route(cluster.hashTag().hash(r.arg(i))) != ClusterState.Route.SERVE) {
          return tryAgain(cluster);
        }
      }
    }
    return null;
  }

  private static String tryAgain(ClusterState cluster) {
    return "TRYAGAIN a key of this transaction is no longer served by this node at epoch " + cluster.epoch()
        + " (moving, moved or lease expired); nothing was run, retry";
  }

  /** Whether a watched key was modified, expired or evicted since WATCH, or a scale event happened. */
  private boolean watchedKeyChanged(TransactionContext node) {
    if (watched.isEmpty()) {
      return false;
    }
    if (watcher.dirty() || node.cluster().epoch() != watchEpoch) {
      return true;
    }
    Store store = node.store();
    for (Map.Entry<Key, Boolean> e : watched.entrySet()) {
      if (e.getValue() && !store.contains(e.getKey())) {
        return true;
      }
    }
    return false;
  }

  private void unwatchAll() {
    for (Key key : watched.keySet()) {
      watches.unwatch(key, watcher);
    }
    if (!watched.isEmpty()) {
      watched.clear();
      watchedBytes = 0;
      watcher = new KeyWatches.Watcher();
    }
  }

  /** Ends the transaction and forgets the watched keys (EXEC, DISCARD, a closed connection). */
  void reset() {
    open = false;
    aborted = false;
    queued.clear();
    queuedBytes = 0;
    unwatchAll();
  }
}
