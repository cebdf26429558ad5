package io.ringcache.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringcache.client.CacheClient;
import io.ringcache.client.CacheException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cachectl get/put/del}: quick checks through the Java client, routed by the live topology. */
final class DataCommands {

  private DataCommands() {}

  /** How the data commands connect to the nodes. */
  static final class ConnectionOptions {
    @Option(names = "--password", defaultValue = "${env:CACHE_PASSWORD}", description = "Password of the nodes (env CACHE_PASSWORD).")
    String password;

    @Option(names = "--tls", defaultValue = "${env:CACHE_TLS:-false}",
        description = "Connect to the nodes with TLS, trusting the JDK's authorities (env CACHE_TLS).")
    boolean tls;

    @Option(names = "--tls-ca-cert", paramLabel = "FILE", defaultValue = "${env:CACHE_TLS_CA_CERT}",
        description = "Connect with TLS, trusting the PEM certificates in FILE (env CACHE_TLS_CA_CERT).")
    Path tlsCaCert;
  }

  /** A client seeded with the nodes of the router's topology (the client then routes every key itself). */
  static CacheClient open(CacheCtl parent, ConnectionOptions connection) {
    JsonNode topology = parent.admin.client().get("/topology");
    List<String> seeds = new ArrayList<>();
    for (JsonNode node : topology.path("nodes")) {
      if (!node.path("state").asText().equals("EJECTED")) {
        seeds.add(node.path("address").asText());
      }
    }
    if (seeds.isEmpty()) {
      throw new CliException("the topology lists no node to connect to");
    }
    CacheClient.Builder builder = CacheClient.builder().seeds(seeds).ioThreads(1);
    if (connection.password != null && !connection.password.isEmpty()) {
      builder.password(connection.password);
    }
    if (connection.tlsCaCert != null) {
      builder.tlsCaCert(connection.tlsCaCert);
    } else if (connection.tls) {
      builder.tls(true);
    }
    try {
      return builder.build();
    } catch (CacheException | IllegalArgumentException e) {
      throw new CliException("cannot connect to the cluster: " + e.getMessage());
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true,
      description = "Print the value of KEY (exit 1 if it is absent).")
  static final class Get implements Callable<Integer> {
    @CommandLine.ParentCommand CacheCtl parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin ConnectionOptions connection;
    @Parameters(index = "0", paramLabel = "KEY") String key;

    @Override
    public Integer call() {
      try (CacheClient cache = open(parent, connection)) {
        String value = cache.get(key);
        if (value == null) {
          spec.commandLine().getErr().println("(nil): no such key: " + key);
          return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(value);
        out.flush();
        return 0;
      } catch (CacheException e) {
        throw new CliException(e.getMessage());
      }
    }
  }

  @Command(name = "put", mixinStandardHelpOptions = true, description = "Store VALUE under KEY.")
  static final class Put implements Callable<Integer> {
    @CommandLine.ParentCommand CacheCtl parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin ConnectionOptions connection;
    @Parameters(index = "0", paramLabel = "KEY") String key;
    @Parameters(index = "1", paramLabel = "VALUE") String value;

    @Option(names = "--ttl", paramLabel = "SECONDS", description = "Expire after this many seconds. Default: never.")
    Long ttlSeconds;

    @Override
    public Integer call() {
      if (ttlSeconds != null && ttlSeconds <= 0) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--ttl must be positive: " + ttlSeconds);
      }
      try (CacheClient cache = open(parent, connection)) {
        if (ttlSeconds == null) {
          cache.put(key, value);
        } else {
          cache.put(key, value, Duration.ofSeconds(ttlSeconds));
        }
        spec.commandLine().getOut().println("OK");
        spec.commandLine().getOut().flush();
        return 0;
      } catch (CacheException e) {
        throw new CliException(e.getMessage());
      }
    }
  }

  @Command(name = "del", mixinStandardHelpOptions = true, description = "Delete each KEY; print how many existed.")
  static final class Del implements Callable<Integer> {
    @CommandLine.ParentCommand CacheCtl parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin ConnectionOptions connection;
    @Parameters(arity = "1..*", paramLabel = "KEY") List<String> keys;

    @Override
    public Integer call() {
      try (CacheClient cache = open(parent, connection)) {
        long deleted = 0;
        for (String key : keys) {
          if (cache.delete(key)) {
            deleted++;
          }
        }
        spec.commandLine().getOut().println(deleted);
        spec.commandLine().getOut().flush();
        return 0;
      } catch (CacheException e) {
        throw new CliException(e.getMessage());
      }
    }
  }
}
