package io.ringcache.router.control;

import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import javax.net.ssl.SSLSocketFactory;

/*
 * Control connections to nodes, kept open and reused: a few idle clients per address. A call takes
 * one (or dials a new one), runs one command, and gives it back unless the connection broke. Error
 * replies leave the connection usable; I/O errors discard it.
 */

/** Pooled control connections to nodes, authenticated with the cluster secret (or the password). */
final class NodePool implements NodeControl, AutoCloseable {

  private static final int IDLE_PER_NODE = 4;

  private final String password;
  private final String clusterSecret;
  private final Duration timeout;
  private final SSLSocketFactory tls;
  private final Map<String, LinkedBlockingDeque<NodeClient>> idle = new ConcurrentHashMap<>();

  /**
   * {@code clusterSecret}, when set, authenticates each connection as the cluster user (else the
   * password does, when set); {@code tls} dials nodes with TLS; null for plaintext.
   */
  NodePool(String password, String clusterSecret, Duration timeout, SSLSocketFactory tls) {
    this.password = password;
    this.clusterSecret = clusterSecret;
    this.timeout = timeout;
    this.tls = tls;
  }

  Duration timeout() {
    return timeout;
  }

  /** Runs one command on the node at {@code address}. */
  Object call(String address, Object... args) throws IOException {
    NodeClient client = borrow(address);
    boolean healthy = false;
    try {
      Object reply = client.call(args);
      healthy = true;
      return reply;
    } catch (NodeClient.ErrorReply e) {
      healthy = true;
      throw e;
    } finally {
      if (healthy) {
        giveBack(client);
      } else {
        client.close();
      }
    }
  }

  /** A new connection of its own, for a long-running command; the caller closes it. */
  NodeClient dedicated(String address) throws IOException {
    return NodeClient.connect(address, password, clusterSecret, timeout, tls);
  }

  /** Pushes {@code topology} to whichever process answers at {@code address}; returns the epoch it holds after. */
  long push(String address, Topology topology) throws IOException {
    return push(address, topology, 0);
  }

  @Override
  public long push(String address, Topology topology, long incarnation) throws IOException {
    byte[] json = TopologyJson.writeBytes(topology);
    Object reply = incarnation == 0
        ? call(address, "RING.SETTOPOLOGY", json)
        : call(address, "RING.SETTOPOLOGY", json, Long.toString(incarnation));
    if (!(reply instanceof Long epoch)) {
      throw new IOException("unexpected reply to RING.SETTOPOLOGY from " + address + ": " + NodeClient.text(reply));
    }
    return epoch;
  }

  /** The topology the node at {@code address} holds (RING.TOPOLOGY; epoch 0 before a router admitted it). */
  Topology topology(String address) throws IOException {
    try {
      return io.ringcache.ring.TopologyJson.read(NodeClient.text(call(address, "RING.TOPOLOGY")));
    } catch (IllegalArgumentException e) {
      throw new IOException("unreadable RING.TOPOLOGY from " + address + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Heartbeat heartbeat(String name, String address, long incarnation, long leaseMillis) throws IOException {
    return parseHeartbeat(address, call(address, "RING.HEARTBEAT", Long.toString(incarnation), Long.toString(leaseMillis), name));
  }

  static Heartbeat parseHeartbeat(String address, Object reply) throws IOException {
    if (reply instanceof java.util.List<?> list && list.size() == 4 && list.get(0) instanceof Long epoch
        && list.get(1) instanceof Long incarnation && list.get(2) instanceof Long member && list.get(3) instanceof Long lease) {
      return new Heartbeat(epoch, incarnation, member == 1, lease);
    }
    throw new IOException("unexpected reply to RING.HEARTBEAT from " + address + ": " + NodeClient.text(reply));
  }

  @Override
  public Probe probe(String proberAddress, String name, String address, long timeoutMillis) throws IOException {
    Object reply = call(proberAddress, "RING.PROBE", name, address, Long.toString(timeoutMillis));
    if (reply instanceof java.util.List<?> list && list.size() == 3 && list.get(1) instanceof Long incarnation) {
      try {
        Reach reach = Reach.valueOf(NodeClient.text(list.get(0)).toUpperCase(java.util.Locale.ROOT));
        return new Probe(reach, incarnation, NodeClient.text(list.get(2)));
      } catch (IllegalArgumentException e) {
        // an answer this router does not know: no finding
      }
    }
    throw new IOException("unexpected reply to RING.PROBE from " + proberAddress + ": " + NodeClient.text(reply));
  }

  @Override
  public long stream(String address, String id) throws IOException {
    try (NodeClient client = dedicated(address)) {
      client.write("RING.STREAM", id);
      client.flush();
      // as long as it takes (a stalled node is found by its lease), until the coordinator gives up on
      // the handoff and interrupts this thread: then the connection closes and the thread is free
      client.awaitReply();
      Object reply = client.read();
      if (!(reply instanceof Long moved)) {
        throw new IOException("unexpected reply to RING.STREAM from " + address + ": " + NodeClient.text(reply));
      }
      return moved;
    }
  }

  @Override
  public long[] progress(String address, String id) throws IOException {
    if (call(address, "RING.PROGRESS", id) instanceof java.util.List<?> list && list.size() == 2
        && list.get(0) instanceof Long moved && list.get(1) instanceof Long total) {
      return new long[] {moved, total};
    }
    throw new IOException("unexpected reply to RING.PROGRESS from " + address);
  }

  @Override
  public void flush(String name, String address) throws IOException {
    call(address, "RING.FLUSH", name);
  }

  @Override
  public long keyCount(String address) throws IOException {
    Object reply = call(address, "DBSIZE");
    if (!(reply instanceof Long keys)) {
      throw new IOException("unexpected reply to DBSIZE from " + address + ": " + NodeClient.text(reply));
    }
    return keys;
  }

  @Override
  public Long usedMemory(String address) throws IOException {
    String info = NodeClient.text(call(address, "INFO", "memory"));
    Long memory = null;
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        memory = Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    return memory;
  }

  private NodeClient borrow(String address) throws IOException {
    LinkedBlockingDeque<NodeClient> queue = idle.get(address);
    NodeClient client = queue == null ? null : queue.pollFirst();
    return client != null ? client : NodeClient.connect(address, password, clusterSecret, timeout, tls);
  }

  private void giveBack(NodeClient client) {
    LinkedBlockingDeque<NodeClient> queue =
        idle.computeIfAbsent(client.address(), a -> new LinkedBlockingDeque<>(IDLE_PER_NODE));
    if (!queue.offerFirst(client)) {
      client.close();
    }
  }

  /** Closes the idle connections to {@code address}, e.g. after it failed a health check. */
  @Override
  public void discard(String address) {
    LinkedBlockingDeque<NodeClient> queue = idle.remove(address);
    if (queue != null) {
      queue.forEach(NodeClient::close);
    }
  }

  @Override
  public void close() {
    idle.keySet().forEach(this::discard);
  }
}
