package io.ringcache.router.proxy;

import io.ringcache.resp.Resp;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ringcache.ring.HashTag;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/*
 * The reply slot of one client request, in the client's FIFO. A slot is done when `reply` is set;
 * the client writes done slots from the head of its FIFO, so replies leave in request order however
 * the nodes' answers interleave.
 *
 * A multi-key command has one call per node (or, after a redirect, per key); `partsLeft` counts the
 * calls still out. Parts keep what the merge needs: MGET the values as slices of the node's reply,
 * indexed by the key's position in the client's request; DEL/UNLINK/EXISTS/TOUCH and DBSIZE a sum;
 * SCAN each node's keys and the nearest of their next cursors; KEYS every node's keys; RANDOMKEY
 * one node's key, chosen at random among the nodes that answered one; every kind the first error.
 * Confined to the client's event loop.
 *
 * SCAN through the proxy walks the ring-hash circle, as each node's SCAN does: the cursor is a
 * position on it. Every node of the ring scans from the client's cursor; each returns all its keys
 * from there up to its own next cursor. The merged step ends at the nearest of those cursors, so it
 * holds every key of every node between the two positions: the keys beyond it are dropped (the
 * next step returns them), duplicates (a key on two nodes during a handoff) are returned once.
 */

/** One client request's reply, merged from its calls' replies. */
final class Pending {

  ClientHandler client;
  final ProxyCommands.Kind kind;
  String command;
  /**
   * A forwarded single-key request's slot, which its event loop's {@link Dispatcher} keeps once it
   * was written and hands out again, to any client of the loop (no allocation per forwarded
   * request): by then its one call has ended and nothing else refers to it.
   */
  boolean recyclable;
  ByteBuf reply;
  /** CLIENT REPLY OFF or SKIP was in force when the request arrived: its reply is dropped, not written. */
  boolean silent;
  /** The client speaks RESP3: how its reply is converted before it is written (Resp3); null for RESP2. */
  io.ringcache.resp.Resp3.Shape shape;
  /** The request's place in its client's order: redirected calls are sent again in this order. */
  long seq;
  int partsLeft;
  private ByteBuf[] values;
  long sum;
  /** INFO's fan-out: keys with a TTL, summed from the nodes' keyspace lines; the sections asked for (null: default). */
  long expires;
  java.util.Set<String> infoSections;
  int failures;
  private ByteBuf error;
  /** SCAN: where the step starts on the hash circle, where it ends (the nearest node cursor), the keys. */
  long scanFrom;
  /** SCAN: how the nodes hash keys onto the circle (the topology's hash tag). */
  HashTag scanHashTag = HashTag.NONE;
  private long scanUntil = CIRCLE;
  private List<byte[]> scanKeys;
  /** RANDOMKEY: the key chosen so far among the nodes' answers, and how many nodes answered one. */
  private byte[] randomKey;
  private int randomKeyCandidates;
  /** MGET, SCAN and KEYS: bytes of the merged reply so far; once over the client's budget, the reply is an error. */
  private long replyBytes;
  private boolean tooLarge;

  private static final long CIRCLE = 1L << 32;

  Pending(ClientHandler client, ProxyCommands.Kind kind, String command) {
    this.client = client;
    this.kind = kind;
    this.command = command;
  }

  /** This written slot of a forwarded request, made a new one for {@code command}, as the constructor would. */
  Pending reuse(ClientHandler client, String command) {
    this.client = client;
    this.command = command;
    reply = null;
    silent = false;
    seq = 0;
    partsLeft = 0;
    values = null;
    sum = 0;
    expires = 0;
    infoSections = null;
    failures = 0;
    error = null;
    scanFrom = 0;
    scanHashTag = HashTag.NONE;
    scanUntil = CIRCLE;
    scanKeys = null;
    randomKey = null;
    randomKeyCandidates = 0;
    replyBytes = 0;
    tooLarge = false;
    return this;
  }

  /** A slot that is already done. */
  static Pending done(ClientHandler client, ByteBuf reply) {
    Pending p = new Pending(client, ProxyCommands.Kind.LOCAL, null);
    p.reply = reply;
    return p;
  }

  void expectValues(int keys) {
    values = new ByteBuf[keys];
  }

  /** A call's reply; {@code frame} stays owned by the caller. */
  void part(Call call, ByteBuf frame) {
    byte type = RawReply.type(frame);
    if (type == '-' && kind != ProxyCommands.Kind.FANOUT) {
      if (error == null) {
        error = frame.retain();
      }
    } else {
      switch (kind) {
        case KEYED, LOCAL -> reply = frame.retain();
        case MGET -> mgetPart(call, frame, type);
        case SUM -> {
          if (type == ':') {
            sum += RawReply.integer(frame);
          } else {
            unexpected(frame);
          }
        }
        case MSET, EVERY_NODE -> {
          if (type != '+') {
            unexpected(frame);
          }
        }
        case FANOUT -> {
          if (type == ':') {
            sum += RawReply.integer(frame);
          } else if (type == '$') {
            keyspacePart(RawReply.bulkAt(frame, frame.readerIndex()));
          } else {
            failures++;
          }
        }
        case SCAN -> scanPart(frame, type);
        case KEYS -> keysPart(frame, type);
        case RANDOMKEY -> randomKeyPart(frame, type);
        default -> unexpected(frame);
      }
    }
    partDone();
  }

  /** A node's {@code INFO keyspace}: adds its {@code db0:keys=N,expires=E,...} (no line: no keys). */
  private void keyspacePart(byte[] bulk) {
    String text = bulk == null ? "" : new String(bulk, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("db0:");
    if (at < 0) {
      if (!text.startsWith("# Keyspace")) {
        failures++;
      }
      return;
    }
    int end = text.indexOf('\r', at);
    for (String field : text.substring(at + 4, end < 0 ? text.length() : end).split(",")) {
      int eq = field.indexOf('=');
      try {
        if (field.startsWith("keys=")) {
          sum += Long.parseLong(field.substring(eq + 1));
        } else if (field.startsWith("expires=")) {
          expires += Long.parseLong(field.substring(eq + 1));
        }
      } catch (NumberFormatException e) {
        failures++;
        return;
      }
    }
  }

  private void mgetPart(Call call, ByteBuf frame, byte type) {
    if (tooLarge) {
      return;
    }
    if (type == '$') {
      values[call.keys[0]] = frame.retain(); // a GET sent after a redirect split the part
      grew(frame.readableBytes());
      return;
    }
    if (type != '*' || RawReply.arrayLength(frame) != call.keys.length) {
      unexpected(frame);
      return;
    }
    int at = RawReply.firstElement(frame);
    for (int key : call.keys) {
      int end = RawReply.end(frame, at);
      if (values[key] != null) {
        values[key].release();
      }
      values[key] = frame.retainedSlice(at, end - at);
      at = end;
    }
    grew(frame.readableBytes());
  }

  /**
   * Adds {@code bytes} to the merged reply; beyond what one reply may take (proxy-max-output-buffer)
   * the reply becomes an error and what the parts kept is dropped at once, so a huge MGET or SCAN
   * is refused without being merged.
   */
  private void grew(long bytes) {
    replyBytes += bytes;
    long budget = client.replyBudget();
    if (replyBytes > budget && !tooLarge) {
      tooLarge = true;
      release();
      scanKeys = null;
      client.replyTooLarge(command, replyBytes);
      error = client.alloc().buffer();
      Resp.error(error, "ERR reply too large: more than " + replyBytes + " bytes for '" + command
          + "' (expected: <= " + client.maxOutputBuffer() + ", proxy-max-output-buffer)");
    }
  }

  /** One node's {@code *2 $cursor *n $key...}. */
  private void scanPart(ByteBuf frame, byte type) {
    if (tooLarge) {
      return;
    }
    if (type != '*' || RawReply.arrayLength(frame) != 2) {
      unexpected(frame);
      return;
    }
    int at = RawReply.firstElement(frame);
    byte[] cursor = RawReply.bulkAt(frame, at);
    long next;
    try {
      next = cursor == null ? -1 : Long.parseLong(new String(cursor, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      next = -1;
    }
    at = RawReply.end(frame, at);
    long count = RawReply.arrayLengthAt(frame, at);
    if (next < 0 || next >= CIRCLE || count < 0) {
      unexpected(frame);
      return;
    }
    scanUntil = Math.min(scanUntil, next == 0 ? CIRCLE : next);
    if (scanKeys == null) {
      scanKeys = new ArrayList<>();
    }
    at = RawReply.firstElementAt(frame, at);
    for (long i = 0; i < count; i++) {
      byte[] key = RawReply.bulkAt(frame, at);
      if (key != null) {
        scanKeys.add(key);
      }
      at = RawReply.end(frame, at);
    }
    grew(frame.readableBytes());
  }

  /** One node's {@code *n $key...} to KEYS: its keys, counted against the reply budget as they come. */
  private void keysPart(ByteBuf frame, byte type) {
    if (tooLarge) {
      return;
    }
    long count = type == '*' ? RawReply.arrayLength(frame) : -1;
    if (count < 0) {
      unexpected(frame);
      return;
    }
    grew(frame.readableBytes());
    if (tooLarge) {
      return;
    }
    if (scanKeys == null) {
      scanKeys = new ArrayList<>();
    }
    int at = RawReply.firstElement(frame);
    for (long i = 0; i < count; i++) {
      byte[] key = RawReply.bulkAt(frame, at);
      if (key != null) {
        scanKeys.add(key);
      }
      at = RawReply.end(frame, at);
    }
  }

  /** KEYS: every node's keys, each once (a key held by two nodes during a handoff). */
  private ByteBuf keysReply(ByteBufAllocator alloc) {
    Set<ByteBuffer> seen = new HashSet<>();
    List<byte[]> keys = new ArrayList<>();
    long size = 16;
    if (scanKeys != null) {
      for (byte[] key : scanKeys) {
        if (seen.add(ByteBuffer.wrap(key))) {
          keys.add(key);
          size += key.length + 16;
        }
      }
    }
    ByteBuf out = alloc.buffer((int) Math.min(size, Integer.MAX_VALUE));
    Resp.arrayHeader(out, keys.size());
    for (byte[] key : keys) {
      Resp.bulk(out, key);
    }
    return out;
  }

  /** One node's RANDOMKEY: a key (kept if a coin says so, so that each node's key is as likely) or nil. */
  private void randomKeyPart(ByteBuf frame, byte type) {
    if (type != '$') {
      unexpected(frame);
      return;
    }
    byte[] key = RawReply.bulkAt(frame, frame.readerIndex());
    if (key == null) {
      return;
    }
    randomKeyCandidates++;
    // reservoir sampling over the nodes that hold keys: each ends up chosen with chance 1/candidates
    if (java.util.concurrent.ThreadLocalRandom.current().nextInt(randomKeyCandidates) == 0) {
      randomKey = key;
    }
  }

  private ByteBuf scanReply(ByteBufAllocator alloc) {
    Set<ByteBuffer> seen = new HashSet<>();
    List<byte[]> keys = new ArrayList<>();
    if (scanKeys != null) {
      for (byte[] key : scanKeys) {
        long h = Integer.toUnsignedLong(scanHashTag.hash(key));
        if (h >= scanFrom && h < scanUntil && seen.add(ByteBuffer.wrap(key))) {
          keys.add(key);
        }
      }
    }
    ByteBuf out = alloc.buffer(32 + keys.size() * 24);
    Resp.arrayHeader(out, 2);
    Resp.bulk(out, Long.toString(scanUntil == CIRCLE ? 0 : scanUntil));
    Resp.arrayHeader(out, keys.size());
    for (byte[] key : keys) {
      Resp.bulk(out, key);
    }
    return out;
  }

  private void unexpected(ByteBuf frame) {
    if (error == null) {
      error = client.alloc().buffer();
      Resp.error(error, "ERR proxy: unexpected reply from a node to " + command + ": " + RawReply.text(frame));
    }
  }

  /** A call that got no reply (its node is unreachable); {@code message} starts with an error prefix. */
  void failed(String message) {
    if (kind == ProxyCommands.Kind.FANOUT) {
      failures++;
    } else if (error == null) {
      error = client.alloc().buffer();
      Resp.error(error, message);
    }
    partDone();
  }

  private void partDone() {
    if (--partsLeft > 0) {
      return;
    }
    if (reply == null) {
      reply = merge(client.alloc());
    }
    release();
    client.completed(this);
  }

  private ByteBuf merge(ByteBufAllocator alloc) {
    if (error != null) {
      ByteBuf e = error;
      error = null;
      return e;
    }
    switch (kind) {
      case MGET -> {
        int size = 16;
        for (ByteBuf v : values) {
          size += v == null ? 5 : v.readableBytes();
        }
        ByteBuf out = alloc.buffer(size);
        Resp.arrayHeader(out, values.length);
        for (ByteBuf v : values) {
          if (v == null) {
            out.writeBytes(Resp.NIL);
          } else {
            out.writeBytes(v, v.readerIndex(), v.readableBytes());
          }
        }
        return out;
      }
      case SUM -> {
        ByteBuf out = alloc.buffer(24);
        Resp.integer(out, sum);
        return out;
      }
      case MSET, EVERY_NODE -> {
        return alloc.buffer(5).writeBytes(Resp.OK);
      }
      case FANOUT -> {
        return client.fanoutReply(this);
      }
      case SCAN -> {
        return scanReply(alloc);
      }
      case KEYS -> {
        return keysReply(alloc);
      }
      case RANDOMKEY -> {
        ByteBuf out = alloc.buffer(randomKey == null ? 5 : randomKey.length + 16);
        Resp.bulk(out, randomKey);
        return out;
      }
      default -> {
        ByteBuf out = alloc.buffer();
        Resp.error(out, "ERR proxy: no reply for " + command);
        return out;
      }
    }
  }

  /** Drops what the parts kept. */
  void release() {
    if (values != null) {
      for (int i = 0; i < values.length; i++) {
        if (values[i] != null) {
          values[i].release();
          values[i] = null;
        }
      }
    }
    if (error != null) {
      error.release();
      error = null;
    }
  }
}
