package io.ringcache.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cachectl weight}: changes a node's weight; only the ranges that change owner move. */
@Command(name = "weight", mixinStandardHelpOptions = true,
    description = "Change a node's weight and wait until the ranges that change owner have moved.")
final class WeightCommand implements Callable<Integer> {

  @CommandLine.ParentCommand CacheCtl parent;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The node.")
  String name;

  @Parameters(index = "1", paramLabel = "WEIGHT", description = "Its new weight, a positive integer.")
  int weight;

  @Option(names = "--no-wait", description = "Return at once instead of waiting for the handoff.")
  boolean noWait;

  @Override
  public Integer call() {
    if (weight < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "weight must be positive: " + weight);
    }
    AdminClient client = parent.admin.client();
    return EventWaiter.follow(client, client.put("/nodes/" + AdminClient.segment(name) + "/weight", Map.of("weight", weight)),
        !noWait, parent.admin.json, spec.commandLine().getOut());
  }
}
