package io.ringcache.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** What add, remove and weight share: the router, --no-wait, and following the event they start. */
abstract class ScaleCommand {

  @CommandLine.ParentCommand CacheCtl parent;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--no-wait", description = "Return at once instead of waiting for the handoff.")
  boolean noWait;

  AdminClient admin() {
    return parent.admin.client();
  }

  /**
   * Follows the scale event the router answered with (unless --no-wait); 0 when it finished. The
   * goal is checked in the topology instead if the router restarts meanwhile.
   */
  int follow(JsonNode started, EventWaiter.Goal goal) {
    return EventWaiter.follow(admin(), started, goal, !noWait, parent.admin.json, spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }

  void requirePositive(int weight) {
    if (weight < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "weight must be positive: " + weight);
    }
  }
}
