package io.ringcache.node;

import io.netty.buffer.PooledByteBufAllocator;
import io.ringcache.node.store.Store;
import io.ringcache.node.store.StoreStats;
import io.ringcache.resp.Request;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The text of INFO: server, clients, memory, stats, keyspace and ring sections. */
final class Info {

  private static final String[] DEFAULT_SECTIONS = {"server", "clients", "memory", "stats", "keyspace", "ring"};

  private Info() {}

  static String render(NodeServer node, Request r) {
    StringBuilder s = new StringBuilder(2048);
    for (String section : DEFAULT_SECTIONS) {
      if (wanted(r, section)) {
        if (s.length() > 0) {
          s.append("\r\n");
        }
        section(node, section, s);
      }
    }
    return s.toString();
  }

  private static boolean wanted(Request r, String section) {
    if (r.argc() < 2) {
      return true;
    }
    for (int i = 1; i < r.argc(); i++) {
      String a = r.string(i).toLowerCase(Locale.ROOT);
      if (a.equals(section) || a.equals("all") || a.equals("default") || a.equals("everything")) {
        return true;
      }
    }
    return false;
  }

  private static void section(NodeServer node, String section, StringBuilder s) {
    Store store = node.store();
    NodeStats stats = node.stats();
    switch (section) {
      case "server" -> {
        s.append("# Server\r\n");
        line(s, "redis_version", Commands.VERSION);
        line(s, "ringcache_version", "0.1.0");
        line(s, "redis_mode", "standalone");
        line(s, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        line(s, "arch_bits", "64");
        line(s, "process_id", ProcessHandle.current().pid());
        line(s, "tcp_port", node.port());
        line(s, "bind", node.config().bind());
        long uptime = node.uptimeSeconds();
        line(s, "uptime_in_seconds", uptime);
        line(s, "uptime_in_days", uptime / 86400);
        line(s, "transport", node.transport());
        line(s, "io_threads", node.config().threads());
        line(s, "java_version", System.getProperty("java.version"));
      }
      case "clients" -> {
        s.append("# Clients\r\n");
        line(s, "connected_clients", stats.connectedClients.get());
        line(s, "maxclients", node.config().limits().maxClients());
        line(s, "client_recent_max_output_buffer", stats.outputBufferPeak.get());
        line(s, "blocked_clients", 0);
      }
      case "memory" -> {
        s.append("# Memory\r\n");
        long used = store.usedBytes();
        line(s, "used_memory", used);
        line(s, "used_memory_human", human(used));
        long rss = rss();
        line(s, "used_memory_rss", rss);
        line(s, "used_memory_rss_human", human(rss));
        line(s, "maxmemory", store.maxBytes());
        line(s, "maxmemory_human", human(store.maxBytes()));
        line(s, "maxmemory_policy", store.evictionPolicy());
        Runtime rt = Runtime.getRuntime();
        line(s, "jvm_heap_used", rt.totalMemory() - rt.freeMemory());
        line(s, "jvm_heap_max", rt.maxMemory());
        line(s, "netty_direct_used", PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory());
      }
      case "stats" -> {
        s.append("# Stats\r\n");
        StoreStats st = store.stats();
        line(s, "total_connections_received", stats.totalConnections.sum());
        line(s, "total_commands_processed", stats.commands.sum());
        line(s, "instantaneous_ops_per_sec", stats.opsPerSecond());
        line(s, "rejected_connections", stats.rejectedConnections.sum());
        line(s, "keyspace_hits", stats.hits.sum());
        line(s, "keyspace_misses", stats.misses.sum());
        line(s, "evicted_keys", st.evictions());
        line(s, "expired_keys", st.expired());
        line(s, "protocol_errors", stats.protocolErrors.sum());
        line(s, "output_buffer_limit_closes", stats.outputLimitCloses.sum());
        line(s, "output_stall_closes", stats.outputStallCloses.sum());
        line(s, "replies_too_large", stats.repliesTooLarge.sum());
        line(s, "client_memory_closes", stats.clientsMemoryCloses.sum());
        line(s, "auth_timeout_closes", stats.authTimeoutCloses.sum());
      }
      case "keyspace" -> {
        s.append("# Keyspace\r\n");
        long keys = store.size();
        if (keys > 0) {
          // Redis's line; avg_ttl (Redis's estimate from its expiry sampling) is not tracked: 0
          line(s, "db0", "keys=" + keys + ",expires=" + Math.min(store.timedSize(), keys) + ",avg_ttl=0");
        }
      }
      case "ring" -> {
        s.append("# Ring\r\n");
        line(s, "ring_name", node.cluster().name());
        line(s, "ring_advertise", node.cluster().advertisedAddress());
        line(s, "ring_epoch", node.cluster().epoch());
        line(s, "ring_standalone", node.cluster().isStandalone() ? 1 : 0);
        line(s, "ring_lease_valid", node.cluster().leaseValid() ? 1 : 0);
      }
      default -> throw new IllegalArgumentException(section);
    }
  }

  private static void line(StringBuilder s, String name, Object value) {
    s.append(name).append(':').append(value).append("\r\n");
  }

  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + "B";
    }
    String units = "KMGTPE";
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length() - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.2f%c", v, units.charAt(u));
  }

  /** The process's resident set size in bytes, from /proc (0 where unavailable). */
  static long rss() {
    try {
      String statm = Files.readString(Path.of("/proc/self/statm"));
      return Long.parseLong(statm.trim().split("\\s+")[1]) * 4096L;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
