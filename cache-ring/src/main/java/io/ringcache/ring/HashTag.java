package io.ringcache.ring;

import static io.ringcache.ring.Checks.requireArgument;

/*
 * Hash tags, as twemproxy's hash_tag and Redis Cluster's {...}: with tags "{}", a key's placement
 * hash is the CRC32 of the bytes between the first '{' and the first '}' after it, when there is
 * such a '}' and at least one byte between them; otherwise of the whole key. So "{user1}.a" and
 * "{user1}.b" hash "user1" and share a node, "{}.a" and "a{" hash the whole key, and in "{a}{b}"
 * only "a" counts. Off (NONE, the default) the whole key is hashed: nginx's placement.
 *
 * The setting is the cluster's, carried in the topology (Topology#hashTag): the router's
 * --hash-tag writes it, and nodes, the proxy and clients hash with the tag of the topology they
 * route by, so they can never disagree. hash() allocates nothing.
 */

/** How a key is hashed for placement: the whole key, or only its hash tag. */
public final class HashTag {

  /** No tags: every byte of the key is hashed (nginx's placement; the default). */
  public static final HashTag NONE = new HashTag(null);

  private final String spec;
  private final byte open;
  private final byte close;

  private HashTag(String spec) {
    this.spec = spec;
    this.open = spec == null ? 0 : (byte) spec.charAt(0);
    this.close = spec == null ? 0 : (byte) spec.charAt(1);
  }

  /**
   * The hashing that {@code spec} names: null or empty for {@link #NONE}, else two distinct ASCII
   * characters, the tag's start and end ({@code {}} as Redis Cluster's and twemproxy's usual one).
   *
   * @throws IllegalArgumentException for any other string
   */
  public static HashTag of(String spec) {
    if (spec == null || spec.isEmpty()) {
      return NONE;
    }
    requireArgument(spec.length() == 2 && spec.charAt(0) < 128 && spec.charAt(1) < 128 && spec.charAt(0) != spec.charAt(1)
        && spec.charAt(0) > ' ' && spec.charAt(1) > ' ', "hash tag must be two distinct printable ASCII characters, such as {}: '%s'", spec);
    return spec.equals("{}") ? CURLY : new HashTag(spec);
  }

  private static final HashTag CURLY = new HashTag("{}");

  /** The two characters, or null when tags are off. */
  public String spec() {
    return spec;
  }

  public boolean enabled() {
    return spec != null;
  }

  /** The placement hash of {@code key}: the CRC32 of its tag, or of all of it. */
  public int hash(byte[] key) {
    if (spec != null) {
      int start = -1;
      for (int i = 0; i < key.length; i++) {
        if (key[i] == open) {
          start = i;
          break;
        }
      }
      if (start >= 0) {
        for (int end = start + 1; end < key.length; end++) {
          if (key[end] == close) {
            if (end - start > 1) {
              return Crc32.hash(key, start + 1, end - start - 1);
            }
            break;
          }
        }
      }
    }
    return Crc32.hash(key);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HashTag other && java.util.Objects.equals(other.spec, spec);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hashCode(spec);
  }

  @Override
  public String toString() {
    return spec == null ? "none" : spec;
  }
}
