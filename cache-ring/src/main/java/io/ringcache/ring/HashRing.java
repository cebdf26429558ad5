package io.ringcache.ring;

import static io.ringcache.ring.Checks.requireArgument;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/*
 * Placement, exactly as nginx's `hash $key consistent` (ngx_http_upstream_hash_module.c,
 * ngx_http_upstream_init_chash and ngx_http_upstream_find_chash_point):
 *
 *  - A node's name splits at its last ':' when only digits follow it (host, port); otherwise the
 *    whole name is the host and the port is empty. A "unix:" prefix is dropped, port empty.
 *  - base = crc32_update(init, host ‖ 0x00 ‖ port). prev = 0. For j < 160 × weight:
 *    point = final(crc32_update(base, prev as 4 little-endian bytes)); prev = point.
 *  - Points sort ascending as unsigned 32-bit values; of equal points only the first in node order
 *    stays (nginx's pass after qsort keeps one of each hash).
 *  - A key hashes to crc32(key); its owner is the node of the first point >= the hash, wrapping to
 *    the first point. So a node owns (previous point, its point] for each of its points.
 *
 * Representation: points are stored biased (hash ^ 0x80000000) in a sorted int[] so that a signed
 * binary search gives unsigned order, with a parallel int[] of owner indexes. A bucket index on the
 * top bits of the hash (about one bucket per point) narrows the binary search to the one or two
 * points that share the key's prefix: at 100 nodes (16,000 points) a plain binary search is 14
 * unpredictable branches and most of the lookup's time. A lookup is one CRC (scalar-replaced, see
 * Crc32), one index read and a short binary search: nothing is allocated.
 * Instances are immutable and safe to share between threads.
 */

/** A weighted consistent-hash ring that places keys exactly as nginx's {@code hash ... consistent}. */
public final class HashRing {

  /** Ring points per unit of weight, nginx's constant. */
  public static final int POINTS_PER_WEIGHT = 160;

  /** The largest weight accepted; keeps a ring below a few million points. */
  public static final int MAX_WEIGHT = 10_000;

  private static final HashRing EMPTY = new HashRing(new String[0], new int[0], new int[0], new int[0]);

  private final String[] names;
  private final int[] weights;
  private final int[] points;
  private final int[] owners;
  /** bucketStart[b] = index of the first point whose top bits are >= b; one extra entry at the end. */
  private final int[] bucketStart;
  private final int bucketShift;

  private HashRing(String[] names, int[] weights, int[] points, int[] owners) {
    this.names = names;
    this.weights = weights;
    this.points = points;
    this.owners = owners;
    int bits = 1;
    while (bits < 16 && (1 << bits) < points.length) {
      bits++;
    }
    this.bucketShift = 32 - bits;
    this.bucketStart = new int[(1 << bits) + 1];
    int i = 0;
    for (int b = 0; b <= 1 << bits; b++) {
      while (i < points.length && ((points[i] ^ Integer.MIN_VALUE) >>> bucketShift) < b) {
        i++;
      }
      bucketStart[b] = i;
    }
  }

  /** The ring of the nodes of {@code nodes} that are {@link NodeState#inRing() in the ring}, in that order. */
  public static HashRing of(Collection<NodeInfo> nodes) {
    Builder builder = builder();
    for (NodeInfo node : nodes) {
      if (node.state().inRing()) {
        builder.add(node.name(), node.weight());
      }
    }
    return builder.build();
  }

  /** A ring with no node; every lookup on it fails. */
  public static HashRing empty() {
    return EMPTY;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The owner of {@code key} hashed whole (nginx's placement, no hash tags; see RoutingTable#serverOf): the node of the first point at or after the key's CRC32. */
  public String ownerOf(byte[] key) {
    return names[ownerIndexOfHash(Crc32.hash(key))];
  }

  /** The owner of a key whose CRC32 is {@code hash}. */
  public String ownerOfHash(int hash) {
    return names[ownerIndexOfHash(hash)];
  }

  /**
   * The index, in {@link #nodeNames()}, of the owner of a key whose CRC32 is {@code hash}.
   *
   * @throws IllegalStateException if the ring has no node
   */
  public int ownerIndexOfHash(int hash) {
    return owners[pointIndexOfHash(hash)];
  }

  private int pointIndexOfHash(int hash) {
    int[] p = points;
    if (p.length == 0) {
      throw new IllegalStateException("the ring has no node");
    }
    int key = hash ^ Integer.MIN_VALUE;
    int bucket = hash >>> bucketShift;
    int low = bucketStart[bucket];
    int high = bucketStart[bucket + 1];
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (p[mid] < key) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low == p.length ? 0 : low;
  }

  /** Whether the ring has no node. */
  public boolean isEmpty() {
    return names.length == 0;
  }

  /** The nodes of the ring, in the order they were added. */
  public List<String> nodeNames() {
    return List.of(names);
  }

  /** Whether {@code name} is a node of this ring. */
  public boolean contains(String name) {
    return indexOf(name) >= 0;
  }

  /** The weight {@code name} was added with. */
  public int weightOf(String name) {
    return weights[requireIndex(name)];
  }

  /** How many points {@code name} holds after equal points were merged. */
  public int pointsOf(String name) {
    int index = requireIndex(name);
    int count = 0;
    for (int owner : owners) {
      if (owner == index) {
        count++;
      }
    }
    return count;
  }

  /** The number of distinct points on the ring. */
  public int pointCount() {
    return points.length;
  }

  /** The point at {@code index} in ascending unsigned order, as a 32-bit hash. */
  public int pointAt(int index) {
    return points[index] ^ Integer.MIN_VALUE;
  }

  /** The node owning the point at {@code index}. */
  public String ownerOfPoint(int index) {
    return names[owners[index]];
  }

  /** The ranges {@code name} owns, adjacent ranges merged, in ascending order of their end. */
  public List<HashRange> rangesOf(String name) {
    int index = requireIndex(name);
    List<HashRange> ranges = new ArrayList<>();
    int n = points.length;
    if (n == 0) {
      return ranges;
    }
    // Start the walk just after a point owned by another node, so that a run never splits at the wrap.
    int first = -1;
    for (int i = 0; i < n; i++) {
      if (owners[i] != index) {
        first = (i + 1) % n;
        break;
      }
    }
    if (first < 0) {
      return List.of(HashRange.all());
    }
    for (int k = 0; k < n; ) {
      int i = (first + k) % n;
      if (owners[i] != index) {
        k++;
        continue;
      }
      int start = pointAt((i - 1 + n) % n);
      int end = i;
      while (k + 1 < n && owners[(first + k + 1) % n] == index) {
        k++;
        end = (first + k) % n;
      }
      ranges.add(HashRange.of(start, pointAt(end)));
      k++;
    }
    ranges.sort((a, b) -> Long.compare(a.end(), b.end()));
    return ranges;
  }

  /** The fraction of the hash circle {@code name} owns, between 0 and 1. */
  public double shareOf(String name) {
    int index = requireIndex(name);
    int n = points.length;
    long owned = 0;
    for (int i = 0; i < n; i++) {
      if (owners[i] == index) {
        owned += n == 1 ? (1L << 32) : Integer.toUnsignedLong(pointAt(i) - pointAt((i - 1 + n) % n));
      }
    }
    return owned / 4294967296.0;
  }

  int indexOf(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private int requireIndex(String name) {
    int index = indexOf(name);
    requireArgument(index >= 0, "not a node of this ring: %s", name);
    return index;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("HashRing[");
    for (int i = 0; i < names.length; i++) {
      s.append(i == 0 ? "" : ", ").append(names[i]).append('=').append(weights[i]);
    }
    return s.append(", points=").append(points.length).append(']').toString();
  }

  /** The points nginx gives a node named {@code name} with {@code weight}, in generation order. */
  static int[] nginxPoints(String name, int weight) {
    String host = name;
    String port = "";
    if (name.length() >= 5 && name.regionMatches(true, 0, "unix:", 0, 5)) {
      host = name.substring(5);
    } else {
      for (int j = name.length() - 1; j >= 0; j--) {
        char c = name.charAt(j);
        if (c == ':') {
          host = name.substring(0, j);
          port = name.substring(j + 1);
          break;
        }
        if (c < '0' || c > '9') {
          break;
        }
      }
    }
    byte[] hostBytes = host.getBytes(StandardCharsets.UTF_8);
    byte[] portBytes = port.getBytes(StandardCharsets.UTF_8);
    int base = Crc32.update(Crc32.start(), hostBytes, 0, hostBytes.length);
    base = Crc32.update(base, (byte) 0);
    base = Crc32.update(base, portBytes, 0, portBytes.length);
    int[] result = new int[POINTS_PER_WEIGHT * weight];
    int prev = 0;
    for (int j = 0; j < result.length; j++) {
      int point = Crc32.finish(Crc32.updateIntLE(base, prev));
      result[j] = point;
      prev = point;
    }
    return result;
  }

  /** Collects nodes in order; the order decides which of two equal points survives. */
  public static final class Builder {
    private final List<String> names = new ArrayList<>();
    private final List<Integer> weights = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();

    private Builder() {}

    /** Adds a node. Names must be unique and weights between 1 and {@value HashRing#MAX_WEIGHT}. */
    public Builder add(String name, int weight) {
      requireArgument(name != null && !name.isBlank(), "node name must not be blank");
      requireArgument(weight > 0, "weight must be positive: %s (node %s)", weight, name);
      requireArgument(weight <= MAX_WEIGHT, "weight must be at most %s: %s (node %s)", MAX_WEIGHT, weight, name);
      requireArgument(seen.add(name), "duplicate node: %s", name);
      names.add(name);
      weights.add(weight);
      return this;
    }

    public HashRing build() {
      if (names.isEmpty()) {
        return EMPTY;
      }
      int total = 0;
      for (int w : weights) {
        total += w * POINTS_PER_WEIGHT;
      }
      // hash (biased, so signed order is unsigned order) in the high half, generation order in the
      // low half: sorting the longs sorts by hash, then by node order.
      long[] keyed = new long[total];
      int[] ownerOfSeq = new int[total];
      int seq = 0;
      for (int node = 0; node < names.size(); node++) {
        for (int point : nginxPoints(names.get(node), weights.get(node))) {
          keyed[seq] = ((long) (point ^ Integer.MIN_VALUE) << 32) | seq;
          ownerOfSeq[seq] = node;
          seq++;
        }
      }
      Arrays.sort(keyed);
      int[] points = new int[total];
      int[] owners = new int[total];
      int n = 0;
      for (long k : keyed) {
        int biased = (int) (k >> 32);
        if (n > 0 && points[n - 1] == biased) {
          continue;
        }
        points[n] = biased;
        owners[n] = ownerOfSeq[(int) k];
        n++;
      }
      int[] w = weights.stream().mapToInt(Integer::intValue).toArray();
      return new HashRing(
          names.toArray(String[]::new), w, Arrays.copyOf(points, n), Arrays.copyOf(owners, n));
    }
  }
}
