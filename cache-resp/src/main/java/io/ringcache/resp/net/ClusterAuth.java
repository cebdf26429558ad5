package io.ringcache.resp.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/*
 * Who may drive the cluster. Two credentials, as Redis 6+ ACL users:
 *
 *  - the user password (--requirepass), AUTH <password> or AUTH default <password>: data commands
 *    and the read-only RING.TOPOLOGY and RING.EPOCH;
 *  - the cluster secret (--cluster-secret), AUTH ringcache-cluster <secret>: everything, including
 *    the cluster-internal RING.* commands that change what a node serves (RING.SETTOPOLOGY,
 *    RING.FLUSH, RING.STREAM, RING.IMPORT, RING.IMPORTRAW, RING.READ, RING.PROGRESS, RING.PROBE). The router's control
 *    connections and the nodes' peer connections authenticate this way.
 *
 * A node with no cluster secret accepts the internal commands only from a loopback peer (after
 * AUTH, when it has a password): a single-machine cluster keeps working without configuration,
 * and nothing off the machine can drive it. A refused command gets Redis 7.0's ACL error:
 * -NOPERM this user has no permissions to run the 'ring.settopology' command.
 */

/** The cluster user, its secret, and the rule for who may run cluster-internal commands. */
public final class ClusterAuth {

  /** The reserved user the router and peer nodes authenticate as: {@code AUTH ringcache-cluster <secret>}. */
  public static final String CLUSTER_USER = "ringcache-cluster";

  private ClusterAuth() {}

  /** Whether {@code given} equals {@code secret}, in constant time; false when there is no secret. */
  public static boolean matches(String secret, byte[] given) {
    return secret != null && MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8), given);
  }

  /** The error for a command {@code name} (lower case) that this connection may not run, as Redis 7.0 words it. */
  public static String noPermission(String name) {
    return "NOPERM this user has no permissions to run the '" + name + "' command";
  }

  /**
   * Whether a connection from {@code peer} may run cluster-internal commands: authenticated as the
   * cluster user when the node has a secret; from a loopback address when it has none.
   */
  public static boolean mayRunInternal(String clusterSecret, boolean clusterUser, SocketAddress peer) {
    if (clusterSecret != null) {
      return clusterUser;
    }
    return clusterUser || isLoopback(peer);
  }

  /** Whether {@code peer} is a loopback IP address (127.0.0.0/8, ::1); false for anything else. */
  public static boolean isLoopback(SocketAddress peer) {
    return peer instanceof InetSocketAddress inet && inet.getAddress() != null && inet.getAddress().isLoopbackAddress();
  }

  /**
   * The secret a command-line option or a file gives: {@code file}'s content (without trailing
   * newlines) when a file is named, else {@code value}; empty counts as unset (null).
   *
   * @param what the option, for error messages (e.g. {@code cluster-secret})
   * @throws IllegalArgumentException if both are given, or the file cannot be read or is empty
   */
  public static String secret(String what, String value, Path file) {
    boolean hasValue = value != null && !value.isEmpty();
    boolean hasFile = file != null && !file.toString().isEmpty();
    if (hasValue && hasFile) {
      throw new IllegalArgumentException("give --" + what + " or --" + what + "-file, not both");
    }
    if (!hasFile) {
      return hasValue ? value : null;
    }
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read --" + what + "-file " + file + ": " + e.getMessage(), e);
    }
    content = content.strip();
    if (content.isEmpty()) {
      throw new IllegalArgumentException("--" + what + "-file " + file + " is empty");
    }
    return content;
  }
}
