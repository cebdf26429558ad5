package io.ringcache.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One decoded request: its arguments as byte arrays. The decoder reuses one instance per connection
 * and hands it downstream synchronously; a handler must not keep it (it may keep the argument
 * arrays, which are never reused).
 */
public final class Request {

  private static final int INITIAL_CAPACITY = 8;
  private static final int RETAINED_CAPACITY = 1024;

  private byte[][] args = new byte[INITIAL_CAPACITY][];
  private int argc;

  void reset(int expected) {
    if (expected > args.length) {
      args = new byte[expected][];
    }
    argc = 0;
  }

  void add(byte[] arg) {
    if (argc == args.length) {
      args = Arrays.copyOf(args, args.length * 2);
    }
    args[argc++] = arg;
  }

  /** Drops references to the arguments, and a large array, once the request was handled. */
  void clear() {
    if (args.length > RETAINED_CAPACITY) {
      args = new byte[INITIAL_CAPACITY][];
    } else {
      Arrays.fill(args, 0, argc, null);
    }
    argc = 0;
  }

  /** A request of {@code args} (not copied), for a server that kept a request's arguments (the proxy). */
  public static Request of(byte[]... args) {
    Request r = new Request();
    r.args = args;
    r.argc = args.length;
    return r;
  }

  public int argc() {
    return argc;
  }

  /** A copy that may be kept after the handler returns (a deferred command); the arguments are shared. */
  public Request copy() {
    Request copy = new Request();
    copy.args = Arrays.copyOf(args, argc);
    copy.argc = argc;
    return copy;
  }

  public byte[] arg(int i) {
    return args[i];
  }

  /** Whether the argument {@code raw} is the lower-case ASCII keyword {@code lower}, in any case (Redis's strcasecmp). */
  public static boolean is(byte[] raw, String lower) {
    if (raw.length != lower.length()) {
      return false;
    }
    for (int i = 0; i < raw.length; i++) {
      int c = raw[i];
      if (c >= 'A' && c <= 'Z') {
        c += 32;
      }
      if (c != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  public String string(int i) {
    return new String(args[i], StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Request[");
    for (int i = 0; i < argc; i++) {
      s.append(i == 0 ? "" : " ").append(new String(args[i], StandardCharsets.ISO_8859_1));
    }
    return s.append(']').toString();
  }
}
