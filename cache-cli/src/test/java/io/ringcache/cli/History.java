package io.ringcache.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/*
 * A small history checker for the invariants of ARCHITECTURE.md, per key:
 *
 *   - a read that starts after a write W was acknowledged returns W's value or the value of a write
 *     acknowledged after W (or still in flight); never the value of a write acknowledged before W,
 *     nor a value never acknowledged at all (an initial value counts as a write acknowledged at 0);
 *   - a read returns a miss only for keys the test says may miss (their newest value was held only
 *     by a node that crashed, or they expired), or when the latest acknowledged write before it, or
 *     one acknowledged after that, is a delete; a value deleted by an acknowledged delete never
 *     comes back (a delete is a write of "no value").
 *
 * "Before" is by acknowledgement: W is the write with the latest acknowledgement that completed
 * before the read started. Values must be unique per key (tests write "v<n>" with n increasing).
 * Times are System.nanoTime(). Thread-safe: writers and readers record from any thread.
 */

/** Acknowledged writes and reads per key, checked against the invariants. */
final class History {

  private record Write(String value, long start, long end) {}

  private record Read(String value, long start, long end) {}

  private final Map<String, List<Write>> writes = new ConcurrentHashMap<>();
  private final Map<String, List<Read>> reads = new ConcurrentHashMap<>();

  /** A value present before the test's faults (loaded and acknowledged at time 0). */
  void initial(String key, String value) {
    acknowledged(key, value, 0, 0);
  }

  /** A write of {@code value} that started at {@code start} and was acknowledged at {@code end}. */
  void acknowledged(String key, String value, long start, long end) {
    List<Write> list = writes.computeIfAbsent(key, k -> new ArrayList<>());
    synchronized (list) {
      list.add(new Write(value, start, end));
    }
  }

  /** A delete that started at {@code start} and was acknowledged at {@code end}: a write of no value. */
  void deleted(String key, long start, long end) {
    acknowledged(key, null, start, end);
  }

  /** A write whose outcome is unknown (it timed out): it may have been applied, and is never the latest acknowledged. */
  void unknown(String key, String value, long start) {
    acknowledged(key, value, start, Long.MAX_VALUE);
  }

  /** A read that returned {@code value} (null: a miss). */
  void read(String key, String value, long start, long end) {
    List<Read> list = reads.computeIfAbsent(key, k -> new ArrayList<>());
    synchronized (list) {
      list.add(new Read(value, start, end));
    }
  }

  /** Whether no write of {@code key} was acknowledged but its initial value. */
  boolean onlyInitial(String key) {
    List<Write> ws = writes.getOrDefault(key, List.of());
    synchronized (ws) {
      return ws.stream().allMatch(w -> w.end() == 0 || w.end() == Long.MAX_VALUE);
    }
  }

  /** The first violation of each key (empty when the history holds); {@code mayMiss} says which keys may read as absent. */
  List<String> violations(Predicate<String> mayMiss) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, List<Read>> e : reads.entrySet()) {
      String key = e.getKey();
      List<Write> ws = writes.getOrDefault(key, List.of());
      List<Read> rs;
      synchronized (e.getValue()) {
        rs = List.copyOf(e.getValue());
      }
      synchronized (ws) {
        for (Read r : rs) {
          String v = check(key, List.copyOf(ws), r, mayMiss.test(key));
          if (v != null) {
            out.add(v);
            break; // the first violation of each key
          }
        }
      }
    }
    return out;
  }

  private static String check(String key, List<Write> ws, Read r, boolean mayMiss) {
    Write latest = null;
    for (Write w : ws) {
      if (w.end() < r.start() && (latest == null || w.end() > latest.end())) {
        latest = w;
      }
    }
    if (r.value() == null) {
      if (latest == null || mayMiss) {
        return null;
      }
      for (Write w : ws) {
        if (w.value() == null && (w == latest || w.end() > latest.end())) {
          return null; // the latest delete, or one in flight or acknowledged later
        }
      }
      return key + ": a miss after " + latest.value() + " was acknowledged";
    }
    for (Write w : ws) {
      if (r.value().equals(w.value())) {
        if (latest == null || w == latest || w.end() > latest.end()) {
          return null;
        }
        return key + ": read " + r.value() + " (acknowledged earlier) after " + (latest.value() == null ? "a delete" : latest.value())
            + " was acknowledged";
      }
    }
    return key + ": read " + r.value() + ", a value never acknowledged (latest acknowledged: "
        + (latest == null ? "none" : latest.value()) + ")";
  }
}
