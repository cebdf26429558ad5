package io.ringcache.ring;

import java.util.Objects;

/** A range of the hash circle whose owner changes from {@code from} to {@code to}. */
public record MovedRange(HashRange range, String from, String to) {

  public MovedRange {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
  }
}
