package org.syncmesh.mesh;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
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
  private final Consumer<Throwable> onThrow;
  /** Steps: {@link Computed} ones, and the caller's own Runnables for those no one waits for. */
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicReference<Thread> runner = new AtomicReference<>();
  private final Runnable drainOnHandOff = this::drain;

  /**
   * @param handOff where a long run of queued steps continues (the protocol thread)
   * @param onThrow told of what a step given to {@link #execute} threw
   */
  SerialSteps(Executor handOff, Consumer<Throwable> onThrow) {
    this.handOff = handOff;
    this.onThrow = onThrow;
  }

  /** Runs {@code work} as a step, at once if possible, and returns its result or exception. */
  <T> CompletableFuture<T> run(Supplier<T> work) {
    Computed<T> step = new Computed<>(work);
    enqueue(step);
    return step.result;
  }

  /**
   * Runs {@code work} as a step, at once if possible; what it throws goes to the {@code onThrow}
   * given at construction. Nothing is allocated for it beyond its place in the queue: a peer's
   * every write is such a step.
   */
  void execute(Runnable work) {
    enqueue(work);
  }

  private void enqueue(Runnable step) {
    if (runner.get() == Thread.currentThread()) {
      runStep(step);
      return;
    }
    queue.add(step);
    drain();
  }

  private void drain() {
    while (!queue.isEmpty() && runner.compareAndSet(null, Thread.currentThread())) {
      int ran = 0;
      try {
        Runnable step;
        while (ran < BATCH && (step = queue.poll()) != null) {
          runStep(step);
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

  /** Runs one step; a {@link Computed} one keeps what it throws in its future, any other tells {@code onThrow}. */
  private void runStep(Runnable step) {
    try {
      step.run();
    } catch (Throwable t) {
      onThrow.accept(t);
    }
  }

  private static final class Computed<T> implements Runnable {
    final Supplier<T> work;
    final CompletableFuture<T> result = new CompletableFuture<>();

    Computed(Supplier<T> work) {
      this.work = work;
    }

    @Override
    public void run() {
      try {
        result.complete(work.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }
  }
}
