package io.ringcache.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/*
 * Where the router is and which admin token to send it. The token, first found wins:
 *   1. --token TOKEN
 *   2. CACHE_ADMIN_TOKEN
 *   3. the file CACHE_ADMIN_TOKEN_FILE names
 *   4. the admin-token file of the local cluster's run directory (CACHE_RUN_DIR, else .run/cluster
 *      in the ringcache directory), when --router is that cluster's admin API (or not given)
 * The router, first found wins: --router, CACHE_ROUTER, the local cluster's admin port (from its
 * run directory), 127.0.0.1:7070.
 */

/** Options shared by the commands that talk to a running cluster. */
final class AdminOptions {

  static final String DEFAULT_ROUTER = "127.0.0.1:7070";

  @Option(names = "--router", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT", defaultValue = "${env:CACHE_ROUTER}",
      description = "The router's admin API (env CACHE_ROUTER). Default: the local cluster's (cachectl cluster up), else "
          + DEFAULT_ROUTER + ".")
  String router;

  @Option(names = "--token", scope = ScopeType.INHERIT, defaultValue = "${env:CACHE_ADMIN_TOKEN}",
      description = {"Admin API token (env CACHE_ADMIN_TOKEN). Default: the file CACHE_ADMIN_TOKEN_FILE names, else the",
        "local cluster's run directory's admin-token file (written by cachectl cluster up)."})
  String token;

  @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print JSON, for scripts.")
  boolean json;

  AdminClient client() {
    String address = router();
    return new AdminClient(address, token(address, localCluster()));
  }

  /** The router's admin address. */
  String router() {
    if (router != null && !router.isBlank()) {
      return router;
    }
    return localCluster().flatMap(RunDirectory::layout).map(l -> "127.0.0.1:" + l.adminPort()).orElse(DEFAULT_ROUTER);
  }

  /**
   * The token to send to {@code address}: an explicit one, else the run directory's when {@code
   * address} is that cluster's admin API.
   */
  String token(String address, Optional<RunDirectory> run) {
    if (token != null && !token.isEmpty()) {
      return token;
    }
    String file = System.getenv("CACHE_ADMIN_TOKEN_FILE");
    if (file != null && !file.isBlank()) {
      return RunDirectory.readSecret(Path.of(file))
          .orElseThrow(() -> new CliException("CACHE_ADMIN_TOKEN_FILE " + file + " does not exist or is empty"));
    }
    if (run.isEmpty()) {
      return null;
    }
    Optional<RunDirectory.Layout> layout = run.get().layout();
    if (layout.isEmpty() || !isLocal(address, layout.get().adminPort())) {
      return null; // never hand the local cluster's token to another router
    }
    return RunDirectory.readSecret(run.get().adminTokenFile()).orElse(null);
  }

  /** The explicit token only (--token, CACHE_ADMIN_TOKEN, CACHE_ADMIN_TOKEN_FILE), or null. */
  String explicitToken() {
    return token(null, Optional.empty());
  }

  private static boolean isLocal(String address, int adminPort) {
    String a = address.startsWith("http://") ? address.substring("http://".length()) : address;
    if (a.endsWith("/")) {
      a = a.substring(0, a.length() - 1);
    }
    return a.equals("127.0.0.1:" + adminPort) || a.equals("localhost:" + adminPort);
  }

  /** The default run directory, when there is one (no ringcache directory: none). */
  private static Optional<RunDirectory> localCluster() {
    try {
      return Optional.of(RunDirectory.defaultDirectory());
    } catch (CliException e) {
      return Optional.empty();
    }
  }
}
