package io.ringcache.bench;

import io.ringcache.ring.Crc32;
import io.ringcache.ring.HashRing;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Owner lookup of 16-byte keys: {@link HashRing} (sorted int[] and binary search) beside the usual
 * {@code TreeMap<Long, String>} ring with the same points and the same CRC32.
 *
 * <pre>java -jar cache-bench/target/benchmarks.jar RingLookupBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RingLookupBenchmark {

  @Param({"3", "10", "100"})
  int nodes;

  private HashRing ring;
  private TreeMap<Long, String> treeRing;
  private byte[][] keys;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    HashRing.Builder builder = HashRing.builder();
    for (int i = 0; i < nodes; i++) {
      builder.add("10.0." + (i / 250) + "." + (i % 250 + 1) + ":7001", 1);
    }
    ring = builder.build();
    treeRing = new TreeMap<>();
    for (int i = ring.pointCount() - 1; i >= 0; i--) {
      treeRing.put(Integer.toUnsignedLong(ring.pointAt(i)), ring.ownerOfPoint(i));
    }
    Random random = new Random(42);
    keys = new byte[4096][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = String.format("key:%012d", random.nextInt(Integer.MAX_VALUE)).getBytes(StandardCharsets.US_ASCII);
    }
  }

  private byte[] nextKey() {
    return keys[next++ & (keys.length - 1)];
  }

  @Benchmark
  public String hashRing() {
    return ring.ownerOf(nextKey());
  }

  @Benchmark
  public String treeMapRing() {
    long hash = Integer.toUnsignedLong(Crc32.hash(nextKey()));
    Map.Entry<Long, String> entry = treeRing.ceilingEntry(hash);
    return (entry != null ? entry : treeRing.firstEntry()).getValue();
  }
}
