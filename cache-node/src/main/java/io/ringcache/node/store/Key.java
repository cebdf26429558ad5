package io.ringcache.node.store;

import io.ringcache.ring.Crc32;
import io.ringcache.ring.HashTag;
import java.util.Arrays;

/**
 * A stored key: its bytes (never copied, never mutated after construction) and their placement hash
 * (the CRC32 of the key, or of its hash tag when the cluster uses tags), which is both the hash-table
 * hash and the key's position on the ring, so routing and range iteration never hash twice. Keys
 * that share a tag share a hash, so they share a probe run in the store: tag groups should stay
 * small (docs/operations.md).
 */
public final class Key {

  private final byte[] bytes;
  private final int hash;

  private Key(byte[] bytes, int hash) {
    this.bytes = bytes;
    this.hash = hash;
  }

  /** Wraps {@code bytes}, hashed whole (no hash tags); the caller must not change them afterwards. */
  public static Key of(byte[] bytes) {
    return new Key(bytes, Crc32.hash(bytes));
  }

  /** Wraps {@code bytes}, hashed for placement by {@code tag}; the caller must not change them afterwards. */
  public static Key of(byte[] bytes, HashTag tag) {
    return new Key(bytes, tag.hash(bytes));
  }

  /**
   * Wraps {@code bytes} whose placement hash is already known (a store rebuilding a key it holds, a
   * caller that hashed them with the node's tag); the caller must not change them afterwards.
   */
  public static Key of(byte[] bytes, int hash) {
    return new Key(bytes, hash);
  }

  /** The key's bytes; do not modify. */
  public byte[] bytes() {
    return bytes;
  }

  /** The key's placement hash: {@code HashTag.hash(bytes())} of the tag it was made with. */
  public int ringHash() {
    return hash;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Key other && other.hash == hash && Arrays.equals(other.bytes, bytes);
  }

  @Override
  public String toString() {
    return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}
