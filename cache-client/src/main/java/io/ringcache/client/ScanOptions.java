package io.ringcache.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a key scan ({@link CacheCommands#scan(ScanOptions)}) returns and how much each step asks
 * for; immutable. {@code ScanOptions.DEFAULT} returns every key; {@code
 * ScanOptions.builder().match("user:*").count(500).build()} the keys that match a Redis glob, 500
 * per node and step.
 */
public final class ScanOptions {

  /** How many keys each node is asked for per step ({@code SCAN ... COUNT}), unless set. */
  public static final int DEFAULT_COUNT = 100;

  /** Every key, {@link #DEFAULT_COUNT} per node and step. */
  public static final ScanOptions DEFAULT = builder().build();

  private final byte[] match;
  private final int count;

  private ScanOptions(Builder b) {
    this.match = b.match;
    this.count = b.count;
  }

  /** A builder with every option at its default. */
  public static Builder builder() {
    return new Builder();
  }

  /** The glob keys must match ({@code SCAN ... MATCH}), as bytes; {@code null} for every key. */
  public byte[] match() {
    return match == null ? null : match.clone();
  }

  byte[] matchBytes() {
    return match;
  }

  /** How many keys each node is asked for per step: a hint, as {@code SCAN}'s {@code COUNT} is. */
  public int count() {
    return count;
  }

  @Override
  public String toString() {
    return "ScanOptions{match=" + (match == null ? "*" : new String(match, StandardCharsets.UTF_8)) + ", count=" + count + "}";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScanOptions other && count == other.count && Arrays.equals(match, other.match);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(match) + count;
  }

  /** Builds {@link ScanOptions}; every setter documents its default. Not thread-safe. */
  public static final class Builder {
    private byte[] match;
    private int count = DEFAULT_COUNT;

    private Builder() {}

    /**
     * Only keys that match {@code glob} (Redis's glob: {@code *}, {@code ?}, {@code [abc]}, {@code
     * \\} escapes), UTF-8 encoded. Defaults to every key.
     */
    public Builder match(String glob) {
      Objects.requireNonNull(glob, "glob");
      this.match = glob.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    /** As {@link #match(String)}, for {@code byte[]} keys. */
    public Builder match(byte[] glob) {
      Objects.requireNonNull(glob, "glob");
      this.match = glob.clone();
      return this;
    }

    /**
     * How many keys each node is asked for per step ({@code COUNT}, a hint). Defaults to 100. See
     * {@link #DEFAULT_COUNT}.
     */
    public Builder count(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("count must be positive: " + count);
      }
      this.count = count;
      return this;
    }

    public ScanOptions build() {
      return new ScanOptions(this);
    }
  }
}
