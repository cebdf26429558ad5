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
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The proxy's connection to one node from one event loop, shared by every client of that loop and
 * pipelined: calls are encoded (or, for a single-key command, the client's request bytes copied as
 * they are; a request of ZERO_COPY_THRESHOLD bytes or more is written as the client's own buffer,
 * not copied) into one buffer that goes out in one write and one flush per batch
 * (the end of a client's read batch, or of the node's), and replies come back in order, so a FIFO
 * of calls in flight pairs each reply with its call.
 *
 * Bounds and backpressure: at most MAX_IN_FLIGHT calls are written and unanswered; beyond that, or
 * while the node is not reading (the channel is not writable), calls wait in `waiting` and go out
 * as replies come back. What waits is bounded by the clients: each has at most
 * ClientHandler.MAX_PENDING requests out before the proxy stops reading it.
 *
 * Failure: when the connection closes, every call in flight or waiting fails (the client gets an
 * -ERR naming the node). A connection that cannot be made fails what waits, and for COOL_DOWN
 * further calls fail at once instead of each trying to connect.
 *
 * Everything runs on the owning event loop; nothing here blocks.
 */

/** One pipelined connection from one event loop to one node. */
final class Backend {

  private static final Logger log = LoggerFactory.getLogger(Backend.class);

  static final int MAX_IN_FLIGHT = 4096;
  private static final int WRITE_THRESHOLD = 64 * 1024;
  private static final int MIN_BATCH = 4096;
  /** A forwarded request at least this long is written as the client's buffer itself rather than copied into the batch. */
  static final int ZERO_COPY_THRESHOLD = 16 * 1024;
  private static final long COOL_DOWN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final int CONNECT_TIMEOUT_MS = 1000;

  final String address;
  private final Dispatcher dispatcher;
  private final ArrayDeque<Call> inFlight = new ArrayDeque<>();
  private final ArrayDeque<Call> waiting = new ArrayDeque<>();
  /** The bytes of the calls in {@link #waiting}. */
  private long waitingBytes;
  private Channel channel;
  private boolean connecting;
  private ByteBuf out;
  /**
   * The capacity a batch's buffer starts with: the last batch's length, rounded up to a power of
   * two (MIN_BATCH to WRITE_THRESHOLD). Under a steady load a batch then never grows, which copies it.
   */
  private int batchCapacity = MIN_BATCH;
  private long coolDownUntil;
  private String lastFailure;
  boolean dirty;

  Backend(String address, Dispatcher dispatcher) {
    this.address = address;
    this.dispatcher = dispatcher;
  }

  void send(Call call) {
    if (channel == null) {
      if (!connecting) {
        if (System.nanoTime() - coolDownUntil < 0) {
          dispatcher.unreachable(call, this, false, lastFailure);
          return;
        }
        connect();
      }
      await(call);
      return;
    }
    if (!waiting.isEmpty() || inFlight.size() >= MAX_IN_FLIGHT || !channel.isWritable()) {
      await(call);
      return;
    }
    write(call);
  }

  /**
   * Keeps a call until the node reads again, within the loop's bound on what waits (a paused node
   * would otherwise gather every client's requests for it: 20 clients' 8 MiB SETs ran a router out of
   * direct memory); beyond it the call fails at once with -TRYAGAIN.
   */
  private void await(Call call) {
    long bytes = call.bytes();
    if (!dispatcher.admitWaiting(waitingBytes, bytes)) {
      dispatcher.notReading(call, this, waitingBytes, bytes);
      return;
    }
    waitingBytes += bytes;
    call.waitingBytes = bytes;
    waiting.add(call);
  }

  private Call nextWaiting(ArrayDeque<Call> calls) {
    Call call = calls.poll();
    if (call != null && calls == waiting) {
      waitingBytes -= call.waitingBytes;
      dispatcher.leftWaiting(call.waitingBytes);
      call.waitingBytes = 0;
    }
    return call;
  }

  private void write(Call call) {
    ByteBuf b = out;
    if (b == null) {
      b = out = channel.alloc().ioBuffer(batchCapacity);
    }
    ByteBuf raw = call.raw();
    if (raw == null) {
      Resp.command(b, call.args);
    } else if (raw.readableBytes() < ZERO_COPY_THRESHOLD) {
      b.writeBytes(raw, raw.readerIndex(), raw.readableBytes()); // one copy, into this batch's buffer
    } else {
      // a large request goes out as its own buffer, the client's bytes themselves: no copy
      out = null;
      if (b.isReadable()) {
        channel.write(b, channel.voidPromise());
      } else {
        b.release();
      }
      b = null;
      channel.write(raw.retainedDuplicate(), channel.voidPromise());
    }
    inFlight.add(call);
    if (b != null && b.readableBytes() >= WRITE_THRESHOLD) {
      out = null;
      batchCapacity = WRITE_THRESHOLD;
      channel.write(b, channel.voidPromise());
    }
    if (!dirty) {
      dirty = true;
      dispatcher.dirty(this);
    }
  }

  /** Writes and flushes what accumulated. */
  void flush() {
    dirty = false;
    if (channel == null) {
      return;
    }
    ByteBuf b = out;
    out = null;
    if (b != null && b.isReadable()) {
      batchCapacity = Math.min(WRITE_THRESHOLD, Math.max(MIN_BATCH, Integer.highestOneBit(b.readableBytes() - 1) << 1));
      channel.writeAndFlush(b, channel.voidPromise());
    } else {
      if (b != null) {
        b.release();
      }
      channel.flush();
    }
  }

  private void drain() {
    while (!waiting.isEmpty() && channel != null && inFlight.size() < MAX_IN_FLIGHT && channel.isWritable()) {
      write(nextWaiting(waiting));
    }
  }

  private void connect() {
    connecting = true;
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
            ch.pipeline().addLast("replies", new Link(ch));
          }
        });
    // a connection the network silently stopped carrying is closed within seconds, not after the
    // kernel's 15 minutes of retransmissions (every call to the node from this loop waited that long)
    DeadPeers.detect(bootstrap, dispatcher.channelType());
    ChannelFuture f = bootstrap.connect(target.host(), target.port());
    f.addListener(done -> {
      connecting = false;
      if (done.isSuccess()) {
        channel = f.channel();
        log.debug("proxy connected to {}", address);
        if (dispatcher.password() != null) {
          write(Call.auth(dispatcher.password()));
        }
        drain();
      } else {
        lastFailure = String.valueOf(done.cause() == null ? "connect failed" : done.cause().getMessage());
        coolDownUntil = System.nanoTime() + COOL_DOWN_NANOS;
        log.debug("proxy cannot connect to {}: {}", address, lastFailure);
        failAll(waiting, false, lastFailure);
      }
      dispatcher.flushSoon();
    });
  }

  private void failAll(ArrayDeque<Call> calls, boolean written, String why) {
    Call call;
    while ((call = nextWaiting(calls)) != null) {
      if (call.pending != null) {
        dispatcher.unreachable(call, this, written, why);
      }
    }
  }

  void close() {
    if (channel != null) {
      channel.close();
    }
  }

  /** The handler of one connection; a new one per connection, since a handler is added once. */
  private final class Link extends ChannelInboundHandlerAdapter {
    private final Channel ch;

    Link(Channel ch) {
      this.ch = ch;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf frame = (ByteBuf) msg;
      try {
        Call call = inFlight.poll();
        if (call == null) {
          log.warn("reply from {} with nothing in flight: closing", address);
          ctx.close();
        } else if (call.pending == null) {
          if (RawReply.type(frame) != '+') {
            log.warn("node {} refused the proxy's AUTH: {}", address, RawReply.text(frame));
          }
        } else {
          dispatcher.reply(call, Backend.this, frame);
        }
      } finally {
        frame.release();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      drain();
      dispatcher.flushSoon();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ch.isWritable()) {
        drain();
        dispatcher.flushSoon();
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (channel == ch) {
        channel = null;
        if (out != null) {
          out.release();
          out = null;
        }
        log.debug("proxy connection to {} closed ({} in flight, {} waiting)", address, inFlight.size(), waiting.size());
        failAll(inFlight, true, "connection closed");
        failAll(waiting, false, "connection closed");
        dispatcher.flushSoon();
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      io.ringcache.resp.net.FailStop.haltIfFatal("proxy event loop (node connection)", cause);
      if (cause instanceof javax.net.ssl.SSLException || cause.getCause() instanceof javax.net.ssl.SSLException) {
        log.warn("proxy connection to {} failed its TLS handshake: {}", address, cause.getMessage());
      } else {
        log.debug("proxy connection to {} failed: {}", address, cause.toString());
      }
      ctx.close();
    }
  }
}
