package io.ringcache.resp.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringcache.resp.command.CommandCatalogue.Command;
import io.ringcache.resp.command.CommandCatalogue.Flag;
import org.junit.jupiter.api.Test;

/** The catalogue on its own: well-formed entries; node, proxy and client each check themselves against it. */
class CommandCatalogueTest {

  @Test
  void everyCommand_hasLowerCaseNameConsistentKeysAndNoReadWriteConflict() {
    assertThat(CommandCatalogue.all()).isNotEmpty();
    for (Command c : CommandCatalogue.all()) {
      assertThat(c.name()).as(c.name()).isEqualTo(c.name().toLowerCase(java.util.Locale.ROOT));
      assertThat(c.arity()).as(c.name()).isNotZero();
      assertThat(c.has(Flag.READ) && c.has(Flag.WRITE)).as(c.name() + " both reads only and writes").isFalse();
      if (c.keyed()) {
        assertThat(c.keyStep()).as(c.name()).isPositive();
        assertThat(c.lastKey() == -1 || c.lastKey() >= c.firstKey()).as(c.name()).isTrue();
        // the arity leaves room for the first key
        assertThat(Math.abs(c.arity())).as(c.name()).isGreaterThan(c.firstKey());
      } else {
        assertThat(new int[] {c.firstKey(), c.lastKey(), c.keyStep()}).as(c.name()).containsExactly(0, 0, 0);
      }
      c.subcommands().forEach((name, sub) -> {
        assertThat(sub.name()).isEqualTo(name);
        assertThat(Math.abs(sub.arity())).as(c.name() + "|" + name).isGreaterThanOrEqualTo(2);
      });
    }
  }

  @Test
  void find_anyCase_get_throwsForAnUnknownName() {
    assertThat(CommandCatalogue.find("GeT").name()).isEqualTo("get");
    assertThat(CommandCatalogue.find("nosuch")).isNull();
    assertThatThrownBy(() -> CommandCatalogue.get("nosuch")).hasMessageContaining("nosuch");
  }

  @Test
  void subcommandArity_servedSubset_keepsCatalogueArity_unknownNameThrows() {
    Command client = CommandCatalogue.get("client");
    assertThat(client.subcommandArity(java.util.List.of("setname", "list"))).containsExactly(
        java.util.Map.entry("setname", 3), java.util.Map.entry("list", -2));
    assertThatThrownBy(() -> client.subcommandArity(java.util.List.of("kill"))).hasMessageContaining("kill");
  }

  @Test
  void commandSubcommands_areIntrospectionsOwn() {
    assertThat(CommandIntrospection.SUBCOMMANDS).containsOnlyKeys("count", "docs", "getkeys", "help", "info", "list");
    assertThat(CommandIntrospection.SUBCOMMANDS).containsEntry("getkeys", -4);
  }
}
