package io.ringcache.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Waits for a scale event to end, showing keys moved out of the keys to move. */
final class EventWaiter {

  private static final Duration POLL = Duration.ofMillis(200);

  private EventWaiter() {}

  /**
   * Follows the event the router answered with, then reports how it ended.
   *
   * @return 0 when it finished, 1 when it failed
   */
  static int follow(AdminClient client, JsonNode started, boolean wait, boolean json, PrintWriter out) {
    String id = started.path("id").asText();
    if (!wait) {
      out.println(json ? started.toPrettyString() : "started " + describe(started) + " (event " + id + "); see cachectl status");
      out.flush();
      return 0;
    }
    JsonNode event = started;
    ProgressBar bar = null;
    try {
      while (event.path("status").asText().equals("RUNNING")) {
        long total = event.path("keysTotal").asLong();
        if (!json && bar == null && total > 0) {
          bar = new ProgressBarBuilder()
              .setTaskName("moving keys")
              .setInitialMax(total)
              .setStyle(ProgressBarStyle.ASCII)
              .setConsumer(new ConsoleProgressBarConsumer(System.err))
              .showSpeed()
              .build();
        }
        if (bar != null) {
          bar.maxHint(Math.max(total, 1));
          bar.stepTo(event.path("keysMoved").asLong());
        }
        sleep();
        event = client.get("/events/" + AdminClient.segment(id));
      }
      if (bar != null) {
        bar.maxHint(Math.max(event.path("keysTotal").asLong(), 1));
        bar.stepTo(event.path("keysMoved").asLong());
      }
    } finally {
      if (bar != null) {
        bar.close();
      }
    }
    boolean done = event.path("status").asText().equals("DONE");
    if (json) {
      out.println(event.toPrettyString());
    } else {
      out.printf("%s %s: %s (%d keys moved)%n", describe(event), done ? "finished" : "FAILED",
          event.path("message").asText(), event.path("keysMoved").asLong());
    }
    out.flush();
    if (!done) {
      throw new CliException(describe(event) + " failed: " + event.path("message").asText());
    }
    return 0;
  }

  private static String describe(JsonNode event) {
    return event.path("kind").asText().toLowerCase(java.util.Locale.ROOT) + " " + event.path("node").asText();
  }

  private static void sleep() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while waiting");
    }
  }
}
