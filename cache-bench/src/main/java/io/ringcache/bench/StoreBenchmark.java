package io.ringcache.bench;

import io.ringcache.node.store.Clock;
import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.node.store.Stores;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The node's store, packed against Caffeine, on 16-byte keys ({@code key:%012d}) and 64-byte values:
 * GET and SET ({@code put}, as the node's SET without GET) of random keys among {@code keys} loaded ones, and inserting 100,000 absent keys into
 * an empty store (what a handoff target does per entry). {@code getBulk} and {@code setFromBuffer} are
 * the node's own GET and SET paths: a borrowed key, the value written to or read from a direct buffer. {@code importCopied}
 * and {@code importFromBuffer}: a handoff target's apply of 100,000 streamed entries into an empty store, before and
 * after it took them straight from the batch's buffer. {@code getBulk16} and {@code getBulk16Prefetched}: sixteen
 * GETs in a row, as a pipelined read brings them, without and with the store's prefetch of their hashes first.
 * Run with {@code -t 2} for two worker loops.
 *
 * <pre>java -jar cache-bench/target/benchmarks.jar StoreBenchmark -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+UseParallelGC"})
public class StoreBenchmark {

  private static final int INSERTS = 100_000;

  @Param({"packed", "caffeine", "offheap"})
  String store;

  @Param({"1000000"})
  int keys;

  private Store loaded;
  private Key[] keySet;
  private byte[] value;

  @Setup
  public void setUp() {
    loaded = newStore();
    keySet = new Key[keys];
    value = new byte[64];
    for (int i = 0; i < keys; i++) {
      keySet[i] = Key.of(String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII));
      loaded.set(keySet[i], value.clone(), Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
  }

  private Store newStore() {
    return switch (store) {
      case "packed" -> Stores.packed(1L << 30, Clock.SYSTEM);
      case "offheap" -> Stores.offHeap(1L << 30, Clock.SYSTEM);
      default -> Stores.caffeine(1L << 30, Clock.SYSTEM, Runnable::run);
    };
  }

  @Benchmark
  public byte[] get() {
    return loaded.get(keySet[ThreadLocalRandom.current().nextInt(keys)]);
  }

  @Benchmark
  public boolean set() {
    return loaded.put(keySet[ThreadLocalRandom.current().nextInt(keys)], value, Store.NO_TTL, false, Store.Condition.ALWAYS);
  }

  /** What one worker loop reuses on the node's GET/SET path: the borrowed key's array, the output and request buffers. */
  @State(Scope.Thread)
  public static class Loop {
    final byte[] key = new byte[16];
    final Key[] batch = new Key[16];
    final int[] hashes = new int[16];
    final io.netty.buffer.ByteBuf out = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(4096);
    final io.netty.buffer.ByteBuf request = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(256).writeZero(64);

    @org.openjdk.jmh.annotations.TearDown
    public void tearDown() {
      out.release();
      request.release();
    }
  }

  /** The node's GET: the key borrowed (copied into the loop's array), the value written into the output buffer. */
  @Benchmark
  public boolean getBulk(Loop loop) {
    Key k = keySet[ThreadLocalRandom.current().nextInt(keys)];
    System.arraycopy(k.bytes(), 0, loop.key, 0, 16);
    loop.out.clear();
    return loaded.writeBulk(loop.key, k.ringHash(), loop.out);
  }

  /** Sixteen of the node's GETs in a row, as a pipelined batch of redis-benchmark -P 16 brings them. */
  @Benchmark
  @org.openjdk.jmh.annotations.OperationsPerInvocation(16)
  public int getBulk16(Loop loop) {
    return gets(loop, false);
  }

  /** As getBulk16, the store's prefetch hint given the batch's hashes first. */
  @Benchmark
  @org.openjdk.jmh.annotations.OperationsPerInvocation(16)
  public int getBulk16Prefetched(Loop loop) {
    return gets(loop, true);
  }

  private int gets(Loop loop, boolean prefetch) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Key[] batch = loop.batch;
    for (int j = 0; j < 16; j++) {
      batch[j] = keySet[random.nextInt(keys)];
      loop.hashes[j] = batch[j].ringHash();
    }
    int sink = prefetch ? loaded.prefetch(loop.hashes, 16) : 0;
    loop.out.clear();
    for (int j = 0; j < 16; j++) {
      System.arraycopy(batch[j].bytes(), 0, loop.key, 0, 16);
      if (loaded.writeBulk(loop.key, batch[j].ringHash(), loop.out)) {
        sink++;
      }
    }
    return sink;
  }

  /** The node's SET: the key borrowed, the value copied from the request's buffer into the store. */
  @Benchmark
  public boolean setFromBuffer(Loop loop) {
    Key k = keySet[ThreadLocalRandom.current().nextInt(keys)];
    System.arraycopy(k.bytes(), 0, loop.key, 0, 16);
    return loaded.put(loop.key, k.ringHash(), loop.request, 0, 64, Store.NO_TTL, false, Store.Condition.ALWAYS);
  }

  /** The first INSERTS keys with their values as a RING.IMPORTRAW payload, in a direct buffer (as a target reads it). */
  @State(Scope.Benchmark)
  public static class Batch {
    io.netty.buffer.ByteBuf payload;
    int[] hashes;

    @Setup
    public void setUp(StoreBenchmark b) {
      payload = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(INSERTS * (16 + 16 + 64));
      hashes = new int[INSERTS];
      for (int i = 0; i < INSERTS; i++) {
        byte[] k = b.keySet[i].bytes();
        payload.writeInt(k.length).writeInt(64).writeLong(-1).writeBytes(k).writeBytes(b.value);
        hashes[i] = b.keySet[i].ringHash();
      }
    }

    @org.openjdk.jmh.annotations.TearDown
    public void tearDown() {
      payload.release();
    }
  }

  /**
   * A handoff target applying INSERTS streamed entries into an empty store as RING.IMPORTRAW did
   * before: the key and the value copied out of the payload onto the heap, a Key made, then stored.
   */
  @Benchmark
  @OperationsPerInvocation(INSERTS)
  public Store importCopied(Batch batch) {
    Store fresh = newStore();
    io.netty.buffer.ByteBuf p = batch.payload;
    for (int i = 0, at = 0; i < INSERTS; i++) {
      int keyLength = p.getInt(at);
      int valueLength = p.getInt(at + 4);
      long expireAt = p.getLong(at + 8);
      byte[] k = new byte[keyLength];
      p.getBytes(at + 16, k);
      byte[] v = new byte[valueLength];
      p.getBytes(at + 16 + keyLength, v);
      fresh.putIfAbsentUntil(Key.of(k, batch.hashes[i]), v, expireAt);
      at += 16 + keyLength + valueLength;
    }
    return fresh;
  }

  /** As {@link #importCopied}, as RING.IMPORTRAW does now: the key borrowed, the value copied once, from the payload into the store. */
  @Benchmark
  @OperationsPerInvocation(INSERTS)
  public Store importFromBuffer(Batch batch, Loop loop) {
    Store fresh = newStore();
    io.netty.buffer.ByteBuf p = batch.payload;
    for (int i = 0, at = 0; i < INSERTS; i++) {
      int keyLength = p.getInt(at);
      int valueLength = p.getInt(at + 4);
      long expireAt = p.getLong(at + 8);
      p.getBytes(at + 16, loop.key); // 16-byte keys
      fresh.putIfAbsentUntil(loop.key, batch.hashes[i], p, at + 16 + keyLength, valueLength, expireAt);
      at += 16 + keyLength + valueLength;
    }
    return fresh;
  }

  @Benchmark
  @OperationsPerInvocation(INSERTS)
  public Store insertAbsent() {
    Store fresh = newStore();
    for (int i = 0; i < INSERTS; i++) {
      fresh.put(keySet[i], value, Store.NO_TTL, false, Store.Condition.IF_ABSENT);
    }
    return fresh;
  }
}
