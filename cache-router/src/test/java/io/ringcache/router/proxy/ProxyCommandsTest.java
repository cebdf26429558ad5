package io.ringcache.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.resp.command.CommandCatalogue;
import io.ringcache.resp.command.CommandCatalogue.Flag;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The proxy's commands against the command catalogue: it serves nothing the catalogue lacks, with the catalogue's arity and keys. */
class ProxyCommandsTest {

  @Test
  void everyCommandServed_isInTheCatalogue_withItsArityKeysAndFlags() {
    assertThat(ProxyCommands.served()).isNotEmpty();
    for (ProxyCommands.Spec spec : ProxyCommands.served()) {
      CommandCatalogue.Command c = CommandCatalogue.find(spec.name());
      assertThat(c).as("%s is in the catalogue", spec.name()).isNotNull();
      assertThat(new int[] {spec.arity(), spec.firstKey(), spec.lastKey(), spec.step()}).as(spec.name())
          .containsExactly(c.arity(), c.firstKey(), c.lastKey(), c.keyStep());
      assertThat(spec.noAuth()).as(spec.name()).isEqualTo(c.has(Flag.NO_AUTH));
      assertThat(spec.write()).as(spec.name()).isEqualTo(c.has(Flag.WRITE));
      if (spec.kind() == ProxyCommands.Kind.KEYED || spec.kind() == ProxyCommands.Kind.MGET
          || spec.kind() == ProxyCommands.Kind.MSET || spec.kind() == ProxyCommands.Kind.SUM) {
        assertThat(c.keyed()).as("%s is routed by its keys", spec.name()).isTrue();
      }
    }
  }

  @Test
  void subcommandsServed_areTheCataloguesWithItsArity() {
    for (Map.Entry<String, Map<String, Integer>> container : Map.of("client", ProxyCommands.CLIENT_SUBCOMMANDS,
        "config", ProxyCommands.CONFIG_SUBCOMMANDS, "function", ProxyCommands.FUNCTION_SUBCOMMANDS).entrySet()) {
      Map<String, Integer> all = CommandCatalogue.get(container.getKey()).subcommandArity(null);
      assertThat(container.getValue()).as(container.getKey()).isNotEmpty();
      container.getValue().forEach((sub, arity) ->
          assertThat(all).as(container.getKey() + "|" + sub).containsEntry(sub, arity));
    }
    assertThat(ProxyCommands.CLIENT_SUBCOMMANDS).doesNotContainKeys("info", "list"); // a node's own
  }

  @Test
  void lookup_unsupportedCommand_isKnownButNotServed() {
    assertThat(ProxyCommands.lookup("SUBSCRIBE").kind()).isEqualTo(ProxyCommands.Kind.UNSUPPORTED);
    assertThat(ProxyCommands.served()).noneMatch(s -> s.kind() == ProxyCommands.Kind.UNSUPPORTED);
  }
}
