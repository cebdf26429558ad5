package io.ringcache.client;

import java.util.concurrent.atomic.AtomicBoolean;

/** The {@link CacheClient}: the executor, the topology and the four views over them. */
final class DefaultCacheClient extends SyncView<String, String> implements CacheClient {

  private final ClientOptions options;
  private final ClusterExecutor executor;
  private final TopologyManager topology;
  private final AsyncView<String, String> async;
  private final AsyncView<byte[], byte[]> binaryAsync;
  private final SyncView<byte[], byte[]> binary;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DefaultCacheClient(
      ClientOptions options, ClusterExecutor executor, TopologyManager topology, AsyncView<String, String> async) {
    super(async);
    this.options = options;
    this.executor = executor;
    this.topology = topology;
    this.async = async;
    this.binaryAsync = new AsyncView<>(executor, Codec.BYTES);
    this.binary = new SyncView<>(binaryAsync);
  }

  static CacheClient start(ClientOptions options) {
    ClusterExecutor executor = new ClusterExecutor(options);
    try {
      TopologyManager topology = new TopologyManager(executor, options.seeds());
      executor.topology(topology);
      topology.bootstrap();
      return new DefaultCacheClient(options, executor, topology, new AsyncView<>(executor, Codec.UTF8));
    } catch (RuntimeException e) {
      executor.close();
      throw e;
    }
  }

  @Override
  public AsyncCacheCommands<String, String> async() {
    return async;
  }

  @Override
  public CacheCommands<byte[], byte[]> binary() {
    return binary;
  }

  @Override
  public AsyncCacheCommands<byte[], byte[]> binaryAsync() {
    return binaryAsync;
  }

  @Override
  public <K, V> CacheCommands<K, V> withCodec(Codec<K, V> codec) {
    return new SyncView<>(asyncWithCodec(codec));
  }

  @Override
  public <K, V> AsyncView<K, V> asyncWithCodec(Codec<K, V> codec) {
    return new AsyncView<>(executor, java.util.Objects.requireNonNull(codec, "codec"));
  }

  @Override
  public long topologyEpoch() {
    return topology.router().epoch();
  }

  @Override
  public long refreshTopology() {
    return topology.refreshNow();
  }

  @Override
  public ClientOptions options() {
    return options;
  }

  /** For tests: where {@code key} goes under the current topology. */
  String addressOf(String key) {
    return topology.router().addressOf(Codec.UTF8.encodeKey(key));
  }

  /** For tests: redirects followed and TRYAGAIN retries, since the client started. */
  long[] redirectsAndRetries() {
    return new long[] {executor.redirectsFollowed(), executor.tryAgainsRetried()};
  }

  /** For tests: the nodes the client holds connections (endpoints) for. */
  java.util.Set<String> endpointAddresses() {
    return executor.endpointAddresses();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      topology.close();
      executor.close();
    }
  }

  @Override
  public String toString() {
    return "CacheClient{" + topology.router() + "}";
  }
}
