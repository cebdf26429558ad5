package io.ringcache.node.cluster;

import io.netty.buffer.ByteBuf;
import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.ring.Handoff;
import java.util.concurrent.ConcurrentHashMap;

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
 * Atomicity, per key, under the lock of the key's stripe (one of STRIPES monitors, by the key's
 * table hash); the marks themselves sit in a ConcurrentHashMap, so isTouched (on the read path)
 * takes no lock:
 *   beginWrite  before the write executes: the key's mark becomes PENDING (a count of writes in
 *               flight; an existing TOUCHED mark stays).
 *   an insert   from the source (importIfUntouched, applyIfUntouched): no mark -> inserted at once;
 *               PENDING -> kept in the mark, to be decided when the writes end; TOUCHED -> dropped.
 *   endWrite    after it executed: success -> TOUCHED (the kept insert is dropped: the key has a
 *               newer state here); failure, and no other write in flight -> the mark goes and the
 *               kept insert runs now (it inserts only if the key is still absent).
 * So an insert is never lost to a write that did not happen, and never lands after one that did.
 * A streamed entry of a key nobody wrote (nearly all of them) costs a lock and the store's insert:
 * each stripe counts the marks of its keys (under its lock, which every change of a mark holds), so
 * a stripe with none needs no map lookup, hence no Key, and the entry goes from the batch's buffer
 * straight into the store (importIfUntouched with a borrowed key). ConcurrentHashMap.compute, used
 * before, allocated a reservation node and a lambda per entry and wrote the map twice.
 *
 * FLUSHALL (or FLUSHDB) here touches every key of the handoff at once (flushAll): whatever the
 * source read before it flushed too, a batch in flight or a read-through answer, would otherwise
 * land after this node's flush and bring flushed keys back. flushAll sets the flag, then passes
 * through every stripe's lock; the store is cleared after that. An insert checks the flag under
 * its stripe's lock, so it either held that lock before flushAll passed it (it landed, and the
 * clear removes it) or took it after (and sees the flag).
 */

/** Touched keys (tombstones included) of one incoming handoff, and the source to read through to. */
public final class ImportState {

  /** A key with writes in flight, and the insert from the source that arrived meanwhile. */
  private static final class Pending {
    int writes;
    Runnable insert;
  }

  private static final Object TOUCHED = new Object();
  /** Lock stripes, a power of two: enough that an event loop's import rarely meets a client's write. */
  private static final int STRIPES = 64;

  private final Handoff handoff;
  private final String sourceAddress;
  private final ConcurrentHashMap<Key, Object> marks = new ConcurrentHashMap<>();
  private final Object[] stripes = new Object[STRIPES];
  /** How many keys of each stripe have a mark; guarded by that stripe's lock. */
  private final int[] markCounts = new int[STRIPES];
  /** Every key counts as touched: this node was flushed during the handoff. */
  private volatile boolean flushed;

  ImportState(Handoff handoff, String sourceAddress) {
    this.handoff = handoff;
    this.sourceAddress = sourceAddress;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
  }

  private Object stripe(Key key) {
    return stripes[stripeIndex(key.hashCode())];
  }

  /** The stripe of a key whose table hash ({@link Key#hashCode}, its ring hash) is {@code hash}. */
  private static int stripeIndex(int hash) {
    return (hash ^ (hash >>> 16)) & (STRIPES - 1);
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
    int stripe = stripeIndex(key.hashCode());
    synchronized (stripes[stripe]) {
      Object mark = marks.get(key);
      if (mark == TOUCHED) {
        return;
      }
      Pending p = mark == null ? new Pending() : (Pending) mark;
      p.writes++;
      if (mark == null) {
        marks.put(key, p);
        markCounts[stripe]++;
      }
    }
  }

  /** Ends a write begun with {@link #beginWrite}: touched if it succeeded, else as if never begun. */
  public void endWrite(Key key, boolean succeeded) {
    Runnable insert;
    int stripe = stripeIndex(key.hashCode());
    synchronized (stripes[stripe]) {
      Object mark = marks.get(key);
      if (mark == TOUCHED || mark == null) {
        return;
      }
      Pending p = (Pending) mark;
      if (succeeded) {
        marks.put(key, TOUCHED);
        return;
      }
      if (--p.writes > 0) {
        return;
      }
      marks.remove(key);
      markCounts[stripe]--;
      insert = p.insert;
    }
    if (insert != null) {
      applyIfUntouched(key, insert);
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
    flushed = true;
    for (Object stripe : stripes) {
      synchronized (stripe) {
        // an insert that held it has landed; one that takes it later sees the flag
      }
    }
  }

  /**
   * Runs {@code insert} unless {@code key} was written here, atomically with respect to
   * {@link #beginWrite} and {@link #endWrite}; while a write is in flight, decides when it ends.
   */
  public void applyIfUntouched(Key key, Runnable insert) {
    synchronized (stripe(key)) {
      if (flushed) {
        return;
      }
      Object mark = marks.get(key);
      if (mark == null) {
        insert.run();
      } else if (mark != TOUCHED) {
        ((Pending) mark).insert = insert;
      }
    }
  }

  /**
   * A streamed entry: {@link Store#putIfAbsentUntil} of it unless {@code key} was written here, as
   * {@link #applyIfUntouched} does, without allocating when no write of the key is in flight.
   *
   * @return whether it was stored now (false also when it is kept behind a write in flight)
   */
  public boolean importIfUntouched(Key key, Store store, byte[] value, long expireAtMillis) {
    synchronized (stripe(key)) {
      if (flushed) {
        return false;
      }
      Object mark = marks.get(key);
      if (mark == null) {
        return store.putIfAbsentUntil(key, value, expireAtMillis);
      }
      if (mark != TOUCHED) {
        ((Pending) mark).insert = () -> store.putIfAbsentUntil(key, value, expireAtMillis);
      }
      return false;
    }
  }

  /**
   * As {@link #importIfUntouched(Key, Store, byte[], long)} for the key {@code key} (borrowed: read
   * during the call only) whose ring hash is {@code ringHash}, the value held in {@code valueLength}
   * bytes of {@code buffer} at {@code valueIndex}: stored with {@link Store#putIfAbsentUntil(byte[],
   * int, ByteBuf, int, int, long)}, copied once from the buffer into the store. Only when a key of
   * its stripe has a mark is a {@link Key} made (to look the mark up), and only when that key has a
   * write in flight are the key and value copied, to be inserted when the write ends.
   *
   * @return whether it was stored now (false also when it is kept behind a write in flight)
   */
  public boolean importIfUntouched(byte[] key, int ringHash, Store store, ByteBuf buffer, int valueIndex,
      int valueLength, long expireAtMillis) {
    int stripe = stripeIndex(ringHash);
    synchronized (stripes[stripe]) {
      if (flushed) {
        return false;
      }
      if (markCounts[stripe] == 0) {
        return store.putIfAbsentUntil(key, ringHash, buffer, valueIndex, valueLength, expireAtMillis);
      }
      Key k = Key.of(key.clone(), ringHash);
      Object mark = marks.get(k);
      if (mark == null) {
        return store.putIfAbsentUntil(key, ringHash, buffer, valueIndex, valueLength, expireAtMillis);
      }
      if (mark != TOUCHED) {
        byte[] value = new byte[valueLength];
        buffer.getBytes(valueIndex, value);
        ((Pending) mark).insert = () -> store.putIfAbsentUntil(k, value, expireAtMillis);
      }
      return false;
    }
  }

  /** How many keys were written or deleted here during the handoff. */
  public int touchedCount() {
    return marks.size();
  }
}
