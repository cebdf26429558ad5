package io.ringcache.cli;

import io.ringcache.ring.RoutingTable;
import io.ringcache.ring.TopologyJson;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cachectl locate}: which node serves each key, per the live topology. */
@Command(name = "locate", mixinStandardHelpOptions = true,
    description = "Print the node serving each KEY under the live topology: KEY<TAB>NODE<TAB>ADDRESS.")
final class LocateCommand implements Runnable {

  @CommandLine.ParentCommand CacheCtl parent;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "KEY")
  List<String> keys;

  @Override
  public void run() {
    RoutingTable table = RoutingTable.of(TopologyJson.read(parent.admin.client().get("/topology").toString()));
    if (table.ring().isEmpty()) {
      throw new CliException("no node is in the ring");
    }
    PrintWriter out = spec.commandLine().getOut();
    for (String key : keys) {
      String node = table.serverOf(key.getBytes(StandardCharsets.UTF_8));
      out.println(key + "\t" + node + "\t" + table.addressOf(node));
    }
    out.flush();
  }
}
