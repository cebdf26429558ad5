package io.ringcache.router.proxy;

import io.netty.buffer.ByteBuf;
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

  Pending pending;
  /** The arguments to encode; null when the call forwards {@link #raw}. */
  final byte[][] args;
  /**
   * The client's request as it was read (a retained slice of the client's read buffer), forwarded
   * as it is; null when the call encodes {@link #args}. Held until the call ends (a redirect sends
   * it again), then released by {@link #release}.
   */
  private ByteBuf raw;
  /** The key whose owner serves this call; null for a call to a named node (DBSIZE). */
  byte[] routeKey;
  /** For a part of a multi-key command: which of the command's keys it carries, in order. */
  final int[] keys;
  /** When the client's request arrived: retries stop after {@link Dispatcher#RETRY_BUDGET_NANOS}. */
  long startNanos;
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

  /** A single-key call that forwards the client's request bytes {@code raw}, which it now owns. */
  Call(Pending pending, ByteBuf raw, byte[] routeKey, long startNanos) {
    this(pending, (byte[][]) null, routeKey, null, startNanos);
    this.raw = raw;
    this.recyclable = true;
  }

  /**
   * A forwarding call that may be used again once it ended (the {@link Dispatcher} keeps ended ones
   * and hands them out instead of new ones): nothing refers to a call after it ended, since its
   * node's connection took it off its queue before its reply or failure was handled.
   */
  boolean recyclable;
  /** A recycled call's key array, kept for the next key of the same length. */
  byte[] keyArray;

  /** This ended forwarding call, made a new one, as the constructor would. */
  Call reuse(Pending pending, ByteBuf raw, byte[] routeKey, long startNanos) {
    this.pending = pending;
    this.raw = raw;
    this.routeKey = routeKey;
    this.startNanos = startNanos;
    this.attempts = 0;
    this.redirected = false;
    this.via = null;
    return this;
  }

  /** The request bytes to forward, or null to encode {@link #args}. */
  ByteBuf raw() {
    return raw;
  }

  /** While it waits in its node's connection: the bytes {@link #bytes} counted for it there. */
  long waitingBytes;

  /** The bytes of the request this call sends: the forwarded ones, or its arguments'. */
  long bytes() {
    if (raw != null) {
      return raw.readableBytes();
    }
    long n = 0;
    if (args != null) {
      for (byte[] a : args) {
        n += a.length + 16;
      }
    }
    return n;
  }

  /** The call ended (replied or failed): releases the forwarded bytes. Idempotent. */
  void release() {
    if (raw != null) {
      raw.release();
      raw = null;
    }
  }

  boolean isPartOfMany() {
    return keys != null && keys.length > 1;
  }
}
