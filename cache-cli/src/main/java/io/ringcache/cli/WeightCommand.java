package io.ringcache.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cachectl weight}: changes a node's weight; only the ranges that change owner move. */
@Command(name = "weight", mixinStandardHelpOptions = true,
    description = "Change a node's weight and wait until the ranges that change owner have moved.")
final class WeightCommand extends ScaleCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "NAME", description = "The node.")
  String name;

  @Parameters(index = "1", paramLabel = "WEIGHT", description = "Its new weight, a positive integer.")
  int weight;

  @Override
  public Integer call() {
    requirePositive(weight);
    return follow(admin().put("/nodes/" + AdminClient.segment(name) + "/weight", Map.of("weight", weight)),
        new EventWaiter.Goal(name + " at weight " + weight, node -> node != null && node.path("weight").asInt() == weight));
  }
}
