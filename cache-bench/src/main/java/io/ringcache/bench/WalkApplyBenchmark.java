package io.ringcache.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.ringcache.node.store.Clock;
import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.node.store.Stores;
import io.ringcache.ring.HashRange;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The two halves of a handoff's per-entry work, alone and by thread CPU (so that a loaded machine
 * stretches the wall clock, not the figures): a source's walk of the moving ranges, each entry
 * copied into a batch array as the stream does, and a target's apply of streamed entries from a
 * payload buffer into an empty store, as {@code RING.IMPORTRAW} does. A join's shape: a source
 * holding {@code entries} keys ({@code key:<i>}, 64-byte values) in a store of {@code max-memory}
 * (2048 MiB unless given; a node's default is 256), 160 ranges covering a quarter of the ring, and
 * a target taking three sources' worth of moving entries.
 *
 * <pre>java -Xms4g -Xmx8g -XX:+UseParallelGC -cp cache-bench/target/benchmarks.jar \
 *     io.ringcache.bench.WalkApplyBenchmark [packed|offheap] [entries] [rounds] [arcs] [max-memory MiB]</pre>
 */
public final class WalkApplyBenchmark {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) {
    String kind = args.length > 0 ? args[0] : "offheap";
    int entries = args.length > 1 ? Integer.parseInt(args[1]) : 333_333;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
    int arcs = args.length > 3 ? Integer.parseInt(args[3]) : 160;
    long maxBytes = (args.length > 4 ? Long.parseLong(args[4]) : 2048) << 20;
    List<HashRange> ranges = quarter(new Random(16), arcs);
    byte[] value = new byte[64];
    Arrays.fill(value, (byte) 'v');

    Store source = newStore(kind, maxBytes);
    for (int i = 0; i < entries; i++) {
      source.put(Key.of(key(i)), value, Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    // the target's payload: three sources' moving entries, keys past the source's
    ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(3 * entries / 4 * 96);
    List<Integer> hashes = new ArrayList<>();
    for (int i = entries; hashes.size() < 3 * entries / 4; i++) {
      byte[] k = key(i);
      Key key = Key.of(k);
      payload.writeInt(k.length).writeInt(64).writeLong(-1).writeBytes(k).writeBytes(value);
      hashes.add(key.ringHash());
    }
    int[] hashArray = hashes.stream().mapToInt(Integer::intValue).toArray();
    System.out.printf("store %s (%d MiB), %,d entries at the source, %,d applied at the target%n", kind, maxBytes >> 20,
        entries, hashArray.length);

    long[] walk = new long[rounds];
    long[] apply = new long[rounds];
    long moved = 0;
    for (int r = 0; r < rounds; r++) {
      BatchVisitor visitor = new BatchVisitor();
      long t0 = THREADS.getCurrentThreadCpuTime();
      source.forEachInRanges(ranges, visitor);
      walk[r] = THREADS.getCurrentThreadCpuTime() - t0;
      moved = visitor.count;

      Store target = newStore(kind, maxBytes);
      byte[][] borrowed = new byte[64][];
      t0 = THREADS.getCurrentThreadCpuTime();
      for (int k = 0, at = 0; k < hashArray.length; k++) {
        int keyLength = payload.getInt(at);
        int valueLength = payload.getInt(at + 4);
        long expireAt = payload.getLong(at + 8);
        byte[] key = borrowed[keyLength];
        if (key == null) {
          key = borrowed[keyLength] = new byte[keyLength];
        }
        payload.getBytes(at + 16, key);
        target.putIfAbsentUntil(key, hashArray[k], payload, at + 16 + keyLength, valueLength, expireAt);
        at += 16 + keyLength + valueLength;
      }
      apply[r] = THREADS.getCurrentThreadCpuTime() - t0;
      if (target.size() != hashArray.length) {
        throw new AssertionError("applied " + target.size() + " of " + hashArray.length);
      }
      target.clear();
      target = null;
      System.gc(); // the off-heap store's pages go with their buffers' cleaners
      System.out.printf("round %d: walk %.0f ns per moved entry (%,d moved), apply %.0f ns per entry%n",
          r + 1, walk[r] / (double) moved, moved, apply[r] / (double) hashArray.length);
    }
    // a source's purge of the ranges it handed off, as ClusterState did (a walk collecting the keys,
    // then a delete each) and as removeInRanges does, each on a freshly loaded store
    source.clear();
    source = null;
    long[] byDelete = new long[3];
    long[] byRemove = new long[3];
    for (int r = 0; r < 3; r++) {
      for (int way = 0; way < 2; way++) {
        Store s = newStore(kind, maxBytes);
        for (int i = 0; i < entries; i++) {
          s.put(Key.of(key(i)), value, Store.NO_TTL, false, Store.Condition.ALWAYS);
        }
        long t0 = THREADS.getCurrentThreadCpuTime();
        if (way == 0) {
          List<Key> doomed = new ArrayList<>();
          s.forEachInRanges(ranges, (key, v, ttl) -> doomed.add(key));
          for (Key key : doomed) {
            s.delete(key);
          }
          byDelete[r] = THREADS.getCurrentThreadCpuTime() - t0;
        } else {
          s.removeInRanges(ranges);
          byRemove[r] = THREADS.getCurrentThreadCpuTime() - t0;
        }
        s.clear();
        System.gc();
      }
      System.out.printf("purge round %d: walk and delete %.0f ns, removeInRanges %.0f ns per moved entry%n",
          r + 1, byDelete[r] / (double) moved, byRemove[r] / (double) moved);
    }
    Arrays.sort(walk);
    Arrays.sort(apply);
    // the fastest round is the one the machine's other load disturbed least
    System.out.printf("%s min: walk %.0f ns per moved entry, apply %.0f ns per entry; median: walk %.0f, apply %.0f%n",
        kind, walk[0] / (double) moved, apply[0] / (double) hashArray.length,
        walk[rounds / 2] / (double) moved, apply[rounds / 2] / (double) hashArray.length);
    payload.release();
  }

  private static Store newStore(String kind, long maxBytes) {
    return switch (kind) {
      case "packed" -> Stores.packed(maxBytes, Clock.SYSTEM);
      case "offheap" -> Stores.offHeap(maxBytes, Clock.SYSTEM);
      default -> throw new IllegalArgumentException("store: " + kind + " (expected: packed or offheap)");
    };
  }

  /**
   * {@code arcs} ranges that together cover about a quarter of the ring: 160, a joining node's, or
   * about 53, what each of three sources gives it (in the benchmark the source holds keys of the whole
   * ring, so a quarter of them still moves).
   */
  private static List<HashRange> quarter(Random random, int arcs) {
    int[] points = new int[4 * arcs];
    for (int i = 0; i < points.length; i++) {
      points[i] = random.nextInt();
    }
    long[] sorted = Arrays.stream(points).mapToLong(Integer::toUnsignedLong).sorted().toArray();
    List<HashRange> ranges = new ArrayList<>();
    for (int i = 0; i + 1 < sorted.length; i += 4) {
      ranges.add(new HashRange(sorted[i], sorted[i + 1]));
    }
    return ranges;
  }

  private static byte[] key(int i) {
    return ("key:" + i).getBytes(StandardCharsets.UTF_8);
  }

  /** Copies each entry into a batch-sized array as HandoffStreamer's batches do. */
  private static final class BatchVisitor implements Store.EntryVisitor {
    private final byte[] batch = new byte[64 * 1024];
    private int length;
    long count;

    @Override
    public void visit(Key key, byte[] value, long ttlNanos) {
      byte[] k = key.bytes();
      add(k, 0, k.length, value, 0, value.length);
    }

    @Override
    public void visitBytes(byte[] bytes, int keyOffset, int keyLength, int valueOffset, int valueLength, int ringHash,
        long ttlNanos) {
      add(bytes, keyOffset, keyLength, bytes, valueOffset, valueLength);
    }

    private void add(byte[] keys, int keyOffset, int keyLength, byte[] values, int valueOffset, int valueLength) {
      if (length + 16 + keyLength + valueLength > batch.length) {
        length = 0;
      }
      batch[length] = (byte) keyLength;
      System.arraycopy(keys, keyOffset, batch, length + 16, keyLength);
      System.arraycopy(values, valueOffset, batch, length + 16 + keyLength, valueLength);
      length += 16 + keyLength + valueLength;
      count++;
    }
  }
}
