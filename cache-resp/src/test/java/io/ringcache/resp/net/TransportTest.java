package io.ringcache.resp.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class TransportTest {

  private static final BooleanSupplier YES = () -> true;
  private static final BooleanSupplier NO = () -> false;
  private static final Supplier<Throwable> SECCOMP =
      () -> new RuntimeException("failed to create io_uring ring fd", new java.io.IOException("Operation not permitted"));
  private static final Supplier<Throwable> NOT_LINUX = () -> new UnsupportedOperationException("Not on Linux");

  @Test
  void choose_nothingRequested_isEpoll() {
    Transport t = Transport.choose(null, null, YES, SECCOMP, YES, NOT_LINUX);
    assertThat(t.kind()).isEqualTo(Transport.Kind.EPOLL);
    assertThat(t.fellBack()).isFalse();
    assertThat(t.why()).isEqualTo("chosen by the default");
  }

  @Test
  void choose_ioUringInEnvironment_isIoUringWithItsChannels() {
    Transport t = Transport.choose(null, "io_uring", YES, SECCOMP, YES, NOT_LINUX);
    assertThat(t.name()).isEqualTo("io_uring");
    assertThat(t.why()).isEqualTo("chosen by RINGCACHE_TRANSPORT=io_uring");
    assertThat(t.serverChannel()).isEqualTo(IoUringServerSocketChannel.class);
    assertThat(t.socketChannel()).isEqualTo(IoUringSocketChannel.class);
  }

  @Test
  void choose_propertyAndEnvironment_propertyWins() {
    Transport t = Transport.choose("NIO", "io_uring", YES, SECCOMP, YES, NOT_LINUX);
    assertThat(t.kind()).isEqualTo(Transport.Kind.NIO);
    assertThat(t.why()).isEqualTo("chosen by -Dringcache.transport=NIO");
    assertThat(t.socketChannel()).isEqualTo(NioSocketChannel.class);
  }

  @Test
  void choose_ioUringUnavailable_fallsBackToEpollAndSaysWhy() {
    Transport t = Transport.choose("io_uring", null, NO, SECCOMP, YES, NOT_LINUX);
    assertThat(t.kind()).isEqualTo(Transport.Kind.EPOLL);
    assertThat(t.fellBack()).isTrue();
    assertThat(t.serverChannel()).isEqualTo(EpollServerSocketChannel.class);
    assertThat(t.why()).isEqualTo("io_uring (-Dringcache.transport=io_uring) is unavailable"
        + " (java.lang.RuntimeException: failed to create io_uring ring fd; java.io.IOException: Operation not"
        + " permitted), so falling back to epoll");
  }

  @Test
  void choose_ioUringAndEpollUnavailable_fallsBackToNio() {
    Transport t = Transport.choose(null, "iouring", NO, () -> null, NO, NOT_LINUX);
    assertThat(t.kind()).isEqualTo(Transport.Kind.NIO);
    assertThat(t.fellBack()).isTrue();
    assertThat(t.why()).isEqualTo("io_uring (RINGCACHE_TRANSPORT=iouring) is unavailable (no reason given), so"
        + " falling back to epoll, but epoll is unavailable (java.lang.UnsupportedOperationException: Not on Linux),"
        + " so falling back to nio");
  }

  @Test
  void choose_epollRequestedButUnavailable_fallsBackToNio() {
    Transport t = Transport.choose("epoll", null, YES, SECCOMP, NO, NOT_LINUX);
    assertThat(t.kind()).isEqualTo(Transport.Kind.NIO);
    assertThat(t.why()).startsWith("epoll (-Dringcache.transport=epoll) is unavailable (");
  }

  @Test
  void choose_unknownName_isRefusedNamingTheChoices() {
    assertThatThrownBy(() -> Transport.choose(null, "kqueue", YES, SECCOMP, YES, NOT_LINUX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("RINGCACHE_TRANSPORT: 'kqueue' (expected: io_uring, epoll or nio)");
  }

  @Test
  void choose_blankProperty_fallsThroughToEnvironment() {
    Transport t = Transport.choose(" ", "nio", YES, SECCOMP, YES, NOT_LINUX);
    assertThat(t.kind()).isEqualTo(Transport.Kind.NIO);
  }
}
