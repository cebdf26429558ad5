package io.ringcache.resp.command;

import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;

/** The error for a command nobody serves, in Redis 7.0's exact bytes (the node's and the proxy's). */
public final class UnknownCommand {

  private UnknownCommand() {}

  /**
   * {@code ERR unknown command '<name>', with args beginning with: '<arg>' ...}, as Redis 7.0's
   * processCommand builds it: the name and each argument as C strings (up to a NUL), their bytes as
   * sent (one char per byte here, which {@link io.ringcache.resp.Resp#error} writes back as the byte);
   * the name cut at 128 bytes; arguments added while the list is shorter than 128 characters, each
   * cut to what is left of those 128. (CR and LF become spaces when the error is written.)
   *
   * @param argc the request's arguments, the name included
   * @param arg the argument at an index
   */
  public static String error(int argc, IntFunction<byte[]> arg) {
    StringBuilder args = new StringBuilder();
    for (int i = 1; i < argc && args.length() < 128; i++) {
      int room = 128 - args.length(); // Redis's precision, taken before the opening quote
      args.append('\'').append(cString(arg.apply(i), room)).append("' ");
    }
    return "ERR unknown command '" + cString(arg.apply(0), 128) + "', with args beginning with: " + args;
  }

  /** {@code %.<max>s} of {@code bytes} as a C string: up to the first NUL, at most {@code max} bytes. */
  private static String cString(byte[] bytes, int max) {
    int end = 0;
    while (end < bytes.length && end < max && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
  }
}
