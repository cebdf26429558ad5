package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The keys-and-strings family on a real store, without sockets: the reply bytes a client reads. */
class KeyCommandsTest {

  private final FamilyContext c = new FamilyContext();

  @Test
  void set_thenGet_repliesOkThenTheValueAndNilForAnAbsentKey() {
    assertThat(c.run(KeyCommands::set, "SET", "k", "value")).isEqualTo("+OK\r\n");
    assertThat(c.run(KeyCommands::get, "GET", "k")).isEqualTo("$5\r\nvalue\r\n");
    assertThat(c.run(KeyCommands::get, "GET", "absent")).isEqualTo("$-1\r\n");
    assertThat(c.hits).isEqualTo(1);
    assertThat(c.misses).isEqualTo(1);
  }

  @Test
  void setWithEx_afterTheClockPassesTheExpiry_getRepliesNil() {
    assertThat(c.run(KeyCommands::set, "SET", "k", "v", "EX", "10")).isEqualTo("+OK\r\n");
    assertThat(c.run((ctx, r) -> KeyCommands.ttl(ctx, r, true), "TTL", "k")).isEqualTo(":10\r\n");
    c.clock.advance(Duration.ofSeconds(11));
    assertThat(c.run(KeyCommands::get, "GET", "k")).isEqualTo("$-1\r\n");
    assertThat(c.run((ctx, r) -> KeyCommands.ttl(ctx, r, true), "TTL", "k")).isEqualTo(":-2\r\n");
  }

  @Test
  void setWithNxAndXx_repliesSyntaxError() {
    assertThat(c.run(KeyCommands::set, "SET", "k", "v", "NX", "XX")).isEqualTo("-ERR syntax error\r\n");
  }

  @Test
  void incr_onANonInteger_repliesNotAnIntegerAndKeepsTheValue() {
    c.run(KeyCommands::set, "SET", "k", "abc");
    assertThat(c.run((ctx, r) -> KeyCommands.increment(ctx, r.arg(1), 1), "INCR", "k"))
        .isEqualTo("-ERR value is not an integer or out of range\r\n");
    assertThat(c.run(KeyCommands::get, "GET", "k")).isEqualTo("$3\r\nabc\r\n");
  }

  @Test
  void msetWithAnOddArgumentCount_repliesWrongArityAndSetsNothing() {
    assertThat(c.run(KeyCommands::mset, "MSET", "a", "1", "b")).isEqualTo("-ERR wrong number of arguments for 'mset' command\r\n");
    assertThat(c.run(KeyCommands::exists, "EXISTS", "a", "b")).isEqualTo(":0\r\n");
  }

  @Test
  void expireWithAnUnknownOption_echoesTheOption() {
    c.run(KeyCommands::set, "SET", "k", "v");
    assertThat(c.run((ctx, r) -> KeyCommands.expire(ctx, r, 1000, false, "expire"), "EXPIRE", "k", "10", "SOON"))
        .isEqualTo("-ERR Unsupported option SOON\r\n");
  }

  @Test
  void rename_movesTheValueAndRenameOfAnAbsentKeyRepliesNoSuchKey() {
    c.run(KeyCommands::set, "SET", "from", "v");
    assertThat(c.run((ctx, r) -> KeyCommands.rename(ctx, r, false), "RENAME", "from", "to")).isEqualTo("+OK\r\n");
    assertThat(c.run(KeyCommands::mget, "MGET", "from", "to")).isEqualTo("*2\r\n$-1\r\n$1\r\nv\r\n");
    assertThat(c.run((ctx, r) -> KeyCommands.rename(ctx, r, false), "RENAME", "from", "to")).isEqualTo("-ERR no such key\r\n");
  }

  private String pexpiretime(String key) {
    return c.run((ctx, r) -> KeyCommands.expiretime(ctx, r, false), "PEXPIRETIME", key);
  }

  @Test
  void absoluteExpiry_pausedAfterEveryClockReading_readsBackExactlyAsGiven() {
    long t = c.clock.currentTimeMillis() + 100_000;
    String ms = Long.toString(t);
    String s = Long.toString(t / 1000 + 1);
    String expectedSeconds = ":" + (t / 1000 + 1) * 1000 + "\r\n";
    // a loaded machine: a pause after every reading of either clock, between the command's and the store's
    c.clock.pauseAfterEveryReading(Duration.ofMillis(2));
    assertThat(c.run(KeyCommands::set, "SET", "k", "v", "PXAT", ms)).isEqualTo("+OK\r\n");
    assertThat(pexpiretime("k")).isEqualTo(":" + t + "\r\n");
    assertThat(c.run(KeyCommands::set, "SET", "k", "v", "EXAT", s)).isEqualTo("+OK\r\n");
    assertThat(pexpiretime("k")).isEqualTo(expectedSeconds);
    assertThat(c.run((ctx, r) -> KeyCommands.expire(ctx, r, 1, true, "pexpireat"), "PEXPIREAT", "k", ms)).isEqualTo(":1\r\n");
    assertThat(pexpiretime("k")).isEqualTo(":" + t + "\r\n");
    assertThat(c.run((ctx, r) -> KeyCommands.expire(ctx, r, 1000, true, "expireat"), "EXPIREAT", "k", s)).isEqualTo(":1\r\n");
    assertThat(pexpiretime("k")).isEqualTo(expectedSeconds);
    assertThat(c.run(KeyCommands::getex, "GETEX", "k", "PXAT", ms)).isEqualTo("$1\r\nv\r\n");
    assertThat(pexpiretime("k")).isEqualTo(":" + t + "\r\n");
    assertThat(c.run(KeyCommands::getex, "GETEX", "k", "EXAT", s)).isEqualTo("$1\r\nv\r\n");
    assertThat(pexpiretime("k")).isEqualTo(expectedSeconds);
    assertThat(c.run((ctx, r) -> KeyCommands.copy(ctx, r), "COPY", "k", "copy")).isEqualTo(":1\r\n");
    assertThat(pexpiretime("copy")).isEqualTo(expectedSeconds);
    assertThat(c.run((ctx, r) -> KeyCommands.rename(ctx, r, false), "RENAME", "copy", "renamed")).isEqualTo("+OK\r\n");
    assertThat(pexpiretime("renamed")).isEqualTo(expectedSeconds);
  }

  @Test
  void relativeExpiry_pausedAfterEveryClockReading_readsBackAsOneReadingPlusTheDuration() {
    c.clock.pauseAfterEveryReading(Duration.ofMillis(2));
    long before = c.clock.currentTimeMillis();
    assertThat(c.run(KeyCommands::set, "SET", "k", "v", "PX", "5000")).isEqualTo("+OK\r\n");
    long after = c.clock.currentTimeMillis();
    String first = pexpiretime("k");
    long at = Long.parseLong(first.substring(1, first.length() - 2));
    assertThat(at - 5000).isBetween(before, after);
    assertThat(pexpiretime("k")).as("read again, pauses later").isEqualTo(first);
    // EXPIRE's GT compares with that same expiry, in ms, as Redis does
    assertThat(c.run((ctx, r) -> KeyCommands.expire(ctx, r, 1, true, "pexpireat"), "PEXPIREAT", "k",
        Long.toString(at), "GT")).isEqualTo(":0\r\n");
    assertThat(c.run((ctx, r) -> KeyCommands.expire(ctx, r, 1, true, "pexpireat"), "PEXPIREAT", "k",
        Long.toString(at), "LT")).isEqualTo(":0\r\n");
    assertThat(c.run((ctx, r) -> KeyCommands.expire(ctx, r, 1, true, "pexpireat"), "PEXPIREAT", "k",
        Long.toString(at + 1), "GT")).isEqualTo(":1\r\n");
  }
}
