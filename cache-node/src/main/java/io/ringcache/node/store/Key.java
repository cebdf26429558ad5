package io.ringcache.node.store;

import io.ringcache.ring.Crc32;
import java.util.Arrays;

/**
 * A stored key: its bytes (never copied, never mutated after construction) and their CRC32, which is
 * both the hash-table hash and the key's position on the ring, so routing and range iteration never
 * hash twice.
 */
public final class Key {

  private final byte[] bytes;
  private final int hash;

  private Key(byte[] bytes, int hash) {
    this.bytes = bytes;
    this.hash = hash;
  }

  /** Wraps {@code bytes}; the caller must not change them afterwards. */
  public static Key of(byte[] bytes) {
    return new Key(bytes, Crc32.hash(bytes));
  }

  /** Wraps {@code bytes} whose CRC32 is already known: a store rebuilding a key it holds. */
  static Key of(byte[] bytes, int hash) {
    return new Key(bytes, hash);
  }

  /** The key's bytes; do not modify. */
  public byte[] bytes() {
    return bytes;
  }

  /** The CRC32 of the key's bytes, {@code io.ringcache.ring.Crc32.hash(bytes())}. */
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
