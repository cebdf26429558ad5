package io.ringcache.resp.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Fail-stop: a server process whose thread died of an Error (out of memory, stack overflow, a
 * linkage error) is not worth keeping. A half-alive process is worse than a dead one: the router's
 * health checks may still see it, its event loop or health-check thread is gone, and SIGTERM may
 * never finish its graceful close. So an Error that reaches a handler's exceptionCaught, an
 * uncaught exception of any thread (the default handler installed by the launchers' main
 * methods), or an Error in a control thread's loop, ends the process at once with one ERROR line,
 * and the supervisor (systemd, Docker's restart policy, cachectl) starts a fresh one.
 *
 * Runtime.halt, not System.exit: exit runs the shutdown hooks, whose graceful close could wait on
 * the very thread that died. The exit status is 3, as -XX:+ExitOnOutOfMemoryError's (which the
 * launchers pass too: it covers OutOfMemoryErrors the JVM throws; Netty's OutOfDirectMemoryError
 * and java.nio's "Cannot reserve direct buffer memory" are thrown by Java code and reach us here).
 */

/** Ends the process when a thread dies of an Error, so that its supervisor restarts it. */
public final class FailStop {

  private static final Logger log = LoggerFactory.getLogger(FailStop.class);

  /** The exit status of a process stopped by {@link #halt}: 3, as -XX:+ExitOnOutOfMemoryError's. */
  public static final int EXIT_STATUS = 3;

  /** Ends the process; replaced in tests that must survive a halt. */
  interface Halter {
    void halt(int status);
  }

  static volatile Halter halter = status -> Runtime.getRuntime().halt(status);

  private FailStop() {}

  /**
   * Installs the default uncaught-exception handler: any thread that dies of an uncaught exception
   * stops the process with a log line. Call once from a server's main method.
   */
  public static void install(String process) {
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> halt(process + " thread " + thread.getName() + " died", e));
  }

  /** Whether {@code t}, or what it wraps, is an Error that leaves the process unfit to go on. */
  public static boolean isFatal(Throwable t) {
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
      if (t instanceof VirtualMachineError || t instanceof LinkageError) {
        return true;
      }
    }
    return false;
  }

  /**
   * If {@code t} is fatal ({@link #isFatal}), stops the process with a log line naming
   * {@code where}; otherwise returns.
   */
  public static void haltIfFatal(String where, Throwable t) {
    if (isFatal(t)) {
      halt(where, t);
    }
  }

  /** Logs {@code t} at ERROR, then stops the process with status {@value #EXIT_STATUS}. */
  public static void halt(String why, Throwable t) {
    try {
      log.error("stopping the process: {} ({}); exiting with status {} so that the supervisor restarts it",
          why, t, EXIT_STATUS, t);
    } catch (Throwable logging) {
      // out of memory even for the log line: stop anyway
    } finally {
      halter.halt(EXIT_STATUS);
    }
  }

  /** Runs {@code task}, for a periodic control task: a fatal error stops the process, others are logged. */
  public static Runnable guard(String what, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Throwable t) {
        haltIfFatal(what, t);
        log.error("{} failed", what, t);
      }
    };
  }
}
