package io.ringcache.node.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ringcache.resp.Resp;
import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.ring.Handoff;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The source's side of step 4 of a handoff (RING.STREAM <id>): walk the store's entries in the
 * handoff's ranges and send them to the target in batches, each entry with its absolute expiry
 * time (see Expiry), so a batch delayed on the way never outlives the source. No per-key round trip.
 *
 * Wire format (RING.IMPORTRAW id count payload): the walk copies each entry's bytes straight from
 * the store's array (Store.EntryVisitor.visitBytes) into the batch's array, as
 *     key length (int32) | value length (int32) | expire-at (int64, Unix ms, -1: none) | key | value
 * big-endian, count entries one after another; the command's header is written in front of them
 * in the same array (see Batch), sent as one buffer. The target applies a batch in one pass over
 * that one argument (RingCommands.ringImportRaw), with no per-entry RESP argument to decode.
 *
 * Flow control: a batch holds at most BATCH_BYTES of entries (about 300 entries of 64-byte values)
 * and at most WINDOW batches are in flight on the handoff's own connection. A target applies a
 * batch in one turn of its event loop and then yields that connection (RespDecoder's
 * yieldAfterRequest): its next batch runs only after the loop's next pass over its other
 * connections' input. So a reader on the target's loop waits behind at most one batch per incoming
 * stream, not behind every batch one read of each stream brought (up to WINDOW each; measured
 * stalls of 10-23 ms of the loop's CPU with three streams, docs/benchmarks.md), while the window
 * keeps the connection busy.
 *
 * Mixed versions: a node older than RING.IMPORTRAW answers it "-ERR unknown command"; the stream
 * then sends that batch and every later one as RING.IMPORT id key expire-at value ... (the format
 * every version accepts), decoded from the same payload. The target answers -TRYAGAIN while it is
 * still purging the ranges it gains; such a batch is sent again after a short pause.
 *
 * With a rate (the node's --handoff-rate), a stream sends each batch no sooner than the previous
 * batch's entries over the rate after it: the walking thread sleeps between batches (outside any store
 * lock), so the stream's CPU on both ends is spread over a longer event and readers keep more of it.
 *
 * The walk runs on a background thread (never an event loop). A second RING.STREAM for a handoff
 * already streaming waits for the same result, so a resumed router does not stream twice at once.
 *
 * A stream that failed (the connection reset, the target refused it) resumes where it stopped when
 * the router sends RING.STREAM again: the store's walk is in parts (Store.parts, a segment each),
 * and the next run starts at the first part with an entry the target did not acknowledge; the
 * parts before it are not sent again. The target applies entries insert-if-absent, so what is sent
 * twice (the rest of the part the stream stopped in) is harmless.
 */

/** Streams a handoff's entries to its target. */
public final class HandoffStreamer {

  private static final Logger log = LoggerFactory.getLogger(HandoffStreamer.class);
  /** Entry bytes per batch (key, value and the 16-byte entry header), at most (one entry may exceed it). */
  static final int BATCH_BYTES = 32 * 1024;
  /** Batches in flight per stream. */
  static final int WINDOW = 4;
  private static final int MAX_RETRIES = 200;

  /** Progress of one stream: entries sent and acknowledged out of the entries found. */
  public record Progress(long moved, long total) {}

  private final Store store;
  private final PeerPool peers;
  private final Executor executor;
  /** Entries per second a stream sends at most; 0 for no limit. */
  private final long rate;
  private final Map<String, Run> runs = new ConcurrentHashMap<>();

  /**
   * A streamer whose streams each send at most {@code entriesPerSecond} (0: no limit), paced per
   * batch: the batch after one of n entries is sent no sooner than n / rate seconds after it.
   */
  public HandoffStreamer(Store store, PeerPool peers, Executor executor, long entriesPerSecond) {
    if (entriesPerSecond < 0) {
      throw new IllegalArgumentException("entries per second must not be negative: " + entriesPerSecond);
    }
    this.store = store;
    this.peers = peers;
    this.executor = executor;
    this.rate = entriesPerSecond;
  }

  /** Streams {@code handoff} to {@code targetAddress}; completes with the number of entries sent. */
  public CompletableFuture<Long> stream(Handoff handoff, String targetAddress) {
    return stream(handoff, targetAddress, 0);
  }

  /**
   * As {@link #stream(Handoff, String)}, with the part of the hash circle the store holds ({@code
   * heldShare}, 0 if not known), for the progress estimate before the walk has counted.
   */
  public CompletableFuture<Long> stream(Handoff handoff, String targetAddress, double heldShare) {
    Run run = runs.compute(handoff.id(), (id, existing) -> {
      if (existing != null && !existing.result.isDone()) {
        return existing;
      }
      Run next = new Run(handoff, targetAddress, heldShare);
      if (existing != null && existing.result.isCompletedExceptionally() && existing.target.equals(targetAddress)) {
        next.resumeAfter(existing);
      }
      return next;
    });
    if (run.started.compareAndSet(0, 1)) {
      executor.execute(run::execute);
    }
    return run.result;
  }

  /** The fraction of the hash circle {@code handoff}'s ranges cover. */
  public static double share(Handoff handoff) {
    return handoff.ranges().stream().mapToLong(io.ringcache.ring.HashRange::size).sum() / 4294967296.0;
  }

  /**
   * The entries a stream of ranges covering {@code share} of the circle finds in a store of {@code
   * storeSize} entries that holds keys of {@code heldShare} of it: storeSize * share / heldShare
   * (keys spread evenly over the circle), or storeSize * share when heldShare is not known. The
   * store holds only its own part of the circle, so the latter (what this was before) reported a
   * third of the real count at a node of three: progress went past 100%.
   */
  static long estimate(long storeSize, double share, double heldShare) {
    double fraction = heldShare > 0 ? Math.min(1, share / heldShare) : share;
    return Math.round(storeSize * fraction);
  }

  /** The progress of handoff {@code id}, or null if it never streamed here. */
  public Progress progress(String id) {
    Run run = runs.get(id);
    return run == null ? null : new Progress(run.acknowledged.get(), run.total);
  }

  private final class Run {
    final Handoff handoff;
    final String target;
    final CompletableFuture<Long> result = new CompletableFuture<>();
    final AtomicLong started = new AtomicLong();
    final AtomicLong acknowledged = new AtomicLong();
    volatile long total;
    /** Entries the target acknowledged, per part of the store's walk. */
    final AtomicLongArray acknowledgedInPart = new AtomicLongArray(store.parts());
    /** The first part this run walks, and the entries acknowledged before it by earlier runs. */
    int fromPart;
    long carried;
    /** Where a failed run can resume: the first part with an entry not acknowledged. */
    volatile int resumePart;
    /** The target does not know RING.IMPORTRAW: batches go as RING.IMPORT. */
    volatile boolean legacy;
    /** With a rate: when the next batch may be sent (System.nanoTime); the walking thread's only. */
    long nextSendNanos;
    /**
     * A batch failed for good (the connection closed, the target refused it): the walk sends nothing
     * more, so a failed run ends at once instead of walking (and, with a rate, pacing) the rest of the
     * store into a closed connection; the router's next RING.STREAM resumes it.
     */
    volatile Throwable batchFailure;

    /** The part of the hash circle the store holds (0: not known). */
    final double heldShare;

    Run(Handoff handoff, String target, double heldShare) {
      this.handoff = handoff;
      this.target = target;
      this.heldShare = heldShare;
    }

    /** Starts where {@code failed} stopped, keeping the counts of the parts it completed. */
    void resumeAfter(Run failed) {
      fromPart = failed.resumePart;
      for (int p = 0; p < fromPart; p++) {
        long n = failed.acknowledgedInPart.get(p);
        acknowledgedInPart.set(p, n);
        carried += n;
      }
      acknowledged.set(carried);
      resumePart = fromPart;
    }

    void execute() {
      long startNanos = System.nanoTime();
      PeerClient client = null;
      try {
        client = peers.dedicated(target).get(5, TimeUnit.SECONDS);
        // an estimate for progress reports (one pass over the store, not two); exact once done
        total = estimate(store.size(), share(handoff), heldShare);
        if (rate > 0) {
          log.info("handoff {}: streaming to {} at most {} entries/s (handoff-rate)", handoff.id(), target, rate);
        }
        if (fromPart > 0) {
          log.info("handoff {}: resuming the stream to {} at part {} of {} ({} entries acknowledged before)",
              handoff.id(), target, fromPart, store.parts(), carried);
        }
        long sent = carried + send(client);
        total = sent;
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        log.info("handoff {}: streamed {} entries to {} in {} s ({} entries/s)", handoff.id(), sent, target,
            String.format("%.2f", seconds), seconds > 0 ? (long) (sent / seconds) : sent);
        result.complete(sent);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        result.completeExceptionally(e);
      } catch (Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        log.warn("handoff {}: streaming to {} failed: {}", handoff.id(), target, cause.toString());
        result.completeExceptionally(cause);
      } finally {
        if (client != null) {
          client.close();
        }
      }
    }

    private long send(PeerClient client) throws Exception {
      Semaphore window = new Semaphore(WINDOW);
      List<CompletableFuture<Void>> inFlight = new ArrayList<>();
      Set<Batch> unacknowledged = ConcurrentHashMap.newKeySet();
      int idLength = handoff.id().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      // arrays of acknowledged batches, for the next ones (see Batch); this run's only, so they go with it
      java.util.Queue<byte[]> spares = new java.util.concurrent.ArrayBlockingQueue<>(WINDOW + 1);
      Batch[] batch = {new Batch(fromPart, idLength, spares)};
      long[] sent = {0};
      int[] walking = {fromPart};
      Exception[] failure = {null};
      // each entry's expiry comes from its exact deadline (Expiry.ofDeadline) and the clock's wall
      // offset read per entry (a step of the wall clock mid-stream is followed at once): no clock is read
      // for a visit without its deadline: the clock read before the store measured the TTL (at the
      // end of the previous visit), so that a pause between the readings shortens the entry's life
      long[] before = {store.clock().nanoTime()};
      try {
        store.forEachInRanges(handoff.ranges(), fromPart, new Store.EntryVisitor() {
          @Override
          public void visit(Key key, byte[] value, long ttlNanos) {
            visitUntil(key, value, ttlNanos, ttlNanos == Store.NO_TTL ? Store.NO_DEADLINE : before[0] + ttlNanos);
          }

          @Override
          public void visitUntil(Key key, byte[] value, long ttlNanos, long deadline) {
            byte[] k = key.bytes();
            add(k, 0, k.length, value, 0, value.length, ttlNanos, deadline);
          }

          @Override
          public void visitBytes(byte[] bytes, int keyOffset, int keyLength, int valueOffset, int valueLength,
              int ringHash, long ttlNanos) {
            add(bytes, keyOffset, keyLength, bytes, valueOffset, valueLength, ttlNanos,
                ttlNanos == Store.NO_TTL ? Store.NO_DEADLINE : before[0] + ttlNanos);
          }

          @Override
          public void visitBytesUntil(byte[] bytes, int keyOffset, int keyLength, int valueOffset, int valueLength,
              int ringHash, long ttlNanos, long deadline) {
            add(bytes, keyOffset, keyLength, bytes, valueOffset, valueLength, ttlNanos, deadline);
          }

          private void add(byte[] keys, int keyOffset, int keyLength, byte[] values, int valueOffset,
              int valueLength, long ttlNanos, long deadline) {
            try {
              if (failure[0] != null || batchFailure != null || (ttlNanos != Store.NO_TTL && ttlNanos <= 0)) {
                return; // failed, or already expired
              }
              batch[0].add(walking[0], keys, keyOffset, keyLength, Expiry.ofDeadline(deadline, store.clock().wallOffsetNanos()),
                  values, valueOffset, valueLength);
              sent[0]++;
              if (batch[0].full()) {
                submitCurrent();
              }
            } finally {
              before[0] = store.clock().nanoTime();
            }
          }

          @Override
          public void partDone(int part) {
            walking[0] = part + 1;
          }

          private void submitCurrent() {
            try {
              unacknowledged.add(batch[0]);
              inFlight.add(submit(client, batch[0], window, unacknowledged));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              failure[0] = e;
              batch[0].release(); // never sent; it stays unacknowledged, for where to resume
            }
            batch[0] = new Batch(walking[0], idLength, spares);
          }
        });
        if (failure[0] != null) {
          throw failure[0];
        }
        if (batch[0].count > 0) {
          unacknowledged.add(batch[0]);
          inFlight.add(submit(client, batch[0], window, unacknowledged));
        } else {
          batch[0].release();
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get();
        return sent[0];
      } catch (Exception e) {
        if (!unacknowledged.contains(batch[0])) {
          batch[0].release(); // never submitted
        }
        throw e;
      } finally {
        // where a later run resumes: the first part with an entry not acknowledged by now
        int resume = batch[0].count > 0 ? Math.min(walking[0], batch[0].firstPart) : walking[0];
        for (Batch b : unacknowledged) {
          resume = Math.min(resume, b.firstPart);
        }
        resumePart = resume;
      }
    }

    private CompletableFuture<Void> submit(PeerClient client, Batch batch, Semaphore window, Set<Batch> unacknowledged)
        throws InterruptedException {
      pace(batch.count);
      window.acquire();
      CompletableFuture<Void> done = new CompletableFuture<>();
      attempt(client, batch, window, done, 0, unacknowledged);
      return done;
    }

    /** With a rate, waits until a batch of {@code entries} may be sent, and books its share of time. */
    private void pace(int entries) throws InterruptedException {
      if (rate == 0) {
        return;
      }
      long now = System.nanoTime();
      if (nextSendNanos == 0 || nextSendNanos - now < 0) {
        nextSendNanos = now; // the first batch, or the stream fell behind its rate: no burst to catch up
      }
      long wait = nextSendNanos - now;
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      nextSendNanos += entries * 1_000_000_000L / rate;
    }

    private void attempt(PeerClient client, Batch batch, Semaphore window, CompletableFuture<Void> done, int retries,
        Set<Batch> unacknowledged) {
      boolean raw = !legacy;
      client.send(raw ? batch.encodeRaw(handoff.id()) : batch.encodeLegacy(handoff.id())).whenComplete((reply, error) -> {
        String message = error == null ? null : error.getMessage();
        if (error == null) {
          batch.acknowledgedIn(acknowledgedInPart);
          unacknowledged.remove(batch);
          acknowledged.addAndGet(batch.count);
          batch.recycle();
          window.release();
          done.complete(null);
        } else if (raw && message != null && message.startsWith("ERR unknown command")) {
          if (!legacy) {
            legacy = true;
            log.info("handoff {}: {} does not know RING.IMPORTRAW (an older version): streaming as RING.IMPORT",
                handoff.id(), target);
          }
          attempt(client, batch, window, done, retries, unacknowledged);
        } else if (message != null && message.startsWith("TRYAGAIN") && retries < MAX_RETRIES) {
          CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS)
              .execute(() -> attempt(client, batch, window, done, retries + 1, unacknowledged));
        } else {
          batchFailure = error;
          batch.release();
          window.release();
          done.completeExceptionally(error instanceof IOException ? error : new IOException(error));
        }
      });
    }
  }

  private static final byte[] RING_IMPORT = Resp.ascii("RING.IMPORT");
  private static final byte[] RING_IMPORTRAW = Resp.ascii("RING.IMPORTRAW");
  /** Bytes before each entry's key in a RING.IMPORTRAW payload: key length, value length, expire-at. */
  public static final int ENTRY_HEADER = 16;

  private static final java.lang.invoke.VarHandle INT =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.BIG_ENDIAN);
  private static final java.lang.invoke.VarHandle LONG =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

  /**
   * Entries as a RING.IMPORTRAW command in one array: room for the command's header, then the
   * payload, filled by the walk with plain array writes (cheaper per entry than a direct ByteBuf's
   * checked writes, measured: docs/benchmarks.md); the header (which needs the count and the
   * payload's length) is written into that room right before the payload when the batch is first
   * sent, and the CRLF after it. So a batch goes out as one heap buffer, which the channel copies
   * once into a direct one; a header and payload sent as a composite buffer were copied twice
   * (merged into a new heap array of the payload's size, then into the direct buffer). The array
   * comes back to the stream's spares once the batch is acknowledged (its write is long done by
   * then), so a stream allocates a few arrays, not one per batch. The batch keeps the part of the
   * store's walk each entry came from, as runs (a batch spans a few consecutive parts).
   */
  private static final class Batch {
    final int firstPart;
    private final int headerRoom;
    private byte[] bytes;
    /** The end of the entries in {@link #bytes}. */
    private int length;
    /** Where the command starts in {@link #bytes}, once encoded (else -1). */
    private int commandStart = -1;
    int count;
    private int[] runParts = new int[4];
    private int[] runCounts = new int[4];
    private int runs;
    private final java.util.Queue<byte[]> spares;

    Batch(int firstPart, int idLength, java.util.Queue<byte[]> spares) {
      this.firstPart = firstPart;
      this.spares = spares;
      // *4 (4 bytes), $14 RING.IMPORTRAW (21), $<n> id (15 + id), $<n> count (27), $<payload length> (13)
      this.headerRoom = 96 + idLength;
      byte[] spare = spares.poll();
      this.bytes = spare != null ? spare : new byte[headerRoom + BATCH_BYTES + 1024];
      this.length = headerRoom;
    }

    void add(int part, byte[] keys, int keyOffset, int keyLength, long expireAtMillis, byte[] values, int valueOffset,
        int valueLength) {
      int need = length + ENTRY_HEADER + keyLength + valueLength;
      if (need + 2 > bytes.length) { // 2: the CRLF after the payload
        bytes = java.util.Arrays.copyOf(bytes, Math.max(need + 2, bytes.length * 2));
      }
      INT.set(bytes, length, keyLength);
      INT.set(bytes, length + 4, valueLength);
      LONG.set(bytes, length + 8, expireAtMillis);
      System.arraycopy(keys, keyOffset, bytes, length + ENTRY_HEADER, keyLength);
      System.arraycopy(values, valueOffset, bytes, length + ENTRY_HEADER + keyLength, valueLength);
      length = need;
      count++;
      if (runs > 0 && runParts[runs - 1] == part) {
        runCounts[runs - 1]++;
        return;
      }
      if (runs == runParts.length) {
        runParts = java.util.Arrays.copyOf(runParts, runs * 2);
        runCounts = java.util.Arrays.copyOf(runCounts, runs * 2);
      }
      runParts[runs] = part;
      runCounts[runs++] = 1;
    }

    /** Counts this batch's entries, acknowledged, in their parts. */
    void acknowledgedIn(AtomicLongArray perPart) {
      for (int i = 0; i < runs; i++) {
        perPart.addAndGet(runParts[i], runCounts[i]);
      }
    }

    boolean full() {
      return length - headerRoom >= BATCH_BYTES;
    }

    /** Drops the batch's array (a failed batch: a write of it may still be queued). */
    void release() {
      bytes = null;
    }

    /**
     * Drops the batch, its array kept for a later batch of the same run: only once it was
     * acknowledged. An array grown for an entry larger than a batch is not kept.
     */
    void recycle() {
      if (bytes != null && bytes.length == headerRoom + BATCH_BYTES + 1024) {
        spares.offer(bytes); // a bounded queue: beyond its capacity the array is dropped
      }
      bytes = null;
    }

    /** RING.IMPORTRAW id count payload: the batch's array, wrapped. */
    ByteBuf encodeRaw(String id) {
      if (commandStart < 0) {
        ByteBuf header = Unpooled.buffer(headerRoom);
        Resp.arrayHeader(header, 4);
        Resp.bulk(header, RING_IMPORTRAW);
        Resp.bulk(header, id);
        Resp.bulkDecimal(header, count);
        lengthLine(header, length - headerRoom);
        commandStart = headerRoom - header.readableBytes();
        header.readBytes(bytes, commandStart, header.readableBytes());
        bytes[length] = '\r';
        bytes[length + 1] = '\n';
      }
      return Unpooled.wrappedBuffer(bytes, commandStart, length + 2 - commandStart);
    }

    /** RING.IMPORT id key expire-at value ...: the same entries as every version reads them. */
    ByteBuf encodeLegacy(String id) {
      ByteBuf out = ByteBufAllocator.DEFAULT.ioBuffer(length - headerRoom + 32 * count + 64);
      Resp.arrayHeader(out, 2 + 3 * count);
      Resp.bulk(out, RING_IMPORT);
      Resp.bulk(out, id);
      for (int at = headerRoom, i = 0; i < count; i++) {
        int keyLength = (int) INT.get(bytes, at);
        int valueLength = (int) INT.get(bytes, at + 4);
        long expireAt = (long) LONG.get(bytes, at + 8);
        at += ENTRY_HEADER;
        bulkSlice(out, at, keyLength);
        Resp.bulkDecimal(out, expireAt);
        bulkSlice(out, at + keyLength, valueLength);
        at += keyLength + valueLength;
      }
      return out;
    }

    private void bulkSlice(ByteBuf out, int at, int length) {
      lengthLine(out, length);
      out.writeBytes(bytes, at, length);
      out.writeByte('\r').writeByte('\n');
    }
  }

  private static final byte[] CRLF = {'\r', '\n'};

  /** {@code $<length>\r\n}: the start of a bulk string whose bytes follow. */
  private static void lengthLine(ByteBuf buf, int length) {
    buf.writeByte('$');
    buf.writeCharSequence(Integer.toString(length), java.nio.charset.StandardCharsets.US_ASCII);
    buf.writeByte('\r').writeByte('\n');
  }
}
