package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

/**
 * Request headers before AUTH against a real Redis 7.0 with a password, for a node (AuthIT) and the
 * proxy (RouterAttacksIT): each header on a fresh connection to both; what each sends back until it
 * closes the connection must be the same bytes.
 */
public final class UnauthenticatedParity {

  /** Opens a fresh connection to one of the two servers. */
  @FunctionalInterface
  public interface Connector {
    RedisServer.Conn connect() throws IOException;
  }

  /** Headers Redis answers with a protocol error before AUTH, and then closes the connection. */
  private static final String[] HEADERS = {
    "*1\r\n$100000000\r\n",
    "*1\r\n$16385\r\n",
    "*2\r\n$4\r\nAUTH\r\n$536870912\r\n", // Redis's proto-max-bulk-len: still "unauthenticated"
    "*1\r\n$536870913\r\n", // beyond it: "invalid bulk length", with our bound named (docs/protocol.md)
    "*11\r\n",
    "*2000000\r\n",
    "*100000000\r\n",
    "*2147483647\r\n",
    "*1\r\n$-5\r\n",
  };

  private UnauthenticatedParity() {}

  public static void check(Connector redis, Connector other) throws IOException {
    for (String header : HEADERS) {
      String expected;
      String actual;
      try (RedisServer.Conn r = redis.connect(); RedisServer.Conn o = other.connect()) {
        r.sendRaw(header);
        o.sendRaw(header);
        expected = r.readUntilClosed();
        actual = o.readUntilClosed();
      }
      String invalid = "-ERR Protocol error: invalid bulk length";
      if (expected.startsWith(invalid) && actual.startsWith(invalid + ": ")) {
        continue; // our "invalid" texts name the value and the bound (docs/protocol.md)
      }
      assertThat(printable(actual)).as("answer to %s before AUTH, then closed", printable(header)).isEqualTo(printable(expected));
    }
  }

  private static String printable(String raw) {
    return raw.replace("\r", "\\r").replace("\n", "\\n");
  }
}
