package io.ringcache.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/*
 * RESP3 replies, for a connection that said HELLO 3, made from the RESP2 replies the node's commands
 * write and the proxy's nodes send (the shared node connections speak RESP2). Every command keeps
 * one writer, in RESP2; a RESP3 session converts each reply once it is complete, by the command's
 * Shape. A RESP2 session never comes here: its replies are not scanned or copied.
 *
 * What Redis 7.0.15 sends in RESP3 for the commands we serve (checked byte for byte against
 * redis-server, see Resp3ParityIT): a null bulk string or null array, at any depth (GET of a missing
 * key, MGET's elements, EXEC aborted by WATCH, COMMAND INFO of an unknown name), is `_`; INFO,
 * CLIENT INFO and CLIENT LIST are verbatim strings (`=<n>\r\ntxt:...`); CONFIG GET and COMMAND DOCS
 * are maps (`%`), COMMAND DOCS's per-command docs and subcommands too; COMMAND and COMMAND INFO keep
 * their arrays but send flags and ACL categories as sets (`~`), and an empty tips, key
 * specifications or subcommands list as an empty set (`~0`). HELLO writes its map itself. Nothing
 * else differs for a string cache: integers stay integers (Redis 7.0 answers none of our commands
 * with a double or a boolean), errors and simple strings are the same bytes.
 *
 * The input is a complete, well-formed reply (our own writer's, or one RespReplyFramer framed), so
 * the walk trusts its lengths. It also passes RESP3 types through unchanged, so a reply that holds
 * converted parts (EXEC's array on a node, whose elements each command converted as it ran) is
 * walked again safely.
 */

/** Converts RESP2 replies to Redis 7.0's RESP3 shapes, by command. */
public final class Resp3 {

  /** How one command's RESP2 reply becomes RESP3. */
  public enum Shape {
    /** Null bulk strings and null arrays, at any depth, become RESP3's null; nothing else changes. */
    PLAIN,
    /** A bulk string becomes a verbatim string of format {@code txt} (INFO, CLIENT INFO, CLIENT LIST). */
    VERBATIM,
    /** A flat array of pairs becomes a map (CONFIG GET; LCS with IDX, whose other replies are no arrays). */
    MAP,
    /** COMMAND and COMMAND INFO: entries whose flags and ACL categories are sets. */
    COMMAND_INFO,
    /** COMMAND DOCS: maps of maps (each command's docs, its subcommands' docs). */
    COMMAND_DOCS,
    /**
     * A node's EXEC, whose elements each command converted as it ran, in the protocol in use then
     * (a queued HELLO switches it midway, as in Redis): only EXEC's own null array, aborted by
     * WATCH, becomes RESP3's null.
     */
    EXEC,
    /** Already the session's protocol (HELLO writes its own reply). */
    AS_IS
  }

  private static final byte[] NULL = "_\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TXT = "txt:".getBytes(StandardCharsets.US_ASCII);

  private Resp3() {}

  /** The shape of the reply to {@code request}. */
  public static Shape shape(Request request) {
    return shape(request.arg(0), request.argc() > 1 ? request.arg(1) : null);
  }

  /** The shape of the reply to a request of {@code command} with first argument {@code subcommand} (null if none). */
  public static Shape shape(byte[] command, byte[] subcommand) {
    if (Request.is(command, "info")) {
      return Shape.VERBATIM;
    }
    if (Request.is(command, "hello")) {
      return Shape.AS_IS;
    }
    if (Request.is(command, "lcs")) {
      return Shape.MAP;
    }
    if (subcommand == null) {
      return Request.is(command, "command") ? Shape.COMMAND_INFO : Shape.PLAIN;
    }
    if (Request.is(command, "client")) {
      return Request.is(subcommand, "info") || Request.is(subcommand, "list") ? Shape.VERBATIM : Shape.PLAIN;
    }
    if (Request.is(command, "config")) {
      return Request.is(subcommand, "get") ? Shape.MAP : Shape.PLAIN;
    }
    if (Request.is(command, "command")) {
      return Request.is(subcommand, "info") ? Shape.COMMAND_INFO : Request.is(subcommand, "docs") ? Shape.COMMAND_DOCS : Shape.PLAIN;
    }
    return Shape.PLAIN;
  }

  /**
   * Converts the complete reply in {@code out} from {@code from} to its writer index, in place: the
   * bytes are rewritten only if something changes (a GET's value is not copied again).
   */
  public static void convert(ByteBuf out, int from, Shape shape) {
    int to = out.writerIndex();
    if (to == from || unchanged(out, from, shape)) {
      return;
    }
    ByteBuf copy = out.alloc().heapBuffer(to - from);
    try {
      copy.writeBytes(out, from, to - from);
      out.writerIndex(from);
      int at = 0;
      while (at < to - from) {
        at = write(copy, at, out, shape);
      }
    } finally {
      copy.release();
    }
  }

  /**
   * {@code reply} (one complete reply) in RESP3: {@code reply} itself if nothing changes, else a new
   * buffer from {@code alloc}, and {@code reply} is released.
   */
  public static ByteBuf convert(ByteBuf reply, Shape shape, ByteBufAllocator alloc) {
    int from = reply.readerIndex();
    if (!reply.isReadable() || unchanged(reply, from, shape)) {
      return reply;
    }
    ByteBuf out = alloc.buffer(reply.readableBytes() + 16);
    try {
      int at = from;
      while (at < reply.writerIndex()) {
        at = write(reply, at, out, shape);
      }
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
    reply.release();
    return out;
  }

  /**
   * EXEC's RESP2 reply from a node that spoke RESP2 to the proxy, in RESP3: each element by the shape
   * of the command queued at its place ({@code shapes}, in order), as a node converts each queued
   * command's reply for a RESP3 client; an error or an aborted (null) EXEC as {@link Shape#PLAIN}.
   * {@code reply} is released unless it is returned.
   */
  public static ByteBuf convertExec(ByteBuf reply, java.util.List<Shape> shapes, ByteBufAllocator alloc) {
    int from = reply.readerIndex();
    if (!reply.isReadable() || reply.getByte(from) != '*') {
      return convert(reply, Shape.PLAIN, alloc);
    }
    int eol = reply.indexOf(from, reply.writerIndex(), (byte) '\r');
    long n = number(reply, from + 1, eol);
    if (n < 0) {
      return convert(reply, Shape.PLAIN, alloc);
    }
    ByteBuf out = alloc.buffer(reply.readableBytes() + 16);
    try {
      out.writeBytes(reply, from, eol + 2 - from);
      int at = eol + 2;
      for (int i = 0; i < n; i++) {
        at = write(reply, at, out, i < shapes.size() ? shapes.get(i) : Shape.PLAIN);
      }
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
    reply.release();
    return out;
  }

  /** Whether the reply at {@code at} is the same bytes in RESP3 (an error, a plain reply without nulls). */
  private static boolean unchanged(ByteBuf in, int at, Shape shape) {
    byte type = in.getByte(at);
    if (type == '-' || shape == Shape.AS_IS) {
      return true;
    }
    if (shape == Shape.EXEC) {
      return type != '*' || in.getByte(at + 1) != '-';
    }
    return shape == Shape.PLAIN && !hasNull(in, at);
  }

  /** Whether the element at {@code at}, or one nested in it, is a RESP2 null; ends past the last element. */
  private static boolean hasNull(ByteBuf in, int at) {
    int end = in.writerIndex();
    long toVisit = 1;
    while (toVisit > 0) {
      byte type = in.getByte(at);
      int eol = in.indexOf(at, end, (byte) '\r');
      toVisit--;
      switch (type) {
        case '$', '=', '!' -> {
          long n = number(in, at + 1, eol);
          if (n < 0) {
            return true;
          }
          at = eol + 2 + (int) n + 2;
        }
        case '*', '~', '>' -> {
          long n = number(in, at + 1, eol);
          if (n < 0) {
            return true;
          }
          toVisit += n;
          at = eol + 2;
        }
        case '%' -> {
          toVisit += 2 * number(in, at + 1, eol);
          at = eol + 2;
        }
        default -> at = eol + 2;
      }
    }
    return false;
  }

  /** Writes the element at {@code at} of {@code in} to {@code out} in RESP3, as {@code shape} says; returns the index past it. */
  private static int write(ByteBuf in, int at, ByteBuf out, Shape shape) {
    byte type = in.getByte(at);
    int eol = in.indexOf(at, in.writerIndex(), (byte) '\r');
    if (type == '$' || type == '*') {
      long n = number(in, at + 1, eol);
      if (n < 0) {
        out.writeBytes(NULL);
        return eol + 2;
      }
      if (type == '$' && shape == Shape.VERBATIM) {
        out.writeByte('=');
        Resp.decimal(out, n + TXT.length);
        Resp.crlf(out);
        out.writeBytes(TXT);
        out.writeBytes(in, eol + 2, (int) n + 2);
        return eol + 2 + (int) n + 2;
      }
      if (type == '*') {
        return aggregate(in, at, eol, n, out, shape);
      }
    }
    return copy(in, at, eol, out);
  }

  /** An array of {@code n} elements whose header is at [at, eol). */
  private static int aggregate(ByteBuf in, int at, int eol, long n, ByteBuf out, Shape shape) {
    int next = eol + 2;
    switch (shape) {
      case MAP, COMMAND_DOCS -> {
        header(out, '%', n / 2);
        Shape values = shape == Shape.COMMAND_DOCS ? Shape.COMMAND_DOCS : Shape.PLAIN;
        for (long i = 0; i < n; i++) {
          next = write(in, next, out, i % 2 == 0 ? Shape.PLAIN : values);
        }
      }
      case COMMAND_INFO -> {
        header(out, '*', n);
        for (long i = 0; i < n; i++) {
          next = commandEntry(in, next, out);
        }
      }
      default -> {
        out.writeBytes(in, at, next - at);
        for (long i = 0; i < n; i++) {
          next = write(in, next, out, Shape.PLAIN);
        }
      }
    }
    return next;
  }

  /**
   * One entry of COMMAND INFO (or null): name, arity, flags (a set), first key, last key, step, ACL
   * categories (a set), tips, key specifications (an empty list is a set), subcommands (entries;
   * none is an empty set), as Redis 7.0's addReplyCommandInfo.
   */
  private static int commandEntry(ByteBuf in, int at, ByteBuf out) {
    int eol = in.indexOf(at, in.writerIndex(), (byte) '\r');
    if (in.getByte(at) != '*') {
      return write(in, at, out, Shape.PLAIN);
    }
    long n = number(in, at + 1, eol);
    if (n < 0) {
      out.writeBytes(NULL);
      return eol + 2;
    }
    out.writeBytes(in, at, eol + 2 - at);
    int next = eol + 2;
    for (long i = 0; i < n; i++) {
      int elementEol = in.indexOf(next, in.writerIndex(), (byte) '\r');
      boolean array = in.getByte(next) == '*';
      long count = array ? number(in, next + 1, elementEol) : -1;
      if (array && (i == 2 || i == 6 || (count == 0 && (i == 7 || i == 8 || i == 9)))) {
        header(out, '~', count);
        next = elementEol + 2;
        for (long j = 0; j < count; j++) {
          next = write(in, next, out, Shape.PLAIN);
        }
      } else if (array && i == 9) {
        header(out, '*', count);
        next = elementEol + 2;
        for (long j = 0; j < count; j++) {
          next = commandEntry(in, next, out);
        }
      } else {
        next = write(in, next, out, Shape.PLAIN);
      }
    }
    return next;
  }

  /** Copies the element at {@code at} (its header line ends at {@code eol}) unchanged; returns the index past it. */
  private static int copy(ByteBuf in, int at, int eol, ByteBuf out) {
    byte type = in.getByte(at);
    int next = eol + 2;
    if (type == '$' || type == '=' || type == '!') {
      next += (int) number(in, at + 1, eol) + 2;
      out.writeBytes(in, at, next - at);
      return next;
    }
    if (type == '*' || type == '~' || type == '>' || type == '%') {
      long n = number(in, at + 1, eol) * (type == '%' ? 2 : 1);
      out.writeBytes(in, at, next - at);
      for (long i = 0; i < n; i++) {
        next = write(in, next, out, Shape.PLAIN);
      }
      return next;
    }
    out.writeBytes(in, at, next - at);
    return next;
  }

  private static void header(ByteBuf out, char type, long n) {
    out.writeByte(type);
    Resp.decimal(out, n);
    Resp.crlf(out);
  }

  private static long number(ByteBuf in, int from, int to) {
    return ReplyParser.number(in, from, to, "length in a reply");
  }
}
