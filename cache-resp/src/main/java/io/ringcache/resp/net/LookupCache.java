package io.ringcache.resp.net;

import java.security.Security;

/*
 * The JDK keeps a successful name lookup 30 seconds (networkaddress.cache.ttl, unset in the JDK's
 * java.security). A node recreated as a new container comes back under its name at another
 * address; the router, the proxy and the node's peers dialled the old address for up to those 30
 * seconds, and the node's ranges stayed unserved that long: measured with a real router and a
 * node moved from 127.0.0.2 to 127.0.0.3 under one name (bench/name-moved.sh: a hosts file given to
 * the JVMs with jdk.net.hosts.file), re-admitted 24-28 s after its name moved; 2.4-5.6 s with a
 * lookup kept 5 s, which is what a server process now does. A lookup per node every 5 s is little
 * for a resolver. The library (cache-client) leaves the application's JVM setting alone.
 */

/** Shortens how long a server process keeps a name's address, unless the operator chose. */
public final class LookupCache {

  /** The security property the JDK reads for the seconds a successful lookup is kept. */
  public static final String TTL_PROPERTY = "networkaddress.cache.ttl";

  /** The JDK's older system property for the same; when set, it is obeyed. */
  public static final String LEGACY_TTL_PROPERTY = "sun.net.inetaddr.ttl";

  /** Seconds a server process keeps a successful lookup. */
  public static final int TTL_SECONDS = 5;

  private LookupCache() {}

  /**
   * Call first thing in a server's main method: the JDK reads the setting once, at the first
   * lookup of a name.
   */
  public static void shortenUnlessChosen() {
    if (Security.getProperty(TTL_PROPERTY) == null && System.getProperty(LEGACY_TTL_PROPERTY) == null) {
      Security.setProperty(TTL_PROPERTY, Integer.toString(TTL_SECONDS));
    }
  }
}
