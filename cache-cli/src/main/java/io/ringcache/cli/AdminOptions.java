package io.ringcache.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options shared by the commands that talk to a running cluster. */
final class AdminOptions {

  @Option(names = "--router", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT", defaultValue = "${env:CACHE_ROUTER:-127.0.0.1:7070}",
      description = "The router's admin API (env CACHE_ROUTER). Default: ${DEFAULT-VALUE}.")
  String router;

  @Option(names = "--token", scope = ScopeType.INHERIT, defaultValue = "${env:CACHE_ADMIN_TOKEN}",
      description = "Admin API token (env CACHE_ADMIN_TOKEN).")
  String token;

  @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print JSON, for scripts.")
  boolean json;

  AdminClient client() {
    return new AdminClient(router, token);
  }
}
