package io.ringcache.router.control;

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

  enum Kind { SET, SET_EX, MSET, DEL, REJECTED_SET, GET, SET_NX, SET_XX, INCR, GETDEL, EXPIRE, PERSIST }

  /**
   * Whether {@code kind} needs the key's current state (so it reads through during a handoff): only
   * SET without options and MSET do not (SET with EX has options: the node reads it through too).
   */
  static boolean blind(Kind kind) {
    return kind == Kind.SET || kind == Kind.MSET || kind == Kind.REJECTED_SET;
  }

  /**
   * How long before its deadline an entry may already be gone: entries cross nodes with an absolute
   * expiry in whole milliseconds, rounded down (never later than the source's), which moves the
   * deadline up to 1 ms earlier; 2 ms allowed. None is allowed after it: no hop may make an entry
   * live longer (simulation seed 40475 found the model rounding up).
   */
  static final long EXPIRY_SLACK = 2 * Simulation.MS;

  /** One client operation. */
  static final class Op {
    final String key;
    final Kind kind;
    final String value;
    final long started;
    /** SET EX and EXPIRE: the TTL asked for; 0 for none. */
    final long ttlNanos;

    Op(String key, Kind kind, String value, long started) {
      this(key, kind, value, started, 0);
    }

    Op(String key, Kind kind, String value, long started, long ttlNanos) {
      this.key = key;
      this.kind = kind;
      this.value = value;
      this.started = started;
      this.ttlNanos = ttlNanos;
    }
  }

  /** A final read: the value, or why the key could not be read. */
  record Read(String value, String error) {}

  private static final class KeyState {
    /** When this state became the key's (virtual nanos). */
    long since;
    /** The key's earlier states, oldest first, each with when it stopped being the key's. */
    final List<KeyState> past = new ArrayList<>();
    /** For a past state: when it was replaced. */
    long until = Long.MAX_VALUE;
    boolean written;
    String value; // null: deleted (or never written)
    String writtenAt = "";
    long writtenWhen;
    boolean lossAllowed;
    /** When the newest value expires (virtual nanos); Long.MAX_VALUE for never. */
    long expiresAt = Long.MAX_VALUE;

    /** Keeps a copy of this state as a past one, replaced at {@code now}; the caller changes this one. */
    void replacedAt(long now) {
      KeyState copy = new KeyState();
      copy.since = since;
      copy.until = now;
      copy.written = written;
      copy.value = value;
      copy.writtenAt = writtenAt;
      copy.writtenWhen = writtenWhen;
      copy.lossAllowed = lossAllowed;
      copy.expiresAt = expiresAt;
      past.add(copy);
      since = now;
    }

    /** Whether the newest value has certainly expired at {@code now}. */
    boolean expired(long now) {
      return value != null && expiresAt != Long.MAX_VALUE && now >= expiresAt;
    }

    /** Whether the newest value may have expired at {@code now} (or be about to, by rounding). */
    boolean mayHaveExpired(long now) {
      return value != null && expiresAt != Long.MAX_VALUE && now >= expiresAt - EXPIRY_SLACK;
    }
  }

  private final Map<String, KeyState> keys = new LinkedHashMap<>();
  /** The simulation's virtual clock: when a loss is allowed, or a state replaced. */
  private final java.util.function.LongSupplier clock;

  History(java.util.function.LongSupplier clock) {
    this.clock = clock;
  }
  final List<String> violations = new ArrayList<>();
  long acknowledged;
  long reads;
  /** Reads among them answered from a handoff's source before the target's activation ({@link #readBetween}). */
  long sourceReads;
  long failed;

  Op begin(String key, Kind kind, String value, long now) {
    return begin(key, kind, value, now, 0);
  }

  Op begin(String key, Kind kind, String value, long now, long ttlNanos) {
    keys.computeIfAbsent(key, k -> new KeyState());
    return new Op(key, kind, value, now, ttlNanos);
  }

  void acknowledge(Op op, String node, long now) {
    KeyState s = keys.get(op.key);
    s.replacedAt(now);
    s.written = true;
    s.value = op.kind == Kind.DEL ? null : op.value;
    s.writtenAt = node;
    s.writtenWhen = now;
    s.lossAllowed = false;
    s.expiresAt = op.kind == Kind.DEL || op.ttlNanos == 0 ? Long.MAX_VALUE : now + op.ttlNanos;
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
    if (!existed && s.mayHaveExpired(now) || existed && s.value != null && !s.expired(now)) {
      // as the model says (or at an expiry's edge)
    } else if (existed && s.expired(now)) {
      violations.add(where + ": " + op.key + " was present there but its newest value '" + s.value
          + "' expired at " + String.format("%.3f", (s.expiresAt - 1_000 * Simulation.MS) / 1e9));
    } else if (existed && s.value == null) {
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
    if (!present && s.mayHaveExpired(now) || present && s.value != null && !s.expired(now)) {
      // as the model says (or at an expiry's edge)
    } else if (present && s.expired(now)) {
      violations.add(where + ": " + op.key + " was present there but its newest value '" + s.value
          + "' expired at " + String.format("%.3f", (s.expiresAt - 1_000 * Simulation.MS) / 1e9));
    } else if (present && s.value == null) {
      violations.add(where + ": " + op.key + " was present there but the newest write was "
          + (s.written ? "a delete at " + s.writtenAt : "none"));
    } else if (!present && s.value != null && !s.lossAllowed) {
      violations.add(where + ": " + op.key + " was absent there but the newest write was '" + s.value + "' at "
          + s.writtenAt + " at " + String.format("%.3f", (s.writtenWhen - 1_000 * Simulation.MS) / 1e9));
    }
    if (present && !s.expired(now)) {
      s.replacedAt(now);
      s.expiresAt = op.kind == Kind.EXPIRE ? now + op.ttlNanos : Long.MAX_VALUE;
    }
    reads++;
  }

  /** INCR answered {@code result}: the newest value was {@code result - 1} (or absent, for 1). */
  void incremented(Op op, long result, String node, long now) {
    KeyState s = keys.get(op.key);
    String where = "INCR at " + node + " at " + String.format("%.3f", (now - 1_000 * Simulation.MS) / 1e9);
    check(op.key, result == 1 ? null : Long.toString(result - 1), where, now);
    long keptDeadline = result == 1 ? Long.MAX_VALUE : s.expiresAt; // INCR keeps the key's TTL
    Op write = new Op(op.key, Kind.SET, Long.toString(result), op.started);
    acknowledge(write, node, now);
    s.expiresAt = keptDeadline;
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
    check(op.key, value, "GET at " + node + " at " + String.format("%.3f", (now - 1_000 * Simulation.MS) / 1e9), now);
  }

  /**
   * A GET answered {@code raw} with a value that was read somewhere between {@code from} (when the
   * node took the request) and {@code now} (its reply): it must be what {@link #read} accepts at
   * some instant in between, that is match one of the key's states over that interval (a GET answered
   * from a handoff's source before the target's activation, whose write may come meanwhile).
   */
  void readBetween(Op op, byte[] raw, String node, long from, long now) {
    reads++;
    sourceReads++;
    String value = raw == null ? null : new String(raw, java.nio.charset.StandardCharsets.UTF_8);
    KeyState s = keys.get(op.key);
    List<KeyState> states = new ArrayList<>();
    for (KeyState p : s.past) {
      if (p.until >= from) {
        states.add(p);
      }
    }
    states.add(s);
    for (KeyState state : states) {
      if (problem(op.key, state, value, Math.max(from, state.since), Math.min(now, state.until)) == null) {
        return;
      }
    }
    violations.add(String.format("GET at %s between %.3f and %.3f (read at the source): ", node,
        (from - 1_000 * Simulation.MS) / 1e9, (now - 1_000 * Simulation.MS) / 1e9)
        + problem(op.key, s, value, now, now) + " (and no state of the key in between matches it)");
  }

  private void check(String key, String value, String where, long now) {
    String problem = problem(key, keys.get(key), value, now, now);
    if (problem != null) {
      violations.add(where + ": " + problem);
    }
  }

  /**
   * Why reading {@code value} is wrong if {@code s} is the key's state from {@code first} to {@code
   * last} (one instant for a plain read); null if it is right at some instant of that span.
   */
  private static String problem(String key, KeyState s, String value, long first, long last) {
    if (value == null && s.mayHaveExpired(last)) {
      return null; // expired, as it may have
    }
    if (value != null && value.equals(s.value) && s.expired(first)) {
      return key + " read '" + value + "', which expired at "
          + String.format("%.3f", (s.expiresAt - 1_000 * Simulation.MS) / 1e9);
    }
    if (Objects.equals(value, s.value)) {
      return null;
    }
    if (value == null && s.lossAllowed) {
      return null;
    }
    return key + " read " + (value == null ? "a miss" : "'" + value + "'") + " but the newest write was "
        + (s.written ? (s.value == null ? "a delete" : "'" + s.value + "'") + " at " + s.writtenAt + " at "
        + String.format("%.3f", (s.writtenWhen - 1_000 * Simulation.MS) / 1e9) : "none")
        + (s.lossAllowed ? " (a loss was allowed)" : "");
  }

  /** Keys whose newest value a failed node may have held: a miss is allowed for them until the next write. */
  void allowLoss(String key) {
    KeyState s = keys.get(key);
    if (s != null && !s.lossAllowed) {
      s.replacedAt(clock.getAsLong());
      s.lossAllowed = true;
    }
  }

  /** A miss is allowed for every key whose newest write was acknowledged by {@code node}, which failed. */
  void allowLossOfWritesAt(String node) {
    for (KeyState s : keys.values()) {
      if (s.value != null && s.writtenAt.equals(node) && !s.lossAllowed) {
        s.replacedAt(clock.getAsLong());
        s.lossAllowed = true;
      }
    }
  }

  /** The newest value of {@code key} at {@code now}, or null (none, deleted, or expired). */
  String newest(String key, long now) {
    KeyState s = keys.get(key);
    return s == null || s.mayHaveExpired(now) ? null : s.value;
  }

  Iterable<String> keys() {
    return keys.keySet();
  }

  void checkFinal(Function<String, Read> reader, long now) {
    for (String key : keys.keySet()) {
      Read r = reader.apply(key);
      if (r.error() != null) {
        violations.add("after healing, " + key + " is not served: " + r.error());
      } else {
        check(key, r.value(), "final read", now);
      }
    }
  }
}
