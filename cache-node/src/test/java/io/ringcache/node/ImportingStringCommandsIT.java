package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.ring.Crc32;
import io.ringcache.ring.Handoff;
import io.ringcache.ring.HandoffPhase;
import io.ringcache.ring.HashRange;
import io.ringcache.ring.HashRing;
import io.ringcache.ring.NodeInfo;
import io.ringcache.ring.NodeState;
import io.ringcache.ring.Topology;
import io.ringcache.ring.TopologyJson;
import io.ringcache.testkit.core.LaunchedCluster;
import io.ringcache.testkit.core.RespTestClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The string commands on a node that imports a range (handoff ACTIVE, nothing streamed yet): a
 * write that needs the value held reads it through from the source first, so it builds on the
 * source's value and TTL instead of on a miss.
 */
class ImportingStringCommandsIT {

  private LaunchedCluster<NodeServer, Void> nodes;
  private NodeServer source;
  private NodeServer target;
  private RespTestClient toSource;
  private RespTestClient toTarget;
  private int counter;

  @BeforeEach
  void start() throws IOException {
    nodes = Nodes.standalone().nodes(2).start();
    source = nodes.node(0);
    target = nodes.node(1);
    toSource = RespTestClient.connect(source.port());
    toTarget = RespTestClient.connect(target.port());
    String s = source.cluster().name();
    String t = target.cluster().name();
    List<NodeInfo> nodes = List.of(new NodeInfo(s, s, 1, NodeState.UP), new NodeInfo(t, t, 1, NodeState.UP));
    Handoff handoff = new Handoff("h1", s, t, List.of(HashRange.all()), HandoffPhase.ACTIVE);
    String json = TopologyJson.write(new Topology(5, nodes, List.of(handoff)));
    assertThat(toSource.call("RING.SETTOPOLOGY", json)).isEqualTo(5L);
    assertThat(toTarget.call("RING.SETTOPOLOGY", json)).isEqualTo(5L);
  }

  @AfterEach
  void stop() throws IOException {
    toSource.close();
    toTarget.close();
    nodes.close();
  }

  /** A key the target owns in the new ring and still holds only at the source, with {@code value} and a TTL. */
  private String keyAtSource(String value) throws IOException {
    HashRing ring = target.cluster().topology().ring();
    String t = target.cluster().name();
    while (true) {
      String key = "imp" + counter++;
      if (ring.ownerOfHash(Crc32.hash(key.getBytes(StandardCharsets.UTF_8))).equals(t)) {
        // the source's store directly: it is sealed for clients, the handoff streams from it
        source.store().put(io.ringcache.node.store.Key.of(key.getBytes(StandardCharsets.UTF_8)),
            value.getBytes(StandardCharsets.UTF_8), 100_000_000_000L, false, io.ringcache.node.store.Store.Condition.ALWAYS);
        return key;
      }
    }
  }

  @Test
  void writesThatNeedTheValue_readItThroughFromTheSource() throws IOException {
    String a = keyAtSource("abc");
    assertThat(toTarget.call("APPEND", a, "def")).isEqualTo(6L);
    assertThat(toTarget.call("GET", a)).isEqualTo("abcdef");
    assertThat((Long) toTarget.call("TTL", a)).isBetween(95L, 100L); // the source's TTL came along

    String r = keyAtSource("hello");
    assertThat(toTarget.call("SETRANGE", r, "1", "EL")).isEqualTo(5L);
    assertThat(toTarget.call("GET", r)).isEqualTo("hELlo");

    String g = keyAtSource("old");
    assertThat(toTarget.call("GETSET", g, "new")).isEqualTo("old");
    assertThat(toTarget.call("GET", g)).isEqualTo("new");

    String n = keyAtSource("there");
    assertThat(toTarget.call("SETNX", n, "x")).isEqualTo(0L);
    assertThat(toTarget.call("GET", n)).isEqualTo("there");

    String m = keyAtSource("there");
    assertThat(toTarget.call("MSETNX", m, "x")).isEqualTo(0L);
    assertThat(toTarget.call("GET", m)).isEqualTo("there");

    String e = keyAtSource("v");
    assertThat(toTarget.call("GETEX", e, "PERSIST")).isEqualTo("v");
    assertThat(toTarget.call("TTL", e)).isEqualTo(-1L);

    String f = keyAtSource("10.5");
    assertThat(toTarget.call("INCRBYFLOAT", f, "0.25")).isEqualTo("10.75");
    assertThat((Long) toTarget.call("TTL", f)).isBetween(95L, 100L);

    String x = keyAtSource("v");
    assertThat((Long) toTarget.call("PEXPIRETIME", x)).isGreaterThan(System.currentTimeMillis() + 90_000);

    String from = keyAtSource("moved");
    String to = keyAtSource("overwritten");
    assertThat(toTarget.call("RENAMENX", from, to)).isEqualTo(0L); // the destination, read through, exists
    assertThat(toTarget.call("RENAME", from, to)).isEqualTo("OK"); // the source's value, read through, moves
    assertThat(toTarget.call("GET", to)).isEqualTo("moved");
    assertThat((Long) toTarget.call("TTL", to)).isBetween(95L, 100L);
    assertThat(toTarget.call("EXISTS", from)).isEqualTo(0L);
    String original = keyAtSource("copied");
    String copy = keyAtSource("there");
    assertThat(toTarget.call("COPY", original, copy)).isEqualTo(0L);
    assertThat(toTarget.call("COPY", original, copy, "REPLACE")).isEqualTo(1L);
    assertThat(toTarget.call("GET", copy)).isEqualTo("copied");

    String l = keyAtSource("12345");
    assertThat(toTarget.call("STRLEN", l)).isEqualTo(5L);
    assertThat(toTarget.call("GETRANGE", l, "1", "2")).isEqualTo("23");
  }

  @Test
  void bitCommandsAndLcs_readTheValueThroughFromTheSource() throws IOException {
    String s = keyAtSource("a"); // 0x61: 01100001
    assertThat(toTarget.call("SETBIT", s, "6", "1")).isEqualTo(0L);
    assertThat(toTarget.call("GET", s)).isEqualTo("c");
    assertThat((Long) toTarget.call("TTL", s)).isBetween(95L, 100L); // the source's TTL came along
    assertThat(toTarget.call("GETBIT", keyAtSource("a"), "1")).isEqualTo(1L);
    assertThat(toTarget.call("BITCOUNT", keyAtSource("foobar"))).isEqualTo(26L);
    assertThat(toTarget.call("BITPOS", keyAtSource("a"), "1")).isEqualTo(1L);
    String f = keyAtSource("a");
    assertThat(toTarget.call("BITFIELD", f, "INCRBY", "u8", "0", "1")).isEqualTo(List.of(98L));
    assertThat(toTarget.call("GET", f)).isEqualTo("b");
    assertThat((Long) toTarget.call("TTL", f)).isBetween(95L, 100L);
    assertThat(toTarget.call("BITFIELD_RO", keyAtSource("a"), "GET", "u8", "0")).isEqualTo(List.of(97L));
    String dest = keyAtSource("overwritten");
    assertThat(toTarget.call("BITOP", "OR", dest, keyAtSource("a"), keyAtSource("b"))).isEqualTo(1L);
    assertThat(toTarget.call("GET", dest)).isEqualTo("c");
    assertThat(toTarget.call("TTL", dest)).isEqualTo(-1L);
    assertThat(toTarget.call("LCS", keyAtSource("ohmytext"), keyAtSource("mynewtext"))).isEqualTo("mytext");
  }

  @Test
  void aWriteThatSucceeded_isNotOverwrittenByTheStream() throws IOException {
    String a = keyAtSource("abc");
    assertThat(toTarget.call("APPEND", a, "!")).isEqualTo(4L);
    // the streamed entry arrives after the write: the touched key keeps the write's value
    assertThat(toTarget.call("RING.IMPORT", "h1", a, "-1", "abc")).isEqualTo(0L);
    assertThat(toTarget.call("GET", a)).isEqualTo("abc!");
  }

  @Test
  void ringImportRaw_storesAbsentEntriesAndSkipsTouchedAndExpiredOnes() throws IOException {
    String touched = keyAtSource("abc");
    String absent = keyAtSource("def");
    String expired = keyAtSource("ghi");
    String timed = keyAtSource("jkl");
    assertThat(toTarget.call("APPEND", touched, "!")).isEqualTo(4L);
    long inAMinute = System.currentTimeMillis() + 60_000;
    byte[] payload = payload(
        entry(touched, -1, "abc"), entry(absent, -1, "def"), entry(expired, 1, "ghi"), entry(timed, inAMinute, "jkl"));
    assertThat(importRaw("h1", 4, payload)).isEqualTo(2L);
    assertThat(toTarget.call("GET", touched)).isEqualTo("abc!");
    assertThat(toTarget.call("GET", absent)).isEqualTo("def");
    assertThat(toTarget.call("PTTL", absent)).isEqualTo(-1L);
    assertThat(toTarget.call("PEXPIRETIME", timed)).isEqualTo(inAMinute);
    // the expired entry was not stored: a GET reads through to the source, which still holds "ghi"
    assertThat(target.store().get(io.ringcache.node.store.Key.of(expired.getBytes(StandardCharsets.UTF_8)))).isNull();
  }

  @Test
  void ringImportRaw_withAMalformedPayload_repliesAnErrorAndStoresNothing() throws IOException {
    String a = keyAtSource("abc");
    byte[] one = payload(entry(a, -1, "abc"));
    byte[] longer = payload(entry(a, -1, "abc".repeat(10)));
    assertThat(importRaw("h1", 2, longer)).isEqualTo(new RespTestClient.Error(
        "ERR ring.importraw payload: " + longer.length + " bytes hold fewer than 2 entries"));
    assertThat(importRaw("h1", 0, one)).isEqualTo(new RespTestClient.Error(
        "ERR ring.importraw payload: " + one.length + " bytes after entry 0 (expected: none)"));
    assertThat(importRaw("h1", 1_000_000, one)).isEqualTo(new RespTestClient.Error(
        "ERR ring.importraw count: 1000000 (expected: 0 to " + one.length / 16 + " for a payload of " + one.length + " bytes)"));
    byte[] truncated = java.util.Arrays.copyOf(one, one.length - 1);
    assertThat(importRaw("h1", 1, truncated)).isEqualTo(new RespTestClient.Error("ERR ring.importraw entry 0 at byte 0: key length "
        + a.length() + ", value length 3 (expected: within the " + truncated.length + "-byte payload)"));
    byte[] negative = one.clone();
    negative[4] = (byte) 0x80; // value length < 0
    assertThat(importRaw("h1", 1, negative)).isInstanceOf(RespTestClient.Error.class);
    assertThat(importRaw("h2", 1, one)).isEqualTo(new RespTestClient.Error("ERR not importing handoff h2 at epoch 5"));
    assertThat(target.store().get(io.ringcache.node.store.Key.of(a.getBytes(StandardCharsets.UTF_8)))).isNull();
    assertThat(importRaw("h1", 1, one)).isEqualTo(1L);
  }

  /** RING.IMPORTRAW id count payload, the payload sent as raw bytes. */
  private Object importRaw(String id, long count, byte[] payload) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    String head = "*4\r\n$14\r\nRING.IMPORTRAW\r\n$" + id.length() + "\r\n" + id + "\r\n$" + Long.toString(count).length()
        + "\r\n" + count + "\r\n$" + payload.length + "\r\n";
    out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    toTarget.sendRaw(out.toByteArray()).flush();
    return toTarget.readReply();
  }

  /** One entry as HandoffStreamer packs it: key length, value length, expire-at, key, value. */
  private static byte[] entry(String key, long expireAt, String value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    return java.nio.ByteBuffer.allocate(16 + k.length + v.length)
        .putInt(k.length).putInt(v.length).putLong(expireAt).put(k).put(v).array();
  }

  private static byte[] payload(byte[]... entries) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] e : entries) {
      out.writeBytes(e);
    }
    return out.toByteArray();
  }
}
