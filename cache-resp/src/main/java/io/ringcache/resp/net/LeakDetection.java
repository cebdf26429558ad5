package io.ringcache.resp.net;

import io.netty.util.ResourceLeakDetector;

/*
 * Netty's default leak detection (SIMPLE) tracks one buffer in 128, and tracking one fills in a
 * stack trace when it is allocated and another when it is released. A node allocates a read buffer
 * and a reply buffer per request at -P 1, so that is about 2 stack traces per 128 requests: JFR
 * counted 12,510 of them (ResourceLeakDetector$TraceRecord) in 400,000 GET and SET requests, all on
 * the event loop, and perf put Throwable.fillInStackTrace at 1-2% of the node's CPU while it only
 * answered GETs. A server process therefore turns it off unless asked for a level; the tests, which
 * start servers in their own JVM (CacheNode.embed, RouterMain.embed), keep Netty's default.
 */

/** Turns Netty's buffer leak detection off in a server process unless a level was asked for. */
public final class LeakDetection {

  /** Netty's system property for the level; when set, it is obeyed. */
  public static final String PROPERTY = "io.netty.leakDetection.level";

  private LeakDetection() {}

  /** Call first thing in a server's main method, before any buffer is allocated. */
  public static void offUnlessAsked() {
    if (System.getProperty(PROPERTY) == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }
}
