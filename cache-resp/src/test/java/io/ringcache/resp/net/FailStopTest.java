package io.ringcache.resp.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.internal.OutOfDirectMemoryError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FailStopTest {

  private final List<Integer> halts = new ArrayList<>();
  private FailStop.Halter original;

  @BeforeEach
  void recordHalts() {
    original = FailStop.halter;
    FailStop.halter = halts::add;
  }

  @AfterEach
  void restore() {
    FailStop.halter = original;
  }

  @Test
  void haltIfFatal_outOfDirectMemoryThrownByNetty_haltsWithStatus3() throws Exception {
    java.lang.reflect.Constructor<OutOfDirectMemoryError> c = OutOfDirectMemoryError.class.getDeclaredConstructor(String.class);
    c.setAccessible(true);
    FailStop.haltIfFatal("test loop", c.newInstance("failed to allocate 16777216 byte(s) of direct memory"));
    assertThat(halts).containsExactly(3);
  }

  @Test
  void haltIfFatal_errorWrappedInExecutionException_halts() {
    FailStop.haltIfFatal("test", new ExecutionException(new StackOverflowError()));
    assertThat(halts).containsExactly(FailStop.EXIT_STATUS);
  }

  @Test
  void haltIfFatal_ordinaryExceptions_doNotHalt() {
    FailStop.haltIfFatal("test", new java.io.IOException("Connection reset by peer"));
    FailStop.haltIfFatal("test", new IllegalStateException("bug", new RuntimeException()));
    assertThat(halts).isEmpty();
  }

  @Test
  void guard_periodicTaskThrowingAnError_haltsButARuntimeExceptionIsOnlyLogged() {
    FailStop.guard("housekeeping", () -> {
      throw new IllegalStateException("one bad round");
    }).run();
    assertThat(halts).isEmpty();
    FailStop.guard("housekeeping", () -> {
      throw new OutOfMemoryError("Java heap space");
    }).run();
    assertThat(halts).containsExactly(FailStop.EXIT_STATUS);
  }
}
