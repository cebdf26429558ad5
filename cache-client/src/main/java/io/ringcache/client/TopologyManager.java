package io.ringcache.client;

import io.netty.util.concurrent.ScheduledFuture;
import io.ringcache.resp.Redirect;
import io.ringcache.ring.TopologyJson;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Holds the key router in use and keeps it current.
 *
 * Sources: a refresh asks, one after the other until one answers with an epoch at least the one
 * it looks for (ours, or the epoch a -MOVED named), the hinted address (the target of
 * a -MOVED, which knows the newer epoch), the seeds (usually the router), then every node of the
 * current topology. So the client keeps working when the router is down: the nodes answer too,
 * and if nobody answers it keeps its last router.
 *
 * Adoption: a router replaces the current one only if its epoch is higher (compare-and-set on the
 * volatile reference). A standalone answer (a plain Redis that does not know RING.TOPOLOGY) counts
 * as epoch 0.
 *
 * Triggers: bootstrap (blocking, in build()), the periodic refresh, -MOVED with a newer epoch than
 * ours, and node failures. One refresh runs at a time; requests that arrive meanwhile are merged
 * into one follow-up. Refreshes not asked for by a -MOVED are at most one per 100 ms, so a dead node
 * that fails every request does not turn into a refresh storm.
 */

/** The current key router, its bootstrap from the seeds and its refreshes. */
final class TopologyManager {

  private static final Logger log = LoggerFactory.getLogger(TopologyManager.class);
  private static final long MIN_UNPROMPTED_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long NO_SOURCE_WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final ClusterExecutor executor;
  private final List<String> seeds;
  private volatile KeyRouter router;
  private ScheduledFuture<?> periodic;

  // Guarded by this.
  private boolean running;
  private boolean pending;
  private String pendingHint;
  private long pendingMinEpoch;
  private long lastUnpromptedStart = System.nanoTime() - MIN_UNPROMPTED_INTERVAL_NANOS;
  private volatile long lastNoSourceWarning = System.nanoTime() - NO_SOURCE_WARNING_INTERVAL_NANOS - 1;

  TopologyManager(ClusterExecutor executor, List<String> seeds) {
    this.executor = executor;
    this.seeds = List.copyOf(seeds);
  }

  KeyRouter router() {
    return router;
  }

  /**
   * Fetches the first topology from the seeds, in order, and starts the periodic refresh. The first
   * answer is taken, unless it is a standalone node's (epoch 0) and more seeds remain: a node that
   * restarted and was not given the topology yet must not hide the cluster, so the remaining seeds
   * are asked too and the highest epoch wins.
   *
   * <p>Each seed gets the startup timeout for connecting, {@code AUTH} and {@code RING.TOPOLOGY},
   * not the command timeout: a cold JVM's first connection (class loading, JIT, TLS) must not fail
   * a client whose command timeout is tuned for warm requests.
   *
   * @throws CacheConnectionException if no seed answered
   */
  void bootstrap() {
    StringBuilder failures = new StringBuilder();
    KeyRouter best = null;
    String bestSeed = null;
    long timeoutNanos = executor.options().startupTimeout().toNanos();
    for (String seed : seeds) {
      try {
        KeyRouter fetched =
            fetch(seed, timeoutNanos).get(timeoutNanos + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        if (best == null || fetched.epoch() > best.epoch()) {
          best = fetched;
          bestSeed = seed;
        }
        if (best.epoch() > 0) {
          break;
        }
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause = ClusterExecutor.unwrap(e);
        if (cause instanceof CacheAuthenticationException) {
          throw (CacheAuthenticationException) cause;
        }
        failures.append(failures.length() == 0 ? "" : "; ").append(seed).append(": ")
            .append(cause instanceof TimeoutException
                ? "no answer within " + executor.options().startupTimeout().toMillis() + " ms"
                : CommandHandler.describe(cause));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CacheException("interrupted while fetching the topology", e);
      }
    }
    if (best == null) {
      throw new CacheConnectionException(
          String.join(",", seeds), "no seed answered " + CommandType.RING_TOPOLOGY.wireName() + ": " + failures, null);
    }
    router = best;
    long epoch = best.epoch();
    executor.report(m -> m.topologyRefreshed(0, epoch, null));
    log.info("ringcache client started with {} (from {})", best, bestSeed);
    startPeriodic();
  }

  private void startPeriodic() {
    long period = executor.options().topologyRefreshPeriod().toNanos();
    if (period > 0) {
      periodic =
          executor.group().next().scheduleAtFixedRate(() -> requestRefresh(null), period, period, TimeUnit.NANOSECONDS);
    }
  }

  void close() {
    if (periodic != null) {
      periodic.cancel(false);
    }
  }

  /** Asks {@code address} for its topology; a node that does not know the command is standalone. */
  CompletableFuture<KeyRouter> fetch(String address) {
    return fetch(address, executor.commandTimeoutNanos());
  }

  private CompletableFuture<KeyRouter> fetch(String address, long timeoutNanos) {
    Request<KeyRouter> request =
        Request.keyless(CommandType.RING_TOPOLOGY, null, reply -> KeyRouter.of(TopologyJson.read((byte[]) reply)));
    executor.executeAt(address, request, timeoutNanos);
    return request.handle(
        (fetched, error) -> {
          if (error == null) {
            return fetched;
          }
          Throwable cause = ClusterExecutor.unwrap(error);
          if (cause instanceof CacheServerException
              && CacheExceptions.isUnknownCommand(cause.getMessage())) {
            return KeyRouter.standalone(address);
          }
          throw cause instanceof CacheException
              ? (CacheException) cause
              : new CacheException("bad topology from " + address + ": " + CommandHandler.describe(cause), cause);
        });
  }

  /**
   * A node redirected a request: refresh if its epoch is newer, starting at the redirect's target
   * when that is a member (a stranger is never asked: it would get the password).
   */
  void onMoved(Redirect moved) {
    KeyRouter current = router;
    if (current != null && moved.epoch() > current.epoch()) {
      refresh(isMember(moved.address()) ? moved.address() : null, moved.epoch(), true);
    }
  }

  /** Whether {@code address} is a node of the topology held, or a seed: the only addresses the client dials. */
  boolean isMember(String address) {
    KeyRouter current = router;
    return seeds.contains(address) || (current != null && current.addresses().contains(address));
  }

  /**
   * Refreshes now from the seeds and the members, for a redirect to an address that is not a
   * member; completes (never exceptionally) once done or failed.
   */
  CompletableFuture<Long> refreshForRedirect(long minEpoch) {
    if (router == null) {
      return CompletableFuture.completedFuture(0L);
    }
    return run(null, minEpoch).handle((epoch, error) -> router.epoch());
  }

  /** Something suggests the topology changed (a node failed, the period passed): refresh. */
  void requestRefresh(String hint) {
    refresh(hint, 0, false);
  }

  /** Refreshes now, bypassing the rate limit, and waits for it; returns the epoch in use. */
  long refreshNow() {
    if (ClusterExecutor.onIoThread()) {
      throw new IllegalStateException("refreshTopology() blocks; it cannot run on a ringcache I/O thread");
    }
    try {
      run(null, 0).get(4 * executor.commandTimeoutNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.warn("topology refresh failed, keeping epoch {}: {}", router.epoch(), ClusterExecutor.unwrap(e).toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return router.epoch();
  }

  private void refresh(String hint, long minEpoch, boolean prompted) {
    if (router == null) {
      return; // still bootstrapping: bootstrap() tries every seed itself
    }
    synchronized (this) {
      if (running) {
        pending = true;
        if (hint != null) {
          pendingHint = hint;
        }
        pendingMinEpoch = Math.max(pendingMinEpoch, minEpoch);
        return;
      }
      long now = System.nanoTime();
      if (!prompted) {
        if (now - lastUnpromptedStart < MIN_UNPROMPTED_INTERVAL_NANOS) {
          return;
        }
        lastUnpromptedStart = now;
      }
      running = true;
    }
    run(hint, minEpoch)
        .whenComplete(
            (epoch, error) -> {
              String next;
              long nextMinEpoch;
              synchronized (this) {
                running = false;
                if (!pending) {
                  return;
                }
                pending = false;
                next = pendingHint;
                nextMinEpoch = pendingMinEpoch;
                pendingHint = null;
                pendingMinEpoch = 0;
              }
              if (nextMinEpoch > router.epoch()) {
                refresh(next, nextMinEpoch, true);
              } else {
                refresh(next, 0, false);
              }
            });
  }

  /**
   * Asks the sources one after the other until one answers with an epoch of at least {@code
   * minEpoch} and our own; adopts a router newer than ours on the way.
   */
  private CompletableFuture<Long> run(String hint, long minEpoch) {
    Set<String> sources = new LinkedHashSet<>();
    if (hint != null) {
      sources.add(hint);
    }
    sources.addAll(seeds);
    sources.addAll(router.addresses());
    CompletableFuture<Long> done = new CompletableFuture<>();
    long before = router.epoch();
    tryNext(new ArrayList<>(sources).iterator(), Math.max(minEpoch, before), done, new StringBuilder());
    return done.whenComplete((epoch, error) -> executor.report(m -> m.topologyRefreshed(before, router.epoch(), error)));
  }

  private void tryNext(
      Iterator<String> sources, long wanted, CompletableFuture<Long> done, StringBuilder failures) {
    if (!sources.hasNext() || executor.isClosed()) {
      if (executor.isClosed()) {
        done.completeExceptionally(new CacheClosedException("the client is closed"));
        return;
      }
      long now = System.nanoTime();
      boolean warn = now - lastNoSourceWarning > NO_SOURCE_WARNING_INTERVAL_NANOS;
      if (warn) {
        lastNoSourceWarning = now;
      }
      String format = "no node answered {} with epoch {} or newer; keeping the topology of epoch {} ({})";
      Object[] details = {CommandType.RING_TOPOLOGY.wireName(), wanted, router.epoch(), failures};
      if (warn) {
        log.warn(format, details); // at most once per interval: a node that is not answering refreshes often
      } else {
        log.debug(format, details);
      }
      done.completeExceptionally(new CacheConnectionException(null, "no topology source answered: " + failures, null));
      return;
    }
    String source = sources.next();
    fetch(source)
        .whenComplete(
            (fetched, error) -> {
              if (error != null) {
                failures.append(failures.length() == 0 ? "" : "; ").append(source).append(": ")
                    .append(CommandHandler.describe(ClusterExecutor.unwrap(error)));
                tryNext(sources, wanted, done, failures);
                return;
              }
              adopt(fetched, source);
              if (fetched.epoch() < wanted) {
                failures.append(failures.length() == 0 ? "" : "; ").append(source).append(": epoch ")
                    .append(fetched.epoch());
                tryNext(sources, wanted, done, failures);
                return;
              }
              done.complete(router.epoch());
            });
  }

  private void adopt(KeyRouter fetched, String source) {
    synchronized (this) {
      KeyRouter current = router;
      if (fetched.epoch() <= current.epoch()) {
        return;
      }
      router = fetched;
      log.info("topology epoch {} -> {} (from {}): {}", current.epoch(), fetched.epoch(), source, fetched);
    }
    executor.retainOnly(fetched.addresses());
  }
}
