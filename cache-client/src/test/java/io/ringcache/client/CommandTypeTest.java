package io.ringcache.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringcache.resp.command.CommandCatalogue;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The client's command types against the command catalogue: each one the client sends is there, with the keys it sends. */
class CommandTypeTest {

  /** The types whose request carries a key at argument 1 (Request.of / the batch commands). */
  private static final Set<CommandType> KEYED = EnumSet.of(CommandType.GET, CommandType.SET, CommandType.DEL,
      CommandType.EXISTS, CommandType.PEXPIRE, CommandType.PTTL, CommandType.INCR, CommandType.INCRBY, CommandType.DECRBY,
      CommandType.GETDEL, CommandType.PERSIST, CommandType.MGET, CommandType.MSET);

  @Test
  void everyType_isInTheCatalogue_keyedOnesFromArgumentOne() {
    for (CommandType type : CommandType.values()) {
      CommandCatalogue.Command c = CommandCatalogue.find(type.wireName());
      assertThat(c).as("%s is in the catalogue", type.wireName()).isNotNull();
      assertThat(c.firstKey()).as(type.wireName()).isEqualTo(KEYED.contains(type) ? 1 : 0);
    }
  }

  @Test
  void readOnly_fromTheCatalogue_onlyReadsAndKeylessQueriesMayBeResent() {
    Set<CommandType> resendable = EnumSet.noneOf(CommandType.class);
    for (CommandType type : CommandType.values()) {
      if (type.readOnly()) {
        resendable.add(type);
      }
    }
    assertThat(resendable).containsExactlyInAnyOrder(CommandType.GET, CommandType.EXISTS, CommandType.PTTL, CommandType.MGET,
        CommandType.PING, CommandType.SCAN, CommandType.RING_EPOCH, CommandType.RING_TOPOLOGY);
  }
}
