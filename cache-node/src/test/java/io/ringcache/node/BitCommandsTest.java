package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.store.Key;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The bit family on a real store behind the node's WatchingStore, without sockets: the TTL kept by
 * SETBIT and BITFIELD and dropped by BITOP, WATCH signalled only by a change, keyspace hits and
 * misses, and the max-value-size refusal. (The replies themselves are compared with Redis's in
 * RedisParityIT.)
 */
class BitCommandsTest {

  private final FamilyContext c = new FamilyContext();

  private static Key key(String s) {
    return Key.of(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Whether {@code change} marks a watcher of {@code k} dirty. */
  private boolean dirties(String k, Consumer<FamilyContext> change) {
    KeyWatches.Watcher watcher = new KeyWatches.Watcher();
    c.watches().watch(key(k), watcher);
    change.accept(c);
    boolean dirty = watcher.dirty();
    c.watches().unwatch(key(k), watcher);
    return dirty;
  }

  @Test
  void setbit_onAbsentKey_createsZeroPaddedValueAndRepliesTheOldBit() {
    assertThat(c.run(BitCommands::setbit, "SETBIT", "k", "9", "1")).isEqualTo(":0\r\n");
    assertThat(c.run(KeyCommands::get, "GET", "k")).isEqualTo("$2\r\n\u0000\u0040\r\n");
    assertThat(c.run(BitCommands::setbit, "SETBIT", "k", "9", "0")).isEqualTo(":1\r\n");
    assertThat(c.run(BitCommands::getbit, "GETBIT", "k", "9")).isEqualTo(":0\r\n");
  }

  @Test
  void setbitAndBitfield_onAKeyWithTtl_keepTheTtl() {
    c.run(KeyCommands::set, "SET", "k", "v", "EX", "100");
    c.run(BitCommands::setbit, "SETBIT", "k", "100", "1");
    c.run(BitCommands::bitfield, "BITFIELD", "k", "INCRBY", "u8", "200", "5");
    assertThat(c.run((ctx, r) -> KeyCommands.ttl(ctx, r, true), "TTL", "k")).isEqualTo(":100\r\n");
    c.clock.advance(Duration.ofSeconds(101));
    assertThat(c.run(BitCommands::getbit, "GETBIT", "k", "100")).isEqualTo(":0\r\n");
    assertThat(c.run(KeyCommands::exists, "EXISTS", "k")).isEqualTo(":0\r\n");
  }

  @Test
  void bitop_intoAKeyWithTtl_dropsTheTtl_andAnEmptyResultDeletesIt() {
    c.run(KeyCommands::set, "SET", "src", "ab");
    c.run(KeyCommands::set, "SET", "dest", "x", "EX", "100");
    assertThat(c.run(BitCommands::bitop, "BITOP", "NOT", "dest", "src")).isEqualTo(":2\r\n");
    assertThat(c.run((ctx, r) -> KeyCommands.ttl(ctx, r, true), "TTL", "dest")).isEqualTo(":-1\r\n");
    assertThat(c.run(KeyCommands::get, "GET", "dest")).isEqualTo("$2\r\n\u009e\u009d\r\n");
    assertThat(c.run(BitCommands::bitop, "BITOP", "AND", "dest", "absent1", "absent2")).isEqualTo(":0\r\n");
    assertThat(c.run(KeyCommands::exists, "EXISTS", "dest")).isEqualTo(":0\r\n");
  }

  @Test
  void setbit_signalsWatchOnlyWhenTheValueChanges() {
    assertThat(dirties("k", ctx -> ctx.run(BitCommands::setbit, "SETBIT", "k", "0", "0"))).as("created").isTrue();
    assertThat(dirties("k", ctx -> ctx.run(BitCommands::setbit, "SETBIT", "k", "0", "0"))).as("unchanged").isFalse();
    assertThat(dirties("k", ctx -> ctx.run(BitCommands::setbit, "SETBIT", "k", "0", "1"))).as("bit flipped").isTrue();
    assertThat(dirties("k", ctx -> ctx.run(BitCommands::setbit, "SETBIT", "k", "90", "0"))).as("grown").isTrue();
    assertThat(dirties("k", ctx -> ctx.run(BitCommands::getbit, "GETBIT", "k", "0"))).as("read").isFalse();
    assertThat(dirties("k", ctx -> ctx.run(BitCommands::setbit, "SETBIT", "k", "1", "2"))).as("refused").isFalse();
  }

  @Test
  void bitfield_signalsWatchOnlyWhenAFieldChanges_andBitfieldRoNever() {
    c.run(BitCommands::bitfield, "BITFIELD", "k", "SET", "i5", "0", "3");
    assertThat(dirties("k", ctx -> ctx.run(BitCommands::bitfield, "BITFIELD", "k", "SET", "i5", "0", "3"))).isFalse();
    assertThat(dirties("k", ctx -> ctx.run(BitCommands::bitfield, "BITFIELD", "k", "INCRBY", "i5", "0", "1"))).isTrue();
    assertThat(dirties("k", ctx -> ctx.run(BitCommands::bitfieldRo, "BITFIELD_RO", "k", "GET", "i5", "0"))).isFalse();
    assertThat(c.run(BitCommands::bitfieldRo, "BITFIELD_RO", "k", "GET", "i5", "0")).isEqualTo("*1\r\n:4\r\n");
  }

  @Test
  void readCommands_countKeyspaceHitsAndMisses_writesDoNot() {
    c.run(BitCommands::setbit, "SETBIT", "k", "1", "1");
    c.run(BitCommands::bitfield, "BITFIELD", "k", "SET", "u8", "0", "1");
    assertThat(c.hits + c.misses).as("writes look their key up for writing, as Redis's lookupKeyWrite").isZero();
    c.run(BitCommands::getbit, "GETBIT", "k", "1");
    c.run(BitCommands::bitcount, "BITCOUNT", "absent");
    c.run(BitCommands::bitpos, "BITPOS", "k", "1");
    c.run(BitCommands::lcs, "LCS", "k", "absent");
    c.run(BitCommands::bitop, "BITOP", "OR", "dest", "k", "absent");
    assertThat(c.hits).isEqualTo(4);
    assertThat(c.misses).isEqualTo(3);
  }

  @Test
  void writesPastMaxValueSize_areRefusedWithSetrangesErrorAndChangeNothing() {
    int max = c.limits().maxValueSize();
    String error = "-ERR string exceeds maximum allowed size (" + (max + 1L) + " bytes, expected: <= " + max
        + ", max-value-size)\r\n";
    c.run(KeyCommands::set, "SET", "k", "v");
    assertThat(c.run(KeyCommands::setrange, "SETRANGE", "k", Integer.toString(max), "x")).isEqualTo(error);
    assertThat(c.run(BitCommands::setbit, "SETBIT", "k", Long.toString(8L * max), "1")).isEqualTo(error);
    assertThat(c.run(BitCommands::bitfield, "BITFIELD", "k", "SET", "u1", Long.toString(8L * max), "1")).isEqualTo(error);
    assertThat(c.run(BitCommands::setbit, "SETBIT", "absent", Long.toString(8L * max), "1")).isEqualTo(error);
    assertThat(c.run(KeyCommands::get, "GET", "k")).isEqualTo("$1\r\nv\r\n");
    assertThat(c.run(KeyCommands::exists, "EXISTS", "absent")).isEqualTo(":0\r\n");
    // the last bit a value of max-value-size holds is accepted (the test's 16 MiB store then evicts it)
    assertThat(c.run(BitCommands::setbit, "SETBIT", "k", Long.toString(8L * max - 1), "1")).isEqualTo(":0\r\n");
  }

  @Test
  void bitOffsets_atOrBeyond512MiB_areRefusedAsRedisRefusesThem() {
    String error = "-ERR bit offset is not an integer or out of range\r\n";
    assertThat(c.run(BitCommands::getbit, "GETBIT", "k", "4294967296")).isEqualTo(error);
    assertThat(c.run(BitCommands::getbit, "GETBIT", "k", "4294967295")).isEqualTo(":0\r\n");
    assertThat(c.run(BitCommands::bitfield, "BITFIELD", "k", "GET", "u8", "#536870912")).isEqualTo(error);
    assertThat(c.run(BitCommands::bitfield, "BITFIELD", "k", "GET", "u8", "#536870911")).isEqualTo("*1\r\n:0\r\n");
  }

  @Test
  void lcs_idxWithMatchLen_listsTheMatchesFromTheEnd() {
    c.run(KeyCommands::set, "SET", "a", "ohmytext");
    c.run(KeyCommands::set, "SET", "b", "mynewtext");
    assertThat(c.run(BitCommands::lcs, "LCS", "a", "b")).isEqualTo("$6\r\nmytext\r\n");
    assertThat(c.run(BitCommands::lcs, "LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"))
        .isEqualTo("*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n");
  }
}
