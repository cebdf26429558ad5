package io.ringcache.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.ringcache.resp.Redirect;
import io.ringcache.resp.Resp;
import io.ringcache.resp.net.LogThrottle;
import io.ringcache.ring.RoutingTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/*
 * Routing and retries for the clients of one event loop; it owns that loop's backend connections
 * (one per node), so a client, its calls and their connections all live on one thread: no locks.
 *
 * Route: owner = RoutingTable(router's topology).serverOf(key), at its address. A multi-key command
 * is split by owner into one call per node, each carrying the positions of its keys in the
 * client's request.
 *
 * Redirects never reach the client while the retry budget (RETRY_BUDGET, from the client's request)
 * lasts:
 *   -MOVED <epoch> <addr>   the node's topology moved the key. The router's topology is at least as
 *                           new as any node's (it persists a change before pushing it), so: if the
 *                           table is not newer than <epoch> and <addr> is a member of it, resend
 *                           to <addr> at once (never to a non-member: the proxy would hand it the
 *                           password and the client's request; such a redirect is routed by the
 *                           table as if the table were newer); if it is
 *                           newer and names another node, send there at once; if it names the very
 *                           node that answered (that node is behind), retry after a backoff.
 *   -TRYAGAIN               the range is being imported or purged: retry after a backoff of 2, 4,
 *                           8, 16, then 25 ms, re-routing each time (the event loop's schedule).
 *   -CROSSNODE              (a part whose keys the node routes differently: the proxy's table and
 *                           the node's disagree for a moment)
 * A part of a multi-key command that gets any of these is split into single-key calls (GET, SET,
 * DEL ...) that follow the rules above one by one. When the budget runs out, the node's error goes
 * to the client as it is.
 *
 * A call that could not be written (no connection) is re-routed once if the topology now names
 * another node; a call whose connection closed after it was written fails, since it may have run.
 *
 * Order. A client's requests for one key reach nodes in the order it sent them, through a scale
 * event too (ClientHandler):
 *   - all of a client's requests out at nodes were routed by one topology epoch; a request that the
 *     table would route by a newer one waits until they are answered, so two requests of a pipeline
 *     never travel to the old and the new owner at once;
 *   - while any of its calls is redirected, the client's new requests wait;
 *   - its redirected calls are sent again in request order: once one waits for its backoff, any
 *     later redirected call waits behind it, and one timer sends them all by one topology.
 */

/** Routes calls to nodes and handles -MOVED/-TRYAGAIN for one event loop's clients. */
final class Dispatcher {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Dispatcher.class);

  static final long RETRY_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final int MAX_ATTEMPTS = 200;
  private static final byte[] GET = Resp.ascii("GET");
  private static final byte[] SET = Resp.ascii("SET");

  private final EventLoop loop;
  private final Routes routes;
  private final String password;
  private final Class<? extends Channel> channelType;
  private final SslContext nodeTls;
  private final ProxyStats stats;
  private static final LogThrottle STRANGER_LOG = LogThrottle.tenSeconds();
  private final Map<String, Backend> backends = new HashMap<>();
  private final List<Backend> dirtyBackends = new ArrayList<>();
  private final List<ClientHandler> dirtyClients = new ArrayList<>();
  private final Runnable flushTask = this::flushAll;
  private boolean flushScheduled;
  /** Ended forwarding calls, handed out again by {@link #forwardingCall} (no allocation per forwarded request). */
  private final java.util.ArrayDeque<Call> freeCalls = new java.util.ArrayDeque<>();
  private static final int MAX_FREE_CALLS = 1024;
  /** Written slots of forwarded requests of this loop's clients, handed out again by {@link #forwardingPending}. */
  private final java.util.ArrayDeque<Pending> freePendings = new java.util.ArrayDeque<>();
  private static final int MAX_FREE_PENDINGS = 1024;

  /** The slot of {@code client}'s forwarded single-key request: a written one again, or a new one. */
  Pending forwardingPending(ClientHandler client, String command) {
    Pending p = freePendings.pollLast();
    if (p == null) {
      p = new Pending(client, ProxyCommands.Kind.KEYED, command);
      p.recyclable = true;
      return p;
    }
    return p.reuse(client, command);
  }

  /** A forwarded request's slot was written to its client: kept to be handed out again. */
  void written(Pending p) {
    if (freePendings.size() < MAX_FREE_PENDINGS) {
      p.client = null;
      freePendings.addLast(p);
    }
  }

  Dispatcher(EventLoop loop, Routes routes, String password, Class<? extends Channel> channelType, SslContext nodeTls,
      ProxyStats stats, long waitingCap) {
    this.waitingCap = waitingCap;
    this.loop = loop;
    this.stats = stats;
    this.routes = routes;
    this.password = password;
    this.channelType = channelType;
    this.nodeTls = nodeTls;
  }

  EventLoop loop() {
    return loop;
  }

  /**
   * The most bytes of requests one of this loop's node connections may hold waiting to be written (one
   * request of any size may always wait); the loop's connections together hold at most four times it.
   * Per connection, so that a paused node's backlog does not refuse requests for the others.
   */
  private final long waitingCap;
  /** The bytes of requests waiting in this loop's node connections (not written: their node does not read). */
  private long waitingBytes;

  /**
   * Whether a request of {@code bytes} may wait in {@code backend}, which holds {@code held} waiting;
   * if so, it is counted until {@link #leftWaiting}.
   */
  boolean admitWaiting(long held, long bytes) {
    if (held > 0 && (held + bytes > waitingCap || waitingBytes + bytes > 4 * waitingCap)) {
      return false;
    }
    waitingBytes += bytes;
    return true;
  }

  void leftWaiting(long bytes) {
    waitingBytes -= bytes;
  }

  /** Fails a call its node's connection could not queue: the node does not read, and enough waits for it. */
  void notReading(Call call, Backend from, long held, long bytes) {
    stats.unreachable.increment();
    fail(call, "TRYAGAIN proxy: node " + from.address + " is not reading its requests (" + held + " bytes wait for it; "
        + "this one's " + bytes + " would pass " + waitingCap + ", or " + 4 * waitingCap + " for all nodes), retry");
  }

  Class<? extends Channel> channelType() {
    return channelType;
  }

  /** The client context nodes are dialled with, or null for plaintext. */
  SslContext nodeTls() {
    return nodeTls;
  }

  String password() {
    return password;
  }

  Routes routes() {
    return routes;
  }

  // ---- sending

  /**
   * A call that forwards a client's request bytes {@code raw} (which it now owns), routed by argument
   * {@code keyAt} of {@code request}: an ended one again, whose key array is reused when the new key
   * has its length, or a new one.
   */
  Call forwardingCall(Pending pending, ByteBuf raw, io.ringcache.resp.Request request, int keyAt, long startNanos) {
    Call call = freeCalls.pollLast();
    if (call == null) {
      return new Call(pending, raw, request.arg(keyAt), startNanos);
    }
    byte[] key = call.keyArray;
    if (key == null || key.length != request.argLength(keyAt)) {
      key = call.keyArray = new byte[request.argLength(keyAt)];
    }
    request.argBytes(keyAt, key);
    return call.reuse(pending, raw, key, startNanos);
  }

  /** {@code call} ended: nothing refers to it any more; a forwarding call is kept to be handed out again. */
  private void ended(Call call) {
    if (call.recyclable && freeCalls.size() < MAX_FREE_CALLS) {
      call.pending = null;
      call.routeKey = null;
      freeCalls.addLast(call);
    }
  }

  /** Sends a single-key call to its key's server. */
  void route(Call call) {
    route(call, routes.current());
  }

  /** Sends a single-key call to its key's server in {@code table}. */
  void route(Call call, RoutingTable table) {
    String address;
    try {
      address = table.addressOf(table.serverOf(call.routeKey));
    } catch (IllegalStateException e) {
      fail(call, "ERR proxy: no node in the ring");
      return;
    }
    backend(address).send(call);
  }

  void send(Call call, String address) {
    backend(address).send(call);
  }

  private Backend backend(String address) {
    Backend b = backends.get(address);
    if (b == null) {
      b = new Backend(address, this);
      backends.put(address, b);
    }
    return b;
  }

  /**
   * Splits a multi-key command by owner and sends one call per node.
   *
   * @param keys the command's keys
   * @param values for MSET, the value of each key; else null
   */
  void routeMany(Pending pending, byte[] command, byte[][] keys, byte[][] values, long start, RoutingTable table) {
    Map<String, List<Integer>> byAddress = new LinkedHashMap<>();
    try {
      for (int i = 0; i < keys.length; i++) {
        String address = table.addressOf(table.serverOf(keys[i]));
        byAddress.computeIfAbsent(address, a -> new ArrayList<>()).add(i);
      }
    } catch (IllegalStateException e) {
      pending.partsLeft = 1;
      pending.failed("ERR proxy: no node in the ring");
      return;
    }
    pending.partsLeft = byAddress.size();
    for (Map.Entry<String, List<Integer>> e : byAddress.entrySet()) {
      List<Integer> idx = e.getValue();
      int[] positions = new int[idx.size()];
      int per = values == null ? 1 : 2;
      byte[][] args = new byte[1 + positions.length * per][];
      args[0] = command;
      for (int j = 0; j < positions.length; j++) {
        int k = idx.get(j);
        positions[j] = k;
        args[1 + j * per] = keys[k];
        if (values != null) {
          args[2 + j * per] = values[k];
        }
      }
      send(new Call(pending, args, keys[positions[0]], positions, start), e.getKey());
    }
  }

  /** Sends {@code args} to every node of the ring. */
  void fanOut(Pending pending, byte[][] args, RoutingTable table) {
    List<String> names = table.ring().nodeNames();
    if (pending.kind != ProxyCommands.Kind.FANOUT && !table.handoffs().isEmpty()) {
      // SCAN, KEYS, RANDOMKEY and FLUSHALL/FLUSHDB reach every node that may hold keys: both ends of
      // every handoff too (a leaving node is out of the ring but holds what it has not streamed yet;
      // its keys would be missed, or flushed everywhere but there and then streamed back). DBSIZE
      // and INFO count the ring's nodes only, as a moving key is held twice.
      java.util.Set<String> holders = new java.util.LinkedHashSet<>(names);
      for (io.ringcache.ring.Handoff h : table.handoffs()) {
        holders.add(h.from());
        holders.add(h.to());
      }
      names = List.copyOf(holders);
    }
    pending.partsLeft = names.size();
    if (names.isEmpty()) {
      pending.partsLeft = 1;
      pending.failed("ERR proxy: no node in the ring");
      return;
    }
    long now = System.nanoTime();
    for (String name : names) {
      send(new Call(pending, args, null, null, now), table.addressOf(name));
    }
  }

  // ---- replies

  /** A node's reply to {@code call}; {@code frame} stays owned by the caller. */
  void reply(Call call, Backend from, ByteBuf frame) {
    Redirect redirect = call.routeKey != null && RawReply.type(frame) == '-' ? redirect(from, frame) : null;
    if (redirect != null) {
      if (!withinBudget(call)) {
        stats.budgetExhausted.increment();
        finish(call, frame);
        return;
      }
      if (!call.redirected) {
        call.redirected = true;
        call.pending.client.redirectStarted();
      }
      switch (redirect.kind()) {
        case MOVED -> moved(call, from, redirect);
        case TRYAGAIN -> {
          if (call.isPartOfMany()) {
            split(call);
          } else {
            retryLater(call);
          }
        }
        case CROSSNODE -> {
          if (call.isPartOfMany()) {
            split(call);
          } else {
            finish(call, frame);
          }
        }
      }
      return;
    }
    finish(call, frame);
  }

  /** The redirect an error reply is; null for another error, or a malformed -MOVED (passed on to the client). */
  private static Redirect redirect(Backend from, ByteBuf frame) {
    try {
      return Redirect.parse(RawReply.text(frame));
    } catch (IllegalArgumentException e) {
      log.warn("node {}: {}; passed on to the client", from.address, e.getMessage());
      return null;
    }
  }

  /** The call's final reply. */
  private void finish(Call call, ByteBuf frame) {
    call.release();
    ClientHandler client = call.pending.client; // the slot may be handed out again once part() wrote it
    boolean redirected = call.redirected;
    call.pending.part(call, frame);
    if (redirected) {
      client.redirectEnded();
    }
    ended(call);
  }

  /** The call ends without a reply. */
  private void fail(Call call, String message) {
    call.release();
    ClientHandler client = call.pending.client;
    boolean redirected = call.redirected;
    call.pending.failed(message);
    if (redirected) {
      client.redirectEnded();
    }
    ended(call);
  }

  private boolean withinBudget(Call call) {
    return ++call.attempts < MAX_ATTEMPTS && System.nanoTime() - call.startNanos < RETRY_BUDGET_NANOS;
  }

  private void moved(Call call, Backend from, Redirect moved) {
    if (call.isPartOfMany()) {
      split(call);
      return;
    }
    stats.movedFollowed.increment();
    RoutingTable table = routes.current();
    if (table.epoch() <= moved.epoch()) {
      if (isMember(table, moved.address())) {
        sendAgain(call, moved.address());
        return;
      }
      // never to a stranger: the proxy would send it the password and the client's request
      long leftOut = STRANGER_LOG.admit(); // every request of the keys concerned is redirected so
      if (leftOut >= 0) {
        log.warn("node {} redirected to {}, which is not a member of the topology at epoch {}: routing by the topology{}",
            from.address, moved.address(), table.epoch(), LogThrottle.leftOut(leftOut));
      }
    }
    String address = table.addressOf(table.serverOf(call.routeKey));
    if (address.equals(from.address)) {
      retryLater(call); // the node is behind the router: it will catch up
    } else {
      sendAgain(call, address);
    }
  }

  /**
   * Sends a redirected call to {@code address} (null: by the topology) at once, unless calls of its
   * client wait to be sent again: then after them, in request order.
   */
  private void sendAgain(Call call, String address) {
    ClientHandler client = call.pending.client;
    if (client.retriesWaiting()) {
      client.retryLater(call, address, 0);
    } else if (address == null) {
      route(call);
    } else {
      send(call, address);
    }
  }

  /** Sends a call that waited to be sent again: to its MOVED address if still a member, else by {@code table}. */
  void resend(Call call, RoutingTable table, boolean clientOpen) {
    if (!clientOpen) {
      fail(call, "ERR proxy: client gone");
      return;
    }
    String via = call.via;
    call.via = null;
    if (via != null && isMember(table, via)) {
      send(call, via);
    } else {
      route(call, table);
    }
  }

  /** Whether {@code address} is the address of a node of {@code table}'s topology. */
  private static boolean isMember(RoutingTable table, String address) {
    for (io.ringcache.ring.NodeInfo n : table.topology().nodes()) {
      if (n.address().equals(address)) {
        return true;
      }
    }
    return false;
  }

  private void retryLater(Call call) {
    stats.retries.increment();
    long delay = Math.min(1L << Math.min(call.attempts, 5), 25);
    call.pending.client.retryLater(call, null, delay);
  }

  /** Replaces a part of a multi-key command by one single-key call per key, routed afresh. */
  private void split(Call call) {
    stats.splits.increment();
    Pending pending = call.pending;
    pending.partsLeft += call.keys.length - 1;
    int per = pending.kind == ProxyCommands.Kind.MSET ? 2 : 1;
    for (int j = 0; j < call.keys.length; j++) {
      byte[][] args;
      byte[] key = call.args[1 + j * per];
      args = switch (pending.kind) {
        case MGET -> new byte[][] {GET, key};
        case MSET -> new byte[][] {SET, key, call.args[2 + j * per]};
        default -> new byte[][] {call.args[0], key};
      };
      Call single = new Call(pending, args, key, new int[] {call.keys[j]}, call.startNanos);
      single.attempts = call.attempts;
      single.redirected = true;
      if (j > 0) {
        pending.client.redirectStarted(); // the part's redirect passes to each of its keys
      }
      sendAgain(single, null);
    }
  }

  /** A call that got no reply. */
  void unreachable(Call call, Backend from, boolean written, String why) {
    if (!written && call.routeKey != null && call.attempts++ < MAX_ATTEMPTS) {
      RoutingTable table = routes.current();
      try {
        String address = table.addressOf(table.serverOf(call.routeKey));
        if (!address.equals(from.address)) {
          send(call, address);
          return;
        }
      } catch (IllegalStateException e) {
        // no node in the ring: fail below
      }
    }
    stats.unreachable.increment();
    fail(call, "ERR proxy: node " + from.address + " unreachable (" + why + ")");
  }

  // ---- flushing

  void dirty(Backend backend) {
    dirtyBackends.add(backend);
  }

  void dirty(ClientHandler client) {
    dirtyClients.add(client);
  }

  /**
   * Flushes once the event loop has handled every socket that was ready: its tasks run after its
   * I/O, so the requests of all the clients read in one pass go to each node in one write.
   */
  void flushSoon() {
    if (!flushScheduled) {
      flushScheduled = true;
      loop.execute(flushTask);
    }
  }

  /** The loop's clock as {@link #now} last read it in this pass of the loop, if {@link #clockRead}. */
  private long clock;
  private boolean clockRead;

  /**
   * The time a call's retry budget starts from: {@code System.nanoTime()}, read once per pass of the
   * event loop (a client's read of 16 pipelined requests reads the clock once, not 16 times). The
   * first reading of a pass schedules {@link #flushAll}, which forgets it at the pass's end; so a
   * reading is never older than the pass, and the budget it starts is 2 s.
   */
  long now() {
    if (!clockRead) {
      clock = System.nanoTime();
      clockRead = true;
      flushSoon();
    }
    return clock;
  }

  /** Flushes the requests batched for nodes and the replies batched for clients. */
  void flushAll() {
    flushScheduled = false;
    clockRead = false;
    for (int i = 0; i < dirtyBackends.size(); i++) {
      dirtyBackends.get(i).flush();
    }
    dirtyBackends.clear();
    for (int i = 0; i < dirtyClients.size(); i++) {
      dirtyClients.get(i).flush();
    }
    dirtyClients.clear();
  }

  void close() {
    backends.values().forEach(Backend::close);
  }
}
