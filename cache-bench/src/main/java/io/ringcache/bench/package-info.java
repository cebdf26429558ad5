/**
 * Benchmarks and load harnesses; never run by the tests. docs/benchmarks.md records their results
 * and how to run them ({@code mvn -pl cache-bench -am package}, then {@code
 * cache-bench/target/benchmarks.jar}).
 *
 * <p>JMH micro-benchmarks, one hot path each:
 * <ul>
 *   <li>{@link Crc32Benchmark}: the key hash ({@link io.ringcache.ring.Crc32}).
 *   <li>{@link RingLookupBenchmark}: owner lookup in {@link io.ringcache.ring.HashRing}, beside a
 *       {@code TreeMap} ring.
 *   <li>{@link StoreBenchmark}: GET, SET and inserts on the node's two stores.
 * </ul>
 *
 * <p>Load harnesses, plain {@code main} classes over real sockets:
 * <ul>
 *   <li>{@link ClientBenchmark}: ops/s and latency percentiles of the ringcache client, Jedis and
 *       Lettuce side by side, against a node that is already running ({@code --host}, {@code
 *       --port}).
 *   <li>{@link HandoffBenchmark}: how fast a join moves keys, and the GET latency during it; starts
 *       its nodes and router in its own JVM.
 *   <li>{@link SoakBenchmark}: mixed load for a long time through a join and a leave, printing
 *       throughput, latency, heap and RSS; starts its cluster in its own JVM too.
 * </ul>
 */
package io.ringcache.bench;
