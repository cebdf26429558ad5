package io.ringcache.router.control;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Where the control plane's work runs and what time it is: real threads and the monotonic clock in
 * a router, a single-threaded virtual world in the simulation test (every task run in an order its
 * seed decides, time advanced by the simulation), so a failing schedule replays exactly.
 *
 * @param events runs scale events, one at a time
 * @param streams runs a handoff's RING.STREAM calls, several at once
 * @param pushes runs best-effort pushes to nodes that may hang
 * @param later runs a task after a delay
 * @param nanoTime the monotonic clock
 * @param sleeper waits a few milliseconds between polls, or for the next of a step's calls to end
 * @param roundOrder orders a step's round of pushes in place before they start: left in the nodes'
 *     order in a router (they run at once on threads), shuffled by the simulation, whose pushes run
 *     one after another on its one thread, so that every order of their arrivals gets explored
 */
record ControlRuntime(ExecutorService events, ExecutorService streams, ExecutorService pushes,
    ScheduledExecutorService later, LongSupplier nanoTime, Sleeper sleeper, Consumer<List<?>> roundOrder) {

  ControlRuntime(ExecutorService events, ExecutorService streams, ExecutorService pushes,
      ScheduledExecutorService later, LongSupplier nanoTime, Sleeper sleeper) {
    this(events, streams, pushes, later, nanoTime, sleeper, round -> {});
  }

  /** Waits for a while; the simulation's advances its clock and runs other work instead. */
  interface Sleeper {
    void sleep(long millis) throws InterruptedException;

    /**
     * Takes the head of {@code queue}, waiting at most {@code millis} for one to arrive; null if
     * none did. The simulation's takes what is there, else advances its clock by {@code millis}
     * (running the work due meanwhile) and looks again: everything runs on its one thread, so
     * nothing else can arrive while it waits.
     */
    default <T> T poll(BlockingQueue<T> queue, long millis) throws InterruptedException {
      return queue.poll(millis, TimeUnit.MILLISECONDS);
    }
  }

  /** Threads and the system clock, for a router. */
  static ControlRuntime threads() {
    return new ControlRuntime(
        Executors.newSingleThreadExecutor(daemon("ringcache-scale-events")),
        Executors.newCachedThreadPool(daemon("ringcache-handoff-stream")),
        Executors.newCachedThreadPool(daemon("ringcache-push")),
        Executors.newSingleThreadScheduledExecutor(daemon("ringcache-control-timer")),
        System::nanoTime,
        Thread::sleep);
  }

  void shutdownNow() {
    events.shutdownNow();
    streams.shutdownNow();
    pushes.shutdownNow();
    later.shutdownNow();
  }

  void schedule(Runnable task, long delay, TimeUnit unit) {
    later.schedule(task, delay, unit);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread thread = new Thread(r, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
