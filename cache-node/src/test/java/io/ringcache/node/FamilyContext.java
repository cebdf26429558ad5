package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.ringcache.node.cluster.ClusterState;
import io.ringcache.node.cluster.HandoffStreamer;
import io.ringcache.node.cluster.ReadThrough;
import io.ringcache.node.store.Clock;
import io.ringcache.node.store.FakeClock;
import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.node.store.Stores;
import io.ringcache.resp.Request;
import io.ringcache.resp.RespDecoder;
import io.ringcache.resp.RespLimits;
import io.ringcache.resp.command.Handshake;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * A {@link NodeContext} (every family's context: {@link CommandContext}, {@link RingContext},
 * {@link ConnectionContext}, {@link TransactionContext}, {@link InfoContext}) over a real store (packed, on a {@link
 * FakeClock}, behind the node's {@link WatchingStore}), a real {@link ClusterState} on it, and a heap
 * buffer: runs one family's command without a socket and returns the reply bytes. Requests are
 * decoded by the node's own {@link RespDecoder}. The node's configuration requires the password
 * {@link #PASSWORD}; the connection starts unauthenticated, and is the only client. There is no handoff streamer: RING.STREAM and
 * RING.PROGRESS need a node. EXEC's locks are over no event loop (the test's thread takes them).
 */
final class FamilyContext implements NodeContext {

  final FakeClock clock = new FakeClock();
  private final KeyWatches watches = new KeyWatches();
  private final NodeStats stats = new NodeStats();
  private final io.ringcache.node.metrics.NodeMetrics metrics = new io.ringcache.node.metrics.NodeMetrics();
  private final Store store = new WatchingStore(Stores.packed(16L << 20, clock), watches);
  private final ClusterState cluster = new ClusterState("127.0.0.1:1", "127.0.0.1:1", store, Runnable::run);
  private boolean heartbeatAnswered;
  private long heartbeatAnsweredNanos;
  static final String PASSWORD = "s3cret";
  private final NodeConfig config = NodeConfig.builder().port(0).requirepass(PASSWORD).build();
  private final Handshake.Server handshake = Commands.handshake(Commands.introspection(Commands.table()));
  boolean authenticated;
  boolean clusterUser;
  String name;
  String libName;
  String libVersion;
  String lastCommand;
  String replyMode = "on";
  boolean closing;
  private final ByteBuf out = Unpooled.buffer();
  long hits;
  long misses;

  /** Runs {@code command} on the request {@code args} and returns what it replied, as text (ISO-8859-1). */
  String run(BiConsumer<? super FamilyContext, Request> command, String... args) {
    StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
    for (String arg : args) {
      request.append('$').append(arg.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(arg).append("\r\n");
    }
    int[] ran = {0};
    EmbeddedChannel channel = new EmbeddedChannel(
        new RespDecoder(RespLimits.defaults(), () -> true),
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            command.accept(FamilyContext.this, (Request) msg); // the decoder reuses its Request: run it here
            ran[0]++;
          }
        });
    channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
    channel.finishAndReleaseAll();
    assertThat(ran[0]).as("requests decoded from %s", String.join(" ", args)).isEqualTo(1);
    String reply = out.toString(StandardCharsets.ISO_8859_1);
    out.clear();
    return reply;
  }

  @Override
  public ByteBuf out() {
    return out;
  }

  @Override
  public Key key(byte[] bytes) {
    return Key.of(bytes);
  }

  @Override
  public byte[] lookedUp(byte[] value) {
    if (value == null) {
      misses++;
    } else {
      hits++;
    }
    return value;
  }

  @Override
  public String describe() {
    return "id=0 addr=test";
  }

  @Override
  public Store store() {
    return store;
  }

  @Override
  public void flushAll() {
    store.clear();
  }

  @Override
  public NodeConfig.Limits limits() {
    return config.limits();
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public NodeStats stats() {
    return stats;
  }

  @Override
  public KeyWatches watches() {
    return watches;
  }

  @Override
  public ClusterState cluster() {
    return cluster;
  }

  @Override
  public HandoffStreamer streamer() {
    throw new UnsupportedOperationException("no handoff streamer without a node");
  }

  @Override
  public ReadThrough readThrough() {
    throw new UnsupportedOperationException("no read-through without a node");
  }

  @Override
  public io.ringcache.node.cluster.PeerPool peers() {
    throw new UnsupportedOperationException("no peers without a node");
  }

  @Override
  public boolean heartbeatAnswered() {
    return heartbeatAnswered;
  }

  @Override
  public long heartbeatAnsweredNanos() {
    return heartbeatAnsweredNanos;
  }

  @Override
  public void heartbeatAnswered(long nanos) {
    heartbeatAnswered = true;
    heartbeatAnsweredNanos = nanos;
  }

  @Override
  public <T> void defer(CompletionStage<T> work, BiConsumer<T, Throwable> reply) {
    work.whenComplete(reply);
  }

  @Override
  public void yieldInput() {
    // no event loop here: nothing to yield to
  }

  @Override
  public long id() {
    return 7;
  }

  @Override
  public boolean authenticated() {
    return authenticated;
  }

  @Override
  public void authenticatedAs(boolean clusterUser) {
    this.authenticated = true;
    this.clusterUser = clusterUser;
  }

  private int protocol = 2;

  @Override
  public int protocol() {
    return protocol;
  }

  @Override
  public void protocol(int version) {
    protocol = version;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void name(String value) {
    name = value;
  }

  @Override
  public void libName(String value) {
    libName = value;
  }

  @Override
  public void libVersion(String value) {
    libVersion = value;
  }

  @Override
  public String clientInfo() {
    return "id=7 name=" + (name == null ? "" : name) + " lib-name=" + (libName == null ? "" : libName);
  }

  @Override
  public void lastCommand(String command) {
    lastCommand = command;
  }

  @Override
  public void replyMode(String mode) {
    replyMode = mode;
  }

  @Override
  public void closeAfterReplies() {
    closing = true;
  }

  @Override
  public void closeUnanswered() {
    closing = true;
  }

  @Override
  public NodeConfig config() {
    return config;
  }

  @Override
  public int port() {
    return 0;
  }

  @Override
  public Handshake.Server server() {
    return handshake;
  }

  @Override
  public List<ConnectionContext> clients() {
    return List.of(this);
  }

  private Transaction transaction;
  private final LoopLocks locks = new LoopLocks(ImmediateEventExecutor.INSTANCE);
  boolean executing;

  @Override
  public Transaction transaction() {
    if (transaction == null) {
      transaction = new Transaction(watches);
    }
    return transaction;
  }

  @Override
  public LoopLocks locks() {
    return locks;
  }

  @Override
  public void executing(boolean value) {
    executing = value;
  }

  @Override
  public boolean closing() {
    return closing;
  }

  @Override
  public long uptimeSeconds() {
    return 42;
  }

  @Override
  public String transport() {
    return "nio";
  }

  @Override
  public String runId() {
    return "0123456789abcdef0123456789abcdef01234567";
  }

  @Override
  public io.ringcache.node.metrics.NodeMetrics metrics() {
    return metrics;
  }
}
