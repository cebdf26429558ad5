package io.ringcache.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's {@link ClientMetrics} as Micrometer meters (Micrometer is an optional dependency of
 * the client: add {@code io.micrometer:micrometer-core} to use this class):
 *
 * <ul>
 *   <li>{@code ringcache.client.operations} (timer; tags {@code command}, {@code outcome}: {@code ok},
 *       {@code timeout}, {@code connection}, {@code server}, {@code redirect}, {@code overload},
 *       {@code closed} or {@code error}): each operation's count and latency;
 *   <li>{@code ringcache.client.redirects} (counter): {@code -MOVED} followed;
 *   <li>{@code ringcache.client.retries} (counter): {@code -TRYAGAIN} retried;
 *   <li>{@code ringcache.client.topology.refreshes} (counter; tag {@code outcome}: {@code changed},
 *       {@code unchanged}, {@code failed});
 *   <li>{@code ringcache.client.topology.epoch} (gauge): the epoch routed with.
 * </ul>
 *
 * <pre>{@code
 * CacheClient cache = CacheClient.builder().metrics(MicrometerMetrics.of(registry)).build();
 * }</pre>
 */
public final class MicrometerMetrics implements ClientMetrics {

  private final MeterRegistry registry;
  private final Tags tags;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
  private final Counter redirects;
  private final Counter retries;
  private final Counter changed;
  private final Counter unchanged;
  private final Counter failed;
  private final AtomicLong epoch = new AtomicLong();

  private MicrometerMetrics(MeterRegistry registry, Tags tags) {
    this.registry = registry;
    this.tags = tags;
    this.redirects =
        Counter.builder("ringcache.client.redirects").description("-MOVED redirects followed").tags(tags).register(registry);
    this.retries =
        Counter.builder("ringcache.client.retries").description("-TRYAGAIN retries").tags(tags).register(registry);
    this.changed = refreshes("changed");
    this.unchanged = refreshes("unchanged");
    this.failed = refreshes("failed");
    Gauge.builder("ringcache.client.topology.epoch", epoch, AtomicLong::doubleValue)
        .description("the epoch of the topology the client routes with")
        .tags(tags)
        .register(registry);
  }

  /** Meters in {@code registry}. */
  public static MicrometerMetrics of(MeterRegistry registry) {
    return of(registry, Tags.empty());
  }

  /** Meters in {@code registry}, each with {@code tags} too (to tell two clients apart, say). */
  public static MicrometerMetrics of(MeterRegistry registry, Tags tags) {
    return new MicrometerMetrics(Objects.requireNonNull(registry, "registry"), Objects.requireNonNull(tags, "tags"));
  }

  private Counter refreshes(String outcome) {
    return Counter.builder("ringcache.client.topology.refreshes")
        .description("topology fetches, by whether a newer topology was adopted")
        .tags(tags)
        .tag("outcome", outcome)
        .register(registry);
  }

  @Override
  public void operationCompleted(String command, long nanos, Throwable failure) {
    String outcome = outcome(failure);
    timers.computeIfAbsent(command + ' ' + outcome, k -> Timer.builder("ringcache.client.operations")
            .description("cache operations, redirects and retries included")
            .tags(tags)
            .tag("command", command)
            .tag("outcome", outcome)
            .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The {@code outcome} tag of an operation that ended with {@code failure}. */
  static String outcome(Throwable failure) {
    if (failure == null) {
      return "ok";
    } else if (failure instanceof CacheTimeoutException) {
      return "timeout";
    } else if (failure instanceof CacheConnectionException) {
      return "connection";
    } else if (failure instanceof CacheServerException) {
      return "server";
    } else if (failure instanceof CacheRedirectException) {
      return "redirect";
    } else if (failure instanceof CacheOverloadException) {
      return "overload";
    } else if (failure instanceof CacheClosedException) {
      return "closed";
    }
    return "error";
  }

  @Override
  public void redirectFollowed(String fromNode, String toNode) {
    redirects.increment();
  }

  @Override
  public void tryAgainRetried(String node) {
    retries.increment();
  }

  @Override
  public void topologyRefreshed(long epochBefore, long epochAfter, Throwable failure) {
    epoch.accumulateAndGet(epochAfter, Math::max);
    if (failure != null) {
      failed.increment();
    } else if (epochAfter > epochBefore) {
      changed.increment();
    } else {
      unchanged.increment();
    }
  }

  @Override
  public String toString() {
    return "MicrometerMetrics{" + registry.getClass().getSimpleName() + ", tags " + tags + "}";
  }
}
