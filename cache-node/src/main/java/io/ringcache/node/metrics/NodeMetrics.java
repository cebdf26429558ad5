package io.ringcache.node.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ringcache.node.store.Store;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/*
 * A node's metrics, in one Prometheus registry. Command counters are looked up once per command
 * name (when the command table is built), so counting a command is one adder increment on the worker
 * loop that ran it. Everything else is read when scraped: the store's counters and sizes, and the
 * connection counts, through suppliers; nothing is sampled in the background.
 *
 * Names, as Prometheus shows them (the scrape target's `instance` label tells the nodes apart;
 * ringcache_node_info{name} maps it to the ring identity):
 *   ringcache_node_info{name}                      1, with the node's ring identity
 *   ringcache_node_commands_total{command}         commands that ran (refusals before running, such
 *                                                  as NOAUTH, -MOVED or a wrong arity, are not counted)
 *   ringcache_node_command_errors_total{command}   of those, the ones that replied with an error
 *   ringcache_node_keyspace_hits_total, ringcache_node_keyspace_misses_total,
 *   ringcache_node_evictions_total, ringcache_node_expired_keys_total
 *   ringcache_node_keys, ringcache_node_memory_used_bytes, ringcache_node_memory_max_bytes
 *   ringcache_node_connected_clients, ringcache_node_connections_total
 *   ringcache_node_output_buffer_closes_total{limit}  connections closed for replies their client did
 *                                                  not read: limit max-output-buffer (one command's
 *                                                  replies too large) or output-stall-timeout
 *   jvm_*, process_*, system_* (Micrometer's JVM and process binders, once serve() runs)
 */

/** The metrics of one cache node, exposed in the Prometheus text format. */
public final class NodeMetrics implements AutoCloseable {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentMap<String, CommandCounter> commands = new ConcurrentHashMap<>();
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private PrometheusEndpoint endpoint;
  // Micrometer holds gauge and function-counter sources weakly: these keep them reachable
  private Store store;
  private LongSupplier connectedClients;
  private LongSupplier totalConnections;
  // Micrometer holds a function meter's state object weakly: these fields keep the suppliers alive
  private LongSupplier hits;
  private LongSupplier misses;
  private LongSupplier overLimitCloses;
  private LongSupplier stallCloses;

  /**
   * The counters of one command: INFO commandstats (Redis's {@code cmdstat_<name>}) reads them, and
   * the Prometheus endpoint exposes calls and failed calls. Updated by any event loop.
   */
  public static final class CommandCounter {
    private final LongAdder calls = new LongAdder();
    private final LongAdder nanos = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder rejected = new LongAdder();

    private CommandCounter() {}

    /** Counts one execution that took {@code elapsedNanos}, and one failure if its reply was an error. */
    public void executed(long elapsedNanos, boolean error) {
      calls.increment();
      nanos.add(elapsedNanos);
      if (error) {
        failed.increment();
      }
    }

    /** Counts {@code n} executions that took {@code elapsedNanos} together (a connection's tally, see CommandTally). */
    public void executed(long n, long elapsedNanos) {
      calls.add(n);
      nanos.add(elapsedNanos);
    }

    /** Counts one execution whose reply was an error (its call and time counted by {@link #executed(long, long)}). */
    public void errorReplied() {
      failed.increment();
    }

    /** Counts one call refused before it ran (arity, NOAUTH, a key not served here...), as Redis's rejected_calls. */
    public void rejected() {
      rejected.increment();
    }

    /** Executions since start. */
    public long calls() {
      return calls.sum();
    }

    /** Time spent executing, in microseconds, since start. */
    public long micros() {
      return nanos.sum() / 1000;
    }

    /** Executions whose reply was an error. */
    public long failed() {
      return failed.sum();
    }

    /** Calls refused before they ran. */
    public long rejectedCalls() {
      return rejected.sum();
    }
  }

  /** The counters of {@code command} (its lower-case name); the same object for the same name. */
  public CommandCounter command(String command) {
    return commands.computeIfAbsent(command, c -> {
      CommandCounter counter = new CommandCounter();
      FunctionCounter.builder("ringcache.node.commands", counter.calls, LongAdder::sum).description("Commands that ran")
          .tag("command", c).register(registry);
      FunctionCounter.builder("ringcache.node.command.errors", counter.failed, LongAdder::sum)
          .description("Commands that ran and replied with an error").tag("command", c).register(registry);
      return counter;
    });
  }

  /** Every command's counters by name, in name order (INFO commandstats). */
  public java.util.SortedMap<String, CommandCounter> commands() {
    return new java.util.TreeMap<>(commands);
  }

  /**
   * Registers the node's gauges and store counters; call once, when the node's name is known.
   *
   * @param name the node's ring identity, the label {@code name} of {@code ringcache_node_info}
   * @param store the node's store
   * @param connectedClients connections open now
   * @param totalConnections connections accepted since start
   * @param hits reads that found their key, since start
   * @param misses reads that did not find their key, since start
   */
  public void bind(String name, Store store, LongSupplier connectedClients, LongSupplier totalConnections,
      LongSupplier hits, LongSupplier misses) {
    this.store = store;
    this.connectedClients = connectedClients;
    this.totalConnections = totalConnections;
    this.hits = hits;
    this.misses = misses;
    Gauge.builder("ringcache.node.info", () -> 1).tag("name", name).description("The node's ring identity")
        .register(registry);
    FunctionCounter.builder("ringcache.node.keyspace.hits", this.hits, LongSupplier::getAsLong)
        .description("Reads that found their key").register(registry);
    FunctionCounter.builder("ringcache.node.keyspace.misses", this.misses, LongSupplier::getAsLong)
        .description("Reads that did not find their key").register(registry);
    FunctionCounter.builder("ringcache.node.evictions", store, s -> s.stats().evictions())
        .description("Entries evicted to stay within max-memory").register(registry);
    FunctionCounter.builder("ringcache.node.expired.keys", store, s -> s.stats().expired())
        .description("Entries removed because their TTL passed").register(registry);
    Gauge.builder("ringcache.node.keys", store, Store::size).description("Keys held").register(registry);
    Gauge.builder("ringcache.node.memory.used", store, Store::usedBytes).baseUnit("bytes")
        .description("Bytes of keys, values and per-entry overhead held").register(registry);
    Gauge.builder("ringcache.node.memory.max", store, Store::maxBytes).baseUnit("bytes")
        .description("The store's bound (max-memory)").register(registry);
    Gauge.builder("ringcache.node.connected.clients", connectedClients, LongSupplier::getAsLong)
        .description("Client connections open now").register(registry);
    FunctionCounter.builder("ringcache.node.connections", totalConnections, LongSupplier::getAsLong)
        .description("Client connections accepted since start").register(registry);
  }

  /**
   * Registers the counts of connections closed because their client did not read its replies; call
   * once.
   *
   * @param overLimit closed because one command's replies exceeded max-output-buffer
   * @param stalled closed because their replies stayed unread for output-stall-timeout
   */
  public void bindOutputCloses(LongSupplier overLimit, LongSupplier stalled) {
    this.overLimitCloses = overLimit;
    this.stallCloses = stalled;
    FunctionCounter.builder("ringcache.node.output.buffer.closes", this.overLimitCloses, LongSupplier::getAsLong)
        .tag("limit", "max-output-buffer").description("Connections closed for replies their client did not read")
        .register(registry);
    FunctionCounter.builder("ringcache.node.output.buffer.closes", this.stallCloses, LongSupplier::getAsLong)
        .tag("limit", "output-stall-timeout").description("Connections closed for replies their client did not read")
        .register(registry);
  }

  /**
   * Registers a counter of something a limit refused or closed, {@code ringcache_node_<name>_total};
   * call once per name.
   */
  public void bindLimitCounter(String name, String limit, LongSupplier count, String description) {
    FunctionCounter.builder("ringcache.node." + name, count, LongSupplier::getAsLong)
        .tag("limit", limit).description(description).register(registry);
  }

  /** The Prometheus text exposition of every metric. */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * Serves {@code GET /metrics} on {@code bind:port} (0 picks a free port).
   *
   * @return the port it listens on
   */
  public synchronized int serve(String bind, int port) {
    if (endpoint != null) {
      throw new IllegalStateException("already serving metrics on port " + endpoint.port());
    }
    endpoint = PrometheusEndpoint.start(bind, port, this::scrape);
    // JVM and process metrics describe the process: bound only by the node that serves them, so
    // that nodes started in process (tests, embedded use) do not each add GC listeners
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return endpoint.port();
  }

  @Override
  public synchronized void close() {
    if (endpoint != null) {
      endpoint.close();
      endpoint = null;
    }
    gc.close();
    registry.close();
  }
}
