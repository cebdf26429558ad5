package io.ringcache.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cachectl remove}: a node leaves; its ranges move to their successors. */
@Command(name = "remove", mixinStandardHelpOptions = true,
    description = "Remove a node from the ring and wait until its ranges have moved to their successors.")
final class RemoveCommand implements Callable<Integer> {

  @CommandLine.ParentCommand CacheCtl parent;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The node to remove.")
  String name;

  @Option(names = "--no-wait", description = "Return at once instead of waiting for the handoff.")
  boolean noWait;

  @Override
  public Integer call() {
    AdminClient client = parent.admin.client();
    return EventWaiter.follow(client, client.delete("/nodes/" + AdminClient.segment(name)), !noWait, parent.admin.json,
        spec.commandLine().getOut());
  }
}
