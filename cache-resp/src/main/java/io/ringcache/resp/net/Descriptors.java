package io.ringcache.resp.net;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The process's open-files limit, and what it leaves for client connections. */
public final class Descriptors {

  private static final Logger log = LoggerFactory.getLogger(Descriptors.class);

  /**
   * Descriptors kept for everything but clients: the listening and admin sockets, connections to
   * nodes and peers, jars, log files (Redis keeps 32; the JVM holds more of its own).
   */
  public static final int RESERVED = 128;

  private Descriptors() {}

  /** The open-files limit of this process, or -1 when the platform does not say. */
  public static long limit() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    return -1;
  }

  /**
   * {@code requested} client connections, lowered (with a WARN line naming {@code option}) so that
   * {@link #RESERVED} descriptors stay free for the rest of the process, as Redis lowers maxclients.
   */
  public static int maxClients(int requested, String option) {
    long limit = limit();
    if (limit < 0 || requested + (long) RESERVED <= limit) {
      return requested;
    }
    int lowered = (int) Math.max(1, limit - RESERVED);
    log.warn("{} {} needs {} open files but the process may open {} (ulimit -n): accepting at most {} clients;"
        + " raise the limit to accept more", option, requested, requested + RESERVED, limit, lowered);
    return lowered;
  }
}
