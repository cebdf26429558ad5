package io.ringcache.node.cluster;

import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Step 3 of a handoff at the target: a key of an imported range that this node neither holds nor
 * touched may still be at the source, sealed. RING.READ asks the source for it (an internal read that
 * ignores the seal); the answer is stored here only if the key is still absent and untouched, with
 * the source's remaining TTL. A source that does not answer counts as a miss: the only outcome a
 * crashed node may cause.
 */

/** Reads keys of an imported range through from the handoff's source. */
public final class ReadThrough {

  private static final Logger log = LoggerFactory.getLogger(ReadThrough.class);

  private final Store store;
  private final PeerPool peers;

  public ReadThrough(Store store, PeerPool peers) {
    this.store = store;
    this.peers = peers;
  }

  /** Fetches {@code keys} from the source of {@code state}; completes (never exceptionally) once each was applied or given up. */
  public CompletableFuture<Void> fetch(ImportState state, List<Key> keys) {
    return peers.get(state.sourceAddress())
        .thenCompose(client -> {
          CompletableFuture<?>[] reads = new CompletableFuture<?>[keys.size()];
          for (int i = 0; i < reads.length; i++) {
            Key key = keys.get(i);
            reads[i] = client.call("RING.READ", key.bytes()).thenAccept(reply -> apply(state, key, reply));
          }
          return CompletableFuture.allOf(reads);
        })
        .orTimeout(2, TimeUnit.SECONDS)
        .handle((ok, error) -> {
          if (error != null) {
            log.debug("read-through from {} failed, treating as a miss: {}", state.sourceAddress(), error.toString());
          }
          return null;
        });
  }

  private void apply(ImportState state, Key key, Object reply) {
    if (!(reply instanceof List<?> entry) || entry.size() != 2 || !(entry.get(0) instanceof byte[] value)
        || !(entry.get(1) instanceof Long ttlMillis)) {
      return; // absent at the source (*-1)
    }
    long ttlNanos = ttlMillis < 0 ? Store.NO_TTL : TimeUnit.MILLISECONDS.toNanos(ttlMillis);
    if (ttlMillis == 0) {
      return;
    }
    state.applyIfUntouched(key, () -> store.put(key, value, ttlNanos, false, Store.Condition.IF_ABSENT));
  }
}
