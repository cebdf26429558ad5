package io.ringcache.node;

import static io.ringcache.resp.Request.is;
import static io.ringcache.node.Commands.NANOS_PER_MS;
import static io.ringcache.node.Commands.NOT_INTEGER;
import static io.ringcache.node.Commands.SYNTAX_ERROR;
import static io.ringcache.node.Commands.echoError;
import static io.ringcache.node.Commands.echoed;
import static io.ringcache.node.Commands.wrongArity;

import io.netty.buffer.ByteBuf;
import io.ringcache.node.store.Clock;
import io.ringcache.resp.Decimal;
import io.ringcache.node.store.Key;
import io.ringcache.node.store.Store;
import io.ringcache.resp.Glob;
import io.ringcache.resp.Request;
import io.ringcache.resp.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The keys-and-strings family: GET, SET and the other string commands, the expiry commands, SCAN, KEYS, RENAME, COPY, RANDOMKEY. */
final class KeyCommands {

  private static final Logger log = LoggerFactory.getLogger(KeyCommands.class);

  private KeyCommands() {}

  private static boolean valueTooLarge(CommandContext c, byte[] value) {
    return valueTooLarge(c, value.length);
  }

  private static boolean valueTooLarge(CommandContext c, int length) {
    int max = c.limits().maxValueSize();
    if (length > max) {
      Resp.error(c.out(), "ERR value too large: " + length + " bytes (expected: <= " + max + ", max-value-size)");
      return true;
    }
    return false;
  }

  // SET's and GETEX's options (Redis 7.0's parseExtendedStringArgumentsOrReply)
  private static final int OPT_NX = 1;
  private static final int OPT_XX = 1 << 1;
  private static final int OPT_GET = 1 << 2;
  private static final int OPT_KEEPTTL = 1 << 3;
  private static final int OPT_PERSIST = 1 << 4;
  private static final int OPT_EX = 1 << 5;
  private static final int OPT_PX = 1 << 6;
  private static final int OPT_EXAT = 1 << 7;
  private static final int OPT_PXAT = 1 << 8;
  private static final int OPT_EXPIRY = OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT;

  /** The options of SET (from argument 3) or GETEX (from argument 2), and the expiry's argument. */
  private record StringOptions(int flags, byte[] expire) {
    boolean has(int flag) {
      return (flags & flag) != 0;
    }
  }

  /** No options: a plain SET allocates nothing for them. */
  private static final StringOptions NO_OPTIONS = new StringOptions(0, null);

  /**
   * Parses SET's or GETEX's options exactly as Redis 7.0 does: a repeated option is accepted (the
   * last expiry wins) unless it conflicts with another one, and any conflict or unknown word is
   * {@code ERR syntax error}. Replies the error and returns null on a bad option; the expiry's
   * number is checked later, as in Redis.
   */
  private static StringOptions stringOptions(CommandContext c, Request r, boolean set) {
    int flags = 0;
    byte[] expire = null;
    for (int j = set ? 3 : 2; j < r.argc(); j++) {
      byte[] opt = r.arg(j);
      boolean next = j < r.argc() - 1;
      int expiry = is(opt, "ex") ? OPT_EX : is(opt, "px") ? OPT_PX : is(opt, "exat") ? OPT_EXAT : is(opt, "pxat") ? OPT_PXAT : 0;
      if (set && is(opt, "nx") && (flags & OPT_XX) == 0) {
        flags |= OPT_NX;
      } else if (set && is(opt, "xx") && (flags & OPT_NX) == 0) {
        flags |= OPT_XX;
      } else if (set && is(opt, "get")) {
        flags |= OPT_GET;
      } else if (set && is(opt, "keepttl") && (flags & (OPT_PERSIST | OPT_EXPIRY)) == 0) {
        flags |= OPT_KEEPTTL;
      } else if (!set && is(opt, "persist") && (flags & (OPT_KEEPTTL | OPT_EXPIRY)) == 0) {
        flags |= OPT_PERSIST;
      } else if (expiry != 0 && next && (flags & (OPT_KEEPTTL | OPT_PERSIST | (OPT_EXPIRY & ~expiry))) == 0) {
        flags |= expiry;
        expire = r.arg(++j);
      } else {
        Resp.error(c.out(), SYNTAX_ERROR);
        return null;
      }
    }
    return flags == 0 && expire == null ? NO_OPTIONS : new StringOptions(flags, expire);
  }

  /** Returned by {@link #expireAtMillis} when it replied an error. */
  private static final long INVALID = Long.MIN_VALUE;

  /**
   * The absolute expiry in Unix ms of SET's, SETEX's or GETEX's expiry argument, as Redis 7.0's
   * getExpireMillisecondsOrReply computes it: the number must be positive, and the expiry must not
   * overflow a signed 64-bit count of ms (Redis adds the clock to a relative one and refuses a
   * result that wrapped). Replies the error and returns {@link #INVALID} otherwise.
   */
  private static long expireAtMillis(CommandContext c, byte[] arg, int flags, long now, String command) {
    long ms;
    try {
      ms = Decimal.parseLong(arg);
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
      return INVALID;
    }
    boolean seconds = (flags & (OPT_EX | OPT_EXAT)) != 0;
    if (ms <= 0 || (seconds && ms > Long.MAX_VALUE / 1000)) {
      Resp.error(c.out(), invalidExpireTime(command));
      return INVALID;
    }
    if (seconds) {
      ms *= 1000;
    }
    if ((flags & (OPT_EX | OPT_PX)) != 0) {
      ms += now; // wraps on overflow, as in Redis, and is refused below
    }
    if (ms <= 0) {
      Resp.error(c.out(), invalidExpireTime(command));
      return INVALID;
    }
    return ms;
  }

  private static String invalidExpireTime(String command) {
    return "ERR invalid expire time in '" + command + "' command";
  }

  /**
   * The deadline (an instant of the store's monotonic clock) of the expiry {@code whenMs} (Unix ms,
   * as Redis computes it: for a relative form, {@code nowMs} plus the duration), {@code nowMs} and
   * {@code mono} being the one clock reading the command made and {@code offset} the clock's
   * wall offset. A relative expiry counts its duration from {@code mono}; an absolute one is the
   * instant {@code whenMs} itself. Either way PEXPIRETIME ({@link #expiretime}) reads back exactly
   * {@code whenMs}, as in Redis, with no second reading that a pause could shift. A duration of
   * Store.MAX_TTL_NANOS or more is kept as that (docs/protocol.md).
   */
  private static long deadline(long whenMs, long nowMs, long mono, long offset, boolean relative) {
    long ms = whenMs - nowMs; // no overflow: nowMs is positive
    if (ms >= Store.MAX_TTL_NANOS / NANOS_PER_MS) {
      return mono + Store.MAX_TTL_NANOS;
    }
    return relative ? mono + ms * NANOS_PER_MS : whenMs * NANOS_PER_MS - offset;
  }

  /** The Unix ms of the monotonic instant {@code mono}, for a clock of wall offset {@code offset}. */
  static long unixMillis(long mono, long offset) {
    return Math.floorDiv(mono + offset, NANOS_PER_MS);
  }

  static void get(CommandContext c, Request r) {
    byte[] key = c.borrowKey(r, 1);
    if (!c.lookedUp(c.store().writeBulk(key, c.keyHash(key), c.out()))) {
      Resp.nil(c.out());
    }
  }

  static void getdel(CommandContext c, Request r) {
    Resp.bulk(c.out(), c.store().remove(c.key(r.arg(1))));
  }

  static void set(CommandContext c, Request r) {
    StringOptions options = stringOptions(c, r, true);
    if (options == null) {
      return;
    }
    if (valueTooLarge(c, r.argLength(2))) {
      return;
    }
    long deadline = Store.NO_DEADLINE;
    if (options.expire() != null) {
      Clock clock = c.store().clock();
      long offset = clock.wallOffsetNanos();
      long mono = clock.nanoTime();
      long now = unixMillis(mono, offset);
      long at = expireAtMillis(c, options.expire(), options.flags(), now, "set");
      if (at == INVALID) {
        return;
      }
      deadline = deadline(at, now, mono, offset, options.has(OPT_EX | OPT_PX));
    }
    Store.Condition condition = options.has(OPT_NX) ? Store.Condition.IF_ABSENT
        : options.has(OPT_XX) ? Store.Condition.IF_PRESENT : Store.Condition.ALWAYS;
    boolean keepTtl = options.has(OPT_KEEPTTL);
    boolean stored;
    if (options.has(OPT_GET)) {
      Resp.bulk(c.out(), c.store().setUntil(c.key(r.arg(1)), r.arg(2), deadline, keepTtl, condition).previous());
      return;
    } else if (r.argBuffer(2) != null) {
      // the value goes from the read buffer into the store in one copy; the key is borrowed (no Key, no array)
      byte[] key = c.borrowKey(r, 1);
      stored = c.store().putUntil(key, c.keyHash(key), r.argBuffer(2), r.argIndex(2), r.argLength(2), deadline,
          keepTtl, condition);
    } else {
      stored = c.store().putUntil(c.key(r.arg(1)), r.arg(2), deadline, keepTtl, condition);
    }
    if (stored) {
      Resp.raw(c.out(), Resp.OK);
    } else {
      Resp.nil(c.out());
    }
  }

  /** SETEX key seconds value / PSETEX key milliseconds value: SET with EX / PX, as Redis. */
  static void setex(CommandContext c, Request r, long unitMillis, String name) {
    Clock clock = c.store().clock();
    long offset = clock.wallOffsetNanos();
    long mono = clock.nanoTime();
    long now = unixMillis(mono, offset);
    long at = expireAtMillis(c, r.arg(2), unitMillis == 1000 ? OPT_EX : OPT_PX, now, name);
    if (at == INVALID) {
      return;
    }
    byte[] value = r.arg(3);
    if (valueTooLarge(c, value)) {
      return;
    }
    c.store().putUntil(c.key(r.arg(1)), value, deadline(at, now, mono, offset, true), false, Store.Condition.ALWAYS);
    Resp.raw(c.out(), Resp.OK);
  }

  /**
   * MGET: the values are looked up and their reply size added up before anything is written; a
   * reply larger than max-output-buffer is refused with an error (Redis builds it and then closes
   * the connection). At most max-output-buffer plus one value is held meanwhile.
   */
  static void mget(CommandContext c, Request r) {
    Store store = c.store();
    int n = r.argc() - 1;
    byte[][] values = new byte[n][];
    long bytes = arrayHeaderBytes(n);
    long budget = replyBudget(c);
    for (int i = 0; i < n; i++) {
      byte[] value = store.get(c.key(r.arg(i + 1)));
      values[i] = value;
      bytes += bulkBytes(value);
      if (bytes > budget) {
        replyTooLarge(c, "mget", bytes, i + 1, n);
        return;
      }
    }
    ByteBuf out = c.out();
    Resp.arrayHeader(out, n);
    for (byte[] value : values) {
      Resp.bulk(out, c.lookedUp(value));
    }
  }

  /**
   * Bytes one reply may take: max-output-buffer. (Replies of many commands that add up past it,
   * for a client that does not read, close the connection as before: that is a slow reader, not
   * one request too large.)
   */
  static long replyBudget(CommandContext c) {
    return c.limits().maxOutputBuffer();
  }

  /** The size of a RESP array header of {@code n} elements. */
  static long arrayHeaderBytes(long n) {
    return 3 + Long.toString(n).length();
  }

  /** The size of a RESP bulk string (or a nil for null). */
  static long bulkBytes(byte[] value) {
    return value == null ? 5 : 5 + Integer.toString(value.length).length() + value.length;
  }

  private static final io.ringcache.resp.net.LogThrottle REPLY_TOO_LARGE_LOG = io.ringcache.resp.net.LogThrottle.tenSeconds();

  /** Answers the error for a reply refused before it was built, and counts and logs it (one line per 10 s). */
  static void replyTooLarge(CommandContext c, String command, long bytes, int counted, int total) {
    long max = c.limits().maxOutputBuffer();
    c.stats().repliesTooLarge.increment();
    long leftOut = REPLY_TOO_LARGE_LOG.admit();
    if (leftOut >= 0) {
      log.warn("refused {} reply to {}: {} bytes after {} of {} elements (expected: <= {}, max-output-buffer){}",
          command, c.describe(), bytes, counted, total, max, io.ringcache.resp.net.LogThrottle.leftOut(leftOut));
    }
    Resp.error(c.out(), "ERR reply too large: " + (counted < total ? "more than " : "") + bytes + " bytes for '"
        + command + "' (expected: <= " + max + ", max-output-buffer)");
  }

  /** GETSET key value: SET (the TTL cleared) replying the previous value or nil, as Redis. */
  static void getset(CommandContext c, Request r) {
    byte[] value = r.arg(2);
    if (valueTooLarge(c, value)) {
      return;
    }
    Resp.bulk(c.out(), c.store().set(c.key(r.arg(1)), value, Store.NO_TTL, false, Store.Condition.ALWAYS).previous());
  }

  /**
   * GETEX key [EX s|PX ms|EXAT unix-s|PXAT unix-ms|PERSIST], as Redis 7.0's getexCommand: the options
   * parse first (a syntax error even for an absent key), an absent key is nil whatever the expiry,
   * then the expiry is checked; the value is replied and the TTL set (an EXAT/PXAT in the past
   * deletes the key) or removed (PERSIST).
   */
  static void getex(CommandContext c, Request r) {
    StringOptions options = stringOptions(c, r, false);
    if (options == null) {
      return;
    }
    Key key = c.key(r.arg(1));
    Store store = c.store();
    byte[] value = store.get(key);
    if (value == null) {
      Resp.bulk(c.out(), c.lookedUp(null));
      return;
    }
    if (options.expire() != null) {
      Clock clock = store.clock();
      long offset = clock.wallOffsetNanos();
      long mono = clock.nanoTime();
      long now = unixMillis(mono, offset);
      long at = expireAtMillis(c, options.expire(), options.flags(), now, "getex");
      if (at == INVALID) {
        return;
      }
      Resp.bulk(c.out(), c.lookedUp(value));
      if (at <= now) {
        store.delete(key);
      } else {
        store.expireUntil(key, deadline(at, now, mono, offset, options.has(OPT_EX | OPT_PX)));
      }
      return;
    }
    Resp.bulk(c.out(), c.lookedUp(value));
    if (options.has(OPT_PERSIST)) {
      store.expire(key, Store.NO_TTL);
    }
  }

  /** SETNX key value: :1 if the key was absent and is now set, else :0. */
  static void setnx(CommandContext c, Request r) {
    byte[] value = r.arg(2);
    if (valueTooLarge(c, value)) {
      return;
    }
    boolean stored = c.store().put(c.key(r.arg(1)), value, Store.NO_TTL, false, Store.Condition.IF_ABSENT);
    Resp.integer(c.out(), stored ? 1 : 0);
  }

  /**
   * MSETNX key value [key value ...]: :1 and every key set if none was present, else :0 and nothing
   * set. Atomic against requests on this connection and against other commands' checks only as far
   * as each key is set with IF_ABSENT: a concurrent writer of one of the keys between the check and
   * the sets makes that key keep its value (docs/protocol.md).
   */
  static void msetnx(CommandContext c, Request r) {
    if (!keyValuePairs(c, r, "msetnx")) {
      return;
    }
    Store store = c.store();
    for (int i = 1; i < r.argc(); i += 2) {
      if (store.contains(c.key(r.arg(i)))) {
        Resp.integer(c.out(), 0);
        return;
      }
    }
    for (int i = 1; i < r.argc(); i += 2) {
      store.put(c.key(r.arg(i)), r.arg(i + 1), Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    Resp.integer(c.out(), 1);
  }

  static void strlen(CommandContext c, Request r) {
    byte[] value = c.store().get(c.key(r.arg(1)));
    Resp.integer(c.out(), value == null ? 0 : value.length);
  }

  /** The error for a string that would grow beyond max-value-size (APPEND, SETRANGE, and the bit commands). */
  static String stringTooLarge(CommandContext c, long size) {
    return "ERR string exceeds maximum allowed size (" + size + " bytes, expected: <= "
        + c.limits().maxValueSize() + ", max-value-size)";
  }

  /** APPEND key value: the length after appending (an absent key is created), the TTL kept. */
  static void append(CommandContext c, Request r) {
    byte[] suffix = r.arg(2);
    int max = c.limits().maxValueSize();
    if (suffix.length > max) {
      Resp.error(c.out(), stringTooLarge(c, suffix.length));
      return;
    }
    long[] tooLarge = {-1};
    byte[] result = c.store().update(c.key(r.arg(1)), old -> {
      if (old == null) {
        return suffix; // values handed to the store are kept as they are: the request's copy
      }
      if (suffix.length == 0) {
        return null;
      }
      long size = (long) old.length + suffix.length;
      if (size > max) {
        tooLarge[0] = size;
        return null;
      }
      byte[] joined = java.util.Arrays.copyOf(old, (int) size);
      System.arraycopy(suffix, 0, joined, old.length, suffix.length);
      return joined;
    });
    if (tooLarge[0] >= 0) {
      Resp.error(c.out(), stringTooLarge(c, tooLarge[0]));
    } else {
      if (suffix.length == 0) {
        c.watches().signalModified(c.key(r.arg(1))); // Redis counts an empty APPEND as a change (WATCH)
      }
      Resp.integer(c.out(), result.length);
    }
  }

  /** GETRANGE key start end (and SUBSTR): Redis 7.0's getrangeCommand, indexes inclusive, negative from the end. */
  static void getrange(CommandContext c, Request r) {
    long start;
    long end;
    try {
      start = Decimal.parseLong(r.arg(2));
      end = Decimal.parseLong(r.arg(3));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
      return;
    }
    byte[] value = c.store().get(c.key(r.arg(1)));
    long length = value == null ? 0 : value.length;
    if (value == null || (start < 0 && end < 0 && start > end)) {
      Resp.bulk(c.out(), new byte[0]);
      return;
    }
    if (start < 0) {
      start = length + start;
    }
    if (end < 0) {
      end = length + end;
    }
    start = Math.max(start, 0);
    end = Math.max(end, 0);
    if (end >= length) {
      end = length - 1;
    }
    if (start > end || length == 0) {
      Resp.bulk(c.out(), new byte[0]);
    } else {
      Resp.bulk(c.out(), java.util.Arrays.copyOfRange(value, (int) start, (int) end + 1));
    }
  }

  /**
   * SETRANGE key offset value: Redis 7.0's setrangeCommand: overwrites from offset, padding with
   * zero bytes; an empty value changes nothing (and creates nothing); replies the length after.
   */
  static void setrange(CommandContext c, Request r) {
    long offset;
    try {
      offset = Decimal.parseLong(r.arg(2));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
      return;
    }
    if (offset < 0) {
      Resp.error(c.out(), "ERR offset is out of range");
      return;
    }
    byte[] patch = r.arg(3);
    int max = c.limits().maxValueSize();
    long size = offset + patch.length;
    if (patch.length == 0) {
      byte[] value = c.store().get(c.key(r.arg(1)));
      Resp.integer(c.out(), value == null ? 0 : value.length);
      return;
    }
    if (offset > max || size > max) {
      Resp.error(c.out(), stringTooLarge(c, size < 0 ? offset : size));
      return;
    }
    byte[] result = c.store().update(c.key(r.arg(1)), old -> {
      byte[] next = java.util.Arrays.copyOf(old == null ? new byte[0] : old, (int) Math.max(size, old == null ? 0 : old.length));
      System.arraycopy(patch, 0, next, (int) offset, patch.length);
      return next;
    });
    Resp.integer(c.out(), result.length);
  }

  /**
   * Whether MSET's or MSETNX's arguments are key-value pairs whose values fit max-value-size; if not,
   * the error is replied and nothing may be stored.
   */
  private static boolean keyValuePairs(CommandContext c, Request r, String command) {
    if ((r.argc() & 1) == 0) {
      wrongArity(c, command);
      return false;
    }
    for (int i = 2; i < r.argc(); i += 2) {
      if (valueTooLarge(c, r.arg(i))) {
        return false;
      }
    }
    return true;
  }

  static void mset(CommandContext c, Request r) {
    if (!keyValuePairs(c, r, "mset")) {
      return;
    }
    Store store = c.store();
    for (int i = 1; i < r.argc(); i += 2) {
      store.put(c.key(r.arg(i)), r.arg(i + 1), Store.NO_TTL, false, Store.Condition.ALWAYS);
    }
    Resp.raw(c.out(), Resp.OK);
  }

  static void del(CommandContext c, Request r) {
    Store store = c.store();
    long removed = 0;
    for (int i = 1; i < r.argc(); i++) {
      if (store.delete(c.key(r.arg(i)))) {
        removed++;
      }
    }
    Resp.integer(c.out(), removed);
  }

  static void exists(CommandContext c, Request r) {
    Store store = c.store();
    long found = 0;
    for (int i = 1; i < r.argc(); i++) {
      if (store.contains(c.key(r.arg(i)))) {
        found++;
      }
    }
    Resp.integer(c.out(), found);
  }

  static void type(CommandContext c, Request r) {
    Resp.simple(c.out(), c.store().contains(c.key(r.arg(1))) ? "string" : "none");
  }

  /**
   * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, as Redis 7.0's expireGenericCommand: the options are
   * checked before the number; the absolute expiry in ms must not overflow a signed 64-bit count
   * (else {@code invalid expire time}); one at or before now deletes the key (reply 1). NX/XX/GT/LT
   * compare with the key's current expiry (none counts as infinite). A TTL beyond
   * Store.MAX_TTL_NANOS is kept as that (docs/protocol.md).
   */
  static void expire(CommandContext c, Request r, long unitMs, boolean absolute, String name) {
    boolean nx = false;
    boolean xx = false;
    boolean gt = false;
    boolean lt = false;
    for (int i = 3; i < r.argc(); i++) {
      byte[] opt = r.arg(i);
      if (is(opt, "nx")) {
        nx = true;
      } else if (is(opt, "xx")) {
        xx = true;
      } else if (is(opt, "gt")) {
        gt = true;
      } else if (is(opt, "lt")) {
        lt = true;
      } else {
        echoError(c, "ERR Unsupported option " + echoed(r, i));
        return;
      }
    }
    if (nx && (xx || gt || lt)) {
      Resp.error(c.out(), "ERR NX and XX, GT or LT options at the same time are not compatible");
      return;
    }
    if (gt && lt) {
      Resp.error(c.out(), "ERR GT and LT options at the same time are not compatible");
      return;
    }
    long when;
    try {
      when = Decimal.parseLong(r.arg(2));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
      return;
    }
    if (unitMs == 1000) {
      if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
        Resp.error(c.out(), invalidExpireTime(name));
        return;
      }
      when *= 1000;
    }
    Store store = c.store();
    Clock clock = store.clock();
    long offset = clock.wallOffsetNanos();
    long mono = clock.nanoTime();
    long now = unixMillis(mono, offset);
    long base = absolute ? 0 : now;
    if (when > Long.MAX_VALUE - base) {
      Resp.error(c.out(), invalidExpireTime(name));
      return;
    }
    when += base;
    Key key = c.key(r.arg(1));
    long current = store.deadline(key);
    if (current == Store.ABSENT) {
      Resp.integer(c.out(), 0);
      return;
    }
    // compared in Unix ms, as Redis compares its stored expiry (what PEXPIRETIME answers)
    boolean hasTtl = current != Store.NO_DEADLINE;
    long currentMs = hasTtl ? unixMillis(current, offset) : 0;
    if ((nx && hasTtl) || (xx && !hasTtl) || (gt && (!hasTtl || when <= currentMs)) || (lt && hasTtl && when >= currentMs)) {
      Resp.integer(c.out(), 0);
      return;
    }
    if (when <= now) {
      store.delete(key); // Redis deletes a key whose new expiry has passed, and answers 1
      Resp.integer(c.out(), 1);
      return;
    }
    Resp.integer(c.out(), store.expireUntil(key, deadline(when, now, mono, offset, !absolute)) ? 1 : 0);
  }

  static void ttl(CommandContext c, Request r, boolean seconds) {
    long nanos = c.store().ttlNanos(c.key(r.arg(1)));
    if (nanos < 0) {
      Resp.integer(c.out(), nanos == Store.NO_TTL ? -1 : -2);
      return;
    }
    long ms = (nanos + NANOS_PER_MS / 2) / NANOS_PER_MS;
    Resp.integer(c.out(), seconds ? (ms + 500) / 1000 : ms);
  }

  static void persist(CommandContext c, Request r) {
    Key key = c.key(r.arg(1));
    Store store = c.store();
    long ttl = store.ttlNanos(key);
    Resp.integer(c.out(), ttl >= 0 && store.expire(key, Store.NO_TTL) ? 1 : 0);
  }

  static void incrby(CommandContext c, Request r, boolean negate) {
    long delta;
    try {
      delta = Decimal.parseLong(r.arg(2));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
      return;
    }
    if (negate) {
      if (delta == Long.MIN_VALUE) {
        Resp.error(c.out(), "ERR decrement would overflow");
        return;
      }
      delta = -delta;
    }
    increment(c, r.arg(1), delta);
  }

  static void increment(CommandContext c, byte[] key, long delta) {
    try {
      Resp.integer(c.out(), c.store().increment(c.key(key), delta));
    } catch (NumberFormatException e) {
      Resp.error(c.out(), NOT_INTEGER);
    } catch (ArithmeticException e) {
      Resp.error(c.out(), "ERR increment or decrement would overflow");
    }
  }

  private static final String NOT_FLOAT = "ERR value is not a valid float";

  /**
   * INCRBYFLOAT key increment, as Redis 7.0's incrbyfloatCommand: the value (absent: 0) and the
   * increment are C long doubles (see LongDouble), the sum is stored in Redis's human format
   * ({@code %.17Lf} without trailing zeros) and replied; the TTL is kept. {@code -ERR value is not a
   * valid float} for either, {@code -ERR increment would produce NaN or Infinity} for the sum.
   */
  static void incrbyfloat(CommandContext c, Request r) {
    LongDouble increment = LongDouble.parse(r.arg(2));
    if (increment == null) {
      Resp.error(c.out(), NOT_FLOAT);
      return;
    }
    int max = c.limits().maxValueSize();
    String[] error = {null};
    byte[] result = c.store().update(c.key(r.arg(1)), old -> {
      LongDouble value = old == null ? LongDouble.parse(new byte[] {'0'}) : LongDouble.parse(old);
      if (value == null) {
        error[0] = NOT_FLOAT;
        return null;
      }
      LongDouble sum = value.add(increment);
      if (sum.isInfinite()) {
        error[0] = "ERR increment would produce NaN or Infinity";
        return null;
      }
      byte[] next = sum.format().getBytes(StandardCharsets.US_ASCII);
      if (next.length > max) {
        error[0] = stringTooLarge(c, next.length);
        return null;
      }
      return next;
    });
    if (error[0] != null) {
      Resp.error(c.out(), error[0]);
    } else {
      Resp.bulk(c.out(), result);
    }
  }

  /**
   * EXPIRETIME / PEXPIRETIME key: the absolute expiry in Unix seconds (rounded) / milliseconds, as
   * Redis 7.0's; -1 without a TTL, -2 for an absent key. The key's deadline (monotonic) maps to Unix
   * time through the clock's wall offset, with no clock reading: an expiry set as an absolute time
   * reads back exactly as given, a relative one as the Unix ms it was set at plus its duration.
   */
  static void expiretime(CommandContext c, Request r, boolean seconds) {
    Store store = c.store();
    long deadline = store.deadline(c.key(r.arg(1)));
    if (deadline == Store.ABSENT || deadline == Store.NO_DEADLINE) {
      Resp.integer(c.out(), deadline == Store.NO_DEADLINE ? -1 : -2);
      return;
    }
    long at = unixMillis(deadline, store.clock().wallOffsetNanos());
    Resp.integer(c.out(), seconds ? (at + 500) / 1000 : at);
  }

  static void scan(CommandContext c, Request r) {
    long cursor = io.ringcache.resp.command.ScanCursor.parse(r.arg(1));
    if (cursor == io.ringcache.resp.command.ScanCursor.INVALID) {
      Resp.error(c.out(), "ERR invalid cursor");
      return;
    }
    byte[] pattern = null;
    int count = 10;
    boolean stringsOnly = true;
    for (int i = 2; i < r.argc(); i++) {
      if (is(r.arg(i), "match") && i + 1 < r.argc()) {
        pattern = r.arg(++i);
        if (pattern.length == 1 && pattern[0] == '*') {
          pattern = null;
        }
      } else if (is(r.arg(i), "count") && i + 1 < r.argc()) {
        try {
          long n = Decimal.parseLong(r.arg(++i));
          if (n < 1) {
            Resp.error(c.out(), "ERR syntax error");
            return;
          }
          count = (int) Math.min(n, 1 << 20);
        } catch (NumberFormatException e) {
          Resp.error(c.out(), NOT_INTEGER);
          return;
        }
      } else if (is(r.arg(i), "type") && i + 1 < r.argc()) {
        stringsOnly = is(r.arg(++i), "string");
      } else {
        Resp.error(c.out(), "ERR syntax error");
        return;
      }
    }
    Store store = c.store();
    Glob glob = pattern == null ? null : Glob.compile(pattern, c.limits().maxKeySize());
    if (Math.max(count, store.size() / 64) > SCAN_ON_LOOP) {
      long from = cursor;
      int n = count;
      boolean strings = stringsOnly;
      c.aside(() -> {
        Store.ScanPage page = store.scan(from, n);
        return new ScanStep(Decimal.toBytes(page.nextCursor()), matching(strings ? page.keys() : List.of(), glob));
      }, step -> scanReply(c, step.next(), step.matched()));
      return;
    }
    Store.ScanPage page = store.scan(cursor, count);
    List<Key> keys = stringsOnly ? page.keys() : List.of();
    byte[] next = Decimal.toBytes(page.nextCursor());
    if (glob != null && glob.cost(keyBytes(keys)) > MATCH_STEPS_ON_LOOP) {
      c.aside(() -> matching(keys, glob), matched -> scanReply(c, next, matched));
    } else {
      scanReply(c, next, matching(keys, glob));
    }
  }

  /**
   * Keys a SCAN step may walk on the event loop, as KEYS's {@link #KEYS_ON_LOOP}: a larger step (its
   * COUNT, or the 1/64 of the store every step walks at least) walks aside. SCAN 0 COUNT 1000000 on a
   * million keys held the loop 0.9 s; on a node of 64 million keys any SCAN would.
   */
  static final long SCAN_ON_LOOP = 100_000;

  /** What a SCAN step walked aside found: the next cursor and the matching keys. */
  private record ScanStep(byte[] next, List<Key> matched) {}

  /**
   * Steps of pattern matching ({@link Glob#cost}) a command may run on the event loop, about 50 ms
   * here; beyond, it matches aside ({@link CommandContext#aside}): the connection waits for its
   * reply, other clients are served. A pattern of thousands of tokens costs about 4 ms per 16 KiB
   * key, so one SCAN of 300 such keys held the loop 1.3 s, and a KEYS of a node full of them (their
   * keys written by the same client) would hold it past the router's lease: the node, ejected, came
   * back flushed.
   */
  static final long MATCH_STEPS_ON_LOOP = 100_000_000;

  private static long keyBytes(List<Key> keys) {
    long bytes = 0;
    for (Key key : keys) {
      bytes += key.bytes().length;
    }
    return bytes;
  }

  private static List<Key> matching(List<Key> keys, Glob glob) {
    if (glob == null) {
      return keys;
    }
    List<Key> matched = new ArrayList<>();
    for (Key key : keys) {
      if (glob.matches(key.bytes())) {
        matched.add(key);
      }
    }
    return matched;
  }

  private static void scanReply(CommandContext c, byte[] next, List<Key> matched) {
    long bytes = arrayHeaderBytes(2) + bulkBytes(next) + arrayHeaderBytes(matched.size());
    for (Key key : matched) {
      bytes += bulkBytes(key.bytes());
    }
    if (bytes > replyBudget(c)) {
      replyTooLarge(c, "scan", bytes, matched.size(), matched.size());
      return;
    }
    ByteBuf out = c.out();
    Resp.arrayHeader(out, 2);
    Resp.bulk(out, next);
    Resp.arrayHeader(out, matched.size());
    for (Key key : matched) {
      Resp.bulk(out, key.bytes());
    }
  }

  /**
   * RENAME / RENAMENX key newkey, as Redis 7.0's renameGenericCommand: {@code -ERR no such key} for
   * an absent key (even when both names are the same), then the same name is {@code +OK} / {@code :0};
   * RENAMENX leaves an existing newkey ({@code :0}); otherwise newkey takes the value and the TTL of
   * key (its own TTL dropped) and key is deleted. Both keys are on this node (the dispatcher answers
   * -MOVED or -CROSSNODE otherwise). Not atomic against another client's write of either key between
   * the steps (docs/protocol.md).
   */
  static void rename(CommandContext c, Request r, boolean nx) {
    Store store = c.store();
    Key from = c.key(r.arg(1));
    byte[] value = store.get(from);
    long deadline = value == null ? Store.ABSENT : store.deadline(from); // the expiry moves exactly
    if (deadline == Store.ABSENT) { // absent, or expiring as we look
      Resp.error(c.out(), "ERR no such key");
      return;
    }
    if (java.util.Arrays.equals(r.arg(1), r.arg(2))) {
      if (nx) {
        Resp.integer(c.out(), 0);
      } else {
        Resp.raw(c.out(), Resp.OK);
      }
      return;
    }
    Key to = c.key(r.arg(2));
    if (nx && store.contains(to)) {
      Resp.integer(c.out(), 0);
      return;
    }
    store.putUntil(to, value, deadline, false, Store.Condition.ALWAYS);
    store.delete(from);
    if (nx) {
      Resp.integer(c.out(), 1);
    } else {
      Resp.raw(c.out(), Resp.OK);
    }
  }

  /**
   * COPY source destination [DB 0] [REPLACE], as Redis 7.0's copyCommand: the options first
   * ({@code -ERR syntax error}; DB must be an integer, and 0: a node has one database), then the same
   * name is {@code -ERR source and destination objects are the same}; {@code :0} for an absent source,
   * or an existing destination without REPLACE; else the destination gets the value and the TTL of
   * the source, {@code :1}.
   */
  static void copy(CommandContext c, Request r) {
    boolean replace = false;
    for (int j = 3; j < r.argc(); j++) {
      if (is(r.arg(j), "replace")) {
        replace = true;
      } else if (is(r.arg(j), "db") && j + 1 < r.argc()) {
        long db;
        try {
          db = Decimal.parseLong(r.arg(++j));
        } catch (NumberFormatException e) {
          Resp.error(c.out(), NOT_INTEGER);
          return;
        }
        if (db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) { // Redis's getIntFromObjectOrReply, its text as is
          Resp.error(c.out(), "ERR value is out of range, value must between -2147483648 and 2147483647");
          return;
        }
        if (db != 0) {
          Resp.error(c.out(), "ERR DB index is out of range");
          return;
        }
      } else {
        Resp.error(c.out(), SYNTAX_ERROR);
        return;
      }
    }
    if (java.util.Arrays.equals(r.arg(1), r.arg(2))) {
      Resp.error(c.out(), "ERR source and destination objects are the same");
      return;
    }
    Store store = c.store();
    Key from = c.key(r.arg(1));
    byte[] value = store.get(from);
    long deadline = value == null ? Store.ABSENT : store.deadline(from); // the expiry is copied exactly
    if (deadline == Store.ABSENT) { // absent, or expiring as we look
      Resp.integer(c.out(), 0);
      return;
    }
    Key to = c.key(r.arg(2));
    if (!replace && store.contains(to)) {
      Resp.integer(c.out(), 0);
      return;
    }
    store.putUntil(to, value, deadline, false, Store.Condition.ALWAYS);
    Resp.integer(c.out(), 1);
  }

  /** Keys a node may hold for KEYS to walk them on the event loop; beyond, the walk runs aside. */
  static final long KEYS_ON_LOOP = 100_000;

  /**
   * KEYS pattern: every key the node holds that matches, walked as SCAN walks (a few passes over
   * the store, at most 8 pages), the pattern compiled as MATCH's (linear, bounded by max-key-size).
   * A reply larger than max-output-buffer is refused before it is built, as SCAN's and MGET's.
   *
   * <p>On a node holding more than {@link #KEYS_ON_LOOP} keys the walk runs on the node's walk
   * thread ({@link CommandContext#aside}): the connection waits for its reply, every other client is
   * served meanwhile. One KEYS must not stall a loop for seconds, nor past the node's lease (a node
   * of tens of millions of keys). Walked so, KEYS is no more atomic than SCAN: a key written or
   * removed during the walk may be listed or not; a key held throughout is listed once.
   */
  static void keys(CommandContext c, Request r) {
    byte[] pattern = r.arg(1);
    Glob glob = pattern.length == 1 && pattern[0] == '*' ? null : Glob.compile(pattern, c.limits().maxKeySize());
    Store store = c.store();
    long budget = replyBudget(c);
    if (store.size() <= KEYS_ON_LOOP && (glob == null || glob.cost(keyBytesAtMost(store, store.size(), c.limits().maxKeySize()))
        <= MATCH_STEPS_ON_LOOP)) {
      keysReply(c, walkKeys(store, glob, budget));
    } else {
      c.aside(() -> walkKeys(store, glob, budget), walk -> keysReply(c, walk));
    }
  }

  /** At most how many bytes {@code keys} keys of {@code store} hold: the store's bytes bound them, and max-key-size each. */
  static long keyBytesAtMost(Store store, long keys, int maxKeySize) {
    return Math.min(store.usedBytes(), keys * maxKeySize);
  }

  /** What a KEYS walk found: the matching keys, or, once the reply passed its budget, its size so far. */
  private record KeysWalk(List<byte[]> matched, long tooLargeBytes) {}

  private static KeysWalk walkKeys(Store store, Glob glob, long budget) {
    int pageSize = (int) Math.min(Integer.MAX_VALUE, Math.max(1 << 16, store.size() / 8));
    List<byte[]> matched = new ArrayList<>();
    long bytes = 0;
    long cursor = 0;
    do {
      Store.ScanPage page = store.scan(cursor, pageSize);
      for (Key key : page.keys()) {
        if (glob == null || glob.matches(key.bytes())) {
          matched.add(key.bytes());
          bytes += bulkBytes(key.bytes());
          if (bytes + arrayHeaderBytes(matched.size()) > budget) {
            return new KeysWalk(matched, bytes + arrayHeaderBytes(matched.size()));
          }
        }
      }
      cursor = page.nextCursor();
    } while (cursor != 0);
    return new KeysWalk(matched, -1);
  }

  private static void keysReply(CommandContext c, KeysWalk walk) {
    List<byte[]> matched = walk.matched();
    if (walk.tooLargeBytes() >= 0) {
      replyTooLarge(c, "keys", walk.tooLargeBytes(), matched.size(), matched.size() + 1);
      return;
    }
    ByteBuf out = c.out();
    Resp.arrayHeader(out, matched.size());
    for (byte[] key : matched) {
      Resp.bulk(out, key);
    }
  }

  /**
   * RANDOMKEY: a key the node holds, or nil when it holds none: a random key of the SCAN page at a
   * random position of the hash circle (the next non-empty page, wrapping once).
   */
  static void randomkey(CommandContext c, Request r) {
    Store store = c.store();
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    long start = random.nextLong(1L << 32);
    long cursor = start;
    boolean wrapped = false;
    while (true) {
      Store.ScanPage page = store.scan(cursor, 16);
      if (!page.keys().isEmpty()) {
        Resp.bulk(c.out(), page.keys().get(random.nextInt(page.keys().size())).bytes());
        return;
      }
      cursor = page.nextCursor();
      if (cursor == 0) {
        if (wrapped || start == 0) {
          Resp.nil(c.out());
          return;
        }
        wrapped = true;
      } else if (wrapped && cursor > start) {
        Resp.nil(c.out());
        return;
      }
    }
  }
}
