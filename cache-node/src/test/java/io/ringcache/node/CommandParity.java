package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * COMMAND and its subcommands against a real Redis 7.0, for a node (RedisParityIT) and the proxy
 * (ProxyRedisParityIT): errors byte for byte; lists as sets (Redis lists in its hash order, we in
 * table order); COMMAND INFO field by field except the key specifications, tips and subcommands
 * (docs/protocol.md).
 */
public final class CommandParity {

  private CommandParity() {}

  /** Runs every check; {@code other} is the server under test. */
  @SuppressWarnings("unchecked")
  public static void check(RedisServer.Conn redis, RedisServer.Conn other) throws IOException {
    for (String[] request : new String[][] {
      {"command", "list", "filterby"},
      {"command", "list", "x"},
      {"command", "list", "filterby", "pattern"},
      {"command", "list", "filterby", "foo", "bar"},
      {"command", "list", "filterby", "pattern", "x*", "extra"},
      {"command", "list", "filterby", "pattern", "a", "filterby", "pattern", "b"},
      {"command", "list", "filterby", "module", "m"},
      {"command", "list", "filterby", "aclcat", "nosuch"},
      {"command", "list", "filterby", "aclcat", "@string"},
      {"command", "list", "filterby", "pattern", "nosuch*"},
      {"command", "LIST", "FILTERBY", "PATTERN", "GET"},
      {"command", "list", "filterby", "pattern", "client|setn*"},
      {"command", "count", "x"},
      {"command", "foo"},
      {"command", "\u00ff\r\n\0x"},
      {"command", "help"},
      {"command", "help", "x"},
      {"command", "info", "nosuch", "get|x", "post", "host:"},
      {"command", "docs", "nosuch"},
      {"command", "getkeys"},
      {"command", "getkeys", "get"},
      {"command", "getkeys", "nosuch", "a"},
      {"command", "getkeys", "get", "a", "b"},
      {"command", "getkeys", "ping", "x"},
      {"command", "getkeys", "client", "setname", "x"},
      {"command", "getkeys", "client", "nosuch"},
      {"command", "getkeys", "function", "flush"},
      {"command", "getkeys", "function", "flush", "x", "y"},
      {"command", "getkeys", "get", "a"},
      {"command", "getkeys", "mset", "a", "1", "b", "2"},
      {"command", "getkeys", "del", "a", "b", "c"},
      {"command", "getkeys", "rename", "a", "b"},
    }) {
      assertThat(printable(other.call(request))).as("reply to %s", String.join(" ", request))
          .isEqualTo(printable(redis.call(request)));
    }

    Set<String> listed = names(other.call("command", "list"));
    assertThat(listed).as("COMMAND LIST: commands, not HTTP verbs")
        .doesNotContain("post", "host:").contains("get", "set", "command", "command|list", "client|setname", "function", "function|flush");
    Set<String> redisListed = names(redis.call("command", "list"));
    Set<String> topLevel = new TreeSet<>();
    for (String name : listed) {
      if (!name.contains("|")) {
        topLevel.add(name);
      }
    }
    assertThat(other.call("command", "count")).isEqualTo(":" + topLevel.size() + "\r\n");
    assertThat(parse(other.call("command"))).hasSize(topLevel.size());
    assertThat(parse(other.call("command", "info"))).hasSize(topLevel.size());

    // filters: what Redis lists, restricted to what both serve
    for (String[] filter : new String[][] {{"pattern", "get*"}, {"pattern", "*EXPIRE*"}, {"pattern", "client*"},
        {"pattern", "[a-c]*"}, {"pattern", "?et"}, {"aclcat", "string"}, {"aclcat", "KEYSPACE"}, {"aclcat", "connection"},
        {"aclcat", "write"}}) {
      Set<String> expected = new TreeSet<>(names(redis.call("command", "list", "filterby", filter[0], filter[1])));
      expected.retainAll(listed);
      Set<String> actual = names(other.call("command", "list", "filterby", filter[0], filter[1]));
      actual.retainAll(redisListed); // CLIENT NO-TOUCH is Redis 7.2's
      assertThat(actual)
          .as("COMMAND LIST FILTERBY %s %s", filter[0], filter[1]).isEqualTo(expected);
    }

    // every command and subcommand both know: name, arity, flags, key positions and ACL categories
    for (String name : listed) {
      if (!redisListed.contains(name)) {
        continue;
      }
      List<Object> mine = (List<Object>) parse(other.call("command", "info", name)).get(0);
      List<Object> theirs = (List<Object>) parse(redis.call("command", "info", name)).get(0);
      assertThat(mine.subList(0, 7)).as("COMMAND INFO %s", name).isEqualTo(theirs.subList(0, 7));
      List<Object> myDocs = parse(other.call("command", "docs", name));
      List<Object> redisDocs = parse(redis.call("command", "docs", name));
      assertThat(myDocs.get(0)).isEqualTo(name);
      List<Object> mineFields = (List<Object>) myDocs.get(1);
      List<Object> theirFields = (List<Object>) redisDocs.get(1);
      for (int i = 0; i < mineFields.size(); i += 2) {
        if (mineFields.get(i).equals("subcommands")) {
          continue;
        }
        int at = theirFields.indexOf(mineFields.get(i));
        assertThat(at).as("COMMAND DOCS %s field %s", name, mineFields.get(i)).isNotNegative();
        assertThat(mineFields.get(i + 1)).as("COMMAND DOCS %s field %s", name, mineFields.get(i)).isEqualTo(theirFields.get(at + 1));
      }
    }
  }

  private static String printable(String raw) {
    return raw.replace("\r", "\\r").replace("\n", "\\n");
  }

  private static Set<String> names(String reply) {
    Set<String> names = new TreeSet<>();
    for (Object o : parse(reply)) {
      names.add((String) o);
    }
    return names;
  }

  /** Parses an array reply into nested lists of strings (bulk and simple), longs and nulls. */
  @SuppressWarnings("unchecked")
  public static List<Object> parse(String reply) {
    try {
      InputStream in = new ByteArrayInputStream(reply.getBytes(StandardCharsets.ISO_8859_1));
      Object value = read(in);
      assertThat(value).as("an array reply: %s", printable(reply)).isInstanceOf(List.class);
      assertThat(in.available()).as("bytes after the reply").isZero();
      return (List<Object>) value;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    StringBuilder line = new StringBuilder();
    for (int c; (c = in.read()) != '\r'; ) {
      line.append((char) c);
    }
    in.read();
    switch (type) {
      case '+', '-' -> {
        return line.toString();
      }
      case ':' -> {
        return Long.parseLong(line.toString());
      }
      case '$' -> {
        int n = Integer.parseInt(line.toString());
        if (n < 0) {
          return null;
        }
        String s = new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
        in.readNBytes(2);
        return s;
      }
      case '*' -> {
        int n = Integer.parseInt(line.toString());
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          items.add(read(in));
        }
        return items;
      }
      default -> throw new IOException("not a RESP type: " + (char) type);
    }
  }
}
