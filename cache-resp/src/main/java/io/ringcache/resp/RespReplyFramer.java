package io.ringcache.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames RESP2 replies without decoding them: each complete reply (nested arrays included) leaves
 * as one retained slice of the read buffer, its bytes untouched, for the proxy to copy through to
 * its client. A framing {@link ReplyParser} finds the ends, with the same checks and bounds as
 * {@link RespReplyDecoder}; a malformed reply throws {@link RespProtocolException} after the rest of
 * the input is dropped (the handler closes the connection). Not sharable.
 */
public final class RespReplyFramer extends ByteToMessageDecoder {

  private final ReplyParser parser;

  /** With the default bounds ({@link RespLimits#defaults()}). */
  public RespReplyFramer() {
    this(RespLimits.defaults());
  }

  public RespReplyFramer(RespLimits limits) {
    this.parser = ReplyParser.framing(limits);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    try {
      while (in.isReadable()) {
        int length = parser.frame(in);
        if (length < 0) {
          return;
        }
        out.add(in.readRetainedSlice(length));
      }
    } catch (RespProtocolException e) {
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  /**
   * The index just past the complete, already framed reply element that starts at {@code from} in
   * {@code frame} (e.g. one element of a framed array), found by the same state machine.
   */
  public static int end(ByteBuf frame, int from) {
    ByteBuf view = frame.duplicate().readerIndex(from);
    int length = ReplyParser.framing(RespLimits.defaults()).frame(view);
    if (length < 0) {
      throw new RespProtocolException(new ProtocolError("reply element at " + from + " is not complete in its frame"));
    }
    return from + length;
  }
}
