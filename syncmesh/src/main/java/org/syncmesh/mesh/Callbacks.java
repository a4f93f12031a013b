package org.syncmesh.mesh;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue of listener events and user handlers, run on the callback executor in the order
 * they were given, one at a time, never on a network thread. A burst costs one executor
 * hand-off, not one per task, and order holds even on a multi-threaded executor. A throwing
 * task is logged, never fatal. Thread-safe.
 */
final class Callbacks {

  private static final Logger log = LoggerFactory.getLogger(Callbacks.class);

  private final Executor executor;
  private final @Nullable ExecutorService owned;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final Runnable drain = this::drain;
  /** Tasks waiting (ConcurrentLinkedQueue.size() walks the queue); and tasks run since start: for metrics. */
  private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.LongAdder ran = new java.util.concurrent.atomic.LongAdder();

  /** Runs on {@code executor}, or on a thread of its own named after {@code name} when null. */
  Callbacks(@Nullable Executor executor, String name) {
    if (executor != null) {
      this.executor = executor;
      this.owned = null;
    } else {
      this.owned = Executors.newSingleThreadExecutor(new DefaultThreadFactory(name, true));
      this.executor = owned;
    }
  }

  /** Queues {@code task} behind every task given before it. */
  void run(Runnable task) {
    queued.incrementAndGet();
    queue.add(task);
    schedule();
  }

  /** Tasks (listener events, handler calls) queued and not yet run; any thread. */
  int queued() {
    return Math.max(0, queued.get());
  }

  /** Tasks run since start, a throwing one included; any thread. */
  long ran() {
    return ran.sum();
  }

  /** Stops the owned thread after what is queued; a given executor is the caller's to stop. */
  void shutdown() {
    if (owned != null) {
      owned.shutdown();
    }
  }

  private void schedule() {
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        executor.execute(drain);
      } catch (RejectedExecutionException e) {
        queue.clear();
        queued.set(0);
        log.debug("callbacks dropped after close");
      }
    }
  }

  private void drain() {
    Runnable task;
    while ((task = queue.poll()) != null) {
      queued.decrementAndGet();
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("a listener or handler threw; ignored", e);
      }
      ran.increment();
    }
    drainScheduled.set(false);
    if (!queue.isEmpty()) {
      schedule(); // a task added after the last poll, before the flag was cleared
    }
  }
}
