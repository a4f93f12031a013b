package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The node's single writer: one step at a time, in order, on the giving thread when free. */
final class SerialStepsTest {

  private final ExecutorService handOff = Executors.newSingleThreadExecutor();
  private final List<Throwable> thrown = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Test
  void aStepGivenWhileNoneRuns_runsAtOnceOnTheGivingThread() {
    SerialSteps steps = new SerialSteps(handOff, thrown::add);
    CompletableFuture<Thread> ran = steps.run(Thread::currentThread);
    assertThat(ran).isCompletedWithValue(Thread.currentThread());
    handOff.shutdown();
  }

  @Test
  void aStepGivenWhileAnotherRuns_isRunByThatThreadAfterIt_andNoTwoStepsOverlap() throws Exception {
    SerialSteps steps = new SerialSteps(handOff, thrown::add);
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> order = new ArrayList<>(); // only ever touched inside steps
    Thread first = new Thread(() -> steps.run(() -> {
      order.add("first");
      inside.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    }), "first");
    first.start();
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Thread> second = steps.run(() -> {
      order.add("second");
      return Thread.currentThread();
    });
    assertThat(second).as("queued behind the running step, not run here").isNotDone();
    release.countDown();
    assertThat(second.get(10, TimeUnit.SECONDS)).as("run by the thread that was running steps").isSameAs(first);
    first.join(10_000);
    assertThat(order).containsExactly("first", "second");
    handOff.shutdown();
  }

  @Test
  void aStepGivenFromInsideAStep_runsNestedAtOnce() {
    SerialSteps steps = new SerialSteps(handOff, thrown::add);
    CompletableFuture<Integer> outer = steps.run(() -> steps.run(() -> 41).join() + 1);
    assertThat(outer).isCompletedWithValue(42);
    handOff.shutdown();
  }

  @Test
  void aThrowingStep_failsItsFutureOnly() {
    SerialSteps steps = new SerialSteps(handOff, thrown::add);
    assertThat(steps.run(() -> {
      throw new IllegalStateException("refused");
    })).isCompletedExceptionally();
    assertThat(steps.run(() -> "next")).isCompletedWithValue("next");
    handOff.shutdown();
  }

  @Test
  void executedSteps_runInOrderWithTheOthers_andWhatTheyThrowIsReported() {
    SerialSteps steps = new SerialSteps(handOff, thrown::add);
    List<String> order = new ArrayList<>();
    IllegalStateException boom = new IllegalStateException("boom");
    steps.execute(() -> {
      order.add("a");
      steps.execute(() -> order.add("nested, at once"));
      order.add("b");
    });
    steps.execute(() -> {
      throw boom;
    });
    assertThat(steps.run(() -> order.add("c"))).isCompletedWithValue(true);
    assertThat(order).containsExactly("a", "nested, at once", "b", "c");
    assertThat(thrown).containsExactly(boom);
    handOff.shutdown();
  }

  @Test
  void manyThreads_everyStepRunsOnce_oneAtATime() throws Exception {
    SerialSteps steps = new SerialSteps(handOff, thrown::add);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    int[] count = {0}; // plain int: only the serial order makes it right
    ExecutorService writers = Executors.newFixedThreadPool(4);
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      writers.submit(() -> {
        for (int i = 0; i < 50_000; i++) {
          CompletableFuture<?> f = steps.run(() -> {
            if (running.incrementAndGet() != 1) {
              overlaps.incrementAndGet();
            }
            count[0]++;
            running.decrementAndGet();
            return null;
          });
          synchronized (all) {
            all.add(f);
          }
        }
      });
    }
    writers.shutdown();
    assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertThat(overlaps.get()).isZero();
    assertThat(steps.run(() -> count[0]).get(10, TimeUnit.SECONDS)).isEqualTo(200_000);
    handOff.shutdown();
    assertThat(handOff.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }
}
