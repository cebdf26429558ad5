package io.ringcache.ring;

/** The steps of a successor-range handoff, in order (see docs/architecture.md). */
public enum HandoffPhase {
  /** The target knows it will import the ranges; it answers {@code -TRYAGAIN} for them. */
  PREPARED,
  /** The source stopped serving the ranges and redirects them to the target. */
  SEALED,
  /** The target serves the ranges, reading through to the source on a miss. */
  ACTIVE,
  /** The source is streaming the ranges' entries to the target. */
  STREAMING
}
