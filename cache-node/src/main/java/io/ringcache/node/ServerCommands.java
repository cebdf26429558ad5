package io.ringcache.node;

import static io.ringcache.resp.Request.is;

import io.ringcache.node.store.Store;
import io.ringcache.resp.Request;
import io.ringcache.resp.Resp;

/** The server family: DBSIZE, TIME, FLUSHALL / FLUSHDB (INFO renders in {@link Info}). */
final class ServerCommands {

  private ServerCommands() {}

  static void dbsize(CommandContext c, Request r) {
    Store store = c.store();
    store.cleanUp(); // collect what has expired so the count is current (the timer wheel: cheap)
    Resp.integer(c.out(), store.size());
  }

  static void flushall(CommandContext c, Request r) {
    if (r.argc() > 2 || (r.argc() == 2 && !is(r.arg(1), "async") && !is(r.arg(1), "sync"))) {
      Resp.error(c.out(), "ERR syntax error");
      return;
    }
    c.flushAll();
    Resp.raw(c.out(), Resp.OK);
  }

  /** TIME: [unix seconds, microseconds] as bulk strings. */
  static void time(CommandContext c, Request r) {
    java.time.Instant now = java.time.Instant.now();
    Resp.arrayHeader(c.out(), 2);
    Resp.bulk(c.out(), Long.toString(now.getEpochSecond()));
    Resp.bulk(c.out(), Long.toString(now.getNano() / 1000));
  }
}
