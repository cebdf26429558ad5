package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Real third-party clients against a RESP port, for a node (RealClientsIT) and the proxy
 * (ProxyRealClientsIT): Debian's redis-cli in its bulk modes (--pipe, --bigkeys, --scan) and
 * redis-py's set() with every option, scan_iter() and info(). The Python snippets were checked
 * against a real redis-server 7.0: they pass there too.
 */
public final class RealClients {

  public static final Path REDIS_CLI = Path.of("/usr/bin/redis-cli");

  private RealClients() {}

  public static boolean redisCliInstalled() {
    return Files.isExecutable(REDIS_CLI);
  }

  /** Runs {@code command} with {@code stdin}; asserts it exits 0 within 60 s; returns its output. */
  public static String run(String stdin, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private static String cli(String stdin, int port, String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 5];
    command[0] = REDIS_CLI.toString();
    command[1] = "-h";
    command[2] = "127.0.0.1";
    command[3] = "-p";
    command[4] = Integer.toString(port);
    System.arraycopy(args, 0, command, 5, args.length);
    return run(stdin, command);
  }

  /**
   * On an empty server at {@code port}: loads 500 keys with {@code redis-cli --pipe}, finds the
   * biggest with {@code --bigkeys} (its size read with STRLEN), and lists a pattern's keys with
   * {@code --scan --pattern}.
   */
  public static void redisCliBulkModes(int port) throws IOException, InterruptedException {
    StringBuilder pipe = new StringBuilder();
    long totalBytes = 0;
    Set<String> matching = new TreeSet<>();
    for (int i = 0; i < 500; i++) {
      String key = "tool:" + i;
      String value = i == 137 ? "b".repeat(5000) : "v".repeat(1 + i % 40);
      totalBytes += value.length();
      if (key.startsWith("tool:1")) {
        matching.add(key);
      }
      pipe.append("*3\r\n$3\r\nSET\r\n$").append(key.length()).append("\r\n").append(key).append("\r\n$")
          .append(value.length()).append("\r\n").append(value).append("\r\n");
    }
    assertThat(cli(pipe.toString(), port, "--pipe")).contains("errors: 0, replies: 500");

    String bigkeys = cli(null, port, "--bigkeys");
    assertThat(bigkeys)
        .contains("Sampled 500 keys in the keyspace!")
        .contains("Biggest string found '\"tool:137\"' has 5000 bytes")
        .contains("500 strings with " + totalBytes + " bytes (100.00% of keys")
        .doesNotContain("ERR");

    String scan = cli(null, port, "--scan", "--pattern", "tool:1*");
    assertThat(scan.lines().toList()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(matching);
    assertThat(cli(null, port, "--scan").lines().distinct().count()).isEqualTo(500);
  }

  /**
   * redis-py's {@code set} with each of ex, px, exat, pxat, nx, xx, keepttl and get (and the
   * combinations Redis allows), {@code scan_iter} with match and count, and {@code info} of each of
   * {@code sections} and of the keyspace, parsed into dicts. The server at {@code port} must hold
   * no key starting with "py:".
   */
  public static void redisPySetScanInfo(int port, List<String> sections) throws IOException, InterruptedException {
    String script = """
        import time
        p = "py:"
        assert r.set(p + "k", "v") is True
        assert r.set(p + "k", "w", nx=True) is None
        assert r.get(p + "k") == b"v"
        assert r.set(p + "k", "w", xx=True) is True
        assert r.set(p + "missing", "w", xx=True) is None and r.exists(p + "missing") == 0
        assert r.set(p + "k", "x", get=True) == b"w"
        assert r.set(p + "k", "q", nx=True, get=True) == b"x" and r.get(p + "k") == b"x"
        assert r.set(p + "missing", "q", xx=True, get=True) is None and r.exists(p + "missing") == 0
        assert r.set(p + "k", "y", ex=100) is True and 98 <= r.ttl(p + "k") <= 100
        assert r.set(p + "k", "y", px=100000) is True and 97000 <= r.pttl(p + "k") <= 100000
        now = int(time.time())
        assert r.set(p + "k", "y", exat=now + 200) is True and 197 <= r.ttl(p + "k") <= 200
        assert r.set(p + "k", "y", pxat=(now + 300) * 1000) is True and 297 <= r.ttl(p + "k") <= 300
        assert r.set(p + "k", "z", keepttl=True) is True and 297 <= r.ttl(p + "k") <= 300 and r.get(p + "k") == b"z"
        assert r.set(p + "k", "z", xx=True, keepttl=True, get=True) == b"z" and r.ttl(p + "k") > 0
        assert r.set(p + "k", "plain") is True and r.ttl(p + "k") == -1
        assert r.set(p + "k", "gone", pxat=1) is True and r.exists(p + "k") == 0
        try:
            r.set(p + "k", "v", ex=0)
            raise AssertionError("SET EX 0 was accepted")
        except redis.ResponseError as e:
            assert str(e) == "invalid expire time in 'set' command", str(e)
        for i in range(200):
            r.set(p + "scan:" + str(i), i)
        r.set(p + "other", 1)
        seen = [k.decode() for k in r.scan_iter(match=p + "scan:*", count=17)]
        assert sorted(seen) == sorted(p + "scan:" + str(i) for i in range(200)), len(seen)
        assert len(seen) == len(set(seen)), "duplicates"
        assert [k for k in r.scan_iter(match=p + "nothing*")] == []
        for section in SECTIONS:
            info = r.info(section)
            assert isinstance(info, dict) and "__raw__" not in info, (section, info)
        info = r.info()
        assert "__raw__" not in info and info["db0"]["keys"] >= 201, info.get("db0")
        keyspace = r.info("keyspace")
        assert set(keyspace) == {"db0"} and set(keyspace["db0"]) == {"keys", "expires", "avg_ttl"}, keyspace
        assert all(isinstance(v, int) for v in keyspace["db0"].values()), keyspace
        print("ok")
        """.replace("SECTIONS", sections.stream().map(s -> "\"" + s + "\"").toList().toString());
    assertThat(RedisPy.run(port, script)).isEqualTo("ok\n");
  }
}
