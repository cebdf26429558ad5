package io.ringcache.ring;

import java.util.Objects;

/** A pair of old owner and new owner: the unit a handoff runs for. */
public record Transfer(String from, String to) {

  public Transfer {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
  }

  @Override
  public String toString() {
    return from + " -> " + to;
  }
}
