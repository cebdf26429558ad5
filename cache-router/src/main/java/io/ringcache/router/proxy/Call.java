package io.ringcache.router.proxy;

import io.ringcache.resp.Resp;
/**
 * One request the proxy sends a node on behalf of a client's request ({@link Pending}): a
 * single-key command, one node's part of a multi-key command, or a DBSIZE of a fan-out. Confined
 * to one event loop.
 */
final class Call {

  /** What the proxy sends a node before anything else when the cluster has a password. */
  static Call auth(String password) {
    return new Call(null, new byte[][] {Resp.ascii("AUTH"), password.getBytes(java.nio.charset.StandardCharsets.UTF_8)}, null, null, 0);
  }

  final Pending pending;
  final byte[][] args;
  /** The key whose owner serves this call; null for a call to a named node (DBSIZE). */
  final byte[] routeKey;
  /** For a part of a multi-key command: which of the command's keys it carries, in order. */
  final int[] keys;
  /** When the client's request arrived: retries stop after {@link Dispatcher#RETRY_BUDGET_NANOS}. */
  final long startNanos;
  int attempts;
  /** Whether this call was redirected (MOVED, TRYAGAIN, CROSSNODE): its client holds new requests until it ends. */
  boolean redirected;
  /** Where a call waiting to be sent again goes (a MOVED's address), or null to route it by the topology. */
  String via;

  Call(Pending pending, byte[][] args, byte[] routeKey, int[] keys, long startNanos) {
    this.pending = pending;
    this.args = args;
    this.routeKey = routeKey;
    this.keys = keys;
    this.startNanos = startNanos;
  }

  boolean isPartOfMany() {
    return keys != null && keys.length > 1;
  }
}
