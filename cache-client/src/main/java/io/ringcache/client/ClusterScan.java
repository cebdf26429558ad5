package io.ringcache.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/*
 * A walk over every key of the cluster, one step at a time, as the proxy's merged SCAN walks it.
 *
 * The cursor is a position on the 32-bit hash circle, as each node's SCAN cursor is. A step sends
 * `SCAN <cursor> [MATCH p] COUNT n` to every node that may hold keys under the topology held (the
 * ring's members and both ends of every handoff); each node returns all its keys from the cursor up
 * to its own next cursor. The step ends at the nearest of those cursors: it keeps every key whose
 * hash lies in [cursor, nearest) (once, however many nodes returned it: a source and its target
 * both hold a moving key) and drops the rest, which the next step returns.
 *
 * Why a key present for the whole walk is returned even across a scale event: a node deletes keys
 * it held only after it adopted a topology in which it no longer needs them (its purge pass), and
 * by then the node that received them is a member or a handoff target of that topology. So after
 * each node's SCAN reply the walk asks that node for its epoch (RING.EPOCH, sent after the reply,
 * so it describes a moment after the SCAN ran). If every node is at or below the epoch the step was
 * planned with, no node had dropped anything that topology's nodes did not hold, and the step
 * stands. If one is newer, the client refreshes its topology and runs the step again from the same
 * cursor with the new node list (at most MAX_RESTARTS times). The keys kept are those of one step,
 * so a restart repeats nothing already returned.
 *
 * A standalone node (epoch 0, a plain Redis too) is walked with its own cursor, unfiltered: Redis's
 * cursors are not hash positions.
 *
 * Each step has one deadline (the view's timeout) for all its requests, restarts included. Not
 * thread-safe: one caller walks it, one step at a time.
 */

/** One walk over the cluster's keys; {@link #next()} fetches one step. */
final class ClusterScan {

  private static final long CIRCLE = 1L << 32;
  private static final int MAX_RESTARTS = 20;

  private final ClusterExecutor executor;
  private final byte[][] options;
  private final long timeoutNanos;
  private final boolean mayWait;
  private long cursor;
  private boolean done;
  private Boolean standalone;

  ClusterScan(ClusterExecutor executor, ScanOptions scanOptions, long timeoutNanos, boolean mayWait) {
    this.executor = executor;
    byte[] count = Integer.toString(scanOptions.count()).getBytes(StandardCharsets.US_ASCII);
    this.options =
        scanOptions.matchBytes() == null
            ? new byte[][] {CommandType.COUNT, count}
            : new byte[][] {CommandType.MATCH, scanOptions.matchBytes(), CommandType.COUNT, count};
    this.timeoutNanos = timeoutNanos;
    this.mayWait = mayWait;
  }

  /** Whether the walk is over: the last step came back. */
  boolean isDone() {
    return done;
  }

  /** The keys of the next step (possibly none); call only when not {@link #isDone()} and the last step completed. */
  CompletableFuture<List<byte[]>> next() {
    if (done) {
      throw new IllegalStateException("the scan is over");
    }
    return attempt(System.nanoTime() + timeoutNanos, 0);
  }

  private CompletableFuture<List<byte[]>> attempt(long deadlineNanos, int restarts) {
    KeyRouter router = executor.topology().router();
    if (standalone == null) {
      standalone = router.isStandalone();
    } else if (standalone != router.isStandalone()) {
      return CompletableFuture.failedFuture(
          new CacheException("the scan cannot go on: the cluster's topology changed from " + (standalone ? "a standalone node" : "a ring")
              + " to " + router + ", and the cursor means something else there"));
    }
    long from = cursor;
    byte[][] args = new byte[1 + options.length][];
    args[0] = Long.toUnsignedString(from).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(options, 0, args, 1, options.length);
    List<String> addresses = router.scanAddresses();
    List<CompletableFuture<NodePage>> parts = new ArrayList<>(addresses.size());
    for (String address : addresses) {
      CompletableFuture<NodePage> page = send(address, Request.keyless(CommandType.SCAN, args, NodePage::of), deadlineNanos);
      if (!router.isStandalone()) {
        page = page.thenCompose(
            p -> send(address, Request.keyless(CommandType.RING_EPOCH, null, reply -> (Long) reply), deadlineNanos)
                .thenApply(p::at));
      }
      parts.add(page);
    }
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
        .exceptionallyCompose(error -> CompletableFuture.failedFuture(ClusterExecutor.unwrap(error)))
        .thenCompose(
            ignored -> {
              long newest = 0;
              for (CompletableFuture<NodePage> part : parts) {
                newest = Math.max(newest, part.join().epoch);
              }
              KeyRouter now = executor.topology().router();
              if (newest > router.epoch() || now != router) {
                if (restarts >= MAX_RESTARTS) {
                  return CompletableFuture.failedFuture(
                      new CacheException("the scan step from cursor " + from + " was planned with epoch " + router.epoch()
                          + " but a node was at epoch " + newest + ", " + MAX_RESTARTS + " times in a row"));
                }
                CompletableFuture<Long> refreshed =
                    newest > now.epoch()
                        ? executor.topology().refreshForRedirect(newest)
                        : CompletableFuture.completedFuture(now.epoch());
                return refreshed.thenCompose(epoch -> attempt(deadlineNanos, restarts + 1));
              }
              return CompletableFuture.completedFuture(merge(router, from, parts));
            });
  }

  /** Sends {@code request} to {@code address} with what is left of the step's time. */
  private <T> Request<T> send(String address, Request<T> request, long deadlineNanos) {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      request.completeExceptionally(
          new CacheTimeoutException(
              "SCAN step did not complete within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms (restarts included)"));
      return request;
    }
    request.mayWait = mayWait && !ClusterExecutor.onIoThread(); // a follow-up runs on an I/O thread: never wait there
    return executor.executeAt(address, request, left);
  }

  private List<byte[]> merge(KeyRouter router, long from, List<CompletableFuture<NodePage>> parts) {
    if (router.isStandalone()) {
      NodePage page = parts.get(0).join();
      cursor = page.next;
      done = page.next == 0;
      return page.keys;
    }
    long until = CIRCLE;
    for (CompletableFuture<NodePage> part : parts) {
      long next = part.join().next;
      if (next < 0 || next >= CIRCLE) {
        throw new CacheException("a node answered SCAN " + from + " with the next cursor " + Long.toUnsignedString(next)
            + " (expected: a position on the hash circle, < 2^32)");
      }
      until = Math.min(until, next == 0 ? CIRCLE : next);
    }
    if (until <= from) {
      throw new CacheException("a node answered SCAN " + from + " with the next cursor " + until + ", which is not past it");
    }
    Set<ByteBuffer> seen = new HashSet<>();
    List<byte[]> keys = new ArrayList<>();
    for (CompletableFuture<NodePage> part : parts) {
      for (byte[] key : part.join().keys) {
        long hash = Integer.toUnsignedLong(router.hashOf(key)); // the placement hash, as the nodes' cursors
        if (hash >= from && hash < until && seen.add(ByteBuffer.wrap(key))) {
          keys.add(key);
        }
      }
    }
    cursor = until;
    done = until == CIRCLE;
    return keys;
  }

  /** One node's SCAN reply, and its epoch right after. */
  private static final class NodePage {
    final long next;
    final List<byte[]> keys;
    long epoch;

    private NodePage(long next, List<byte[]> keys) {
      this.next = next;
      this.keys = keys;
    }

    /** {@code *2 $cursor *n $key...}. */
    static NodePage of(Object reply) {
      Object[] parts = (Object[]) reply;
      if (parts.length != 2) {
        throw new IllegalArgumentException("a SCAN reply has two elements, not " + parts.length);
      }
      long next = Long.parseUnsignedLong(new String((byte[]) parts[0], StandardCharsets.US_ASCII)); // Redis: 64 bits
      Object[] elements = (Object[]) parts[1];
      List<byte[]> keys = new ArrayList<>(elements.length);
      for (Object element : elements) {
        keys.add((byte[]) element);
      }
      return new NodePage(next, keys);
    }

    NodePage at(long epoch) {
      this.epoch = epoch;
      return this;
    }
  }
}
