package io.ringcache.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cachectl remove}: a node leaves; its ranges move to their successors. */
@Command(name = "remove", mixinStandardHelpOptions = true,
    description = "Remove a node from the ring and wait until its ranges have moved to their successors.")
final class RemoveCommand extends ScaleCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "NAME", description = "The node to remove.")
  String name;

  @Override
  public Integer call() {
    return follow(admin().delete("/nodes/" + AdminClient.segment(name)),
        new EventWaiter.Goal(name + " out of the topology", node -> node == null));
  }
}
