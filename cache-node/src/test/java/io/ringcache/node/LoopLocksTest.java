package io.ringcache.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class LoopLocksTest {

  @Test
  void lockAll_waitsForTheCommandALoopIsRunning_andHoldsTheLoopOffMeanwhile() throws Exception {
    DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
    try {
      LoopLocks locks = new LoopLocks(loops);
      java.util.Iterator<EventExecutor> it = loops.iterator();
      EventExecutor first = it.next();
      EventExecutor second = it.next();
      assertThat(locks.stripe(first)).isNotSameAs(locks.stripe(second));
      ReentrantLock stripe = locks.stripe(second);
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch finish = new CountDownLatch(1);
      second.execute(() -> { // a command on the second loop
        stripe.lock();
        try {
          running.countDown();
          finish.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          stripe.unlock();
        }
      });
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      AtomicBoolean execRan = new AtomicBoolean();
      CountDownLatch execDone = new CountDownLatch(1);
      first.execute(() -> { // EXEC on the first loop
        locks.lockAll();
        try {
          execRan.set(true);
        } finally {
          locks.unlockAll();
          execDone.countDown();
        }
      });
      assertThat(execDone.await(200, TimeUnit.MILLISECONDS)).as("EXEC waits for the running command").isFalse();
      assertThat(execRan).isFalse();
      finish.countDown();
      assertThat(execDone.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(execRan).isTrue();
      assertThat(stripe.isLocked()).isFalse();
    } finally {
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
