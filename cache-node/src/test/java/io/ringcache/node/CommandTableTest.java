package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The node's command table as the import path reads it: a write must be flagged WRITE with its key
 * positions (so its keys are marked touched only once it succeeded), and only a blind overwrite may
 * skip the read-through of keys the node does not hold yet.
 */
class CommandTableTest {

  private final CommandTable table = Commands.table();

  private CommandTable.Spec spec(String name) {
    CommandTable.Spec spec = table.lookup(name.toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    assertThat(spec).as(name).isNotNull();
    return spec;
  }

  @Test
  void stringWrites_areWritesOnTheirKeys() {
    for (String name : new String[] {"append", "setrange", "getset", "setnx", "getex", "incrbyfloat"}) {
      CommandTable.Spec spec = spec(name);
      assertThat(spec.has(CommandTable.WRITE)).as(name).isTrue();
      assertThat(new int[] {spec.firstKey(), spec.lastKey(), spec.keyStep()}).as(name).containsExactly(1, 1, 1);
    }
    for (String name : new String[] {"rename", "renamenx", "copy"}) {
      CommandTable.Spec spec = spec(name);
      assertThat(spec.has(CommandTable.WRITE)).as(name).isTrue();
      assertThat(new int[] {spec.firstKey(), spec.lastKey(), spec.keyStep()}).as(name).containsExactly(1, 2, 1);
    }
    CommandTable.Spec msetnx = spec("msetnx");
    assertThat(msetnx.has(CommandTable.WRITE)).isTrue();
    assertThat(new int[] {msetnx.firstKey(), msetnx.lastKey(), msetnx.keyStep()}).containsExactly(1, -1, 2);
  }

  @Test
  void stringReads_areReadsOnTheirKey_andTimeHasNoKey() {
    for (String name : new String[] {"strlen", "getrange", "substr", "type", "get", "expiretime", "pexpiretime"}) {
      CommandTable.Spec spec = spec(name);
      assertThat(spec.has(CommandTable.READ)).as(name).isTrue();
      assertThat(spec.has(CommandTable.WRITE)).as(name).isFalse();
      assertThat(spec.firstKey()).as(name).isEqualTo(1);
    }
    assertThat(spec("time").keyed()).isFalse();
    assertThat(spec("time").arity()).isEqualTo(1);
  }

  @Test
  void overwritesBlindly_onlyPlainSetAndMset() {
    assertThat(CommandHandler.overwritesBlindly("set", 3)).isTrue();
    assertThat(CommandHandler.overwritesBlindly("mset", 5)).isTrue();
    assertThat(CommandHandler.overwritesBlindly("set", 4)).isFalse(); // SET k v NX / GET / KEEPTTL
    for (String name : new String[] {"append", "setrange", "getset", "setnx", "msetnx", "getex", "incr", "incrbyfloat", "expire", "persist", "rename",
        "renamenx", "copy"}) {
      assertThat(CommandHandler.overwritesBlindly(name, 3)).as(name).isFalse();
    }
  }

  @Test
  void everyCommandServed_isTheCataloguesWithItsArityKeysAndFlags_andTheNodeServesTheWholeCatalogue() {
    java.util.Set<String> served = new java.util.TreeSet<>();
    for (CommandTable.Spec spec : table.all()) {
      if (spec.has(CommandTable.HIDDEN)) {
        assertThat(io.ringcache.resp.command.CommandCatalogue.find(spec.name())).as("%s is not a command", spec.name()).isNull();
        continue;
      }
      served.add(spec.name());
      io.ringcache.resp.command.CommandCatalogue.Command c = io.ringcache.resp.command.CommandCatalogue.find(spec.name());
      assertThat(c).as("%s is in the catalogue", spec.name()).isNotNull();
      assertThat(new int[] {spec.arity(), spec.firstKey(), spec.lastKey(), spec.keyStep()}).as(spec.name())
          .containsExactly(c.arity(), c.firstKey(), c.lastKey(), c.keyStep());
      assertThat(spec.has(CommandTable.READ)).as(spec.name()).isEqualTo(c.has(io.ringcache.resp.command.CommandCatalogue.Flag.READ));
      assertThat(spec.has(CommandTable.WRITE)).as(spec.name()).isEqualTo(c.has(io.ringcache.resp.command.CommandCatalogue.Flag.WRITE));
      assertThat(spec.has(CommandTable.NO_AUTH)).as(spec.name()).isEqualTo(c.has(io.ringcache.resp.command.CommandCatalogue.Flag.NO_AUTH));
    }
    java.util.Set<String> catalogued = new java.util.TreeSet<>();
    io.ringcache.resp.command.CommandCatalogue.all().forEach(c -> catalogued.add(c.name()));
    assertThat(served).isEqualTo(catalogued);
  }

  @Test
  void add_readWriteOrNoAuthFlag_isRefused_theyAreTheCatalogues() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CommandTable().add("get", CommandTable.READ, (c, r) -> {}))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CommandTable().add("nosuch", 0, (c, r) -> {}))
        .hasMessageContaining("nosuch");
  }
}
