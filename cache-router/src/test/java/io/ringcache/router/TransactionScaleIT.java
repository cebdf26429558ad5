package io.ringcache.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.node.NodeServer;
import io.ringcache.node.RedisServer;
import io.ringcache.ring.RoutingTable;
import io.ringcache.router.control.ScaleEvent;
import io.ringcache.testkit.core.Await;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * Transactions through a join: clients run MULTI INCR a INCR b EXEC on pairs of keys that share a
 * node, through the proxy and straight to the owning node, while a node joins and ranges move.
 * Every EXEC either ran whole (both keys incremented) or not at all (a clean error or abort): at
 * the end each pair's two keys are equal and count exactly the EXECs that succeeded.
 */
class TransactionScaleIT {

  private static final int PAIRS = 64;

  @Test
  void execThroughAJoin_isNeverHalfApplied() throws Exception {
    try (TestCluster cluster = new TestCluster(3)) {
      cluster.load(30_000); // so the handoffs take a while
      RoutingTable initial = RoutingTable.of(cluster.topology());
      List<String[]> pairs = new ArrayList<>();
      for (int i = 0; pairs.size() < PAIRS; i++) {
        String a = "pair:a" + i;
        String b = "pair:b" + i;
        if (initial.serverOf(bytes(a)).equals(initial.serverOf(bytes(b)))) {
          pairs.add(new String[] {a, b});
        }
      }
      AtomicLongArray succeeded = new AtomicLongArray(PAIRS);
      AtomicLongArray unknown = new AtomicLongArray(PAIRS);
      AtomicLong failures = new AtomicLong();
      AtomicLong execs = new AtomicLong();
      ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        boolean direct = c == 2;
        long seed = c;
        Thread t = new Thread(() -> {
          Random random = new Random(seed);
          RedisServer.Conn proxy = null;
          try {
            proxy = RedisServer.Conn.tcp(cluster.router.port());
            while (!stop.get()) {
              int i = random.nextInt(PAIRS);
              String[] pair = pairs.get(i);
              String reply;
              if (direct) {
                RoutingTable table = RoutingTable.of(cluster.topology());
                String address = table.addressOf(table.serverOf(bytes(pair[0])));
                try (RedisServer.Conn node = RedisServer.Conn.tcp(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)))) {
                  reply = transaction(node, pair);
                }
              } else {
                reply = transaction(proxy, pair);
              }
              execs.incrementAndGet();
              if (reply.startsWith("*2\r\n:")) {
                succeeded.incrementAndGet(i);
              } else if (reply.contains("may or may not have run")) {
                unknown.incrementAndGet(i);
              } else if (reply.startsWith("-TRYAGAIN") || reply.startsWith("-EXECABORT") || reply.startsWith("-MOVED")
                  || reply.startsWith("-CROSSNODE")) {
                failures.incrementAndGet();
              } else {
                wrong.add("unexpected EXEC reply " + reply.replace("\r\n", " ") + (direct ? " (direct)" : " (proxy)"));
              }
            }
          } catch (Exception e) {
            wrong.add("client failed: " + e);
          } finally {
            if (proxy != null) {
              try {
                proxy.close();
              } catch (java.io.IOException e) {
                wrong.add("close failed: " + e);
              }
            }
          }
        });
        t.start();
        clients.add(t);
      }
      try {
        Await.until(() -> execs.get() > 200, java.time.Duration.ofSeconds(30), "transactions before the join");
        NodeServer extra = cluster.startNode();
        long before = execs.get();
        ScaleEvent join = cluster.router.coordinator().join(TestCluster.name(extra), null, 1);
        cluster.awaitIdle();
        assertThat(join.status()).as(join.message()).isEqualTo(ScaleEvent.Status.DONE);
        assertThat(execs.get()).as("transactions during the join").isGreaterThan(before);
        long after = execs.get();
        Await.until(() -> execs.get() > after + 200, java.time.Duration.ofSeconds(30), "transactions after the join");
      } finally {
        stop.set(true);
        for (Thread t : clients) {
          t.join(30_000);
        }
      }
      assertThat(wrong).isEmpty();
      try (RedisServer.Conn proxy = RedisServer.Conn.tcp(cluster.router.port())) {
        for (int i = 0; i < PAIRS; i++) {
          String[] pair = pairs.get(i);
          long a = value(proxy.call("get", pair[0]));
          long b = value(proxy.call("get", pair[1]));
          assertThat(a).as("pair %d: %s and %s were incremented together", i, pair[0], pair[1]).isEqualTo(b);
          assertThat(a).as("pair %d counts the EXECs that succeeded", i)
              .isBetween(succeeded.get(i), succeeded.get(i) + unknown.get(i));
        }
      }
    }
  }

  private static String transaction(RedisServer.Conn c, String[] pair) throws java.io.IOException {
    c.send("multi");
    c.send("incr", pair[0]);
    c.send("incr", pair[1]);
    c.send("exec");
    String multi = c.reply();
    c.reply();
    c.reply();
    String exec = c.reply();
    return multi.startsWith("+OK") ? exec : multi;
  }

  private static long value(String bulk) {
    return bulk.equals("$-1\r\n") ? 0 : Long.parseLong(bulk.split("\r\n")[1]);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
