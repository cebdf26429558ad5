package io.ringcache.testkit.core;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * A server a {@link ServerLauncher} started: the ports it listens on, the in-process server itself,
 * and how to stop it.
 *
 * @param <S> the in-process server type
 */
public interface RunningServer<S> extends AutoCloseable {

  /** The in-process server, for tests that look inside it. */
  S server();

  /** The RESP port: a node's port, the router's proxy port. */
  int port();

  /** The router's admin HTTP port; a node has none. */
  default int adminPort() {
    throw new UnsupportedOperationException(server() + " has no admin port");
  }

  /** Stops the server at once (its port refuses connections afterwards); idempotent. */
  @Override
  void close();

  /** A node: {@code server}, whose RESP port {@code port} reads, stopped by {@code close}. */
  static <S> RunningServer<S> of(S server, ToIntFunction<S> port, Consumer<S> close) {
    return of(server, port, s -> {
      throw new UnsupportedOperationException(s + " has no admin port");
    }, close);
  }

  /** A router: as {@link #of(Object, ToIntFunction, Consumer)}, with its admin port. */
  static <S> RunningServer<S> of(S server, ToIntFunction<S> port, ToIntFunction<S> adminPort, Consumer<S> close) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(port, "port");
    Objects.requireNonNull(adminPort, "adminPort");
    Objects.requireNonNull(close, "close");
    return new RunningServer<>() {
      @Override
      public S server() {
        return server;
      }

      @Override
      public int port() {
        return port.applyAsInt(server);
      }

      @Override
      public int adminPort() {
        return adminPort.applyAsInt(server);
      }

      @Override
      public void close() {
        close.accept(server);
      }

      @Override
      public String toString() {
        return server.toString();
      }
    };
  }
}
