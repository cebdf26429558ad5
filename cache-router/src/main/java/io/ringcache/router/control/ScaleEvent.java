package io.ringcache.router.control;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One change of membership (join, leave, weight, ejection, re-admission) and its progress. The
 * {@link ScaleCoordinator} writes it; the admin API, the metrics and tests read it.
 */
public final class ScaleEvent {

  public enum Kind { JOIN, LEAVE, WEIGHT, EJECT, READMIT, RESUME }

  public enum Status { RUNNING, DONE, FAILED }

  /** Keys moved so far out of the keys to move, for one handoff (as its source reports them). */
  public record Progress(long moved, long total) {}

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

  public String id() {
    return id;
  }

  public Kind kind() {
    return kind;
  }

  /** The node the event is about; null for a {@link Kind#RESUME}. */
  public String node() {
    return node;
  }

  public Status status() {
    return status;
  }

  /** Why it ended as it did ("done", the failure); empty while it runs. */
  public String message() {
    return message;
  }

  /** The streaming progress of handoff {@code handoffId} in this event, or null before its source reported any. */
  public Progress progress(String handoffId) {
    return progress.get(handoffId);
  }

  public long keysMoved() {
    return progress.values().stream().mapToLong(Progress::moved).sum();
  }

  public long keysTotal() {
    return progress.values().stream().mapToLong(Progress::total).sum();
  }

  void end(Status end, String why) {
    message = why;
    finished = Instant.now();
    status = end;
  }

  public Instant started() {
    return started;
  }

  /** When it ended; null while it runs. */
  public Instant finished() {
    return finished;
  }

  /** The nodes that failed during the event (a live view). */
  public Set<String> failedNodes() {
    return java.util.Collections.unmodifiableSet(failed);
  }

  /** Streams sent again after they failed between live nodes. */
  public int streamRetries() {
    return streamRetries.get();
  }
}
