package io.ringcache.testkit.core;

import java.util.List;

/**
 * Starts one server in the test's JVM from its command-line options, exactly as a user would write
 * them after {@code bin/cache-node} or {@code bin/cache-router}, and returns it running: how
 * {@link LaunchedCluster} starts nodes and the router without linking either. {@code cache-testkit}
 * passes the real servers' embedding entries; cache-node's and cache-router's own tests pass theirs.
 *
 * <pre>{@code
 * ServerLauncher<NodeServer> node = args -> RunningServer.of(CacheNode.embed(args), NodeServer::port, NodeServer::close);
 * }</pre>
 *
 * @param <S> the in-process server type, for tests that look inside it
 */
@FunctionalInterface
public interface ServerLauncher<S> {

  /**
   * Starts a server with these command-line options and returns once it listens; throws
   * {@link IllegalArgumentException} for options the server refuses.
   */
  RunningServer<S> start(List<String> args);
}
