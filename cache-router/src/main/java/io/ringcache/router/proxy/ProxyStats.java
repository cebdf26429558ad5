package io.ringcache.router.proxy;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the proxy port, shared by its event loops; INFO shows them. */
public final class ProxyStats {
  /** -MOVED replies followed inside the proxy. */
  public final LongAdder movedFollowed = new LongAdder();
  /** -TRYAGAIN replies retried after a backoff (and MOVED from a node behind the router). */
  public final LongAdder retries = new LongAdder();
  /** Multi-key parts split into single-key calls after a redirect. */
  public final LongAdder splits = new LongAdder();
  /** Calls failed because their node could not be reached. */
  public final LongAdder unreachable = new LongAdder();
  /** Redirects passed to the client because the retry budget ran out. */
  public final LongAdder budgetExhausted = new LongAdder();
  /** Clients closed because their unread replies exceeded proxy-max-output-buffer. */
  public final LongAdder outputLimitCloses = new LongAdder();
  /** Clients closed because their replies stayed unread for proxy-output-stall-timeout. */
  public final LongAdder outputStallCloses = new LongAdder();
  /** MGET and SCAN replies refused before they were merged, because they would exceed proxy-max-output-buffer. */
  public final LongAdder repliesTooLarge = new LongAdder();
  /** Clients closed, largest first, because all clients' buffers together exceeded proxy-max-clients-memory. */
  public final LongAdder clientsMemoryCloses = new LongAdder();
  /** Connections refused because proxy-max-clients were open. */
  public final LongAdder rejectedConnections = new LongAdder();
  /** Connections closed because they did not authenticate within auth-timeout. */
  public final LongAdder authTimeoutCloses = new LongAdder();
}
