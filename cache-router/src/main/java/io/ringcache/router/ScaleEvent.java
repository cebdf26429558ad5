package io.ringcache.router;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One change of membership (join, leave, weight, ejection, re-admission) and its progress. */
final class ScaleEvent {

  enum Kind { JOIN, LEAVE, WEIGHT, EJECT, READMIT, RESUME }

  enum Status { RUNNING, DONE, FAILED }

  /** Keys moved so far out of the keys to move, for one handoff (as its source reports them). */
  record Progress(long moved, long total) {}

  final String id;
  final Kind kind;
  final String node;
  final Instant started = Instant.now();
  volatile Instant finished;
  volatile Status status = Status.RUNNING;
  volatile String message = "";
  /** Whether the event did not reach its goal: its node failed (or, resuming, a participant did). */
  volatile boolean aborted;
  /** Whether handoffs were dropped because a participant failed. */
  volatile boolean pruned;
  /** Nodes that failed during the event; they are ejected when it finishes. */
  final Set<String> failed = ConcurrentHashMap.newKeySet();
  final Map<String, Progress> progress = new ConcurrentHashMap<>();
  /** Streams sent again after they failed between live nodes. */
  final java.util.concurrent.atomic.AtomicInteger streamRetries = new java.util.concurrent.atomic.AtomicInteger();
  /**
   * A join's first checks (its name resolves, it answers): completed with null when they passed,
   * or with the reason they failed. Other kinds of event never complete it.
   */
  final java.util.concurrent.CompletableFuture<String> checked = new java.util.concurrent.CompletableFuture<>();

  ScaleEvent(String id, Kind kind, String node) {
    this.id = id;
    this.kind = kind;
    this.node = node;
  }

  long keysMoved() {
    return progress.values().stream().mapToLong(Progress::moved).sum();
  }

  long keysTotal() {
    return progress.values().stream().mapToLong(Progress::total).sum();
  }

  void end(Status end, String why) {
    message = why;
    finished = Instant.now();
    status = end;
  }

  Map<String, Object> toJson() {
    Map<String, Object> json = new java.util.LinkedHashMap<>();
    json.put("id", id);
    json.put("kind", kind);
    json.put("node", node);
    json.put("status", status);
    json.put("message", message);
    json.put("startedAt", started.toString());
    json.put("finishedAt", finished == null ? null : finished.toString());
    json.put("keysMoved", keysMoved());
    json.put("keysTotal", keysTotal());
    json.put("failedNodes", failed);
    json.put("streamRetries", streamRetries.get());
    return json;
  }
}
