package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.store.Key;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
  void bitop_matchesRedisBytewiseDefinition_withSourcesAbsentShorterAndNamedSeveralTimes() {
    Random random = new Random(20261203);
    String[] ops = {"AND", "OR", "XOR", "NOT"};
    for (int round = 0; round < 3000; round++) {
      int keys = 1 + random.nextInt(4);
      byte[][] values = new byte[keys][];
      for (int k = 0; k < keys; k++) {
        c.run(KeyCommands::del, "DEL", "s" + k);
        if (random.nextInt(5) > 0) {
          values[k] = new byte[random.nextInt(12)];
          random.nextBytes(values[k]);
          c.run(KeyCommands::set, "SET", "s" + k, new String(values[k], StandardCharsets.ISO_8859_1));
        }
      }
      String op = ops[random.nextInt(ops.length)];
      int n = op.equals("NOT") ? 1 : 1 + random.nextInt(6);
      List<String> args = new ArrayList<>(List.of("BITOP", op, "dest"));
      List<byte[]> named = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        int k = random.nextInt(keys);
        args.add("s" + k);
        named.add(values[k] == null ? new byte[0] : values[k]);
      }
      byte[] expected = bitopByteByByte(op, named);
      String reply = c.run(BitCommands::bitop, args.toArray(String[]::new));
      assertThat(reply).as("%s", args).isEqualTo(":" + expected.length + "\r\n");
      assertThat(c.run(KeyCommands::get, "GET", "dest")).as("%s", args).isEqualTo(expected.length == 0 ? "$-1\r\n"
          : "$" + expected.length + "\r\n" + new String(expected, StandardCharsets.ISO_8859_1) + "\r\n");
    }
  }

  /** Redis 7.0's bitopCommand loop, byte by byte over every source named (bitops.c). */
  private static byte[] bitopByteByByte(String op, List<byte[]> sources) {
    int length = sources.stream().mapToInt(v -> v.length).max().orElse(0);
    byte[] result = new byte[length];
    for (int i = 0; i < length; i++) {
      byte[] first = sources.get(0);
      int output = i < first.length ? first[i] & 0xff : 0;
      if (op.equals("NOT")) {
        output = ~output & 0xff;
      }
      for (int j = 1; j < sources.size(); j++) {
        byte[] v = sources.get(j);
        int b = i < v.length ? v[i] & 0xff : 0;
        output = switch (op) {
          case "AND" -> output & b;
          case "OR" -> output | b;
          default -> output ^ b;
        };
      }
      result[i] = (byte) output;
    }
    return result;
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS) // the byte loop of every source named took about 400 s here
  void bitop_readsEachDistinctSourceOnce_soASourceNamedThousandsOfTimesCostsOneRead() {
    // 20,000 times a 1 MiB source: Redis's byte loop, which this followed, did 20 GiB of work here, a
    // loop held for minutes by one request of 140 KB; each key is now read and folded once
    c.run(KeyCommands::set, "SET", "big", "\u00ff".repeat(1 << 20));
    c.run(KeyCommands::set, "SET", "other", "\u000f");
    for (String op : new String[] {"AND", "OR", "XOR"}) {
      List<String> args = new ArrayList<>(List.of("BITOP", op, "dest", "other"));
      for (int j = 0; j < 20_000; j++) {
        args.add("big");
      }
      long hits = c.hits;
      assertThat(c.run(BitCommands::bitop, args.toArray(String[]::new))).isEqualTo(":" + (1 << 20) + "\r\n");
      assertThat(c.hits - hits).as("every source named is a keyspace hit, as Redis counts it").isEqualTo(20_001);
      byte[] value = c.store().get(key("dest"));
      byte first = switch (op) {
        case "AND" -> (byte) 0x0f;
        case "OR" -> (byte) 0xff;
        default -> (byte) 0x0f; // 20,000 times 0xff cancels: 0x0f ^ 0
      };
      byte rest = switch (op) {
        case "AND" -> 0;
        case "OR" -> (byte) 0xff;
        default -> 0;
      };
      assertThat(value[0]).as(op).isEqualTo(first);
      assertThat(value[(1 << 20) - 1]).as(op).isEqualTo(rest);
    }
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
