package io.ringcache.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cachectl add}: a node joins; its ranges move to it from their owners. */
@Command(name = "add", mixinStandardHelpOptions = true,
    description = "Add a node to the ring and wait until its ranges have moved to it.",
    footer = {"", "Example:", "  cachectl add 127.0.0.1:7004 --weight 2"})
final class AddCommand extends ScaleCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "NAME", description = "The node's ring identity, usually host:port.")
  String name;

  @Option(names = "--address", paramLabel = "HOST:PORT", description = "Where to reach it. Default: its NAME.")
  String address;

  @Option(names = "--weight", defaultValue = "1", description = "Its weight (points = 160 x weight). Default: ${DEFAULT-VALUE}.")
  int weight;

  @Override
  public Integer call() {
    requirePositive(weight);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    if (address != null) {
      body.put("address", address);
    }
    body.put("weight", weight);
    com.fasterxml.jackson.databind.JsonNode started = admin().post("/nodes", body);
    if (started.path("alreadyRunning").asBoolean()) {
      // a repeated add (say after a timeout) follows the join under way instead of failing
      spec.commandLine().getErr().printf("%s is already joining (event %s, started %s): following it%n", name,
          started.path("id").asText(), started.path("startedAt").asText());
      spec.commandLine().getErr().flush();
    }
    return follow(started, new EventWaiter.Goal(name + " in the ring",
        node -> node != null && node.path("state").asText().equals("UP")));
  }
}
