package io.ringcache.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Predicate;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Waits for a scale event to end, showing keys moved out of the keys to move: as a progress bar on
 * a terminal, and as a line every {@link #PROGRESS_LINE} otherwise (a script's or a log's stderr,
 * which a bar would fill with carriage returns). It rides over a
 * router that stops answering for a while (restarted by its supervisor, paused): it asks again for
 * up to {@link #ROUTER_GONE_LIMIT}. A restarted router no longer knows the event (its ids are its
 * process's own), but resumes the handoffs it persisted as a RESUME event: the waiter follows that,
 * then tells from the topology whether what was asked for was reached.
 */
final class EventWaiter {

  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final Duration PROGRESS_LINE = Duration.ofSeconds(5);
  /** How long the router's admin API may stay unreachable while an event is followed. */
  static final Duration ROUTER_GONE_LIMIT = Duration.ofSeconds(60);

  /** What a scale request asked for, as the topology shows it once reached: its node's entry, or null when absent. */
  record Goal(String what, Predicate<JsonNode> reached) {}

  private final AdminClient client;
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean json;
  /** Whether cachectl runs on a terminal (a progress bar), or not (progress lines). */
  private final boolean terminal = System.console() != null;
  /** When the router stopped answering (System.nanoTime), or 0 while it answers. */
  private long goneSince;

  private EventWaiter(AdminClient client, boolean json, PrintWriter out, PrintWriter err) {
    this.client = client;
    this.json = json;
    this.out = out;
    this.err = err;
  }

  /**
   * Follows the event the router answered with, then reports how it ended.
   *
   * @return 0 when it finished, 1 when it failed
   */
  static int follow(AdminClient client, JsonNode started, Goal goal, boolean wait, boolean json, PrintWriter out,
      PrintWriter err) {
    if (!wait) {
      out.println(json ? started.toPrettyString()
          : "started " + describe(started) + " (event " + started.path("id").asText() + "); see cachectl status");
      out.flush();
      return 0;
    }
    return new EventWaiter(client, json, out, err).follow(started, goal);
  }

  private int follow(JsonNode started, Goal goal) {
    JsonNode event = track(started);
    if (event == null) {
      err.printf("the router restarted while %s was under way: its new process does not know event %s; it resumes the"
          + " handoffs it persisted, following them%n", describe(started), started.path("id").asText());
      err.flush();
      return afterRestart(started, goal);
    }
    return report(event, describe(event));
  }

  /** Follows one event to its end: the event as it ended, or null when the router no longer knows it. */
  private JsonNode track(JsonNode started) {
    String path = "/events/" + AdminClient.segment(started.path("id").asText());
    JsonNode event = started;
    ProgressBar bar = null;
    long nextLine = System.nanoTime();
    try {
      while (event.path("status").asText().equals("RUNNING")) {
        long total = event.path("keysTotal").asLong();
        if (!json && !terminal && total > 0 && System.nanoTime() - nextLine >= 0) {
          err.printf("moving keys: %d of %d%n", event.path("keysMoved").asLong(), total);
          err.flush();
          nextLine = System.nanoTime() + PROGRESS_LINE.toNanos();
        }
        if (!json && terminal && bar == null && total > 0) {
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
        sleep(POLL);
        event = get(path, true);
        if (event == null) {
          return null;
        }
      }
      if (bar != null) {
        // keys to move is counted as the event starts; keys deleted or expired meanwhile never move,
        // so a finished event's bar ends at what moved (100 %), a failed one's where it stopped
        long moved = event.path("keysMoved").asLong();
        long total = event.path("status").asText().equals("DONE") ? moved : event.path("keysTotal").asLong();
        bar.maxHint(Math.max(total, 1));
        bar.stepTo(moved);
      }
    } finally {
      if (bar != null) {
        bar.close();
      }
    }
    return event;
  }

  /**
   * The event was lost with the router's process: follows the events the new process runs (its
   * RESUME, and another after it if that one fails or the router restarts again) until no handoff
   * is left, then checks the goal in the topology.
   */
  private int afterRestart(JsonNode started, Goal goal) {
    JsonNode last = null;
    while (true) {
      JsonNode handoffs = get("/handoffs", false);
      JsonNode running = null;
      for (JsonNode e : handoffs.path("events")) {
        if (e.path("status").asText().equals("RUNNING")) {
          running = e;
          break;
        }
      }
      if (running != null) {
        err.printf("following event %s (%s)%n", running.path("id").asText(), describe(running));
        err.flush();
        JsonNode ended = track(running);
        if (ended != null) {
          last = ended;
          if (!ended.path("status").asText().equals("DONE")) {
            // the router retries a failed RESUME later; what it was asked for has not happened yet
            return report(ended, describe(started) + " (resumed as event " + ended.path("id").asText() + ")");
          }
        }
        continue;
      }
      if (handoffs.path("handoffs").isEmpty()) {
        break;
      }
      sleep(RETRY); // handoffs persisted, their RESUME not begun yet
    }
    JsonNode node = null;
    for (JsonNode n : get("/topology", false).path("nodes")) {
      if (n.path("name").asText().equals(started.path("node").asText())) {
        node = n;
      }
    }
    boolean reached = goal.reached().test(node);
    String outcome = reached ? "finished after the router's restart"
        : "FAILED: the router restarted before it was done and the topology does not show it ("
            + (node == null ? "the node is not listed" : "the node is " + node.path("state").asText() + ", weight "
            + node.path("weight").asInt()) + "); ask again";
    if (json) { // the event as it started, its end as the topology shows it, and what resumed it
      ObjectNode ended = started.deepCopy();
      ended.put("status", reached ? "DONE" : "FAILED");
      ended.put("message", outcome);
      ended.put("routerRestarted", true);
      ended.put("resumedAs", last == null ? null : last.path("id").asText());
      if (last != null) {
        ended.put("keysMoved", last.path("keysMoved").asLong());
        ended.put("keysTotal", last.path("keysTotal").asLong());
      }
      out.println(ended.toPrettyString());
    } else {
      out.printf("%s %s%n", describe(started), outcome);
    }
    out.flush();
    if (!reached) {
      throw new CliException(describe(started) + " failed: " + goal.what() + " not reached after the router restarted");
    }
    return 0;
  }

  private int report(JsonNode event, String what) {
    boolean done = event.path("status").asText().equals("DONE");
    if (json) {
      out.println(event.toPrettyString());
    } else {
      out.printf("%s %s: %s (%d keys moved)%n", what, done ? "finished" : "FAILED", event.path("message").asText(),
          event.path("keysMoved").asLong());
    }
    out.flush();
    if (!done) {
      throw new CliException(what + " failed: " + event.path("message").asText());
    }
    return 0;
  }

  /**
   * GET, asking again while the router does not answer (up to {@link #ROUTER_GONE_LIMIT}); null
   * for a 404 when {@code mayBeGone}.
   */
  private JsonNode get(String path, boolean mayBeGone) {
    while (true) {
      try {
        JsonNode answer = client.get(path);
        answering();
        return answer;
      } catch (AdminClient.Unreachable e) {
        if (goneSince == 0) {
          goneSince = System.nanoTime();
          err.printf("%s; asking again for up to %d s%n", e.getMessage(), ROUTER_GONE_LIMIT.toSeconds());
          err.flush();
        } else if (System.nanoTime() - goneSince > ROUTER_GONE_LIMIT.toNanos()) {
          throw new CliException(e.getMessage() + ", for " + ROUTER_GONE_LIMIT.toSeconds() + " s: gave up waiting; a"
              + " restarted router resumes the handoffs it persisted, see cachectl status");
        }
        sleep(RETRY);
      } catch (AdminClient.HttpError e) {
        answering();
        if (mayBeGone && e.status == 404) {
          return null;
        }
        throw e;
      }
    }
  }

  private void answering() {
    if (goneSince != 0) {
      err.printf("the router answers again, after %d s%n", (System.nanoTime() - goneSince) / 1_000_000_000L);
      err.flush();
      goneSince = 0;
    }
  }

  private static String describe(JsonNode event) {
    String node = event.path("node").isTextual() ? event.path("node").asText() : ""; // a RESUME has none
    return event.path("kind").asText().toLowerCase(java.util.Locale.ROOT) + (node.isEmpty() ? "" : " " + node);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while waiting");
    }
  }
}
