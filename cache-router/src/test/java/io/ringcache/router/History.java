package io.ringcache.router;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/*
 * The history checker of the simulation. The simulation runs on one thread, so every write takes
 * effect at one instant (when the node applied it, even if its client had timed out long before) and
 * the writes to a key form a total order. The model keeps, per key, the newest write that took
 * effect (a value, or a delete). A read must return exactly that: an older value is a stale read
 * (or a resurrection, if the key was deleted since); a miss is allowed only while a loss is allowed
 * for the key, that is after a node that held its newest value (or took part in a handoff of it)
 * failed, and until the next write.
 */

/** Operations of the simulated clients, and the invariants they must keep. */
final class History {

  enum Kind { SET, DEL, REJECTED_SET, GET, SET_NX, SET_XX, INCR, GETDEL, EXPIRE, PERSIST }

  /** Whether {@code kind} needs the key's current state (so it reads through during a handoff). */
  static boolean blind(Kind kind) {
    return kind == Kind.SET || kind == Kind.REJECTED_SET;
  }

  /** One client operation. */
  static final class Op {
    final String key;
    final Kind kind;
    final String value;
    final long started;

    Op(String key, Kind kind, String value, long started) {
      this.key = key;
      this.kind = kind;
      this.value = value;
      this.started = started;
    }
  }

  /** A final read: the value, or why the key could not be read. */
  record Read(String value, String error) {}

  private static final class KeyState {
    boolean written;
    String value; // null: deleted (or never written)
    String writtenAt = "";
    long writtenWhen;
    boolean lossAllowed;
  }

  private final Map<String, KeyState> keys = new LinkedHashMap<>();
  final List<String> violations = new ArrayList<>();
  long acknowledged;
  long reads;
  long failed;

  Op begin(String key, Kind kind, String value, long now) {
    keys.computeIfAbsent(key, k -> new KeyState());
    return new Op(key, kind, value, now);
  }

  void acknowledge(Op op, String node, long now) {
    KeyState s = keys.get(op.key);
    s.written = true;
    s.value = op.kind == Kind.DEL ? null : op.value;
    s.writtenAt = node;
    s.writtenWhen = now;
    s.lossAllowed = false;
    acknowledged++;
  }

  /**
   * A conditional write (SET NX, SET XX) that the node applied ({@code stored}) or declined: either
   * way its outcome reveals whether the key existed, which must match the newest write. SET NX
   * that stores over a value is a lost write; one that declines over a delete is a resurrection.
   */
  void conditional(Op op, boolean stored, String node, long now) {
    KeyState s = keys.get(op.key);
    boolean existed = stored == (op.kind == Kind.SET_XX);
    String where = op.kind + " at " + node + " at " + String.format("%.3f", (now - 1_000 * Simulation.MS) / 1e9);
    if (existed && s.value == null) {
      violations.add(where + ": " + op.key + " was present there but the newest write was "
          + (s.written ? "a delete at " + s.writtenAt + " at " + String.format("%.3f", (s.writtenWhen - 1_000 * Simulation.MS) / 1e9)
          : "none"));
    } else if (!existed && s.value != null && !s.lossAllowed) {
      violations.add(where + ": " + op.key + " was absent there but the newest write was '" + s.value + "' at "
          + s.writtenAt + " at " + String.format("%.3f", (s.writtenWhen - 1_000 * Simulation.MS) / 1e9));
    }
    if (stored) {
      acknowledge(op, node, now);
    } else {
      reads++;
    }
  }

  /** EXPIRE or PERSIST answered whether the key existed there, which must match the newest write. */
  void existed(Op op, boolean present, String node, long now) {
    KeyState s = keys.get(op.key);
    String where = op.kind + " at " + node + " at " + String.format("%.3f", (now - 1_000 * Simulation.MS) / 1e9);
    if (present && s.value == null) {
      violations.add(where + ": " + op.key + " was present there but the newest write was "
          + (s.written ? "a delete at " + s.writtenAt : "none"));
    } else if (!present && s.value != null && !s.lossAllowed) {
      violations.add(where + ": " + op.key + " was absent there but the newest write was '" + s.value + "' at "
          + s.writtenAt + " at " + String.format("%.3f", (s.writtenWhen - 1_000 * Simulation.MS) / 1e9));
    }
    reads++;
  }

  /** INCR answered {@code result}: the newest value was {@code result - 1} (or absent, for 1). */
  void incremented(Op op, long result, String node, long now) {
    KeyState s = keys.get(op.key);
    String where = "INCR at " + node + " at " + String.format("%.3f", (now - 1_000 * Simulation.MS) / 1e9);
    check(op.key, result == 1 ? null : Long.toString(result - 1), where);
    Op write = new Op(op.key, Kind.SET, Long.toString(result), op.started);
    acknowledge(write, node, now);
  }

  /** GETDEL answered {@code raw}, which must be the newest value, and deleted the key. */
  void gotAndDeleted(Op op, byte[] raw, String node, long now) {
    read(op, raw, node, now);
    acknowledge(new Op(op.key, Kind.DEL, null, op.started), node, now);
  }

  void fail(Op op, long now) {
    failed++;
  }

  void timeout(Op op, long now) {
    failed++;
  }

  void read(Op op, byte[] raw, String node, long now) {
    reads++;
    String value = raw == null ? null : new String(raw, java.nio.charset.StandardCharsets.UTF_8);
    check(op.key, value, "GET at " + node + " at " + String.format("%.3f", (now - 1_000 * Simulation.MS) / 1e9));
  }

  private void check(String key, String value, String where) {
    KeyState s = keys.get(key);
    if (Objects.equals(value, s.value)) {
      return;
    }
    if (value == null && s.lossAllowed) {
      return;
    }
    violations.add(where + ": " + key + " read " + (value == null ? "a miss" : "'" + value + "'") + " but the newest write was "
        + (s.written ? (s.value == null ? "a delete" : "'" + s.value + "'") + " at " + s.writtenAt + " at "
        + String.format("%.3f", (s.writtenWhen - 1_000 * Simulation.MS) / 1e9) : "none")
        + (s.lossAllowed ? " (a loss was allowed)" : ""));
  }

  /** Keys whose newest value a failed node may have held: a miss is allowed for them until the next write. */
  void allowLoss(String key) {
    KeyState s = keys.get(key);
    if (s != null) {
      s.lossAllowed = true;
    }
  }

  /** A miss is allowed for every key whose newest write was acknowledged by {@code node}, which failed. */
  void allowLossOfWritesAt(String node) {
    for (KeyState s : keys.values()) {
      if (s.value != null && s.writtenAt.equals(node)) {
        s.lossAllowed = true;
      }
    }
  }

  /** The newest value of {@code key}, or null. */
  String newest(String key) {
    KeyState s = keys.get(key);
    return s == null ? null : s.value;
  }

  Iterable<String> keys() {
    return keys.keySet();
  }

  void checkFinal(Function<String, Read> reader) {
    for (String key : keys.keySet()) {
      Read r = reader.apply(key);
      if (r.error() != null) {
        violations.add("after healing, " + key + " is not served: " + r.error());
      } else {
        check(key, r.value(), "final read");
      }
    }
  }
}
