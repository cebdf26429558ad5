package io.ringcache.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.ringcache.resp.Redirect;
import io.ringcache.resp.RespReply;
import io.ringcache.resp.net.Transport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The core every view shares: it routes a request by its key (KeyRouter), sends it to the
 * node's Endpoint, and decides what a reply means.
 *
 *  - A normal reply completes the request through its converter.
 *  - -MOVED <epoch> <address>: ask TopologyManager for a refresh (the redirecting target first),
 *    and send the request again straight to <address> without waiting for the refresh; at most
 *    maxRedirects times, then CacheRedirectException. An <address> that is not a member of the
 *    topology held (nor a seed) is never contacted on a redirect's word: the topology is refreshed
 *    first (from the seeds and members), and the request fails with CacheRedirectException if the
 *    address is still no member, so a forged redirect cannot collect the password or the data.
 *  - -TRYAGAIN: send it again after a backoff (2 ms doubling to 100 ms), at most
 *    maxTryAgainRetries times.
 *  - A multi-key batch (MGET/MSET for one node) that meets -MOVED, -TRYAGAIN or -CROSSNODE is split
 *    into single-key requests, each routed and redirected on its own: correct whatever the
 *    handoff state, and rare.
 *  - Any other error reply becomes an exception in CacheExceptions, the one factory.
 *  - A lost connection asks for a topology refresh; its requests are sent once more on a new
 *    connection if they were never written, or if they are reads (running twice is harmless);
 *    written writes fail (they may have executed). A refused connection fails its requests.
 *
 * Every request has one deadline (command timeout from its first send); a retry past it fails
 * with CacheTimeoutException, and CommandHandler's sweep fails requests that wait past it. A
 * timeout asks for a topology refresh (rate-limited), as a lost connection does.
 *
 * Close: every request is at one of these places, and close() fails it there before the event
 * loops stop: queued or in flight on a connection (each connection fails them on its own loop, and
 * close() waits for that); parked for a TRYAGAIN backoff or a resend after a lost connection (the
 * `parked` set); waiting for an in-flight permit (woken, it finds its endpoint closed); or being
 * dispatched by a caller right now (it reads `closed` after queueing, and fails itself if set).
 * Nothing is handed to an event loop after it stopped: schedule() and resendAfterLoss() fail the
 * request instead.
 */

/** Routes, sends and retries requests; owns the event loops and the endpoints. */
final class ClusterExecutor {

  private static final Logger log = LoggerFactory.getLogger(ClusterExecutor.class);

  private static final long TRYAGAIN_FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  private static final long TRYAGAIN_MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final ClientOptions options;
  private final ClientMetrics metrics;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final SslContext tls;
  private final ConcurrentHashMap<String, Endpoint> endpoints = new ConcurrentHashMap<>();
  private final long commandTimeoutNanos;
  private final long sweepPeriodNanos;
  private volatile TopologyManager topology;
  private volatile boolean closed;
  private final java.util.Set<CommandHandler> connections = ConcurrentHashMap.newKeySet();
  private final java.util.Set<Request<?>> parked = ConcurrentHashMap.newKeySet();
  private final long silenceThresholdNanos;
  private final java.util.concurrent.atomic.LongAdder redirectsFollowed = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder tryAgainsRetried = new java.util.concurrent.atomic.LongAdder();

  ClusterExecutor(ClientOptions options) {
    this.options = options;
    this.metrics = options.metrics();
    this.tls = options.tls() ? tlsContext(options.tlsCaCert()) : null;
    this.commandTimeoutNanos = options.commandTimeout().toNanos();
    this.sweepPeriodNanos =
        Math.max(TimeUnit.MILLISECONDS.toNanos(5), Math.min(commandTimeoutNanos / 8, TimeUnit.MILLISECONDS.toNanos(100)));
    this.silenceThresholdNanos = Math.min(commandTimeoutNanos / 2, TimeUnit.MILLISECONDS.toNanos(500));
    Transport transport = Transport.current();
    Class<? extends SocketChannel> channelType = transport.socketChannel();
    this.group = new MultiThreadIoEventLoopGroup(options.ioThreads(), new IoThreadFactory(), transport.ioHandlerFactory());
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(channelType)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, options.connectTimeout().toMillis()));
    // a connection the network silently stopped carrying is closed by the kernel within seconds:
    // the not-answering probes (Endpoint) go out on the connection they find open, so until it
    // closed they went into the silence, and every request for that node failed, for the kernel's
    // 15 minutes of retransmissions
    io.ringcache.resp.net.DeadPeers.detect(bootstrap, channelType);
  }

  /** Verifies the server's certificate chain and that it names the dialled host, as HTTPS does. */
  private static SslContext tlsContext(Path caCert) {
    SslContextBuilder builder = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
    try {
      if (caCert != null) {
        builder.trustManager(caCert.toFile());
      }
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot load the trusted TLS certificates " + caCert + ": " + CommandHandler.describe(e), e);
    }
  }

  /** The TLS context of every connection, or null for plaintext. */
  SslContext tls() {
    return tls;
  }

  void topology(TopologyManager topology) {
    this.topology = topology;
  }

  TopologyManager topology() {
    return topology;
  }

  ClientOptions options() {
    return options;
  }

  ClientMetrics metrics() {
    return metrics;
  }

  /** Tells the metrics, never letting them break the client. */
  void report(java.util.function.Consumer<ClientMetrics> event) {
    if (metrics != ClientMetrics.NONE) {
      try {
        event.accept(metrics);
      } catch (RuntimeException e) {
        log.warn("metrics {} failed", metrics, e);
      }
    }
  }

  EventLoopGroup group() {
    return group;
  }

  long commandTimeoutNanos() {
    return commandTimeoutNanos;
  }

  long sweepPeriodNanos() {
    return sweepPeriodNanos;
  }

  /** Starts {@code request}: its deadline from now, routed by its key (or to its fixed address). */
  <T> Request<T> execute(Request<T> request) {
    return execute(request, commandTimeoutNanos);
  }

  /** Starts {@code request} with {@code timeoutNanos} instead of the command timeout. */
  <T> Request<T> execute(Request<T> request, long timeoutNanos) {
    long now = System.nanoTime();
    request.timeoutNanos = timeoutNanos;
    request.deadlineNanos = now + timeoutNanos;
    if (metrics != ClientMetrics.NONE) {
      request.metrics = metrics;
      request.startNanos = now;
    }
    dispatch(request);
    return request;
  }

  /** Starts {@code request} at {@code address}, not routed. */
  <T> Request<T> executeAt(String address, Request<T> request) {
    request.fixedAddress = address;
    return execute(request);
  }

  /** Starts {@code request} at {@code address}, not routed, with {@code timeoutNanos}. */
  <T> Request<T> executeAt(String address, Request<T> request, long timeoutNanos) {
    request.fixedAddress = address;
    return execute(request, timeoutNanos);
  }

  private void dispatch(Request<?> request) {
    if (request.isDone()) {
      return;
    }
    if (closed) {
      request.completeExceptionally(closedException(request));
      return;
    }
    if (System.nanoTime() - request.deadlineNanos > 0) {
      request.completeExceptionally(
          new CacheTimeoutException(
              request.type.wireName() + " did not complete within " + TimeUnit.NANOSECONDS.toMillis(request.timeoutNanos)
                  + " ms (retries and redirects included)"));
      return;
    }
    String address;
    try {
      address = request.fixedAddress != null ? request.fixedAddress : topology.router().addressOf(request.key);
    } catch (CacheException e) {
      request.completeExceptionally(e);
      return;
    }
    endpoint(address).send(request);
  }

  private Endpoint endpoint(String address) {
    Endpoint endpoint = endpoints.get(address);
    if (endpoint == null) {
      endpoint =
          endpoints.computeIfAbsent(
              address, a -> new Endpoint(a, this, bootstrap, group, options.maxInFlightPerNode()));
    }
    return endpoint;
  }

  /** Sends {@code request} again after its connection was lost, routed afresh, off the failing connection's stack. */
  void resendAfterLoss(Request<?> request) {
    park(request, 0);
  }

  /**
   * Dispatches {@code request} again after {@code delayNanos} (0: at once, on an I/O thread). Until
   * then it is parked, where close() finds and fails it.
   */
  private void park(Request<?> request, long delayNanos) {
    parked.add(request);
    Runnable task =
        () -> {
          if (parked.remove(request)) {
            dispatch(request);
          }
        };
    boolean scheduled;
    if (delayNanos <= 0) {
      scheduled = runSoon(task);
    } else {
      scheduled = schedule(task, delayNanos);
    }
    if (!scheduled || closed) {
      if (parked.remove(request)) {
        request.completeExceptionally(closedException(request));
      }
    }
  }

  /** Runs {@code task} on an I/O thread; false if they have stopped (the client closed). */
  boolean runSoon(Runnable task) {
    try {
      group.next().execute(task);
      return true;
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return false;
    }
  }

  /** Runs {@code task} on an I/O thread after {@code delayNanos}; false if they have stopped. */
  boolean schedule(Runnable task, long delayNanos) {
    try {
      group.next().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return false;
    }
  }

  /** Sends {@code request} to {@code address} again, through the endpoint now registered for it. */
  void resend(Request<?> request, String address) {
    if (closed) {
      request.completeExceptionally(closedException(request));
      return;
    }
    endpoint(address).send(request);
  }

  /** Whether close() has begun. */
  boolean isClosed() {
    return closed;
  }

  /** A fresh exception for {@code request}, failed because the client closed. */
  CacheClosedException closedException(Request<?> request) {
    return new CacheClosedException("the client was closed before " + request.type.wireName() + " completed");
  }

  /** How long a node may send nothing back while requests wait before it counts as not answering. */
  long silenceThresholdNanos() {
    return silenceThresholdNanos;
  }

  void register(CommandHandler connection) {
    connections.add(connection);
  }

  void unregister(CommandHandler connection) {
    connections.remove(connection);
  }

  /**
   * A new topology was adopted: connections to nodes it no longer lists (and that are not seeds)
   * are closed once nothing is in flight on them; a later redirect there opens a new one.
   */
  void retainOnly(List<String> addresses) {
    for (Map.Entry<String, Endpoint> e : endpoints.entrySet()) {
      String address = e.getKey();
      Endpoint endpoint = e.getValue();
      if (!addresses.contains(address)
          && !options.seeds().contains(address)
          && endpoint.isIdle()
          && endpoints.remove(address, endpoint)) {
        log.debug("closing the connection to {}: no longer in the topology", address);
        endpoint.retire();
      }
    }
  }

  /** How many -MOVED redirects were followed (single-key requests; split batches count per key). */
  long redirectsFollowed() {
    return redirectsFollowed.sum();
  }

  /** How many -TRYAGAIN retries were scheduled. */
  long tryAgainsRetried() {
    return tryAgainsRetried.sum();
  }

  /** For tests: the addresses the client holds endpoints for. */
  java.util.Set<String> endpointAddresses() {
    return java.util.Set.copyOf(endpoints.keySet());
  }

  /** A reply to an attempt of {@code request} arrived from {@code address}. */
  void onReply(String address, Request<?> request, Object reply) {
    if (request.isDone()) {
      return; // timed out meanwhile
    }
    if (reply instanceof RespReply.Error) {
      onError(address, request, ((RespReply.Error) reply).message());
      return;
    }
    complete(address, request, reply);
  }

  private static <T> void complete(String address, Request<T> request, Object reply) {
    T result;
    try {
      result = request.converter.convert(reply);
    } catch (CacheException e) { // the converter's own verdict: a codec that could not read the value, a transaction not run
      request.completeExceptionally(e);
      return;
    } catch (RuntimeException e) {
      request.completeExceptionally(
          new CacheException(
              "unexpected reply to " + request.type.wireName() + " from " + address + ": " + describe(reply), e));
      return;
    }
    request.complete(result);
  }

  private void onError(String address, Request<?> request, String message) {
    Redirect.Kind kind = Redirect.kindOf(message);
    Redirect moved = kind == Redirect.Kind.MOVED ? CacheExceptions.parseMoved(message) : null;
    boolean batch = request.isBatch();
    if (moved != null) {
      if (!batch && !topology.isMember(moved.address())) {
        followAfterRefresh(address, request, message, moved);
        return;
      }
      topology.onMoved(moved);
      if (batch) {
        split(request);
      } else if (request.redirects >= options.maxRedirects()) {
        request.completeExceptionally(
            new CacheRedirectException(
                request.type.wireName() + " redirected more than " + options.maxRedirects()
                    + " times; last -" + message + " from " + address));
      } else {
        request.redirects++;
        redirectsFollowed.increment();
        report(m -> m.redirectFollowed(address, moved.address()));
        request.fixedAddress = moved.address();
        dispatch(request);
      }
    } else if (kind == Redirect.Kind.TRYAGAIN) {
      if (batch) {
        split(request);
      } else if (request.tryAgains >= options.maxTryAgainRetries()) {
        request.completeExceptionally(
            new CacheRedirectException(
                request.type.wireName() + " still answered -TRYAGAIN after " + options.maxTryAgainRetries()
                    + " retries; last from " + address));
      } else {
        long backoff = Math.min(TRYAGAIN_FIRST_BACKOFF_NANOS << request.tryAgains, TRYAGAIN_MAX_BACKOFF_NANOS);
        request.tryAgains++;
        tryAgainsRetried.increment();
        report(m -> m.tryAgainRetried(address));
        park(request, backoff);
      }
    } else if (batch && kind == Redirect.Kind.CROSSNODE) {
      topology.requestRefresh(null);
      split(request);
    } else {
      request.completeExceptionally(CacheExceptions.fromServerError(address, message));
    }
  }

  /**
   * A -MOVED to an address that is not a member of the topology held (nor a seed): the client
   * would send it the password and the request. Refresh the topology first, from the seeds and
   * the members (never from that address), and follow only if it is a member then.
   */
  private void followAfterRefresh(String from, Request<?> request, String message, Redirect moved) {
    topology.refreshForRedirect(moved.epoch()).whenComplete((epoch, error) -> group.next().execute(() -> {
      if (request.isDone()) {
        return;
      }
      if (!topology.isMember(moved.address())) {
        log.warn("refused to follow -{} from {}: {} is not a member of the topology at epoch {}", message, from,
            moved.address(), topology.router().epoch());
        request.completeExceptionally(new CacheRedirectException(request.type.wireName() + " redirected by " + from
            + " to " + moved.address() + ", which is not a member of the topology at epoch "
            + topology.router().epoch() + " (nor a seed): refused, so that nothing is sent there"));
      } else if (request.redirects >= options.maxRedirects()) {
        request.completeExceptionally(new CacheRedirectException(request.type.wireName() + " redirected more than "
            + options.maxRedirects() + " times; last -" + message + " from " + from));
      } else {
        request.redirects++;
        redirectsFollowed.increment();
        report(m -> m.redirectFollowed(from, moved.address()));
        request.fixedAddress = moved.address();
        dispatch(request);
      }
    }));
  }

  /*
   * A batch for one node became single-key requests. MGET's result is the Object[] of values in
   * its keys' order; MSET's is null. The batch keeps its future, so the fan-out that made it does not
   * notice.
   */
  @SuppressWarnings("unchecked")
  private void split(Request<?> batch) {
    byte[][] args = batch.args;
    if (batch.type == CommandType.DEL || batch.type == CommandType.EXISTS) { // counts: their sum
      long[] counts = new long[args.length];
      CompletableFuture<?>[] parts = new CompletableFuture<?>[args.length];
      for (int i = 0; i < args.length; i++) {
        int index = i;
        Request<Long> one = Request.of(batch.type, args[i], reply -> (Long) reply);
        one.mayWait = batch.mayWait;
        one.deadlineNanos = batch.deadlineNanos;
        one.timeoutNanos = batch.timeoutNanos;
        parts[i] = one.thenAccept(n -> counts[index] = n);
        dispatch(one);
      }
      CompletableFuture.allOf(parts)
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  batch.completeExceptionally(unwrap(error));
                } else {
                  ((Request<Object>) batch).complete(java.util.Arrays.stream(counts).sum());
                }
              });
    } else if (batch.type == CommandType.MGET) {
      Object[] values = new Object[args.length];
      CompletableFuture<?>[] parts = new CompletableFuture<?>[args.length];
      for (int i = 0; i < args.length; i++) {
        int index = i;
        Request<Object> get = Request.of(CommandType.GET, args[i], reply -> reply);
        get.mayWait = batch.mayWait;
        get.deadlineNanos = batch.deadlineNanos;
        get.timeoutNanos = batch.timeoutNanos;
        parts[i] = get.thenAccept(v -> values[index] = v);
        dispatch(get);
      }
      CompletableFuture.allOf(parts)
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  batch.completeExceptionally(unwrap(error));
                } else {
                  ((Request<Object>) batch).complete(values);
                }
              });
    } else {
      CompletableFuture<?>[] parts = new CompletableFuture<?>[args.length / 2];
      for (int i = 0; i < parts.length; i++) {
        Request<Object> set = new Request<>(CommandType.SET, args[2 * i], args[2 * i + 1], 0, null, reply -> reply);
        set.mayWait = batch.mayWait;
        set.deadlineNanos = batch.deadlineNanos;
        set.timeoutNanos = batch.timeoutNanos;
        parts[i] = set;
        dispatch(set);
      }
      CompletableFuture.allOf(parts)
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  batch.completeExceptionally(unwrap(error));
                } else {
                  ((Request<Object>) batch).complete(null);
                }
              });
    }
  }

  /**
   * Sends one batch per node: {@code keys} grouped by the node that serves them under the current
   * topology, in the order of first appearance. Returns the index lists, one per address.
   */
  Map<String, List<Integer>> groupByNode(byte[][] keys) {
    KeyRouter router = topology.router();
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < keys.length; i++) {
      groups.computeIfAbsent(router.addressOf(keys[i]), a -> new ArrayList<>()).add(i);
    }
    return groups;
  }

  /** A node failed (connection lost or refused): the topology may have moved on. */
  void onNodeFailure(String address, Throwable cause) {
    if (closed) {
      return;
    }
    log.debug("node {} failed: {}; refreshing the topology", address, String.valueOf(cause));
    TopologyManager t = topology;
    if (t != null) {
      t.requestRefresh(null);
    }
  }

  /**
   * A request to the node timed out, or the node is not answering: the cluster may have ejected
   * it, so refresh (the topology manager rate-limits unprompted refreshes).
   */
  void onNodeTimeout(String address) {
    if (closed) {
      return;
    }
    TopologyManager t = topology;
    if (t != null) {
      t.requestRefresh(null);
    }
  }

  /**
   * Fails every request still pending with {@link CacheClosedException}, then stops the I/O
   * threads. See the design note for where requests can be and how each place is covered.
   */
  void close() {
    closed = true;
    for (Endpoint endpoint : endpoints.values()) {
      endpoint.shutdown();
    }
    List<io.netty.util.concurrent.Future<?>> failed = new ArrayList<>();
    for (CommandHandler connection : connections) {
      failed.add(connection.close(new CacheClosedException("the client is closed")));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    for (io.netty.util.concurrent.Future<?> f : failed) {
      f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    for (Request<?> request : parked) {
      if (parked.remove(request)) {
        request.completeExceptionally(closedException(request));
      }
    }
    endpoints.clear();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** Whether the calling thread is one of the client's I/O threads (where blocking would deadlock). */
  static boolean onIoThread() {
    return Thread.currentThread() instanceof IoThread;
  }

  /** The client's I/O threads: daemon, named {@code ringcache-client-N-M}, recognisable by type. */
  private static final class IoThreadFactory extends DefaultThreadFactory {
    IoThreadFactory() {
      super("ringcache-client", true);
    }

    @Override
    protected Thread newThread(Runnable r, String name) {
      return new IoThread(threadGroup, r, name);
    }
  }

  private static final class IoThread extends FastThreadLocalThread {
    IoThread(ThreadGroup group, Runnable r, String name) {
      super(group, r, name);
    }
  }

  static Throwable unwrap(Throwable error) {
    while ((error instanceof java.util.concurrent.CompletionException
            || error instanceof java.util.concurrent.ExecutionException)
        && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

  static String describe(Object reply) {
    if (reply instanceof byte[]) {
      return "bulk string of " + ((byte[]) reply).length + " bytes";
    }
    if (reply instanceof Object[]) {
      return "array of " + ((Object[]) reply).length;
    }
    return String.valueOf(reply);
  }
}
