package io.ringcache.node.cluster;

import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.resp.RespReply;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Step 3 of a handoff at the target: a key of an imported range that this node neither holds nor
 * touched may still be at the source, sealed. RING.READ asks the source for it (an internal read that
 * ignores the seal, answered only while the source holds the handoff as its source); the answer is
 * stored here only if the key is still absent and untouched, with the source's absolute expiry time.
 * A source that does not answer, or answers with an error, fails the fetch: the command then gets
 * -TRYAGAIN, because a failure is never a miss (the key may well exist at the source; taking it for
 * absent would let INCR restart from 0 or SET NX overwrite it).
 */

/** Reads keys of an imported range through from the handoff's source. */
public final class ReadThrough {

  /** How long a read-through may take before the command gets -TRYAGAIN. */
  static final long TIMEOUT_MILLIS = 1_000;

  private final Store store;
  private final PeerPool peers;

  public ReadThrough(Store store, PeerPool peers) {
    this.store = store;
    this.peers = peers;
  }

  /**
   * Fetches {@code keys} from the source of {@code state}; completes once each was applied, or
   * exceptionally if the source did not answer every read in time.
   */
  public CompletableFuture<Void> fetch(ImportState state, List<Key> keys) {
    byte[] name = state.handoff().from().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] id = state.handoff().id().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return peers.get(state.sourceAddress())
        .thenCompose(client -> {
          CompletableFuture<?>[] reads = new CompletableFuture<?>[keys.size()];
          for (int i = 0; i < reads.length; i++) {
            Key key = keys.get(i);
            reads[i] = client.call("RING.READ", key.bytes(), name, id).thenAccept(reply -> apply(state, key, reply));
          }
          return CompletableFuture.allOf(reads);
        })
        .orTimeout(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Dials {@code sources} now, in the background, unless connected already: a target does so when
   * it adopts a topology that names it, so that its first read through a source (a GET at the
   * activation, or before it) does not also wait for the connection and its authentication (measured
   * at 90-140 ms for the first GETs after a quick activation, docs/benchmarks.md). A failed dial is
   * dialled again by the first read.
   */
  public void dial(Set<String> sources) {
    for (String source : sources) {
      peers.get(source);
    }
  }

  /** A key's entry as the source holds it: its value and absolute expiry (Unix ms, {@link Expiry#NONE} for none). */
  public record Entry(byte[] value, long expireAtMillis) {}

  /**
   * Reads {@code key} at {@code source}, the node {@code sourceName} (RING.READ, which another node
   * at that address refuses, and so does that node while it does not hold handoff {@code handoffId}
   * as its source), without storing it here: completes with its
   * entry, with null if the source does not hold it, or exceptionally if the source did not answer
   * within {@code timeoutMillis} (or answered an error). A GET of a range this node will import
   * but does not serve yet is answered so (CommandHandler).
   */
  public CompletableFuture<Entry> peek(String source, String sourceName, String handoffId, byte[] key, long timeoutMillis) {
    byte[] name = sourceName.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] id = handoffId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return peers.get(source)
        .thenCompose(client -> client.call("RING.READ", key, name, id))
        .thenApply(ReadThrough::entry)
        .orTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private static Entry entry(Object reply) {
    if (reply instanceof Object[] entry && entry.length == 2 && entry[0] instanceof byte[] value
        && entry[1] instanceof Long expireAt) {
      return new Entry(value, expireAt);
    }
    if (reply == RespReply.NIL || (reply instanceof Object[] a && a.length == 0)) {
      return null; // absent at the source (*-1)
    }
    throw new IllegalStateException("unexpected RING.READ reply: " + reply);
  }

  private void apply(ImportState state, Key key, Object reply) {
    Entry entry = entry(reply);
    if (entry != null) { // else absent at the source (*-1)
      state.applyIfUntouched(key, () -> store.putIfAbsentUntil(key, entry.value(), entry.expireAtMillis()));
    }
  }
}
