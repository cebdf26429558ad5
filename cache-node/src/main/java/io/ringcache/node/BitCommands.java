package io.ringcache.node;

import static io.ringcache.node.Commands.NOT_INTEGER;
import static io.ringcache.node.Commands.SYNTAX_ERROR;

import io.netty.buffer.ByteBuf;
import io.ringcache.node.store.Key;
import io.ringcache.resp.Decimal;
import io.ringcache.resp.Request;
import io.ringcache.resp.Resp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/*
 * Redis 7.0.15's bit commands (bitops.c: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD,
 * BITFIELD_RO) and LCS (t_string.c), ported step for step so that every reply and every error, and
 * the order in which arguments are checked against the key's presence, are Redis's: BITCOUNT of an
 * absent key is 0 whatever its range arguments, BITPOS checks its bit before the key and its range
 * after, BITFIELD parses every operation before it touches the key.
 *
 * Bits are numbered as Redis numbers them: bit 0 is the most significant bit of byte 0. A bit offset
 * is refused as Redis refuses it (negative, or at or beyond 512 MB of bits: Redis's default
 * proto-max-bulk-len, which a node does not change); a write that would grow a value beyond the
 * node's max-value-size gets the error SETRANGE and APPEND give for that limit and changes nothing.
 *
 * Writes go through the store's update (the TTL kept, WATCH signalled by WatchingStore only when the
 * value changed); stored values are never changed in place: a write builds a new array. Reads of the
 * read-only commands (and BITOP's sources, LCS's keys) count as keyspace hits or misses, as Redis's
 * lookupKeyRead does.
 */

/** The bit family: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO, and LCS. */
final class BitCommands {

  /** Redis's default proto-max-bulk-len: a bit offset must address a byte below it. */
  static final long MAX_BIT_OFFSET_BYTES = 512L * 1024 * 1024;

  private static final String BIT_OFFSET_ERROR = "ERR bit offset is not an integer or out of range";
  private static final String BIT_VALUE_ERROR = "ERR bit is not an integer or out of range";
  private static final String BITFIELD_TYPE_ERROR =
      "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

  private BitCommands() {}

  // ---- argument parsing, as Redis's helpers

  /** Whether {@code arg} up to its first NUL byte is {@code lower}, ignoring ASCII case (C's strcasecmp). */
  static boolean word(byte[] arg, String lower) {
    int end = cLength(arg, 0);
    if (end != lower.length()) {
      return false;
    }
    for (int i = 0; i < end; i++) {
      int c = arg[i];
      if (c >= 'A' && c <= 'Z') {
        c += 32;
      }
      if (c != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The length of the C string at {@code from}: up to the first NUL byte. */
  private static int cLength(byte[] arg, int from) {
    int end = from;
    while (end < arg.length && arg[end] != 0) {
      end++;
    }
    return end - from;
  }

  /** Returned by the parsers when they replied an error. */
  private static final long INVALID = Long.MIN_VALUE;

  /**
   * Redis's getBitOffsetFromArgument: a bit offset, with BITFIELD's {@code #n} form (n times
   * {@code bits}) when {@code bits > 0}; replies the error and returns {@link #INVALID} if it is not
   * an integer, negative, or addresses a byte at or beyond {@link #MAX_BIT_OFFSET_BYTES}.
   */
  private static long bitOffset(CommandContext c, byte[] arg, int bits) {
    boolean hash = bits > 0 && arg.length > 0 && arg[0] == '#';
    long offset;
    try {
      offset = hash ? Decimal.parseLong(arg, 1, arg.length - 1) : Decimal.parseLong(arg);
    } catch (NumberFormatException e) {
      Resp.error(c.out(), BIT_OFFSET_ERROR);
      return INVALID;
    }
    if (hash) {
      offset *= bits; // wraps as Redis's long long does, and a negative result is refused below
    }
    if (offset < 0 || (offset >> 3) >= MAX_BIT_OFFSET_BYTES) {
      Resp.error(c.out(), BIT_OFFSET_ERROR);
      return INVALID;
    }
    return offset;
  }

  /** A signed 64-bit integer argument; replies {@code error} and returns null if it is not one. */
  private static Long integer(CommandContext c, byte[] arg, String error) {
    try {
      return Decimal.parseLong(arg);
    } catch (NumberFormatException e) {
      Resp.error(c.out(), error);
      return null;
    }
  }

  /** The value of {@code key}, counted as a keyspace hit or miss. */
  private static byte[] read(CommandContext c, byte[] key) {
    return c.lookedUp(c.store().get(c.key(key)));
  }

  /** The error for a value that would grow beyond max-value-size: SETRANGE's and APPEND's. */
  private static String tooLarge(CommandContext c, long size) {
    return KeyCommands.stringTooLarge(c, size);
  }

  // ---- SETBIT, GETBIT

  /**
   * SETBIT key offset value: the bit's previous value; the value is created or zero-padded to reach
   * the bit, the TTL kept. Nothing is written (nor WATCH signalled) when the bit already had the value
   * and the value did not grow.
   */
  static void setbit(CommandContext c, Request r) {
    long offset = bitOffset(c, r.arg(2), 0);
    if (offset == INVALID) {
      return;
    }
    Long on = integer(c, r.arg(3), BIT_VALUE_ERROR);
    if (on == null) {
      return;
    }
    if ((on & ~1L) != 0) {
      Resp.error(c.out(), BIT_VALUE_ERROR);
      return;
    }
    int max = c.limits().maxValueSize();
    long needed = (offset >> 3) + 1;
    int byteIndex = (int) Math.min(offset >> 3, Integer.MAX_VALUE);
    int mask = 1 << (7 - (int) (offset & 7));
    int[] previous = {0};
    long[] refused = {-1};
    c.store().update(c.key(r.arg(1)), old -> {
      refused[0] = -1; // a store may run the update again
      int length = old == null ? 0 : old.length;
      if (needed > length && needed > max) {
        refused[0] = needed;
        return null;
      }
      boolean grows = old == null || needed > length;
      int current = byteIndex < length ? old[byteIndex] & 0xff : 0;
      previous[0] = (current & mask) != 0 ? 1 : 0;
      if (!grows && previous[0] == on) {
        return null;
      }
      byte[] next = java.util.Arrays.copyOf(old == null ? new byte[0] : old, (int) Math.max(needed, length));
      next[byteIndex] = (byte) (on == 1 ? current | mask : current & ~mask);
      return next;
    });
    if (refused[0] >= 0) {
      Resp.error(c.out(), tooLarge(c, refused[0]));
      return;
    }
    Resp.integer(c.out(), previous[0]);
  }

  /** GETBIT key offset: the bit, 0 beyond the value's end or for an absent key. */
  static void getbit(CommandContext c, Request r) {
    long offset = bitOffset(c, r.arg(2), 0);
    if (offset == INVALID) {
      return;
    }
    byte[] value = read(c, r.arg(1));
    long index = offset >> 3;
    int bit = value != null && index < value.length && (value[(int) index] & (1 << (7 - (int) (offset & 7)))) != 0 ? 1 : 0;
    Resp.integer(c.out(), bit);
  }

  // ---- BITCOUNT, BITPOS

  /**
   * An inclusive byte range of a value, and the bits of its first and last byte that lie outside a
   * BIT range (0 when none): Redis's range rules of BITCOUNT and BITPOS, written once.
   */
  private record Span(long start, long end, int firstMask, int lastMask) {

    /** {@code start}..{@code end} (negative: from the end; in bits if {@code isBit}) of a {@code bytes}-long value, clamped. */
    static Span of(long start, long end, long bytes, boolean isBit) {
      long total = isBit ? bytes << 3 : bytes;
      if (start < 0) {
        start = total + start;
      }
      if (end < 0) {
        end = total + end;
      }
      start = Math.max(start, 0);
      end = Math.max(end, 0);
      if (end >= total) {
        end = total - 1;
      }
      if (isBit && start <= end) {
        return new Span(start >> 3, end >> 3, ~((1 << (8 - (int) (start & 7))) - 1) & 0xff, (1 << (7 - (int) (end & 7))) - 1);
      }
      return new Span(start, end, 0, 0);
    }
  }

  /**
   * BITCOUNT key [start end [BYTE|BIT]]: Redis's bitcountCommand. An absent key is 0 before any
   * argument is looked at; indexes are inclusive, negative from the end, in bytes or bits.
   */
  static void bitcount(CommandContext c, Request r) {
    byte[] p = read(c, r.arg(1));
    if (p == null) {
      Resp.integer(c.out(), 0);
      return;
    }
    long start;
    long end;
    int firstMask = 0;
    int lastMask = 0;
    int argc = r.argc();
    if (argc == 4 || argc == 5) {
      long total = p.length;
      Long s = integer(c, r.arg(2), NOT_INTEGER);
      if (s == null) {
        return;
      }
      Long e = integer(c, r.arg(3), NOT_INTEGER);
      if (e == null) {
        return;
      }
      start = s;
      end = e;
      if (start < 0 && end < 0 && start > end) {
        Resp.integer(c.out(), 0);
        return;
      }
      boolean isBit = false;
      if (argc == 5) {
        if (word(r.arg(4), "bit")) {
          isBit = true;
        } else if (!word(r.arg(4), "byte")) {
          Resp.error(c.out(), SYNTAX_ERROR);
          return;
        }
      }
      Span span = Span.of(start, end, total, isBit);
      start = span.start();
      end = span.end();
      firstMask = span.firstMask();
      lastMask = span.lastMask();
    } else if (argc == 2) {
      start = 0;
      end = p.length - 1;
    } else {
      Resp.error(c.out(), SYNTAX_ERROR);
      return;
    }
    if (start > end) {
      Resp.integer(c.out(), 0);
      return;
    }
    long count = popcount(p, (int) start, (int) end + 1);
    if (firstMask != 0) {
      count -= Integer.bitCount(p[(int) start] & firstMask);
    }
    if (lastMask != 0) {
      count -= Integer.bitCount(p[(int) end] & lastMask);
    }
    Resp.integer(c.out(), count);
  }

  private static long popcount(byte[] p, int from, int to) {
    long bits = 0;
    int i = from;
    for (; i + 8 <= to; i += 8) {
      bits += Long.bitCount((long) LONGS.get(p, i));
    }
    for (; i < to; i++) {
      bits += Integer.bitCount(p[i] & 0xff);
    }
    return bits;
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

  /**
   * BITPOS key bit [start [end [BYTE|BIT]]]: Redis's bitposCommand. The bit is checked first; an
   * absent key is an endless run of zeros (0 for bit 0, -1 for bit 1) before the range is looked at;
   * without an end, looking for 0 past an all-ones value finds the first bit after it.
   */
  static void bitpos(CommandContext c, Request r) {
    Long bitArg = integer(c, r.arg(2), NOT_INTEGER);
    if (bitArg == null) {
      return;
    }
    if (bitArg != 0 && bitArg != 1) {
      Resp.error(c.out(), "ERR The bit argument must be 1 or 0.");
      return;
    }
    int bit = bitArg.intValue();
    byte[] p = read(c, r.arg(1));
    if (p == null) {
      Resp.integer(c.out(), bit == 1 ? -1 : 0);
      return;
    }
    int argc = r.argc();
    long start;
    long end;
    boolean endGiven = false;
    int firstMask = 0;
    int lastMask = 0;
    if (argc == 4 || argc == 5 || argc == 6) {
      long total = p.length;
      Long s = integer(c, r.arg(3), NOT_INTEGER);
      if (s == null) {
        return;
      }
      start = s;
      boolean isBit = false;
      if (argc == 6) {
        if (word(r.arg(5), "bit")) {
          isBit = true;
        } else if (!word(r.arg(5), "byte")) {
          Resp.error(c.out(), SYNTAX_ERROR);
          return;
        }
      }
      if (argc >= 5) {
        Long e = integer(c, r.arg(4), NOT_INTEGER);
        if (e == null) {
          return;
        }
        end = e;
        endGiven = true;
      } else {
        end = isBit ? (total << 3) + 7 : total - 1;
      }
      Span span = Span.of(start, end, total, isBit);
      start = span.start();
      end = span.end();
      firstMask = span.firstMask();
      lastMask = span.lastMask();
    } else if (argc == 3) {
      start = 0;
      end = p.length - 1;
    } else {
      Resp.error(c.out(), SYNTAX_ERROR);
      return;
    }
    if (start > end) {
      Resp.integer(c.out(), -1);
      return;
    }
    long bytes = end - start + 1;
    long pos;
    found: {
      if (firstMask != 0) {
        int first = bit == 1 ? p[(int) start] & ~firstMask & 0xff : (p[(int) start] | firstMask) & 0xff;
        if (lastMask != 0 && bytes == 1) {
          first = bit == 1 ? first & ~lastMask & 0xff : (first | lastMask) & 0xff;
        }
        pos = bitpos(new byte[] {(byte) first}, 0, 1, bit);
        if (bytes == 1 || (pos != -1 && pos != 8)) {
          break found;
        }
        start++;
        bytes--;
      }
      long whole = bytes - (lastMask != 0 ? 1 : 0);
      if (whole > 0) {
        pos = bitpos(p, (int) start, (int) whole, bit);
        if (bytes == whole || (pos != -1 && pos != whole << 3)) {
          break found;
        }
        start += whole;
        bytes -= whole;
      }
      int last = bit == 1 ? p[(int) end] & ~lastMask & 0xff : (p[(int) end] | lastMask) & 0xff;
      pos = bitpos(new byte[] {(byte) last}, 0, 1, bit);
    }
    if (endGiven && bit == 0 && pos == bytes << 3) {
      Resp.integer(c.out(), -1);
      return;
    }
    if (pos != -1) {
      pos += start << 3;
    }
    Resp.integer(c.out(), pos);
  }

  /**
   * Redis's redisBitpos over {@code count} bytes from {@code from}: the position of the first bit
   * equal to {@code bit}; -1 if looking for 1 and there is none; looking for 0 past all ones, the
   * first bit after the bytes (they are taken as followed by zeros).
   */
  private static long bitpos(byte[] p, int from, int count, int bit) {
    int skip = bit == 1 ? 0 : 0xff;
    for (int i = 0; i < count; i++) {
      int b = p[from + i] & 0xff;
      if (b != skip) {
        for (int k = 0; k < 8; k++) {
          if (((b >> (7 - k)) & 1) == bit) {
            return (long) i * 8 + k;
          }
        }
      }
    }
    return bit == 1 ? -1 : (long) count * 8;
  }

  // ---- BITOP

  /**
   * BITOP AND|OR|XOR|NOT destkey key [key ...]: Redis's bitopCommand. Absent sources are empty
   * strings, shorter ones zero-padded; the result replaces destkey (its TTL dropped, as SET), or
   * deletes it when every source is empty; the reply is its length.
   *
   * <p>Each distinct source is read once and folded into the result over its own length: a key named
   * again changes nothing under AND and OR, and cancels in pairs under XOR (its length still counts).
   * So the work is the distinct sources' bytes, where Redis's byte loop takes the number of sources
   * times the longest: one request naming a 16 MB key thousands of times would otherwise hold the
   * event loop for minutes. Every source named still counts as a keyspace hit or miss, as Redis's
   * lookups do.
   */
  static void bitop(CommandContext c, Request r) {
    byte[] opArg = r.arg(1);
    int op;
    if (word(opArg, "and")) {
      op = 0;
    } else if (word(opArg, "or")) {
      op = 1;
    } else if (word(opArg, "xor")) {
      op = 2;
    } else if (word(opArg, "not")) {
      op = 3;
    } else {
      Resp.error(c.out(), SYNTAX_ERROR);
      return;
    }
    if (op == 3 && r.argc() != 4) {
      Resp.error(c.out(), "ERR BITOP NOT must be called with a single source key.");
      return;
    }
    Map<Key, int[]> sources = new LinkedHashMap<>();
    for (int j = 3; j < r.argc(); j++) {
      sources.computeIfAbsent(c.key(r.arg(j)), k -> new int[1])[0]++;
    }
    int maxValueSize = c.limits().maxValueSize();
    int maxLength = 0;
    byte[] result = null; // the fold so far, as long as the longest source folded in
    for (Map.Entry<Key, int[]> source : sources.entrySet()) {
      byte[] value = c.store().get(source.getKey());
      int named = source.getValue()[0];
      for (int i = 0; i < named; i++) {
        c.lookedUp(value);
      }
      byte[] v = value == null ? EMPTY : value;
      maxLength = Math.max(maxLength, v.length);
      if (maxLength > maxValueSize) {
        continue; // refused below; the other sources are still looked up
      }
      result = fold(op, result, v, named);
    }
    Key dest = c.key(r.arg(2));
    if (maxLength == 0) {
      c.store().delete(dest);
      Resp.integer(c.out(), 0);
      return;
    }
    if (maxLength > maxValueSize) {
      Resp.error(c.out(), tooLarge(c, maxLength));
      return;
    }
    if (result.length < maxLength) {
      result = Arrays.copyOf(result, maxLength); // XOR's sources named an even number of times: zeros
    }
    c.store().put(dest, result, io.ringcache.node.store.Store.NO_TTL, false, io.ringcache.node.store.Store.Condition.ALWAYS);
    Resp.integer(c.out(), maxLength);
  }

  private static final byte[] EMPTY = new byte[0];

  /**
   * Folds one distinct source, named {@code named} times, into {@code result} (null before the
   * first): a fresh array is returned whenever the result grows, the source is never written to (a
   * store may hand out its own array). Bytes past a source's end count as zeros.
   */
  private static byte[] fold(int op, byte[] result, byte[] v, int named) {
    if (op == 3) {
      byte[] not = new byte[v.length];
      for (int i = 0; i < v.length; i++) {
        not[i] = (byte) ~v[i];
      }
      return not;
    }
    if (op == 2 && named % 2 == 0) {
      return result == null ? EMPTY : result; // cancels itself; only its length, counted by the caller
    }
    if (result == null) {
      return v.clone();
    }
    if (v.length > result.length) {
      result = Arrays.copyOf(result, v.length); // under AND the grown part stays zero, as it must
    }
    int n = Math.min(result.length, v.length);
    switch (op) {
      case 0 -> {
        for (int i = 0; i < n; i++) {
          result[i] &= v[i];
        }
        Arrays.fill(result, n, result.length, (byte) 0);
      }
      case 1 -> {
        for (int i = 0; i < n; i++) {
          result[i] |= v[i];
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          result[i] ^= v[i];
        }
      }
    }
    return result;
  }

  // ---- BITFIELD, BITFIELD_RO

  private static final int GET = 0;
  private static final int SET = 1;
  private static final int INCRBY = 2;
  private static final int WRAP = 0;
  private static final int SAT = 1;
  private static final int FAIL = 2;

  /** One BITFIELD operation, as Redis's struct bitfieldOp. */
  private record FieldOp(int opcode, long offset, long value, int overflow, int bits, boolean signed) {}

  static void bitfield(CommandContext c, Request r) {
    bitfield(c, r, false);
  }

  static void bitfieldRo(CommandContext c, Request r) {
    bitfield(c, r, true);
  }

  /**
   * BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]
   * [OVERFLOW WRAP|SAT|FAIL] ... and BITFIELD_RO key [GET type offset] ...: Redis's bitfieldGeneric.
   * Every operation is parsed before the key is touched; with a SET or INCRBY the value is created or
   * zero-padded to the farthest bit written (even when OVERFLOW FAIL then writes nothing), and the
   * operations run in order on it. A failed overflow replies nil for its operation.
   */
  private static void bitfield(CommandContext c, Request r, boolean readOnly) {
    List<FieldOp> ops = new ArrayList<>();
    int overflow = WRAP;
    boolean writes = false;
    long highestWrite = 0;
    int argc = r.argc();
    for (int j = 2; j < argc; j++) {
      int remaining = argc - j - 1;
      byte[] sub = r.arg(j);
      int opcode;
      if (word(sub, "get") && remaining >= 2) {
        opcode = GET;
      } else if (word(sub, "set") && remaining >= 3) {
        opcode = SET;
      } else if (word(sub, "incrby") && remaining >= 3) {
        opcode = INCRBY;
      } else if (word(sub, "overflow") && remaining >= 1) {
        byte[] type = r.arg(++j);
        if (word(type, "wrap")) {
          overflow = WRAP;
        } else if (word(type, "sat")) {
          overflow = SAT;
        } else if (word(type, "fail")) {
          overflow = FAIL;
        } else {
          Resp.error(c.out(), "ERR Invalid OVERFLOW type specified");
          return;
        }
        continue;
      } else {
        Resp.error(c.out(), SYNTAX_ERROR);
        return;
      }
      byte[] type = r.arg(j + 1);
      boolean signed;
      if (type.length > 0 && type[0] == 'i') {
        signed = true;
      } else if (type.length > 0 && type[0] == 'u') {
        signed = false;
      } else {
        Resp.error(c.out(), BITFIELD_TYPE_ERROR);
        return;
      }
      long bits;
      try {
        bits = Decimal.parseLong(type, 1, cLength(type, 1));
      } catch (NumberFormatException e) {
        bits = 0;
      }
      if (bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) {
        Resp.error(c.out(), BITFIELD_TYPE_ERROR);
        return;
      }
      long offset = bitOffset(c, r.arg(j + 2), (int) bits);
      if (offset == INVALID) {
        return;
      }
      long value = 0;
      if (opcode != GET) {
        writes = true;
        highestWrite = Math.max(highestWrite, offset + bits - 1);
        Long v = integer(c, r.arg(j + 3), NOT_INTEGER);
        if (v == null) {
          return;
        }
        value = v;
      }
      ops.add(new FieldOp(opcode, offset, value, overflow, (int) bits, signed));
      j += 3 - (opcode == GET ? 1 : 0);
    }
    if (!writes) {
      byte[] value = read(c, r.arg(1));
      ByteBuf out = c.out();
      Resp.arrayHeader(out, ops.size());
      for (FieldOp op : ops) {
        long field = getField(value, op.offset(), op.bits());
        Resp.integer(out, op.signed() ? signExtend(field, op.bits()) : field);
      }
      return;
    }
    if (readOnly) {
      Resp.error(c.out(), "ERR BITFIELD_RO only supports the GET subcommand");
      return;
    }
    long needed = (highestWrite >> 3) + 1;
    int max = c.limits().maxValueSize();
    long[] replies = new long[ops.size()];
    boolean[] nil = new boolean[ops.size()];
    long[] refused = {-1};
    c.store().update(c.key(r.arg(1)), old -> {
      refused[0] = -1; // a store may run the update again
      int length = old == null ? 0 : old.length;
      if (needed > length && needed > max) {
        refused[0] = needed;
        return null;
      }
      boolean dirty = old == null || needed > length;
      byte[] p = java.util.Arrays.copyOf(old == null ? new byte[0] : old, (int) Math.max(needed, length));
      int changes = 0;
      for (int i = 0; i < replies.length; i++) {
        FieldOp op = ops.get(i);
        nil[i] = false;
        if (op.opcode() == GET) {
          long field = getField(p, op.offset(), op.bits());
          replies[i] = op.signed() ? signExtend(field, op.bits()) : field;
          continue;
        }
        long oldValue = getField(p, op.offset(), op.bits());
        long newValue;
        long reply;
        boolean overflowed;
        if (op.signed()) {
          oldValue = signExtend(oldValue, op.bits());
          long[] wrapped = new long[1];
          if (op.opcode() == INCRBY) {
            overflowed = signedOverflow(oldValue, op.value(), op.bits(), op.overflow(), wrapped) != 0;
            newValue = overflowed ? wrapped[0] : oldValue + op.value();
            reply = newValue;
          } else {
            newValue = op.value();
            overflowed = signedOverflow(newValue, 0, op.bits(), op.overflow(), wrapped) != 0;
            if (overflowed) {
              newValue = wrapped[0];
            }
            reply = oldValue;
          }
        } else {
          long[] wrapped = new long[1];
          if (op.opcode() == INCRBY) {
            newValue = oldValue + op.value();
            overflowed = unsignedOverflow(oldValue, op.value(), op.bits(), op.overflow(), wrapped) != 0;
            if (overflowed) {
              newValue = wrapped[0];
            }
            reply = newValue;
          } else {
            newValue = op.value();
            overflowed = unsignedOverflow(newValue, 0, op.bits(), op.overflow(), wrapped) != 0;
            if (overflowed) {
              newValue = wrapped[0];
            }
            reply = oldValue;
          }
        }
        if (overflowed && op.overflow() == FAIL) {
          nil[i] = true;
          continue;
        }
        replies[i] = reply;
        setField(p, op.offset(), op.bits(), newValue);
        if (dirty || oldValue != newValue) {
          changes++;
        }
      }
      return dirty || changes > 0 ? p : null;
    });
    if (refused[0] >= 0) {
      Resp.error(c.out(), tooLarge(c, refused[0]));
      return;
    }
    ByteBuf out = c.out();
    Resp.arrayHeader(out, replies.length);
    for (int i = 0; i < replies.length; i++) {
      if (nil[i]) {
        Resp.nil(out);
      } else {
        Resp.integer(out, replies[i]);
      }
    }
  }

  /** The {@code bits}-bit unsigned field at bit {@code offset} of {@code p} (bits past its end read 0). */
  private static long getField(byte[] p, long offset, int bits) {
    long value = 0;
    for (int j = 0; j < bits; j++, offset++) {
      long index = offset >> 3;
      int bit = p != null && index < p.length ? (p[(int) index] >> (7 - (int) (offset & 7))) & 1 : 0;
      value = (value << 1) | bit;
    }
    return value;
  }

  /** Writes the low {@code bits} bits of {@code value} at bit {@code offset} of {@code p}, which holds them. */
  private static void setField(byte[] p, long offset, int bits, long value) {
    for (int j = 0; j < bits; j++, offset++) {
      int bit = (int) ((value >>> (bits - 1 - j)) & 1);
      int index = (int) (offset >> 3);
      int shift = 7 - (int) (offset & 7);
      p[index] = (byte) ((p[index] & ~(1 << shift)) | (bit << shift));
    }
  }

  /** The {@code bits}-bit two's complement {@code field} as a long (Redis's getSignedBitfield). */
  private static long signExtend(long field, int bits) {
    if (bits < 64 && (field & (1L << (bits - 1))) != 0) {
      field |= -1L << bits;
    }
    return field;
  }

  /**
   * Redis's checkUnsignedBitfieldOverflow ({@code value} unsigned, {@code bits} at most 63): 1 on
   * overflow, -1 on underflow, 0 if {@code value + incr} fits; on overflow {@code limit[0]} is what
   * WRAP or SAT stores.
   */
  private static int unsignedOverflow(long value, long incr, int bits, int owtype, long[] limit) {
    long max = (1L << bits) - 1;
    long maxIncr = max - value;
    long minIncr = -value;
    if (Long.compareUnsigned(value, max) > 0 || (incr > 0 && incr > maxIncr)) {
      if (owtype == WRAP) {
        limit[0] = (value + incr) & ~(-1L << bits);
      } else if (owtype == SAT) {
        limit[0] = max;
      }
      return 1;
    } else if (incr < 0 && incr < minIncr) {
      if (owtype == WRAP) {
        limit[0] = (value + incr) & ~(-1L << bits);
      } else if (owtype == SAT) {
        limit[0] = 0;
      }
      return -1;
    }
    return 0;
  }

  /** Redis's checkSignedBitfieldOverflow: as {@link #unsignedOverflow} for a signed field of 1 to 64 bits. */
  private static int signedOverflow(long value, long incr, int bits, int owtype, long[] limit) {
    long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
    long min = -max - 1;
    long maxIncr = max - value;
    long minIncr = min - value;
    int result;
    if (value > max || (bits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr)) {
      result = 1;
      if (owtype == SAT) {
        limit[0] = max;
      }
    } else if (value < min || (bits != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr)) {
      result = -1;
      if (owtype == SAT) {
        limit[0] = min;
      }
    } else {
      return 0;
    }
    if (owtype == WRAP) {
      long sum = value + incr;
      if (bits < 64) {
        long mask = -1L << bits;
        sum = (sum & (1L << (bits - 1))) != 0 ? sum | mask : sum & ~mask;
      }
      limit[0] = sum;
    }
    return result;
  }

  // ---- LCS

  /**
   * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: Redis's lcsCommand. Absent keys are
   * empty strings; the options are checked after the keys are read. Redis bounds the transient
   * table ((len1 + 1) x (len2 + 1) 32-bit cells) by proto-max-bulk-len; a node bounds it by
   * max-value-size, so that one request cannot hold a worker loop or the heap for long
   * (docs/protocol.md).
   */
  static void lcs(CommandContext c, Request r) {
    byte[] a = read(c, r.arg(1));
    byte[] b = read(c, r.arg(2));
    a = a == null ? new byte[0] : a;
    b = b == null ? new byte[0] : b;
    boolean getLen = false;
    boolean getIdx = false;
    boolean withMatchLen = false;
    long minMatchLen = 0;
    for (int j = 3; j < r.argc(); j++) {
      byte[] opt = r.arg(j);
      boolean more = r.argc() - 1 - j > 0;
      if (word(opt, "idx")) {
        getIdx = true;
      } else if (word(opt, "len")) {
        getLen = true;
      } else if (word(opt, "withmatchlen")) {
        withMatchLen = true;
      } else if (word(opt, "minmatchlen") && more) {
        Long n = integer(c, r.arg(j + 1), NOT_INTEGER);
        if (n == null) {
          return;
        }
        minMatchLen = Math.max(0, n);
        j++;
      } else {
        Resp.error(c.out(), SYNTAX_ERROR);
        return;
      }
    }
    if (getLen && getIdx) {
      Resp.error(c.out(), "ERR If you want both the length and indexes, please just use IDX.");
      return;
    }
    int alen = a.length;
    int blen = b.length;
    long cells = (long) (alen + 1) * (blen + 1);
    long tableBytes = cells * 4;
    int max = c.limits().maxValueSize();
    if (tableBytes > max) {
      Resp.error(c.out(), "ERR Insufficient memory, transient memory for LCS exceeds max-value-size (" + tableBytes
          + " bytes, expected: <= " + max + ")");
      return;
    }
    int width = blen + 1;
    int[] lcs = new int[(int) cells];
    for (int i = 1; i <= alen; i++) {
      for (int j = 1; j <= blen; j++) {
        if (a[i - 1] == b[j - 1]) {
          lcs[j + i * width] = lcs[(j - 1) + (i - 1) * width] + 1;
        } else {
          int lcs1 = lcs[j + (i - 1) * width];
          int lcs2 = lcs[(j - 1) + i * width];
          lcs[j + i * width] = Math.max(lcs1, lcs2);
        }
      }
    }
    int length = lcs[blen + alen * width];
    boolean compute = getIdx || !getLen;
    byte[] result = compute ? new byte[length] : null;
    List<long[]> matches = new ArrayList<>();
    int idx = length;
    int aStart = alen; // alen: no range under way
    int aEnd = 0;
    int bStart = 0;
    int bEnd = 0;
    int i = alen;
    int j = blen;
    while (compute && i > 0 && j > 0) {
      boolean emit = false;
      if (a[i - 1] == b[j - 1]) {
        result[idx - 1] = a[i - 1];
        if (aStart == alen) {
          aStart = i - 1;
          aEnd = i - 1;
          bStart = j - 1;
          bEnd = j - 1;
        } else if (aStart == i && bStart == j) {
          aStart--;
          bStart--;
        } else {
          emit = true;
        }
        if (aStart == 0 || bStart == 0) {
          emit = true;
        }
        idx--;
        i--;
        j--;
      } else {
        int lcs1 = lcs[j + (i - 1) * width];
        int lcs2 = lcs[(j - 1) + i * width];
        if (lcs1 > lcs2) {
          i--;
        } else {
          j--;
        }
        if (aStart != alen) {
          emit = true;
        }
      }
      long matchLen = (long) aEnd - aStart + 1;
      if (emit) {
        if (getIdx && (minMatchLen == 0 || matchLen >= minMatchLen)) {
          matches.add(new long[] {aStart, aEnd, bStart, bEnd, matchLen});
        }
        aStart = alen;
      }
    }
    ByteBuf out = c.out();
    if (getIdx) {
      Resp.arrayHeader(out, 4);
      Resp.bulk(out, "matches");
      Resp.arrayHeader(out, matches.size());
      for (long[] m : matches) {
        Resp.arrayHeader(out, withMatchLen ? 3 : 2);
        Resp.arrayHeader(out, 2);
        Resp.integer(out, m[0]);
        Resp.integer(out, m[1]);
        Resp.arrayHeader(out, 2);
        Resp.integer(out, m[2]);
        Resp.integer(out, m[3]);
        if (withMatchLen) {
          Resp.integer(out, m[4]);
        }
      }
      Resp.bulk(out, "len");
      Resp.integer(out, length);
    } else if (getLen) {
      Resp.integer(out, length);
    } else {
      Resp.bulk(out, result);
    }
  }
}
