package io.ringcache.node;

import io.netty.buffer.PooledByteBufAllocator;
import io.ringcache.node.store.Store;
import io.ringcache.node.store.StoreStats;
import io.ringcache.resp.Request;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The text of INFO: Redis 7.0's sections in Redis's order (server, clients, memory, persistence, stats,
 * replication, cpu, modules, commandstats, errorstats, cluster, keyspace), then the node's own ring
 * section. As in Redis, no argument or {@code default} gives every section but commandstats,
 * {@code all} and {@code everything} give them all, and section names are case-insensitive, any number
 * of them, each section once; an unknown name adds nothing. A node has no persistence, replication,
 * modules or Redis Cluster: those sections say so with Redis's fields at their idle values. It reads
 * the node through an {@link InfoContext}.
 */
final class Info {

  /** The sections in Redis's order; {@code INFO} alone gives all but {@link #NOT_DEFAULT}. */
  private static final String[] SECTIONS = {"server", "clients", "memory", "persistence", "stats", "replication",
      "cpu", "modules", "commandstats", "errorstats", "cluster", "keyspace", "ring"};
  private static final String NOT_DEFAULT = "commandstats";
  /** Linux's USER_HZ, the unit of /proc/self/stat's CPU times. */
  private static final double TICKS_PER_SECOND = 100.0;

  private Info() {}

  static String render(InfoContext c, Request r) {
    StringBuilder s = new StringBuilder(2048);
    for (String section : SECTIONS) {
      if (wanted(r, section)) {
        if (s.length() > 0) {
          s.append("\r\n");
        }
        section(c, section, s);
      }
    }
    return s.toString();
  }

  private static boolean wanted(Request r, String section) {
    if (r.argc() < 2) {
      return !section.equals(NOT_DEFAULT);
    }
    for (int i = 1; i < r.argc(); i++) {
      String a = r.string(i).toLowerCase(Locale.ROOT);
      if (a.equals(section) || a.equals("all") || a.equals("everything") || (a.equals("default") && !section.equals(NOT_DEFAULT))) {
        return true;
      }
    }
    return false;
  }

  private static void section(InfoContext c, String section, StringBuilder s) {
    Store store = c.store();
    NodeStats stats = c.stats();
    switch (section) {
      case "server" -> {
        s.append("# Server\r\n");
        line(s, "redis_version", Commands.VERSION);
        line(s, "redis_git_sha1", "00000000");
        line(s, "redis_git_dirty", 0);
        line(s, "redis_build_id", "0");
        line(s, "ringcache_version", "0.1.0");
        line(s, "redis_mode", "standalone");
        line(s, "os", os());
        line(s, "arch_bits", "64");
        line(s, "multiplexing_api", c.transport());
        line(s, "process_id", ProcessHandle.current().pid());
        line(s, "run_id", c.runId());
        line(s, "tcp_port", c.port());
        line(s, "bind", c.config().bind());
        line(s, "server_time_usec", io.ringcache.node.store.Clock.SYSTEM.currentTimeNanos() / 1000);
        long uptime = c.uptimeSeconds();
        line(s, "uptime_in_seconds", uptime);
        line(s, "uptime_in_days", uptime / 86400);
        line(s, "transport", c.transport());
        line(s, "io_threads", c.config().threads());
        line(s, "java_version", System.getProperty("java.version"));
      }
      case "clients" -> {
        s.append("# Clients\r\n");
        line(s, "connected_clients", stats.connectedClients.get());
        line(s, "maxclients", c.config().limits().maxClients());
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
      case "persistence" -> {
        // a cache node keeps nothing on disk: never loading, saving or rewriting
        s.append("# Persistence\r\n");
        line(s, "loading", 0);
        line(s, "async_loading", 0);
        line(s, "rdb_bgsave_in_progress", 0);
        line(s, "rdb_last_bgsave_status", "ok");
        line(s, "aof_enabled", 0);
        line(s, "aof_rewrite_in_progress", 0);
        line(s, "aof_last_bgrewrite_status", "ok");
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
        line(s, "total_error_replies", stats.errorReplies.sum());
        line(s, "protocol_errors", stats.protocolErrors.sum());
        line(s, "output_buffer_limit_closes", stats.outputLimitCloses.sum());
        line(s, "output_stall_closes", stats.outputStallCloses.sum());
        line(s, "replies_too_large", stats.repliesTooLarge.sum());
        line(s, "client_memory_closes", stats.clientsMemoryCloses.sum());
        line(s, "auth_timeout_closes", stats.authTimeoutCloses.sum());
      }
      case "replication" -> {
        // no replicas: a master with nothing to replicate, as Redis alone reports itself
        s.append("# Replication\r\n");
        line(s, "role", "master");
        line(s, "connected_slaves", 0);
        line(s, "master_failover_state", "no-failover");
        line(s, "master_replid", c.runId());
        line(s, "master_replid2", "0000000000000000000000000000000000000000");
        line(s, "master_repl_offset", 0);
        line(s, "second_repl_offset", -1);
        line(s, "repl_backlog_active", 0);
        line(s, "repl_backlog_size", 0);
        line(s, "repl_backlog_first_byte_offset", 0);
        line(s, "repl_backlog_histlen", 0);
      }
      case "cpu" -> {
        s.append("# CPU\r\n");
        double[] cpu = cpuSeconds();
        line(s, "used_cpu_sys", String.format(Locale.ROOT, "%.6f", cpu[1]));
        line(s, "used_cpu_user", String.format(Locale.ROOT, "%.6f", cpu[0]));
        line(s, "used_cpu_sys_children", String.format(Locale.ROOT, "%.6f", cpu[3]));
        line(s, "used_cpu_user_children", String.format(Locale.ROOT, "%.6f", cpu[2]));
      }
      case "modules" -> s.append("# Modules\r\n");
      case "commandstats" -> {
        s.append("# Commandstats\r\n");
        c.metrics().commands().forEach((name, counter) -> {
          long calls = counter.calls();
          long rejected = counter.rejectedCalls();
          if (calls == 0 && rejected == 0) {
            return; // as Redis: only commands that were called
          }
          long usec = counter.micros();
          s.append("cmdstat_").append(name).append(":calls=").append(calls).append(",usec=").append(usec)
              .append(",usec_per_call=").append(String.format(Locale.ROOT, "%.2f", calls == 0 ? 0.0 : (double) usec / calls))
              .append(",rejected_calls=").append(rejected).append(",failed_calls=").append(counter.failed()).append("\r\n");
        });
      }
      case "errorstats" -> {
        s.append("# Errorstats\r\n");
        stats.errorCodes().forEach((code, count) -> s.append("errorstat_").append(code).append(":count=").append(count).append("\r\n"));
      }
      case "cluster" -> {
        // a ring member, but not a Redis Cluster node: no CLUSTER command, no slots
        s.append("# Cluster\r\n");
        line(s, "cluster_enabled", 0);
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
        line(s, "ring_name", c.cluster().name());
        line(s, "ring_advertise", c.cluster().advertisedAddress());
        line(s, "ring_epoch", c.cluster().epoch());
        line(s, "ring_standalone", c.cluster().isStandalone() ? 1 : 0);
        line(s, "ring_lease_valid", c.cluster().leaseValid() ? 1 : 0);
        line(s, "ring_read_through_failures", stats.readThroughFailures.sum());
        line(s, "ring_source_reads", stats.sourceReads.sum());
        line(s, "ring_source_read_failures", stats.sourceReadFailures.sum());
      }
      default -> throw new IllegalArgumentException(section);
    }
  }

  /** As Redis's {@code uname -s -r -m}: the kernel's name, release and machine (x86_64, not Java's amd64). */
  private static String os() {
    String arch = System.getProperty("os.arch");
    return System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + (arch.equals("amd64") ? "x86_64" : arch);
  }

  /** The process's CPU seconds from /proc/self/stat: user, system, children's user, children's system (zeros where unavailable). */
  static double[] cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      // after the command name: field 3 (state) is f[0], so utime (14) is f[11] ... cstime (17) is f[14]
      return new double[] {Long.parseLong(f[11]) / TICKS_PER_SECOND, Long.parseLong(f[12]) / TICKS_PER_SECOND,
          Long.parseLong(f[13]) / TICKS_PER_SECOND, Long.parseLong(f[14]) / TICKS_PER_SECOND};
    } catch (IOException | RuntimeException e) {
      return new double[4];
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
