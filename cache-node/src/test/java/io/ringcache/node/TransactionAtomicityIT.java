package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.testkit.core.Await;
import io.ringcache.testkit.core.LaunchedCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EXEC is atomic with respect to the node's other clients, whichever event loop serves them: a
 * node with several worker loops, clients on all of them at once.
 */
class TransactionAtomicityIT {

  private static LaunchedCluster<NodeServer, Void> nodes;
  private static NodeServer node;

  @BeforeAll
  static void start() {
    nodes = Nodes.standalone().nodeThreads(4).start();
    node = nodes.node(0);
  }

  @AfterAll
  static void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  void exec_incrPairs_otherClientsNeverSeeThePairDiffer() throws Exception {
    RedisServer.Conn setup = RedisServer.Conn.tcp(node.port());
    setup.call("mset", "pair:a", "0", "pair:b", "0");
    int writers = 2;
    int rounds = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 3);
    AtomicBoolean done = new AtomicBoolean();
    try {
      List<Future<Integer>> readers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        boolean viaExec = i == 0;
        readers.add(pool.submit(() -> {
          int reads = 0;
          try (RedisServer.Conn c = RedisServer.Conn.tcp(node.port())) {
            while (!done.get() || reads == 0) {
              String reply;
              if (viaExec) {
                c.send("multi");
                c.send("get", "pair:a");
                c.send("get", "pair:b");
                c.send("exec");
                assertThat(c.reply()).isEqualTo("+OK\r\n");
                c.reply();
                c.reply();
                reply = c.reply();
              } else {
                reply = c.call("mget", "pair:a", "pair:b");
              }
              String[] lines = reply.split("\r\n");
              assertThat(lines[2]).as("pair read in one request: %s", reply.replace("\r\n", " ")).isEqualTo(lines[4]);
              reads++;
            }
          }
          return reads;
        }));
      }
      List<Future<?>> incrementers = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        incrementers.add(pool.submit(() -> {
          try (RedisServer.Conn c = RedisServer.Conn.tcp(node.port())) {
            for (int i = 0; i < rounds; i++) {
              c.send("multi");
              c.send("incr", "pair:a");
              c.send("incr", "pair:b");
              c.send("exec");
              c.reply();
              c.reply();
              c.reply();
              String exec = c.reply();
              assertThat(exec).startsWith("*2\r\n:");
            }
          }
          return null;
        }));
      }
      for (Future<?> f : incrementers) {
        f.get(120, TimeUnit.SECONDS);
      }
      done.set(true);
      for (Future<Integer> f : readers) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isPositive();
      }
    } finally {
      done.set(true);
      pool.shutdownNow();
    }
    assertThat(setup.call("mget", "pair:a", "pair:b"))
        .isEqualTo("*2\r\n$4\r\n" + writers * rounds + "\r\n$4\r\n" + writers * rounds + "\r\n");
    setup.close();
  }

  @Test
  void watchCheckAndSet_concurrentClients_loseNoIncrement() throws Exception {
    RedisServer.Conn setup = RedisServer.Conn.tcp(node.port());
    setup.call("set", "cas:counter", "0");
    int clients = 4;
    int increments = 300;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<Integer>> aborts = new ArrayList<>(); // how many EXECs each client saw aborted
      for (int i = 0; i < clients; i++) {
        aborts.add(pool.submit(() -> {
          int aborted = 0;
          try (RedisServer.Conn c = RedisServer.Conn.tcp(node.port())) {
            for (int done = 0; done < increments; ) {
              assertThat(c.call("watch", "cas:counter")).isEqualTo("+OK\r\n");
              String bulk = c.call("get", "cas:counter");
              long value = Long.parseLong(bulk.split("\r\n")[1]);
              c.send("multi");
              c.send("set", "cas:counter", Long.toString(value + 1));
              c.send("exec");
              c.reply();
              c.reply();
              String exec = c.reply();
              if (exec.equals("*-1\r\n")) {
                aborted++;
              } else {
                assertThat(exec).isEqualTo("*1\r\n+OK\r\n");
                done++;
              }
            }
          }
          return aborted;
        }));
      }
      for (Future<Integer> f : aborts) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(setup.call("get", "cas:counter")).isEqualTo("$4\r\n" + clients * increments + "\r\n");
    Await.until(() -> node.watches().size() == 0, java.time.Duration.ofSeconds(10), "closed connections unwatch their keys");
    setup.close();
  }
}
