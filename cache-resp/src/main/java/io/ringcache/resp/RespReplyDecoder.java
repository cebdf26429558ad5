package io.ringcache.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Decodes RESP2 replies into {@link RespReply} shapes, one message per complete top-level reply:
 * the client's connections and the node's peer link. A typed {@link ReplyParser} does the work
 * within {@link RespLimits}' reply bounds; a malformed reply throws {@link RespProtocolException}
 * after the rest of the input is dropped (the handler closes the connection). Not sharable.
 */
public final class RespReplyDecoder extends ByteToMessageDecoder {

  private final ReplyParser parser;

  /** With the default bounds ({@link RespLimits#defaults()}). */
  public RespReplyDecoder() {
    this(RespLimits.defaults());
  }

  public RespReplyDecoder(RespLimits limits) {
    this.parser = ReplyParser.typed(limits);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    try {
      while (in.isReadable()) {
        Object reply = parser.decode(in);
        if (reply == null) {
          return;
        }
        out.add(reply);
      }
    } catch (RespProtocolException e) {
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }
}
