package io.ringcache.node.cluster;

import io.ringcache.node.store.Key;
import io.ringcache.ring.Handoff;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/*
 * The target's side of one handoff while it serves the moving ranges (phase ACTIVE or STREAMING).
 *
 * A key is "touched" once a client's write or delete of it SUCCEEDED here. From then on this node
 * holds the newest state of the key, so nothing from the source (a streamed entry, a read-through
 * answer) may replace it: that is what keeps an acknowledged write from being overwritten by an
 * older value, and a delete from being undone (the touched mark is the tombstone). A rejected
 * command (a value over max-value-size, a syntax error) touches nothing, so the source's copy of
 * the key still arrives.
 *
 * Atomicity, per key, through ConcurrentHashMap.compute on the key's bin:
 *   beginWrite  before the write executes: the key's mark becomes PENDING (a count of writes in
 *               flight; an existing TOUCHED mark stays).
 *   an insert   from the source (applyIfUntouched): no mark -> inserted at once; PENDING -> kept in
 *               the mark, to be decided when the writes end; TOUCHED -> dropped.
 *   endWrite    after it executed: success -> TOUCHED (the kept insert is dropped: the key has a
 *               newer state here); failure, and no other write in flight -> the mark goes and the
 *               kept insert runs now (it inserts only if the key is still absent).
 * So an insert is never lost to a write that did not happen, and never lands after one that did.
 *
 * FLUSHALL (or FLUSHDB) here touches every key of the handoff at once (flushAll): whatever the
 * source read before it flushed too, a batch in flight or a read-through answer, would otherwise
 * land after this node's flush and bring flushed keys back. The flag is set under the write side
 * of a read/write lock whose read side every insert holds, and the store is cleared after it is
 * set: an insert either ran before the flag (and the clear removes it) or sees the flag.
 */

/** Touched keys (tombstones included) of one incoming handoff, and the source to read through to. */
public final class ImportState {

  /** A key with writes in flight, and the insert from the source that arrived meanwhile. */
  private static final class Pending {
    int writes;
    Runnable insert;
  }

  private static final Object TOUCHED = new Object();

  private final Handoff handoff;
  private final String sourceAddress;
  private final ConcurrentHashMap<Key, Object> marks = new ConcurrentHashMap<>();
  private final ReentrantReadWriteLock flushLock = new ReentrantReadWriteLock();
  /** Every key counts as touched: the node was flushed during this handoff. */
  private volatile boolean flushed;

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

  /** Marks {@code key} as being written here; pair with {@link #endWrite}, whatever the outcome. */
  public void beginWrite(Key key) {
    marks.compute(key, (k, mark) -> {
      if (mark == TOUCHED) {
        return mark;
      }
      Pending p = mark == null ? new Pending() : (Pending) mark;
      p.writes++;
      return p;
    });
  }

  /** Ends a write begun with {@link #beginWrite}: touched if it succeeded, else as if never begun. */
  public void endWrite(Key key, boolean succeeded) {
    Runnable[] insert = {null};
    marks.compute(key, (k, mark) -> {
      if (mark == TOUCHED || mark == null) {
        return mark;
      }
      Pending p = (Pending) mark;
      if (succeeded) {
        return TOUCHED;
      }
      if (--p.writes > 0) {
        return p;
      }
      insert[0] = p.insert;
      return null;
    });
    if (insert[0] != null) {
      applyIfUntouched(key, insert[0]);
    }
  }

  /** Whether a write of {@code key} succeeded here, or this node was flushed during the handoff. */
  public boolean isTouched(Key key) {
    return flushed || marks.get(key) == TOUCHED;
  }

  /**
   * Touches every key of this handoff: nothing from the source is inserted from now on. Call it
   * before clearing the store for FLUSHALL; it waits for the inserts running now to finish, so the
   * clear removes them.
   */
  public void flushAll() {
    Lock write = flushLock.writeLock();
    write.lock();
    try {
      flushed = true;
    } finally {
      write.unlock();
    }
  }

  /**
   * Runs {@code insert} unless {@code key} was written here, atomically with respect to
   * {@link #beginWrite} and {@link #endWrite}; while a write is in flight, decides when it ends.
   */
  public void applyIfUntouched(Key key, Runnable insert) {
    Lock read = flushLock.readLock();
    read.lock();
    try {
      if (flushed) {
        return;
      }
      marks.compute(key, (k, mark) -> {
        if (mark == null) {
          insert.run();
        } else if (mark != TOUCHED) {
          ((Pending) mark).insert = insert;
        }
        return mark;
      });
    } finally {
      read.unlock();
    }
  }

  /** How many keys were written or deleted here during the handoff. */
  public int touchedCount() {
    return marks.size();
  }
}
