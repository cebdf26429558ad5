package io.ringcache.resp.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * A total cap on what all client connections of a process hold in buffers, after Redis's
 * maxmemory-clients. Each connection's limits (max-query-buffer, max-output-buffer) bound one
 * client; this bounds all of them together: 30 connections each holding an unfinished 37 MB
 * request used to take a node past its direct-memory limit and kill its worker thread.
 *
 * Accounting. Each connection has a Tracked entry. Its event loop reports the query side (the
 * decoder's cumulation capacity plus the bytes of the request decoded so far) after every read,
 * the output side (the channel's pending write bytes) after every write, and what its transaction
 * holds (the commands queued since MULTI and the keys WATCHed: Redis's multi-mem, which its
 * maxmemory-clients counts too) when that changes; each report adds its delta to one AtomicLong
 * total. A report that finds the total above the cap runs an eviction
 * pass at once, on the reporting thread, so the cap is enforced before the next read of any
 * connection of that loop (other loops may overshoot by what they read meanwhile, one read each).
 *
 * Eviction. One pass at a time (a CAS flag; a report that finds a pass running leaves it to that
 * one). The pass refreshes every entry's output side (a volatile read of the channel's pending
 * bytes: writes drain without telling us), then closes the connections using the most memory first
 * until the total is back under the cap, in rounds: each round orders one snapshot of the sizes and
 * closes by it until that snapshot fits, and a connection that grew meanwhile is left to the next.
 * An evicted entry stops counting at once (its bytes are taken off the total; its channel's buffers
 * are freed when the close runs on its loop) and ignores later reports. One WARN line per closed
 * connection names its address, its bytes, the total and the option; a counter counts them.
 *
 * Cost per read or write: an uncontended lock on the entry (eviction may refresh it from another
 * thread), one subtraction, one AtomicLong add, one comparison.
 */

/** The total cap on all clients' buffers of one process ({@code max-clients-memory}). */
public final class ClientMemory {

  private static final Logger log = LoggerFactory.getLogger(ClientMemory.class);

  private final long cap;
  private final String option;
  private final LongAdder closes;
  private final AtomicLong total = new AtomicLong();
  private final Set<Tracked> clients = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean evicting = new AtomicBoolean();

  /**
   * @param cap bytes all clients' buffers may take together
   * @param option the option's name for the log line ({@code max-clients-memory} or
   *     {@code proxy-max-clients-memory})
   * @param closes counts the connections closed
   */
  public ClientMemory(long cap, String option, LongAdder closes) {
    if (cap <= 0) {
      throw new IllegalArgumentException(option + " must be positive: " + cap);
    }
    this.cap = cap;
    this.option = option;
    this.closes = closes;
  }

  /** The cap in bytes. */
  public long cap() {
    return cap;
  }

  /** Bytes all tracked connections' buffers hold, as last reported. */
  public long used() {
    return Math.max(0, total.get());
  }

  /** Starts tracking {@code channel}; call {@link Tracked#close()} when it closes. */
  public Tracked track(Channel channel) {
    Tracked t = new Tracked(channel);
    clients.add(t);
    return t;
  }

  /** One connection's share. Reports come from its event loop; eviction may read it from another. */
  public final class Tracked {
    private final Channel channel;
    private volatile long query;
    private volatile long output;
    private volatile long held;
    private volatile boolean evicted;

    private Tracked(Channel channel) {
      this.channel = channel;
    }

    /** The bytes of the connection's input buffer and of the request being decoded. */
    public synchronized void query(long bytes) {
      if (evicted) {
        return;
      }
      long delta = bytes - query;
      if (delta != 0) {
        query = bytes;
        added(delta);
      }
    }

    /** The bytes of replies queued on the connection's channel. */
    public synchronized void output(long bytes) {
      if (evicted) {
        return;
      }
      long delta = bytes - output;
      if (delta != 0) {
        output = bytes;
        added(delta);
      }
    }

    /** The bytes the connection's transaction holds: its queued commands and watched keys. */
    public synchronized void held(long bytes) {
      if (evicted) {
        return;
      }
      long delta = bytes - held;
      if (delta != 0) {
        held = bytes;
        added(delta);
      }
    }

    /** Reads the channel's pending output again. */
    public void refreshOutput() {
      ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
      output(buffer == null ? 0 : buffer.totalPendingWriteBytes());
    }

    long bytes() {
      return query + output + held;
    }

    /**
     * Stops counting this connection, for good, without closing it: the router's and the peer
     * nodes' connections, which Redis's maxmemory-clients exempts as it exempts its replication
     * links. A flood of clients that pushes the total over the cap then closes only clients, never
     * the heartbeats or a handoff's stream (which the largest-first order would pick when its
     * batch is in flight). What such a connection holds is bounded by the cluster's own batches.
     */
    public void exempt() {
      close();
    }

    /** Stops tracking: the connection closed (or is {@link #exempt}); later reports are ignored. */
    public synchronized void close() {
      if (clients.remove(this) && !evicted) {
        evicted = true;
        total.addAndGet(-bytes());
      }
    }
  }

  private void added(long delta) {
    if (total.addAndGet(delta) > cap && delta > 0) {
      evict();
    }
  }

  /** At most this many rounds per pass; a later report over the cap starts another pass. */
  private static final int MAX_ROUNDS = 4;

  /**
   * Closes the connections holding the most until the total is under the cap; one pass at a time.
   * Connections of other event loops grow while a pass runs (their reports find the pass running and
   * leave it to this one), so a pass runs in rounds: each takes a snapshot of every connection's
   * bytes, and closes the largest of that snapshot until the snapshot's own sum is under the cap; if
   * the total is still over it, the next round takes a new snapshot. Closing by one snapshot's sizes
   * but against the live total closed a client that held nothing: the total had grown by a connection
   * whose report came after the snapshot, and the stale order came to the idle client first.
   */
  void evict() {
    if (!evicting.compareAndSet(false, true)) {
      return;
    }
    try {
      for (int round = 0; round < MAX_ROUNDS && total.get() > cap; round++) {
        if (!evictRound()) {
          return;
        }
      }
    } finally {
      evicting.set(false);
    }
  }

  /** Runs in each round right after its snapshot, as another loop's report may (tests). */
  Runnable afterSnapshot = () -> {};

  /** A connection's size when a round's snapshot was taken. */
  private record Sized(Tracked tracked, long bytes) {}

  /** One round of {@link #evict()}: whether it closed a connection. */
  private boolean evictRound() {
    List<Tracked> all = new ArrayList<>(clients);
    for (Tracked t : all) {
      t.refreshOutput();
    }
    if (total.get() <= cap) {
      return false;
    }
    // sizes read once: a comparator over the live, changing sizes gave an unstable order
    List<Sized> sized = new ArrayList<>(all.size());
    long known = 0;
    for (Tracked t : all) {
      long bytes = t.bytes();
      sized.add(new Sized(t, bytes));
      known += bytes;
    }
    sized.sort(Comparator.comparingLong(Sized::bytes).reversed());
    afterSnapshot.run();
    boolean closed = false;
    for (Sized candidate : sized) {
      if (known <= cap || candidate.bytes() == 0 || total.get() <= cap) {
        break;
      }
      Tracked t = candidate.tracked();
      known -= candidate.bytes();
      long bytes;
      synchronized (t) {
        bytes = t.bytes();
        if (t.evicted || bytes == 0) {
          continue; // closed already, or holds nothing now: closing it would free nothing
        }
        t.evicted = true;
        clients.remove(t);
        total.addAndGet(-bytes);
      }
      closed = true;
      closes.increment();
      log.warn("closing client {}: its buffers and transaction hold {} bytes and all clients' {} (expected: <= {}, {}); "
          + "the largest are closed first", t.channel.remoteAddress(), bytes, total.get() + bytes, cap, option);
      t.channel.close();
    }
    return closed;
  }
}
