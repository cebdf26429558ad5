package io.ringcache.node;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/*
 * A read/write lock striped by event loop, so that EXEC can run its commands with no other client's
 * command in between while ordinary commands pay almost nothing.
 *
 * Each worker loop has a stripe: a ReentrantLock that only that loop's thread takes for each command
 * it runs (shared side). Uncontended and touched by one thread only, it costs a CAS on a cache line
 * no other core writes, unlike one node-wide ReentrantReadWriteLock, whose read count every loop
 * would bounce between cores. EXEC takes every stripe (exclusive side), always in the same order,
 * so two EXECs on different loops cannot deadlock: neither holds a stripe while it waits for a
 * lower one. The loop running EXEC must not hold its own stripe when it starts (the dispatcher does
 * not take it for EXEC); the commands EXEC then runs take it again, reentrantly.
 *
 * An EXEC waits for the command each other loop is running to finish (microseconds; a KEYS or a
 * FLUSHALL of a large store longer) and then stalls those loops for its own length, as Redis's one
 * thread would. Nothing else blocks on these locks.
 */

/** The per-event-loop locks of a node: commands take their loop's stripe, EXEC takes them all. */
final class LoopLocks {

  private final Map<EventExecutor, ReentrantLock> stripes = new IdentityHashMap<>();
  /** For a thread that is none of the group's loops (never expected; kept so such a caller is still excluded). */
  private final ReentrantLock other = new ReentrantLock();
  private final List<ReentrantLock> ordered = new ArrayList<>();

  LoopLocks(EventExecutorGroup loops) {
    for (EventExecutor loop : loops) {
      ReentrantLock lock = new ReentrantLock();
      stripes.put(loop, lock);
      ordered.add(lock);
    }
    ordered.add(other);
  }

  /** The stripe that commands running on {@code loop} take. */
  ReentrantLock stripe(EventExecutor loop) {
    ReentrantLock lock = stripes.get(loop);
    return lock == null ? other : lock;
  }

  /** Takes every stripe, in order: no other command runs until {@link #unlockAll()}. */
  void lockAll() {
    for (ReentrantLock lock : ordered) {
      lock.lock();
    }
  }

  /** Releases what {@link #lockAll()} took. */
  void unlockAll() {
    for (int i = ordered.size() - 1; i >= 0; i--) {
      ordered.get(i).unlock();
    }
  }
}
