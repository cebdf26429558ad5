package io.ringcache.bench;

import io.ringcache.ring.Crc32;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CRC32 of a key: {@link Crc32#hash} (the JDK intrinsic, its {@code CRC32} scalar-replaced) beside
 * the byte-at-a-time table chain that {@link Crc32#update} gives.
 *
 * <pre>java -jar cache-bench/target/benchmarks.jar Crc32Benchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Crc32Benchmark {

  @Param({"16", "64", "1024"})
  int length;

  private byte[] key;

  @Setup
  public void setUp() {
    key = new byte[length];
    new java.util.Random(1).nextBytes(key);
  }

  @Benchmark
  public int intrinsic() {
    return Crc32.hash(key);
  }

  @Benchmark
  public int table() {
    return Crc32.finish(Crc32.update(Crc32.start(), key, 0, key.length));
  }
}
