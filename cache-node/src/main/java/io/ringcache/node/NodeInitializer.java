package io.ringcache.node;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.ringcache.resp.RespDecoder;
import io.ringcache.resp.net.ClientMemory;
import io.ringcache.resp.net.OutputGuard;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Assembles a client connection's pipeline: [TLS] → output guard → [idle timeout] → RESP decoder →
 * command handler. The guard and the decoder report the connection's buffers to the node's
 * {@link ClientMemory} (max-clients-memory). The guard comes before the decoder so that it sees every reply written and
 * each writability change before the decoder acts on it.
 */
final class NodeInitializer extends ChannelInitializer<Channel> {

  private final NodeServer node;
  private final Duration outputStallTimeout;

  NodeInitializer(NodeServer node) {
    this.node = node;
    this.outputStallTimeout = Duration.ofSeconds(node.config().limits().outputStallSeconds());
  }

  @Override
  protected void initChannel(Channel ch) {
    NodeConfig.Limits limits = node.config().limits();
    Connection connection = new Connection(node.stats().connectionIds.incrementAndGet(), node);
    ChannelPipeline p = ch.pipeline();
    SslContext tls = node.tls();
    if (tls != null) {
      p.addLast("tls", tls.newHandler(ch.alloc()));
    }
    ClientMemory.Tracked memory = node.clientMemory().track(ch);
    ch.closeFuture().addListener(f -> memory.close());
    connection.track(memory);
    // the node's byte limit is checked per command by the CommandHandler; the guard handles stalls
    p.addLast("output", new OutputGuard(0, outputStallTimeout, "", node.stats()).track(memory));
    if (limits.idleTimeoutSeconds() > 0) {
      p.addLast("idle", new IdleStateHandler(0, 0, limits.idleTimeoutSeconds(), TimeUnit.SECONDS));
    }
    p.addLast("resp", new RespDecoder(limits.resp(), connection::authenticated).track(memory).lookahead(connection));
    p.addLast("commands", new CommandHandler(node, connection));
  }
}
