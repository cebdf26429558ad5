package io.ringcache.node;

import static io.ringcache.node.Commands.NANOS_PER_MS;
import static io.ringcache.node.Commands.NOT_INTEGER;
import static io.ringcache.node.Commands.wrongArity;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ringcache.resp.Decimal;
import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.node.cluster.ClusterState;
import io.ringcache.node.cluster.Expiry;
import io.ringcache.node.cluster.HandoffStreamer;
import io.ringcache.node.cluster.ImportState;
import io.ringcache.node.cluster.TopologyGuard;
import io.ringcache.resp.Request;
import io.ringcache.resp.Resp;
import io.ringcache.ring.Handoff;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The cluster family, RING.*: topology, heartbeat, flush, and the handoff's read, import, stream and progress. */
final class RingCommands {

  private static final Logger log = LoggerFactory.getLogger(RingCommands.class);
  private static final byte[] NIL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);

  private RingCommands() {}

  static void ringTopology(RingContext c, Request r) {
    Resp.bulk(c.out(), TopologyJson.writeBytes(c.cluster().topology()));
  }

  static void ringEpoch(RingContext c, Request r) {
    Resp.integer(c.out(), c.cluster().epoch());
  }

  /**
   * RING.SETTOPOLOGY json [incarnation]: adopts the topology if it is newer and meant for this
   * process (the incarnation, when given, and the topology's entry for this node must be this
   * process's); replies with the epoch held, or -ERR STALE ... for another process's topology.
   */
  static void ringSetTopology(RingContext c, Request r) {
    if (r.argc() > 3) {
      wrongArity(c, "ring.settopology");
      return;
    }
    Topology topology;
    long addressedTo = 0;
    try {
      topology = TopologyJson.read(r.arg(1));
      if (r.argc() == 3) {
        addressedTo = Decimal.parseLong(r.arg(2));
      }
    } catch (IllegalArgumentException e) {
      Resp.error(c.out(), "ERR " + e.getMessage());
      return;
    }
    long before = c.cluster().epoch();
    String refusal = TopologyGuard.refusal(topology, before);
    if (refusal != null) {
      log.warn("refused RING.SETTOPOLOGY from {}: {}", c.describe(), refusal);
      Resp.error(c.out(), "ERR topology refused: " + refusal);
      return;
    }
    try {
      long held = c.cluster().adopt(topology, addressedTo);
      Resp.integer(c.out(), held);
      if (held > before) {
        c.readThrough().dial(c.cluster().importSources());
      }
    } catch (ClusterState.StaleIncarnationException e) {
      log.warn("refused topology epoch {} from {}: {}", topology.epoch(), c.describe(), e.getMessage());
      Resp.error(c.out(), "ERR " + e.getMessage());
    }
  }

  /**
   * A reached node that is not the one its caller named: the router or a peer dials a node by
   * address, and a name that resolves to another node's address for a while (a stale DNS entry, a
   * recreated container given a reused address) would reach that node instead. Acting on the
   * answer, the router took the other node for the named one restarted, flushed it and admitted it
   * under both names: every key of the innocent node was lost.
   */
  private static final io.ringcache.resp.net.LogThrottle WRONG_NODE_LOG = io.ringcache.resp.net.LogThrottle.tenSeconds();

  /**
   * Whether argument {@code i} of {@code r}, when given, names another node than this one; if so,
   * replies the refusal and the command does nothing.
   */
  private static boolean meantForAnother(RingContext c, Request r, int i) {
    if (r.argc() <= i) {
      return false;
    }
    String asked = r.string(i);
    String self = c.cluster().name();
    if (asked.equals(self)) {
      return false;
    }
    long leftOut = WRONG_NODE_LOG.admit();
    if (leftOut >= 0) {
      log.warn("refused {} from {}: meant for node {}, and this is node {} (a stale DNS entry or an address another"
          + " node had led it here, or this node was started with another --name){}",
          r.string(0).toUpperCase(java.util.Locale.ROOT), c.describe(), asked, self,
          io.ringcache.resp.net.LogThrottle.leftOut(leftOut));
    }
    Resp.error(c.out(), "ERR wrong node: this is " + self + ", not " + asked
        + " (a stale DNS entry or an address another node had led here, or this node was started with another --name)");
    return true;
  }

  /**
   * RING.HEARTBEAT incarnation lease-ms [name]: the router's health check. Renews the lease when the
   * incarnation is this process's (see ClusterState#heartbeat); replies [epoch, incarnation,
   * member (1 or 0), lease left in ms or -1]. With {@code name}, only if it is this node's name:
   * another node's heartbeat renews nothing here and gets an error.
   */
  static void ringHeartbeat(RingContext c, Request r) {
    if (r.argc() > 4) {
      wrongArity(c, "ring.heartbeat");
      return;
    }
    if (meantForAnother(c, r, 3)) {
      return;
    }
    long expected;
    long leaseMillis;
    try {
      expected = Decimal.parseLong(r.arg(1));
      leaseMillis = Decimal.parseLong(r.arg(2));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
      return;
    }
    ClusterState cluster = c.cluster();
    if (leaseMillis < 0 || leaseMillis > 3_600_000) {
      Resp.error(c.out(), "ERR lease must be between 0 and 3600000 ms: " + leaseMillis);
      return;
    }
    cluster.heartbeat(expected, leaseMillis * NANOS_PER_MS, c.heartbeatAnswered(), c.heartbeatAnsweredNanos());
    Resp.arrayHeader(c.out(), 4);
    Resp.integer(c.out(), cluster.epoch());
    Resp.integer(c.out(), cluster.incarnation());
    Resp.integer(c.out(), cluster.member() ? 1 : 0);
    Resp.integer(c.out(), cluster.leaseRemainingMillis());
    c.heartbeatAnswered(cluster.nanoTime());
  }

  /** The longest RING.PROBE may wait for the node it dials. */
  static final int PROBE_TIMEOUT_MAX_MILLIS = 10_000;

  /**
   * RING.PROBE name address timeout-ms: dials the node {@code name} at {@code address} from here and
   * asks its incarnation (see PeerPool#probe); replies [reach, incarnation or 0, detail], reach being
   * answered, refused or silent. The router asks this when the node's port refuses its own
   * connections, to tell a dead node from a path that rejects them.
   */
  static void ringProbe(RingContext c, Request r) {
    long timeout;
    try {
      timeout = Decimal.parseLong(r.arg(3));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
      return;
    }
    if (timeout < 1 || timeout > PROBE_TIMEOUT_MAX_MILLIS) {
      Resp.error(c.out(), "ERR timeout must be between 1 and " + PROBE_TIMEOUT_MAX_MILLIS + " ms: " + timeout);
      return;
    }
    String address = r.string(2);
    try {
      io.ringcache.resp.net.HostPort.parse(address);
    } catch (IllegalArgumentException e) {
      Resp.error(c.out(), "ERR " + e.getMessage());
      return;
    }
    c.defer(c.peers().probe(r.string(1), address, (int) timeout), (probe, error) -> {
      if (error != null) { // a probe's finding never fails; a shutdown may still reject its tasks
        Resp.error(c.out(), "ERR probe of " + address + " failed: " + error);
        return;
      }
      Resp.arrayHeader(c.out(), 3);
      Resp.bulk(c.out(), probe.reach().getBytes(StandardCharsets.US_ASCII));
      Resp.integer(c.out(), probe.incarnation());
      Resp.bulk(c.out(), probe.detail().getBytes(StandardCharsets.UTF_8));
    });
  }

  /** RING.FLUSH [name]: drops every entry; with {@code name}, only if it is this node's name. */
  static void ringFlush(RingContext c, Request r) {
    if (r.argc() > 2) {
      wrongArity(c, "ring.flush");
      return;
    }
    if (meantForAnother(c, r, 1)) {
      return;
    }
    // the clear runs off the loop: the loop's other connections (heartbeats too) are served meanwhile
    c.defer(c.cluster().flushInBackground(), (ignored, error) -> {
      if (error != null) {
        Resp.error(c.out(), "ERR flush failed: " + error.getMessage());
        return;
      }
      log.info("flushed by RING.FLUSH from {}", c.describe());
      Resp.raw(c.out(), Resp.OK);
    });
  }

  /** How long RING.READ waits for this node to become the named handoff's source before it refuses. */
  static final long READ_WAIT_MILLIS = 100;

  /**
   * RING.READ key [name [handoff-id]]: [value, absolute expiry in Unix ms or -1], or a null array;
   * ignores the seal. With {@code name}, only if it is this node's name (a target reads its handoff's
   * source by address: another node there must not answer for it with a miss). With {@code
   * handoff-id}, only while this node holds that handoff as its source, the key in its ranges and not
   * waiting for its purge (ClusterState#answersReadsFor): if not, it waits up to {@value
   * #READ_WAIT_MILLIS} ms for its next change of state (a target may adopt the handoff a moment before
   * its source does), then answers {@code -TRYAGAIN}, which the target takes as a failed read, never
   * as a miss.
   */
  static void ringRead(RingContext c, Request r) {
    if (r.argc() > 4) {
      wrongArity(c, "ring.read");
      return;
    }
    if (meantForAnother(c, r, 2)) {
      return;
    }
    if (r.argc() < 4) {
      answerRead(c, r.arg(1));
      return;
    }
    ClusterState cluster = c.cluster();
    String id = r.string(3);
    byte[] key = r.arg(1).clone();
    int hash = cluster.hashTag().hash(key);
    if (cluster.answersReadsFor(id, hash)) {
      answerRead(c, key);
      return;
    }
    CompletableFuture<Void> change =
        cluster.nextChange().copy().completeOnTimeout(null, READ_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    c.defer(change, (ignored, error) -> {
      if (cluster.answersReadsFor(id, hash)) {
        answerRead(c, key);
      } else {
        Resp.error(c.out(), "TRYAGAIN not the source of handoff " + id + " for this key at epoch " + cluster.epoch()
            + ", or its range waits for its purge");
      }
    });
  }

  private static void answerRead(RingContext c, byte[] keyBytes) {
    Key key = c.key(keyBytes);
    Store store = c.store();
    byte[] value = store.get(key);
    long deadline = value == null ? Store.ABSENT : store.deadline(key);
    if (deadline == Store.ABSENT) {
      Resp.raw(c.out(), NIL_ARRAY);
      return;
    }
    Resp.arrayHeader(c.out(), 2);
    Resp.bulk(c.out(), value);
    Resp.integer(c.out(), Expiry.ofDeadline(deadline, store.clock().wallOffsetNanos()));
  }

  /**
   * RING.IMPORT id key expire-at value ...: stores each entry absent here and untouched by clients;
   * expire-at is the absolute expiry in Unix ms (-1: none), and an entry already expired is skipped.
   */
  static void ringImport(RingContext c, Request r) {
    if ((r.argc() - 2) % 3 != 0) {
      Resp.error(c.out(), "ERR wrong number of arguments for 'ring.import' command (expected: id, then key expire-at value triples)");
      return;
    }
    ClusterState cluster = c.cluster();
    String id = r.string(1);
    ImportState state = cluster.incoming(id);
    if (state == null) {
      Resp.error(c.out(), "ERR not importing handoff " + id + " at epoch " + cluster.epoch());
      return;
    }
    Key[] keys = new Key[(r.argc() - 2) / 3];
    long[] expireAt = new long[keys.length];
    for (int i = 2, k = 0; i < r.argc(); i += 3, k++) {
      keys[k] = c.key(r.arg(i)); // one CRC per key: the ring hash and the table hash
      if (cluster.blocks(keys[k].ringHash())) {
        Resp.error(c.out(), "TRYAGAIN purging gained ranges, retry");
        return;
      }
      try {
        expireAt[k] = Decimal.parseLong(r.arg(i + 1));
      } catch (NumberFormatException e) {
        Resp.error(c.out(), "ERR invalid expiry in ring.import: " + r.string(i + 1));
        return;
      }
    }
    Store store = c.store();
    long applied = 0;
    for (int i = 2, k = 0; i < r.argc(); i += 3, k++) {
      Key key = keys[k];
      long expiresAt = expireAt[k];
      byte[] value = r.arg(i + 2);
      // the TTL is computed when the insert runs (one kept behind a client's write runs later),
      // and an entry that expired on the way is not stored
      if (state.importIfUntouched(key, store, value, expiresAt)) {
        applied++;
      }
    }
    Resp.integer(c.out(), applied);
    c.yieldInput();
  }

  /**
   * RING.IMPORTRAW id count payload: as RING.IMPORT, the entries packed into one argument (the
   * format HandoffStreamer describes: per entry key length, value length, expire-at, key, value).
   * Every length is checked against the payload before anything is applied; a payload that does not
   * hold exactly {@code count} whole entries is refused whole. The payload is read where the
   * request was read (not copied into an array first), and each entry goes from there into the
   * store: its key borrowed into the event loop's reused arrays, its value copied once, into the
   * stored entry.
   */
  static void ringImportRaw(RingContext c, Request r) {
    ClusterState cluster = c.cluster();
    String id = r.string(1);
    long count;
    try {
      count = Decimal.parseLong(r.arg(2));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
      return;
    }
    ByteBuf payload = r.argBuffer(3);
    int from = payload == null ? 0 : r.argIndex(3);
    if (payload == null) {
      payload = Unpooled.wrappedBuffer(r.arg(3)); // a kept copy of the request: its arguments are arrays
    }
    int length = r.argLength(3);
    int header = HandoffStreamer.ENTRY_HEADER;
    if (count < 0 || count > length / header) {
      Resp.error(c.out(), "ERR ring.importraw count: " + count + " (expected: 0 to " + length / header
          + " for a payload of " + length + " bytes)");
      return;
    }
    ImportState state = cluster.incoming(id);
    if (state == null) {
      Resp.error(c.out(), "ERR not importing handoff " + id + " at epoch " + cluster.epoch());
      return;
    }
    // first pass: the structure, and the keys' hashes (one CRC each: the ring hash and the table hash)
    int[] hashes = new int[(int) count];
    int at = 0;
    for (int k = 0; k < count; k++) {
      int keyLength = payload.getInt(from + at);
      int valueLength = payload.getInt(from + at + 4);
      int keyAt = at + header;
      if (keyLength < 0 || valueLength < 0 || (long) keyAt + keyLength + valueLength > length) {
        Resp.error(c.out(), "ERR ring.importraw entry " + k + " at byte " + at + ": key length " + keyLength
            + ", value length " + valueLength + " (expected: within the " + length + "-byte payload)");
        return;
      }
      hashes[k] = c.keyHash(c.borrowKey(payload, from + keyAt, keyLength));
      if (cluster.blocks(hashes[k])) {
        Resp.error(c.out(), "TRYAGAIN purging gained ranges, retry");
        return;
      }
      at = keyAt + keyLength + valueLength;
      if (k + 1 < count && at + header > length) {
        Resp.error(c.out(), "ERR ring.importraw payload: " + length + " bytes hold fewer than " + count + " entries");
        return;
      }
    }
    if (at != length) {
      Resp.error(c.out(), "ERR ring.importraw payload: " + (length - at) + " bytes after entry " + count
          + " (expected: none)");
      return;
    }
    Store store = c.store();
    long applied = 0;
    at = from;
    for (int k = 0; k < count; k++) {
      int keyLength = payload.getInt(at);
      int valueLength = payload.getInt(at + 4);
      long expiresAt = payload.getLong(at + 8);
      int keyAt = at + header;
      at = keyAt + keyLength + valueLength;
      byte[] key = c.borrowKey(payload, keyAt, keyLength);
      // the TTL is computed when the insert runs (one kept behind a client's write runs later),
      // and an entry that expired on the way is not stored
      if (state.importIfUntouched(key, hashes[k], store, payload, keyAt + keyLength, valueLength, expiresAt)) {
        applied++;
      }
    }
    Resp.integer(c.out(), applied);
    c.yieldInput(); // the stream's next batch waits for the loop's other connections (HandoffStreamer: flow control)
  }

  /**
   * The part of the hash circle whose keys this node's store holds now: what it owns in the
   * current ring and what it still hands off (for the progress estimate of a stream: a handoff's
   * ranges hold about their share of this, not of the circle, of the store's entries).
   */
  static double heldShare(ClusterState cluster) {
    Topology topology = cluster.topology();
    if (topology == null) {
      return 0;
    }
    String self = cluster.name();
    double held = topology.ring().contains(self) ? topology.ring().shareOf(self) : 0;
    for (Handoff h : topology.handoffs()) {
      if (h.from().equals(self)) {
        held += HandoffStreamer.share(h);
      }
    }
    return held;
  }

  /** RING.STREAM id: streams the handoff's entries to its target; replies with the count once done. */
  static void ringStream(RingContext c, Request r) {
    ClusterState cluster = c.cluster();
    String id = r.string(1);
    Handoff handoff = cluster.outgoing(id);
    if (handoff == null) {
      Resp.error(c.out(), "ERR no handoff " + id + " with this node as its source at epoch " + cluster.epoch());
      return;
    }
    String target = cluster.addressOf(handoff.to());
    // not before this node's pending purge is done: a range it gained back holds stale entries until then
    c.defer(cluster.purged().thenCompose(v -> c.streamer().stream(handoff, target, heldShare(cluster))), (count, error) -> {
      if (error != null) {
        Resp.error(c.out(), "ERR handoff " + id + ": streaming to " + target + " failed: " + error.getMessage());
      } else {
        Resp.integer(c.out(), count);
      }
    });
  }

  /** RING.PROGRESS id: [entries acknowledged by the target, entries to send]. */
  static void ringProgress(RingContext c, Request r) {
    HandoffStreamer.Progress progress = c.streamer().progress(r.string(1));
    Resp.arrayHeader(c.out(), 2);
    Resp.integer(c.out(), progress == null ? 0 : progress.moved());
    Resp.integer(c.out(), progress == null ? 0 : progress.total());
  }
}
