package io.ringcache.ring;

/** A node's state in the topology. Only nodes whose state {@link #inRing() is in the ring} own keys. */
public enum NodeState {
  /** Serving and answering health checks. */
  UP,
  /** Missing health checks; still in the ring until it is ejected. */
  DOWN,
  /**
   * Leaving the cluster: no longer in the ring, its ranges are being handed to their successors,
   * and it still serves them (as a handoff source) until each handoff seals them.
   */
  LEAVING,
  /** Taken out of the ring after being down; its ranges fell to their successors. */
  EJECTED;

  /** Whether a node in this state owns points on the ring. */
  public boolean inRing() {
    return this == UP || this == DOWN;
  }
}
