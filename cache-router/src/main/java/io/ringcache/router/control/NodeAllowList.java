package io.ringcache.router.control;

import io.ringcache.resp.net.HostPort;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.Topology;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/*
 * Which addresses POST /nodes may admit. The router dials a joining node (and authenticates to it
 * with the cluster secret or password), so an admin request must not be able to point it at any
 * listener: only hosts matching one of these entries are accepted.
 *
 * Entries (--node-allow, comma-separated):
 *   loopback          127.0.0.0/8, ::1 and "localhost"
 *   10.0.0.0/8        a CIDR block (IPv4 or IPv6); a host name is resolved once, at the check
 *   *.cache.internal  a host glob: * any run of characters, ? one; case-insensitive
 *   node4             a host, exactly (a glob without wildcards)
 *   *                 any host (explicitly opting out)
 * The default is "loopback" plus the hosts of the nodes the router starts with (its --node list or
 * persisted topology): the machine itself and the hosts already trusted with the cluster.
 *
 * Matching is iterative (no backtracking blow-up) and on the host only, never the port.
 */

/** Host globs and CIDR blocks a joining node's address must match. */
public final class NodeAllowList {

  /** The keyword for loopback addresses. */
  public static final String LOOPBACK = "loopback";

  private final List<String> globs = new ArrayList<>();
  private final List<byte[]> networks = new ArrayList<>();
  private final List<Integer> prefixes = new ArrayList<>();
  private final List<String> entries;
  private boolean loopback;

  private NodeAllowList(List<String> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Parses the entries.
   *
   * @throws IllegalArgumentException for an entry that is neither a glob nor a valid CIDR block
   */
  public static NodeAllowList of(List<String> entries) {
    NodeAllowList list = new NodeAllowList(entries);
    for (String raw : entries) {
      String entry = raw.trim().toLowerCase(Locale.ROOT);
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.equals(LOOPBACK)) {
        list.loopback = true;
      } else if (entry.contains("/")) {
        int slash = entry.indexOf('/');
        String ip = entry.substring(0, slash);
        if (!isIpLiteral(ip)) {
          throw new IllegalArgumentException("node-allow entry " + raw + ": not a CIDR block (expected e.g. 10.0.0.0/8)");
        }
        byte[] network = literal(ip);
        int prefix;
        try {
          prefix = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("node-allow entry " + raw + ": prefix length is not a number");
        }
        if (prefix < 0 || prefix > network.length * 8) {
          throw new IllegalArgumentException(
              "node-allow entry " + raw + ": prefix length " + prefix + " (expected: 0.." + network.length * 8 + ")");
        }
        list.networks.add(network);
        list.prefixes.add(prefix);
      } else if (entry.matches("[a-z0-9.*?:\\[\\]_-]+")) {
        list.globs.add(entry);
      } else {
        throw new IllegalArgumentException("node-allow entry " + raw + ": expected loopback, a CIDR block or a host glob");
      }
    }
    return list;
  }

  /** The default of --node-allow: loopback and the hosts of the nodes the router starts with. */
  public static List<String> defaultEntries(Topology initial) {
    List<String> entries = new ArrayList<>();
    entries.add(LOOPBACK);
    for (NodeInfo n : initial.nodes()) {
      try {
        String host = HostPort.parse(n.address()).host();
        if (!entries.contains(host)) {
          entries.add(host);
        }
      } catch (IllegalArgumentException e) {
        // a persisted address that does not parse admits nothing
      }
    }
    return entries;
  }

  /** The entries as given. */
  List<String> entries() {
    return entries;
  }

  /** Whether the host of {@code address} ({@code host:port}) is allowed. */
  public boolean allows(String address) {
    String host = HostPort.parse(address).host().toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    for (String glob : globs) {
      if (globMatches(glob, host)) {
        return true;
      }
    }
    boolean literal = isIpLiteral(host);
    if (loopback && (host.equals("localhost") || (literal && literalAddress(host).isLoopbackAddress()))) {
      return true;
    }
    if (networks.isEmpty()) {
      return false;
    }
    List<byte[]> candidates = new ArrayList<>();
    if (literal) {
      candidates.add(literal(host));
    } else {
      try {
        for (InetAddress a : InetAddress.getAllByName(host)) {
          candidates.add(a.getAddress());
        }
      } catch (UnknownHostException e) {
        return false;
      }
    }
    for (byte[] candidate : candidates) {
      for (int i = 0; i < networks.size(); i++) {
        if (inNetwork(candidate, networks.get(i), prefixes.get(i))) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean inNetwork(byte[] address, byte[] network, int prefix) {
    if (address.length != network.length) {
      return false;
    }
    for (int bit = 0; bit < prefix; bit++) {
      int mask = 0x80 >>> (bit % 8);
      if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code s} is an IPv4 dotted quad or an IPv6 literal (no name lookup). */
  private static boolean isIpLiteral(String s) {
    return s.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (s.contains(":") && s.matches("[0-9a-f:.]+"));
  }

  private static InetAddress literalAddress(String ip) {
    try {
      return InetAddress.getByName(ip); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + ip, e);
    }
  }

  private static byte[] literal(String ip) {
    return literalAddress(ip).getAddress();
  }

  /**
   * Glob match with * and ?, in O(pattern x text) at worst: on a mismatch it resumes only from the
   * last star, never from earlier ones.
   */
  static boolean globMatches(String pattern, String text) {
    int p = 0;
    int t = 0;
    int star = -1;
    int resume = 0;
    while (t < text.length()) {
      if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
        p++;
        t++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        resume = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  @Override
  public String toString() {
    return String.join(",", entries);
  }
}
