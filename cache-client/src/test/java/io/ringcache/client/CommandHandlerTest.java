package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ringcache.resp.RespReply;
import io.ringcache.resp.RespReplyDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommandHandlerTest {

  private final List<Object> replies = new ArrayList<>();
  private final List<CacheException> failures = new ArrayList<>();
  private int closes;
  private final List<Request<?>> timedOut = new ArrayList<>();
  private final List<Integer> timeoutsSinceReply = new ArrayList<>();
  private EmbeddedChannel channel;
  private CommandHandler handler;

  @BeforeEach
  void setUp() {
    channel = new EmbeddedChannel();
    handler =
        new CommandHandler(
            "127.0.0.1:7001",
            channel.eventLoop(),
            new CommandHandler.Listener() {
              @Override
              public void onReply(CommandHandler connection, Request<?> request, Object reply) {
                replies.add(reply);
                complete(request, reply);
              }

              @Override
              public void onFailure(CommandHandler connection, Request<?> request, CacheException cause, boolean written) {
                failures.add(cause);
                request.completeExceptionally(cause);
              }

              @Override
              public void onClosed(CommandHandler connection, Throwable cause) {
                closes++;
              }

              @Override
              public void onTimedOut(CommandHandler connection, Request<?> request) {
                timedOut.add(request);
              }

              @Override
              public void onTimeouts(CommandHandler connection, int sinceReply, long silentNanos) {
                timeoutsSinceReply.add(sinceReply);
              }
            },
            0);
    channel.pipeline().addLast(new RespReplyDecoder(), handler);
  }

  @SuppressWarnings("unchecked")
  private static <T> void complete(Request<T> request, Object reply) {
    request.complete((T) reply);
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  private static Request<Object> get(String key) {
    Request<Object> request = Request.of(CommandType.GET, key.getBytes(StandardCharsets.UTF_8), r -> r);
    request.deadlineNanos = System.nanoTime() + 60_000_000_000L;
    return request;
  }

  private String written() {
    StringBuilder wire = new StringBuilder();
    ByteBuf buf;
    while ((buf = channel.readOutbound()) != null) {
      wire.append(buf.toString(StandardCharsets.UTF_8));
      buf.release();
    }
    return wire.toString();
  }

  @Test
  void send_manyRequests_areWrittenInOneBufferAndMatchedInOrder() {
    Request<Object> a = get("a");
    Request<Object> b = get("b");
    handler.send(a);
    handler.send(b);
    channel.runPendingTasks();

    ByteBuf first = channel.readOutbound();
    assertThat(first.toString(StandardCharsets.UTF_8))
        .isEqualTo("*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n");
    first.release();
    assertThat(channel.<Object>readOutbound()).isNull();
    assertThat(handler.inFlightCount()).isEqualTo(2);

    channel.writeInbound(Unpooled.copiedBuffer("$1\r\nA\r\n$-1\r\n", StandardCharsets.UTF_8));
    assertThat((byte[]) a.join()).isEqualTo(new byte[] {'A'});
    assertThat(b.join()).isSameAs(RespReply.NIL);
    assertThat(handler.inFlightCount()).isZero();
  }

  @Test
  void channelClose_failsInFlightRequestsWithConnectionExceptionNamingTheNode() throws Exception {
    Request<Object> a = get("a");
    handler.send(a);
    channel.runPendingTasks();
    written();

    channel.close();
    channel.runPendingTasks();

    assertThat(a).isCompletedExceptionally();
    assertThat(failures).singleElement().satisfies(e -> {
      assertThat(e).isInstanceOf(CacheConnectionException.class).hasMessageContaining("127.0.0.1:7001");
      assertThat(((CacheConnectionException) e).address()).isEqualTo("127.0.0.1:7001");
    });
    assertThat(closes).isEqualTo(1);
    assertThat(handler.isClosed()).isTrue();
  }

  @Test
  void send_afterClose_failsTheRequest() {
    channel.close();
    channel.runPendingTasks();
    Request<Object> late = get("late");
    handler.send(late);
    channel.runPendingTasks();
    assertThat(late).isCompletedExceptionally();
    assertThat(written()).isEmpty();
  }

  @Test
  void sweep_requestPastItsDeadline_failsWithTimeoutAndKeepsItsSlot() {
    Request<Object> slow = get("slow");
    slow.deadlineNanos = System.nanoTime() - 1;
    Request<Object> fresh = get("fresh");
    handler.send(slow);
    handler.send(fresh);
    channel.runPendingTasks();
    written();

    handler.sweep();

    assertThat(slow).isCompletedExceptionally();
    assertThat(fresh).isNotDone();
    try {
      slow.get();
    } catch (ExecutionException | InterruptedException e) {
      assertThat(e.getCause()).isInstanceOf(CacheTimeoutException.class);
    }
    // The late reply still belongs to `slow`, and the next to `fresh`.
    channel.writeInbound(Unpooled.copiedBuffer("$1\r\nS\r\n$1\r\nF\r\n", StandardCharsets.UTF_8));
    assertThat((byte[]) fresh.join()).isEqualTo(new byte[] {'F'});
  }

  @Test
  void replyWithNoRequestWaiting_closesTheConnection() {
    channel.writeInbound(Unpooled.copiedBuffer("+OK\r\n", StandardCharsets.UTF_8));
    channel.runPendingTasks();
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void corruptReply_closesTheConnectionAndFailsInFlight() {
    Request<Object> a = get("a");
    handler.send(a);
    channel.runPendingTasks();
    written();
    channel.writeInbound(Unpooled.copiedBuffer("?what\r\n", StandardCharsets.UTF_8));
    channel.runPendingTasks();
    assertThat(channel.isOpen()).isFalse();
    assertThat(a).isCompletedExceptionally();
    assertThat(failures).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("reply type byte"));
  }

  @Test
  void sweep_requestsPastTheirDeadline_failWithTimeoutNamingTheNode_andTheListenerHearsEach() {
    Request<Object> late = get("a");
    late.timeoutNanos = 50_000_000L;
    late.deadlineNanos = System.nanoTime() - 1;
    Request<Object> onTime = get("b");
    handler.send(late);
    handler.send(onTime);
    channel.runPendingTasks();
    handler.sweep();
    assertThat(late).isCompletedExceptionally();
    assertThatThrownBy(late::join).hasCauseInstanceOf(CacheTimeoutException.class)
        .hasMessageContaining("from node 127.0.0.1:7001 within 50 ms");
    assertThat(onTime).isNotDone();
    assertThat(timedOut).containsExactly(late);
    assertThat(timeoutsSinceReply).containsExactly(1); // one timeout is not yet a node that does not answer
  }

  @Test
  void sweep_countsTimeoutsWithNoReplySince_andAReplyResetsTheCount() {
    Request<Object> first = get("a");
    first.deadlineNanos = System.nanoTime() - 1;
    handler.send(first);
    channel.runPendingTasks();
    handler.sweep();
    channel.writeInbound(Unpooled.copiedBuffer("$1\r\nx\r\n", StandardCharsets.UTF_8)); // the late reply
    Request<Object> second = get("b");
    second.deadlineNanos = System.nanoTime() - 1;
    handler.send(second);
    channel.runPendingTasks();
    handler.sweep();
    assertThat(timeoutsSinceReply).containsExactly(1, 1); // a reply came between the two timeouts

    Request<Object> third = get("c");
    third.deadlineNanos = System.nanoTime() - 1;
    handler.send(third);
    channel.runPendingTasks();
    handler.sweep();
    assertThat(timeoutsSinceReply).containsExactly(1, 1, 2);
    assertThat(handler.silentNanos()).isPositive();
  }
}
