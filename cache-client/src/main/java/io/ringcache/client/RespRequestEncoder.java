package io.ringcache.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.ringcache.resp.Resp;

/**
 * Encodes a {@link Request} as a RESP2 array of bulk strings, with cache-resp's writer ({@link
 * Resp}): this class only decides which arguments a command type sends. {@link CommandHandler}
 * calls {@link #encode(Request, ByteBuf)} directly to put a whole batch of requests into one buffer;
 * the handler form exists for tests and for pipelines that write requests one by one.
 */
@ChannelHandler.Sharable
final class RespRequestEncoder extends MessageToByteEncoder<Request<?>> {

  @Override
  protected void encode(ChannelHandlerContext ctx, Request<?> request, ByteBuf out) {
    encode(request, out);
  }

  /** Appends {@code request} to {@code out}: no garbage beyond what {@code out} may grow by. */
  static void encode(Request<?> request, ByteBuf out) {
    CommandType type = request.type;
    switch (type) {
      case DEL:
      case EXISTS:
        if (request.key == null) { // the multi-key form: DEL k1 k2 ..., EXISTS k1 k2 ...
          arguments(request, out);
          break;
        }
        // fall through
      case GET:
      case PTTL:
      case INCR:
      case GETDEL:
      case PERSIST:
        Resp.arrayHeader(out, 2);
        out.writeBytes(type.encodedName());
        Resp.bulk(out, request.key);
        break;
      case SET:
        if (request.args != null) { // SET key value with options (NX, XX, GET, KEEPTTL, PX ms)
          Resp.arrayHeader(out, 3 + request.args.length);
          out.writeBytes(type.encodedName());
          Resp.bulk(out, request.key);
          Resp.bulk(out, request.value);
          for (byte[] arg : request.args) {
            Resp.bulk(out, arg);
          }
          break;
        }
        boolean withTtl = request.number > 0;
        Resp.arrayHeader(out, withTtl ? 5 : 3);
        out.writeBytes(type.encodedName());
        Resp.bulk(out, request.key);
        Resp.bulk(out, request.value);
        if (withTtl) {
          out.writeBytes(CommandType.PX);
          Resp.bulkDecimal(out, request.number);
        }
        break;
      case PEXPIRE:
      case INCRBY:
      case DECRBY:
        Resp.arrayHeader(out, 3);
        out.writeBytes(type.encodedName());
        Resp.bulk(out, request.key);
        Resp.bulkDecimal(out, request.number);
        break;
      case MULTI_EXEC:
        out.writeBytes(CommandType.MULTI_COMMAND);
        for (byte[][] command : request.transaction) {
          Resp.arrayHeader(out, command.length);
          for (byte[] arg : command) {
            Resp.bulk(out, arg);
          }
        }
        out.writeBytes(CommandType.EXEC_COMMAND);
        break;
      case MGET:
      case MSET:
      case AUTH:
      case PING:
      case SCAN:
      case RING_EPOCH:
      case RING_TOPOLOGY:
        arguments(request, out);
        break;
      default:
        throw new IllegalArgumentException("no encoding for command: " + type);
    }
  }

  /** The command's name, then its {@code args}. */
  private static void arguments(Request<?> request, ByteBuf out) {
    byte[][] args = request.args == null ? new byte[0][] : request.args;
    Resp.arrayHeader(out, 1 + args.length);
    out.writeBytes(request.type.encodedName());
    for (byte[] arg : args) {
      Resp.bulk(out, arg);
    }
  }
}
