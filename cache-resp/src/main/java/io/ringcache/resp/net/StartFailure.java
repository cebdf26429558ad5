package io.ringcache.resp.net;

import picocli.CommandLine;

/*
 * A server that cannot start for a reason its operator can fix (a port another process holds, an
 * unreadable data file) says so in one line and exits 1, as redis-server does ("Could not create
 * server TCP listening socket *:6379: bind: Address already in use"). It used to print Netty's
 * "bind(..) failed with error(-98): Address already in use" and forty lines of stack trace, without
 * naming the port. Other exceptions, which would be bugs, keep their stack trace.
 */

/** Why a server could not start, in words its operator can act on. */
public final class StartFailure extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  public StartFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Picocli's handler of an exception from a server's {@code call()}: a StartFailure as {@code
   * program: cannot start: message}, anything else with its stack trace; exit status 1 either way.
   */
  public static CommandLine.IExecutionExceptionHandler handler(String program) {
    return (e, cli, parsed) -> {
      if (e instanceof StartFailure) {
        cli.getErr().println(program + ": cannot start: " + e.getMessage());
      } else {
        cli.getErr().println(program + ": cannot start:");
        e.printStackTrace(cli.getErr());
      }
      cli.getErr().flush();
      return 1;
    };
  }
}
