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
 *
 * A failed lookup is kept 10 seconds (networkaddress.cache.negative.ttl=10 in the JDK's
 * java.security). A removed container's name leaves the network's DNS until its new container
 * starts; the router's checks looked it up meanwhile, failed, and the JDK answered "unknown host"
 * for 10 s more, the name back or not: re-admitted 7.4-8.3 s after the name came back (the same
 * script with GONE=4: the name missing for 4 s while the node was down), 1.8-2.6 s with a failed
 * lookup kept 1 s. A name that does not resolve is then asked again at most once a second.
 */

/** Shortens how long a server process keeps a name's address, or its absence, unless the operator chose. */
public final class LookupCache {

  /** The security property the JDK reads for the seconds a successful lookup is kept. */
  public static final String TTL_PROPERTY = "networkaddress.cache.ttl";

  /** The JDK's older system property for the same; when set, it is obeyed. */
  public static final String LEGACY_TTL_PROPERTY = "sun.net.inetaddr.ttl";

  /** Seconds a server process keeps a successful lookup. */
  public static final int TTL_SECONDS = 5;

  /** The security property the JDK reads for the seconds a failed lookup is kept. */
  public static final String NEGATIVE_TTL_PROPERTY = "networkaddress.cache.negative.ttl";

  /**
   * The JDK's older system property for the same. The JDK reads it only where the security property
   * is unset, which its java.security never leaves it; when set, it is obeyed here all the same.
   */
  public static final String LEGACY_NEGATIVE_TTL_PROPERTY = "sun.net.inetaddr.negative.ttl";

  /** The system property naming a file of security properties that the operator gives the JVM. */
  static final String SECURITY_FILE_PROPERTY = "java.security.properties";

  /** What the JDK's own java.security sets {@link #NEGATIVE_TTL_PROPERTY} to. */
  static final String JDK_NEGATIVE_TTL = "10";

  /** Seconds a server process keeps a failed lookup. */
  public static final int NEGATIVE_TTL_SECONDS = 1;

  private LookupCache() {}

  /**
   * Call first thing in a server's main method: the JDK reads the settings once, at the first
   * lookup of a name. Each is left as the operator set it: a successful lookup's with either
   * property, a failed lookup's with a security properties file or a value other than the JDK's
   * own; its legacy property, when set, is applied.
   */
  public static void shortenUnlessChosen() {
    if (Security.getProperty(TTL_PROPERTY) == null && System.getProperty(LEGACY_TTL_PROPERTY) == null) {
      Security.setProperty(TTL_PROPERTY, Integer.toString(TTL_SECONDS));
    }
    String negative = Security.getProperty(NEGATIVE_TTL_PROPERTY);
    if ((negative == null || negative.trim().equals(JDK_NEGATIVE_TTL)) && System.getProperty(SECURITY_FILE_PROPERTY) == null) {
      String legacy = System.getProperty(LEGACY_NEGATIVE_TTL_PROPERTY);
      Security.setProperty(NEGATIVE_TTL_PROPERTY, legacy != null ? legacy : Integer.toString(NEGATIVE_TTL_SECONDS));
    }
  }
}
