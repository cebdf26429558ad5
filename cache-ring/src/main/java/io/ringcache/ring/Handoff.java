package io.ringcache.ring;

import java.util.List;
import java.util.Objects;

/**
 * A handoff under way: the ranges {@code ranges} move from {@code from} to {@code to}.
 *
 * @param id unique within the topology
 * @param from the old owner (the source)
 * @param to the new owner (the target)
 * @param ranges the ranges that move
 * @param phase the step reached
 */
public record Handoff(String id, String from, String to, List<HashRange> ranges, HandoffPhase phase) {

  public Handoff {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    ranges = List.copyOf(ranges);
    Objects.requireNonNull(phase, "phase");
  }

  /** Whether a key of CRC32 {@code hash} is in one of the moving ranges. */
  public boolean covers(int hash) {
    for (HashRange range : ranges) {
      if (range.contains(hash)) {
        return true;
      }
    }
    return false;
  }

  public Handoff withPhase(HandoffPhase next) {
    return new Handoff(id, from, to, ranges, next);
  }
}
