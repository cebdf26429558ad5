package io.ringcache.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cachectl status}: the cluster at a glance. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show every node (address, weight, points, share, keys, memory, state) and the handoffs under way.")
final class StatusCommand implements Runnable {

  @CommandLine.ParentCommand CacheCtl parent;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    AdminClient client = parent.admin.client();
    JsonNode nodes = client.get("/nodes");
    JsonNode handoffs = client.get("/handoffs");
    PrintWriter out = spec.commandLine().getOut();
    if (parent.admin.json) {
      ObjectNode json = new ObjectMapper().createObjectNode();
      json.set("nodes", nodes);
      json.set("handoffs", handoffs);
      out.println(json.toPrettyString());
      out.flush();
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NODE", "ADDRESS", "WEIGHT", "POINTS", "SHARE", "KEYS", "MEMORY", "STATE"});
    for (JsonNode n : nodes) {
      rows.add(new String[] {
        n.path("name").asText(),
        n.path("address").asText(),
        n.path("weight").asText(),
        n.path("points").asText(),
        String.format(Locale.ROOT, "%.2f%%", 100 * n.path("share").asDouble()),
        n.path("keys").isNull() ? "-" : n.path("keys").asText(),
        n.path("memoryBytes").isNull() ? "-" : Format.bytes(n.path("memoryBytes").asLong()),
        n.path("state").asText()
      });
    }
    Format.table(rows, out);
    out.println();
    out.println("epoch " + handoffs.path("epoch").asLong());
    JsonNode running = handoffs.path("handoffs");
    if (running.isEmpty()) {
      out.println("no handoff under way");
    } else {
      for (JsonNode h : running) {
        out.printf(Locale.ROOT, "handoff %s %s -> %s %s: %d/%d keys%n",
            h.path("id").asText(), h.path("from").asText(), h.path("to").asText(), h.path("phase").asText(),
            h.path("keysMoved").asLong(), h.path("keysTotal").asLong());
      }
    }
    out.flush();
  }
}
