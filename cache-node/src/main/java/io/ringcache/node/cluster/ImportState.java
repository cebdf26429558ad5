package io.ringcache.node.cluster;

import io.ringcache.node.store.Key;
import io.ringcache.ring.Handoff;
import java.util.concurrent.ConcurrentHashMap;

/*
 * The target's side of one handoff while it serves the moving ranges (phase ACTIVE or STREAMING).
 *
 * A key is "touched" once a client wrote or deleted it here. From then on this node holds the
 * newest state of the key, so nothing from the source (a streamed entry, a read-through answer) may
 * replace it: that is what keeps an acknowledged write from being overwritten by an older value,
 * and a delete from being undone (the touched mark is the tombstone).
 *
 * Atomicity: a write marks the key (touch) before it executes; an insert from the source runs
 * inside ConcurrentHashMap.compute on the same key, which holds the key's bin while it checks the
 * mark and inserts. So either the insert finishes before the mark (and the write then replaces or
 * deletes it), or it sees the mark and does nothing.
 */

/** Touched keys (tombstones included) of one incoming handoff, and the source to read through to. */
public final class ImportState {

  private final Handoff handoff;
  private final String sourceAddress;
  private final ConcurrentHashMap<Key, Boolean> touched = new ConcurrentHashMap<>();

  ImportState(Handoff handoff, String sourceAddress) {
    this.handoff = handoff;
    this.sourceAddress = sourceAddress;
  }

  public Handoff handoff() {
    return handoff;
  }

  /** Where the source node is reached. */
  public String sourceAddress() {
    return sourceAddress;
  }

  /** Marks {@code key} as written here; call before executing the write. */
  public void touch(Key key) {
    touched.put(key, Boolean.TRUE);
  }

  public boolean isTouched(Key key) {
    return touched.containsKey(key);
  }

  /** Runs {@code insert} unless {@code key} is touched, atomically with respect to {@link #touch}. */
  public void applyIfUntouched(Key key, Runnable insert) {
    touched.compute(key, (k, mark) -> {
      if (mark == null) {
        insert.run();
      }
      return mark;
    });
  }

  /** How many keys were written or deleted here during the handoff. */
  public int touchedCount() {
    return touched.size();
  }
}
