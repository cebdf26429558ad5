package io.ringcache.node;

import io.ringcache.node.store.Key;
import io.ringcache.ring.HashRange;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/*
 * The keys that connections WATCH, node-wide, and the signal that a write modified one (Redis's
 * watched_keys dictionary and touchWatchedKey).
 *
 * Every change the store makes through its API reaches signalModified (WatchingStore), from any
 * thread, after the change: each watcher of that key is marked dirty, and its EXEC answers a null
 * array. What a store does on its own (expiry, eviction) sends no signal; EXEC finds it instead,
 * as Redis's isWatchedKeyExpired does: a key present at WATCH and absent at EXEC was removed.
 *
 * Ordering. WATCH registers the key, then reads whether it is present. A writer changes the store,
 * then reads {@link #watchedKeys} (volatile) and, if non-zero, the map. So either the writer sees
 * the registration (the watcher is marked dirty: the write is ordered after WATCH), or the
 * registration comes after the writer's read and WATCH's read of the key sees the write (the write
 * is ordered before WATCH and is not a change after it). The fast path for a write when nobody
 * watches is one volatile read.
 */

/** Which connections watch which keys, and the signal that marks them dirty. */
final class KeyWatches {

  /** One connection's watched keys: set dirty by any thread, read by the connection's loop at EXEC. */
  static final class Watcher {
    private volatile boolean dirty;

    boolean dirty() {
      return dirty;
    }
  }

  private final Map<Key, Set<Watcher>> watchers = new ConcurrentHashMap<>();
  private final AtomicInteger watchedKeys = new AtomicInteger();

  /** Registers {@code watcher} for {@code key}. */
  void watch(Key key, Watcher watcher) {
    watchers.compute(key, (k, set) -> {
      if (set == null) {
        set = ConcurrentHashMap.newKeySet();
        watchedKeys.incrementAndGet();
      }
      set.add(watcher);
      return set;
    });
  }

  /** Unregisters {@code watcher} from {@code key}. */
  void unwatch(Key key, Watcher watcher) {
    watchers.computeIfPresent(key, (k, set) -> {
      set.remove(watcher);
      if (set.isEmpty()) {
        watchedKeys.decrementAndGet();
        return null;
      }
      return set;
    });
  }

  /** Whether anybody watches {@code key} (the fast path: one volatile read when nobody watches anything). */
  boolean watched(Key key) {
    return watchedKeys.get() != 0 && watchers.containsKey(key);
  }

  /** Whether any key is watched at all: one volatile read. */
  boolean anyWatched() {
    return watchedKeys.get() != 0;
  }

  /** {@code key} was modified: marks its watchers dirty. */
  void signalModified(Key key) {
    if (watchedKeys.get() == 0) {
      return;
    }
    Set<Watcher> set = watchers.get(key);
    if (set != null) {
      for (Watcher w : set) {
        w.dirty = true;
      }
    }
  }

  /** Marks dirty the watchers of every watched key that {@code modified} accepts (FLUSHALL, a dropped range). */
  void signalModifiedWhere(Predicate<Key> modified) {
    if (watchedKeys.get() == 0) {
      return;
    }
    for (Map.Entry<Key, Set<Watcher>> e : watchers.entrySet()) {
      if (modified.test(e.getKey())) {
        for (Watcher w : e.getValue()) {
          w.dirty = true;
        }
      }
    }
  }

  /** Whether {@code key}'s ring hash falls in one of {@code ranges}. */
  static boolean inRanges(Key key, List<HashRange> ranges) {
    for (HashRange range : ranges) {
      if (range.contains(key.ringHash())) {
        return true;
      }
    }
    return false;
  }

  /** How many distinct keys are watched (INFO, tests). */
  int size() {
    return watchedKeys.get();
  }
}
