package org.syncmesh.mesh;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The node's single writer: every change to its state runs as a step here, one at a time, in the
 * order the steps were given, each seeing every earlier one's effects. It is an executor without
 * a thread of its own: a step given while none runs runs at once on the giving thread (a local
 * write on the caller's thread, a peer's write on the I/O thread), and that thread then runs the
 * steps others gave meanwhile; a step given while another runs is queued and run by that thread.
 * So no thread ever waits for another to run its step if it can run it itself, and no thread
 * waits inside a step: a step is short and never blocks (see MeshSocket, "Concurrency").
 *
 * <p>A step given from inside a step (a listener on a direct callback executor writing again)
 * runs at once, nested. A thread runs at most {@value #BATCH} steps of others before it hands
 * the rest to the protocol thread and returns. Thread-safe.
 */
final class SerialSteps {

  private static final int BATCH = 256;

  private final Executor handOff;
  private final Queue<Step<?>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicReference<Thread> runner = new AtomicReference<>();
  private final Runnable drainOnHandOff = this::drain;

  /** @param handOff where a long run of queued steps continues (the protocol thread) */
  SerialSteps(Executor handOff) {
    this.handOff = handOff;
  }

  /** Runs {@code work} as a step, at once if possible, and returns its result or exception. */
  <T> CompletableFuture<T> run(Supplier<T> work) {
    Step<T> step = new Step<>(work);
    if (runner.get() == Thread.currentThread()) {
      step.run();
      return step.result;
    }
    queue.add(step);
    drain();
    return step.result;
  }

  private void drain() {
    while (!queue.isEmpty() && runner.compareAndSet(null, Thread.currentThread())) {
      int ran = 0;
      try {
        Step<?> step;
        while (ran < BATCH && (step = queue.poll()) != null) {
          step.run();
          ran++;
        }
      } finally {
        runner.set(null);
      }
      if (ran == BATCH && !queue.isEmpty()) {
        try {
          handOff.execute(drainOnHandOff);
          return;
        } catch (RejectedExecutionException e) {
          // shutting down: go on here, the steps fail fast once the socket is closed
        }
      }
    }
  }

  private static final class Step<T> {
    final Supplier<T> work;
    final CompletableFuture<T> result = new CompletableFuture<>();

    Step(Supplier<T> work) {
      this.work = work;
    }

    void run() {
      try {
        result.complete(work.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }
  }
}
