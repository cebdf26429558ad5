package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.resp.Resp;
import org.junit.jupiter.api.Test;

/** INFO without sockets, on a {@link FamilyContext}: the sections asked for, in Redis's line format. */
class InfoTest {

  private final FamilyContext c = new FamilyContext();

  private String info(String... args) {
    return c.run((ctx, r) -> Resp.bulk(ctx.out(), Info.render(ctx, r)), args);
  }

  @Test
  void render_serverSection_namesTheVersionPortUptimeAndTransportOnly() {
    String reply = info("INFO", "SERVER");
    assertThat(reply).contains("\r\n# Server\r\nredis_version:7.0.0\r\n").contains("\r\ntcp_port:0\r\n")
        .contains("\r\nuptime_in_seconds:42\r\n").contains("\r\ntransport:nio\r\n").doesNotContain("# Clients");
  }

  @Test
  void render_keyspace_countsTheKeysAndThoseWithATtl() {
    assertThat(info("INFO", "keyspace")).isEqualTo("$12\r\n# Keyspace\r\n\r\n");
    c.run(KeyCommands::set, "SET", "a", "1");
    c.run(KeyCommands::set, "SET", "b", "2", "EX", "100");
    assertThat(info("INFO", "keyspace")).isEqualTo("$44\r\n# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n\r\n");
  }

  @Test
  void render_noSectionOrAll_listsEverySectionInOrder_anUnknownOneAloneIsEmpty() {
    for (String[] request : new String[][] {{"INFO"}, {"INFO", "all"}, {"INFO", "everything"}}) {
      String reply = info(request);
      assertThat(reply.indexOf("# Server")).as(String.join(" ", request)).isPositive()
          .isLessThan(reply.indexOf("# Clients"));
      assertThat(reply.indexOf("# Clients")).isLessThan(reply.indexOf("# Memory"));
      assertThat(reply.indexOf("# Memory")).isLessThan(reply.indexOf("# Stats"));
      assertThat(reply.indexOf("# Stats")).isLessThan(reply.indexOf("# Keyspace"));
      assertThat(reply.indexOf("# Keyspace")).isLessThan(reply.indexOf("# Ring"));
    }
    assertThat(info("INFO", "nosuch")).isEqualTo("$0\r\n\r\n");
  }
}
