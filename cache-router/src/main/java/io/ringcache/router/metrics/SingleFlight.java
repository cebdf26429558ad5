package io.ringcache.router.metrics;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Shares renders among concurrent callers: a caller gets the result of a render that started after
 * it called, so what it sees is never older than its request, and at most one render runs at a
 * time however many callers wait. A flood of {@code GET /metrics} costs one render per render
 * time, not one per request. Callers block until their render is done.
 */
final class SingleFlight<T> {

  private final Supplier<T> source;
  /** The render running, or null. */
  private CompletableFuture<T> running;
  /** The render that starts when the running one ends; the callers that came meanwhile share it. */
  private CompletableFuture<T> next;
  /** Callers sharing {@code next}. */
  private int waiting;

  SingleFlight(Supplier<T> source) {
    this.source = source;
  }

  T get() {
    CompletableFuture<T> mine;
    boolean render;
    synchronized (this) {
      if (running == null) {
        running = mine = new CompletableFuture<>();
        render = true;
      } else {
        if (next == null) {
          next = new CompletableFuture<>();
          waiting = 0;
        }
        mine = next;
        waiting++;
        render = false;
      }
    }
    if (render) {
      renderFrom(mine);
    }
    return mine.join();
  }

  /** Callers waiting for the next render. */
  synchronized int waiting() {
    return next == null ? 0 : waiting;
  }

  /** Renders for {@code first}, then for every batch of callers that gathered meanwhile. */
  private void renderFrom(CompletableFuture<T> first) {
    CompletableFuture<T> f = first;
    while (true) {
      try {
        f.complete(source.get());
      } catch (RuntimeException e) {
        f.completeExceptionally(e);
      } catch (Error e) { // fails every waiter, then goes on up (the process stops: FailStop)
        f.completeExceptionally(e);
        synchronized (this) {
          if (next != null) {
            next.completeExceptionally(e);
            next = null;
          }
          running = null;
        }
        throw e;
      }
      synchronized (this) {
        if (next == null) {
          running = null;
          return;
        }
        running = f = next;
        next = null;
      }
    }
  }
}
