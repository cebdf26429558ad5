package io.ringcache.router.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.ringcache.resp.Resp;
import io.ringcache.resp.RespReplyFramer;
import io.ringcache.resp.net.DeadPeers;
import io.ringcache.resp.net.HostPort;
import io.ringcache.resp.net.Tls;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/*
 * A connection to one node dedicated to one client's transaction (WATCH ... MULTI ... EXEC): the
 * node keeps a transaction's state per connection, so it cannot travel on the shared, pipelined
 * Backend connections. Opened on demand on the client's event loop, AUTH first when the cluster
 * has a password (as Backend does), and closed by the client after EXEC, DISCARD or UNWATCH, or
 * when the client goes. Sends batches of commands in one write and hands each batch's replies back
 * together, in order. If the connection fails, every batch out gets the failure. Confined to the
 * client's event loop.
 */

/** One client's connection to the node that owns its transaction's keys. */
final class TransactionLink {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TransactionLink.class);
  private static final int CONNECT_TIMEOUT_MS = 1000;

  /** Receives a batch's replies (frames owned by the link: copy what is kept), or why it failed. */
  interface Replies {
    void replied(List<ByteBuf> frames);

    /**
     * @param sent whether the batch was written to the node (it may then have run)
     */
    void failed(String why, boolean sent);
  }

  private static final class Batch {
    final byte[][][] commands;
    final Replies replies;
    final List<ByteBuf> frames = new ArrayList<>();

    Batch(byte[][][] commands, Replies replies) {
      this.commands = commands;
      this.replies = replies;
    }
  }

  final String address;
  private final Dispatcher dispatcher;
  private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
  private final ArrayDeque<Batch> waiting = new ArrayDeque<>();
  private Channel channel;
  private boolean closed;

  TransactionLink(Dispatcher dispatcher, String address) {
    this.dispatcher = dispatcher;
    this.address = address;
    connect();
  }

  /** Sends {@code commands} together; {@code replies} hears their replies once all arrived. */
  void send(byte[][][] commands, Replies replies) {
    Batch batch = new Batch(commands, replies);
    if (closed) {
      replies.failed("connection closed", false);
    } else if (channel == null) {
      waiting.add(batch);
    } else {
      write(batch);
    }
  }

  private void write(Batch batch) {
    ByteBuf out = channel.alloc().ioBuffer(256);
    for (byte[][] command : batch.commands) {
      Resp.command(out, command);
    }
    inFlight.add(batch);
    channel.writeAndFlush(out, channel.voidPromise());
  }

  /** Closes the connection; what is out fails. */
  void close() {
    closed = true;
    if (channel != null) {
      channel.close();
    }
    fail(waiting, "connection closed", false);
  }

  private void connect() {
    HostPort target = HostPort.parse(address);
    Bootstrap bootstrap = new Bootstrap()
        .group(dispatcher.loop())
        .channel(dispatcher.channelType())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            if (dispatcher.nodeTls() != null) {
              ch.pipeline().addLast("tls", Tls.clientHandler(dispatcher.nodeTls(), ch.alloc(), target.host(), target.port()));
            }
            ch.pipeline().addLast("framer", new RespReplyFramer());
            ch.pipeline().addLast("replies", new Link());
          }
        });
    // a connection the network silently stopped carrying is closed within seconds, not after the
    // kernel's 15 minutes of retransmissions (every call to the node from this loop waited that long)
    DeadPeers.detect(bootstrap, dispatcher.channelType());
    ChannelFuture f = bootstrap.connect(target.host(), target.port());
    f.addListener(done -> {
      if (!done.isSuccess()) {
        String why = done.cause() == null ? "connect failed" : String.valueOf(done.cause().getMessage());
        log.debug("proxy cannot open a transaction connection to {}: {}", address, why);
        closed = true;
        fail(waiting, why, false);
        return;
      }
      if (closed) {
        f.channel().close();
        return;
      }
      channel = f.channel();
      if (dispatcher.password() != null) {
        write(new Batch(new byte[][][] {{Resp.ascii("AUTH"), dispatcher.password().getBytes(StandardCharsets.UTF_8)}},
            new Replies() {
              @Override
              public void replied(List<ByteBuf> frames) {
                if (RawReply.type(frames.get(0)) != '+') {
                  log.warn("node {} refused the proxy's AUTH: {}", address, RawReply.text(frames.get(0)));
                  close();
                }
              }

              @Override
              public void failed(String why, boolean sent) {}
            }));
      }
      Batch b;
      while ((b = waiting.poll()) != null) {
        write(b);
      }
    });
  }

  private static void fail(ArrayDeque<Batch> batches, String why, boolean sent) {
    Batch b;
    while ((b = batches.poll()) != null) {
      release(b);
      b.replies.failed(why, sent);
    }
  }

  private static void release(Batch b) {
    for (ByteBuf f : b.frames) {
      f.release();
    }
    b.frames.clear();
  }

  private final class Link extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf frame = (ByteBuf) msg;
      Batch batch = inFlight.peek();
      if (batch == null) {
        frame.release();
        log.warn("reply from {} on a transaction connection with nothing in flight: closing", address);
        ctx.close();
        return;
      }
      batch.frames.add(frame);
      if (batch.frames.size() == batch.commands.length) {
        inFlight.poll();
        try {
          batch.replies.replied(batch.frames);
        } finally {
          release(batch);
        }
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      dispatcher.flushSoon();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closed = true;
      fail(inFlight, "connection closed", true);
      fail(waiting, "connection closed", false);
      dispatcher.flushSoon();
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      io.ringcache.resp.net.FailStop.haltIfFatal("proxy event loop (transaction connection)", cause);
      log.debug("transaction connection to {} failed: {}", address, cause.toString());
      ctx.close();
    }
  }
}
