package io.ringcache.resp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/*
 * Arguments decoded in place. The decoder does not copy a multibulk request's arguments out of its
 * read buffer: it records each argument's offset (relative to the request's first byte) and length,
 * and hands the request downstream while the buffer still holds it. An argument becomes a byte[]
 * only when a handler asks for it (arg(i), once; the array is then cached), so a handler that reads
 * an argument in place (nameEquals, argAt, retainedRaw) allocates nothing for it.
 *
 * Lifetime: the buffer is valid only while the handler runs synchronously. copy() materializes every
 * argument, so a copy may be kept (deferred commands, MULTI queues); retainedRaw() is a retained
 * slice of the request's bytes that the caller owns and must release.
 *
 * Inline requests (and copies) hold their arguments as arrays and have no raw bytes.
 */

/**
 * One decoded request. The decoder reuses one instance per connection and hands it downstream
 * synchronously; a handler must not keep it (it may keep the argument arrays {@link #arg} returns,
 * which are never reused, and a {@link #copy}).
 */
public final class Request {

  private static final int INITIAL_CAPACITY = 8;
  private static final int RETAINED_CAPACITY = 1024;

  private byte[][] args = new byte[INITIAL_CAPACITY][];
  private int[] offsets = new int[INITIAL_CAPACITY];
  private int[] lengths = new int[INITIAL_CAPACITY];
  private int argc;
  /** The buffer holding the arguments not materialized yet, or null. */
  private ByteBuf buffer;
  /** The index of the request's first byte in {@link #buffer}. */
  private int base;
  /** The request's length in bytes in {@link #buffer}, or -1 if it has no raw bytes. */
  private int rawLength = -1;

  void reset(int expected) {
    if (expected > args.length) {
      args = new byte[expected][];
      offsets = new int[expected];
      lengths = new int[expected];
    }
    argc = 0;
    buffer = null;
    rawLength = -1;
  }

  void add(byte[] arg) {
    grow();
    args[argc] = arg;
    lengths[argc] = arg.length;
    offsets[argc++] = -1;
  }

  /** An argument in place: {@code length} bytes at {@code offset} from the request's first byte. */
  void addInPlace(int offset, int length) {
    grow();
    args[argc] = null;
    lengths[argc] = length;
    offsets[argc++] = offset;
  }

  private void grow() {
    if (argc == args.length) {
      args = Arrays.copyOf(args, args.length * 2);
      offsets = Arrays.copyOf(offsets, offsets.length * 2);
      lengths = Arrays.copyOf(lengths, lengths.length * 2);
    }
  }

  /** The request is complete: its bytes are [{@code base}, {@code end}) of {@code buffer}. */
  void complete(ByteBuf buffer, int base, int end) {
    this.buffer = buffer;
    this.base = base;
    this.rawLength = end - base;
  }

  /** Drops references to the arguments and the buffer, and a large array, once the request was handled. */
  void clear() {
    if (args.length > RETAINED_CAPACITY) {
      args = new byte[INITIAL_CAPACITY][];
      offsets = new int[INITIAL_CAPACITY];
      lengths = new int[INITIAL_CAPACITY];
    } else {
      Arrays.fill(args, 0, argc, null);
    }
    argc = 0;
    buffer = null;
    rawLength = -1;
  }

  /** A request of {@code args} (not copied), for a server that kept a request's arguments (the proxy). */
  public static Request of(byte[]... args) {
    Request r = new Request();
    int n = Math.max(args.length, 1);
    r.args = Arrays.copyOf(args, n);
    r.offsets = new int[n];
    r.lengths = new int[n];
    for (int i = 0; i < args.length; i++) {
      r.lengths[i] = args[i].length; // every argument materialized: argLength and the in-place reads see it
      r.offsets[i] = -1;
    }
    r.argc = args.length;
    return r;
  }

  public int argc() {
    return argc;
  }

  /** A copy that may be kept after the handler returns (a deferred command); every argument is materialized. */
  public Request copy() {
    Request copy = new Request();
    int n = Math.max(argc, 1);
    copy.args = new byte[n][];
    copy.offsets = new int[n];
    copy.lengths = new int[n];
    for (int i = 0; i < argc; i++) {
      copy.args[i] = arg(i);
      copy.lengths[i] = lengths[i];
      copy.offsets[i] = -1;
    }
    copy.argc = argc;
    return copy;
  }

  /** Argument {@code i} as an array (copied out of the read buffer the first time; do not modify). */
  public byte[] arg(int i) {
    byte[] a = args[i];
    if (a == null) {
      a = new byte[lengths[i]];
      buffer.getBytes(base + offsets[i], a);
      args[i] = a;
    }
    return a;
  }

  /**
   * Copies argument {@code i} into {@code dst}, whose length must be the argument's: a handler that
   * reuses {@code dst} reads the argument without allocating.
   */
  public void argBytes(int i, byte[] dst) {
    if (dst.length != lengths[i]) {
      throw new IllegalArgumentException("destination length: " + dst.length + " (expected: " + lengths[i] + ")");
    }
    byte[] a = args[i];
    if (a != null) {
      System.arraycopy(a, 0, dst, 0, dst.length);
    } else {
      buffer.getBytes(base + offsets[i], dst);
    }
  }

  /**
   * The buffer that holds argument {@code i} where it was read, at {@link #argIndex}, or null if the
   * argument exists only as an array (an inline request, a {@link #copy}): a handler may copy it from
   * there straight to where it goes, while the handler runs.
   */
  public ByteBuf argBuffer(int i) {
    return offsets[i] < 0 ? null : buffer;
  }

  /** The index of argument {@code i}'s first byte in {@link #argBuffer}, which must not be null. */
  public int argIndex(int i) {
    return base + offsets[i];
  }

  /** The length of argument {@code i}, without materializing it. */
  public int argLength(int i) {
    return lengths[i];
  }

  /** Byte {@code at} of argument {@code i}, without materializing it. */
  public byte argByte(int i, int at) {
    byte[] a = args[i];
    return a != null ? a[at] : buffer.getByte(base + offsets[i] + at);
  }

  /** Whether argument {@code i} equals the lower-case ASCII {@code lower}, ignoring case, without materializing it. */
  public boolean argEqualsIgnoreCase(int i, byte[] lower) {
    if (lengths[i] != lower.length) {
      return false;
    }
    for (int j = 0; j < lower.length; j++) {
      int c = argByte(i, j);
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lower[j]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The request's bytes as they were read (a multibulk request as the client sent it), as a
   * retained slice the caller must release; null for an inline request or a copy.
   */
  public ByteBuf retainedRaw() {
    return buffer == null || rawLength < 0 ? null : buffer.retainedSlice(base, rawLength);
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
    return new String(arg(i), StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Request[");
    for (int i = 0; i < argc; i++) {
      s.append(i == 0 ? "" : " ").append(new String(arg(i), StandardCharsets.ISO_8859_1));
    }
    return s.append(']').toString();
  }
}
