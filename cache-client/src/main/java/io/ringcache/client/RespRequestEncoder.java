package io.ringcache.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Encodes a {@link Request} as a RESP2 array of bulk strings. {@link CommandHandler} calls {@link
 * #encode(Request, ByteBuf)} directly to put a whole batch of requests into one buffer; the handler
 * form exists for tests and for pipelines that write requests one by one.
 */
@ChannelHandler.Sharable
final class RespRequestEncoder extends MessageToByteEncoder<Request<?>> {

  private static final byte[] CRLF = {'\r', '\n'};

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
        arrayHeader(out, 2);
        out.writeBytes(type.encodedName());
        bulk(out, request.key);
        break;
      case SET:
        if (request.args != null) { // SET key value with options (NX, XX, GET, KEEPTTL, PX ms)
          arrayHeader(out, 3 + request.args.length);
          out.writeBytes(type.encodedName());
          bulk(out, request.key);
          bulk(out, request.value);
          for (byte[] arg : request.args) {
            bulk(out, arg);
          }
          break;
        }
        boolean withTtl = request.number > 0;
        arrayHeader(out, withTtl ? 5 : 3);
        out.writeBytes(type.encodedName());
        bulk(out, request.key);
        bulk(out, request.value);
        if (withTtl) {
          out.writeBytes(CommandType.PX);
          bulk(out, request.number);
        }
        break;
      case PEXPIRE:
      case INCRBY:
      case DECRBY:
        arrayHeader(out, 3);
        out.writeBytes(type.encodedName());
        bulk(out, request.key);
        bulk(out, request.number);
        break;
      case MULTI_EXEC:
        out.writeBytes(CommandType.MULTI_COMMAND);
        for (byte[][] command : request.transaction) {
          arrayHeader(out, command.length);
          for (byte[] arg : command) {
            bulk(out, arg);
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
    arrayHeader(out, 1 + args.length);
    out.writeBytes(request.type.encodedName());
    for (byte[] arg : args) {
      bulk(out, arg);
    }
  }

  private static void arrayHeader(ByteBuf out, int count) {
    out.writeByte('*');
    decimal(out, count);
    out.writeBytes(CRLF);
  }

  private static void bulk(ByteBuf out, byte[] bytes) {
    out.ensureWritable(bytes.length + 16);
    out.writeByte('$');
    decimal(out, bytes.length);
    out.writeBytes(CRLF);
    out.writeBytes(bytes);
    out.writeBytes(CRLF);
  }

  private static void bulk(ByteBuf out, long number) {
    int digits = digits(number);
    out.writeByte('$');
    decimal(out, digits);
    out.writeBytes(CRLF);
    decimal(out, number);
    out.writeBytes(CRLF);
  }

  /** The length of {@code value} written in decimal, sign included. */
  static int digits(long value) {
    if (value == Long.MIN_VALUE) {
      return 20;
    }
    int n = value < 0 ? 2 : 1;
    long v = Math.abs(value);
    while (v >= 10) {
      v /= 10;
      n++;
    }
    return n;
  }

  /** Writes {@code value} in decimal ASCII without allocating. */
  static void decimal(ByteBuf out, long value) {
    if (value >= 0 && value < 10) {
      out.writeByte('0' + (int) value);
      return;
    }
    if (value == Long.MIN_VALUE) {
      out.writeCharSequence("-9223372036854775808", java.nio.charset.StandardCharsets.US_ASCII);
      return;
    }
    int length = digits(value);
    out.ensureWritable(length);
    int start = out.writerIndex();
    long v = value;
    if (v < 0) {
      out.setByte(start, '-');
      v = -v;
    }
    int i = start + length - 1;
    do {
      out.setByte(i--, (int) ('0' + v % 10));
      v /= 10;
    } while (v > 0);
    out.writerIndex(start + length);
  }
}
