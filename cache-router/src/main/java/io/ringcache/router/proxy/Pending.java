package io.ringcache.router.proxy;

import io.ringcache.node.Resp;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/*
 * The reply slot of one client request, in the client's FIFO. A slot is done when `reply` is set;
 * the client writes done slots from the head of its FIFO, so replies leave in request order however
 * the nodes' answers interleave.
 *
 * A multi-key command has one call per node (or, after a redirect, per key); `partsLeft` counts the
 * calls still out. Parts keep what the merge needs: MGET the values as slices of the node's reply,
 * indexed by the key's position in the client's request; DEL/UNLINK/EXISTS/TOUCH and DBSIZE a sum;
 * every kind the first error. Confined to the client's event loop.
 */

/** One client request's reply, merged from its calls' replies. */
final class Pending {

  final ClientHandler client;
  final ProxyCommands.Kind kind;
  final String command;
  ByteBuf reply;
  int partsLeft;
  private ByteBuf[] values;
  long sum;
  int failures;
  private ByteBuf error;

  Pending(ClientHandler client, ProxyCommands.Kind kind, String command) {
    this.client = client;
    this.kind = kind;
    this.command = command;
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
    byte type = ReplyFramer.type(frame);
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
            sum += ReplyFramer.integer(frame);
          } else {
            unexpected(frame);
          }
        }
        case MSET -> {
          if (type != '+') {
            unexpected(frame);
          }
        }
        case FANOUT -> {
          if (type == ':') {
            sum += ReplyFramer.integer(frame);
          } else {
            failures++;
          }
        }
        default -> unexpected(frame);
      }
    }
    partDone();
  }

  private void mgetPart(Call call, ByteBuf frame, byte type) {
    if (type == '$') {
      values[call.keys[0]] = frame.retain(); // a GET sent after a redirect split the part
      return;
    }
    if (type != '*' || ReplyFramer.arrayLength(frame) != call.keys.length) {
      unexpected(frame);
      return;
    }
    int at = ReplyFramer.firstElement(frame);
    for (int key : call.keys) {
      int end = ReplyFramer.end(frame, at, 1);
      if (values[key] != null) {
        values[key].release();
      }
      values[key] = frame.retainedSlice(at, end - at);
      at = end;
    }
  }

  private void unexpected(ByteBuf frame) {
    if (error == null) {
      error = client.alloc().buffer();
      Resp.error(error, "ERR proxy: unexpected reply from a node to " + command + ": " + ReplyFramer.text(frame));
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
      case MSET -> {
        return alloc.buffer(5).writeBytes(Resp.OK);
      }
      case FANOUT -> {
        return client.fanoutReply(this);
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
