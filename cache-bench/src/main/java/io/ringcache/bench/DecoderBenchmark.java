package io.ringcache.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ringcache.resp.Request;
import io.ringcache.resp.RespDecoder;
import io.ringcache.resp.RespLimits;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The request decoder that the node and the proxy share: one read of redis-benchmark's
 * {@code -P 16 -d 64} SETs ({@code *3 $3 SET $16 key:... $64 value}), decoded into requests that a
 * handler reads the command name and key length of, per request. The read is a direct buffer from
 * Netty's default allocator, as an epoll read gives it.
 *
 * <pre>java -jar cache-bench/target/benchmarks.jar DecoderBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecoderBenchmark {

  static final int PIPELINE = 16;

  private EmbeddedChannel channel;
  private ByteBuf batch;
  private final Sink sink = new Sink();

  /** Reads what a handler of a SET reads: the name's first byte and the key's length. */
  static final class Sink extends ChannelInboundHandlerAdapter {
    long seen;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Request r = (Request) msg;
      seen += r.argByte(0, 0) + r.argLength(1) + r.argc();
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    StringBuilder s = new StringBuilder();
    String value = "x".repeat(64);
    for (int i = 0; i < PIPELINE; i++) {
      String key = String.format("key:%012d", 4711 * i);
      s.append("*3\r\n$3\r\nSET\r\n$").append(key.length()).append("\r\n").append(key).append("\r\n$64\r\n")
          .append(value).append("\r\n");
    }
    byte[] bytes = s.toString().getBytes(StandardCharsets.US_ASCII);
    batch = ByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    channel = new EmbeddedChannel(new RespDecoder(RespLimits.defaults(), () -> true), sink);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    channel.finishAndReleaseAll();
    batch.release();
  }

  /** One read of 16 requests; the time is per request. */
  @Benchmark
  @OperationsPerInvocation(PIPELINE)
  public long read16() {
    channel.pipeline().fireChannelRead(batch.retainedDuplicate());
    channel.pipeline().fireChannelReadComplete();
    return sink.seen;
  }
}
