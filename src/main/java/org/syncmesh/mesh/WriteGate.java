package org.syncmesh.mesh;

import io.netty.channel.EventLoop;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.syncmesh.net.Link;

/**
 * Where every write made on another thread enters the node: a local sync write, a user's
 * broadcast or whisper. A write is a task for the protocol thread; the gate runs them there one
 * at a time, in the order they entered, and applies back-pressure <em>before</em> a write
 * enters, never inside the node (see MeshSocket, "Concurrency"):
 *
 * <ul>
 *   <li>a caller waits while {@value #MAX_QUEUED_BYTES} bytes of earlier writes are queued, so a
 *       loop of writes cannot grow the queue until the heap is gone;
 *   <li>the protocol thread stops taking writes from the queue while a peer's connection is over
 *       its high-water mark, and resumes when it has drained: local writers go no faster than
 *       their peers read. A peer that has read nothing for {@value #STALL_GRACE_MILLIS} ms no
 *       longer holds writers back; its queue grows to the slow-peer limit and it is dropped.
 * </ul>
 *
 * The protocol thread never waits here: from it, a write runs in place. Thread-safe.
 */
final class WriteGate {

  static final int MAX_QUEUED_BYTES = 8 * 1024 * 1024;
  /** A queued small write costs about this much in objects, whatever its payload. */
  static final int MIN_COST_BYTES = 1024;
  static final long STALL_GRACE_MILLIS = 1000;
  /** Writes run per turn of the event loop, so that reading and I/O keep their share. */
  private static final int BATCH = 256;
  private static final long RECHECK_MILLIS = 50;
  private static final long LINGER_NANOS = 20_000;

  private final EventLoop loop;
  private final Supplier<? extends Iterable<Link>> links;
  private final Semaphore budget = new Semaphore(MAX_QUEUED_BYTES);
  private final Queue<Task<?>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final Runnable drain = this::drain;
  private volatile boolean closed;
  // Protocol thread only.
  private final Map<Link, Long> unwritableSince = new IdentityHashMap<>();
  private boolean waitingForLink;

  /** @param links the registered peers' links, read on the protocol thread */
  WriteGate(EventLoop loop, Supplier<? extends Iterable<Link>> links) {
    this.loop = loop;
    this.links = links;
  }

  /** Runs {@code work} on the protocol thread after waiting for room (never waits there). */
  <T> CompletableFuture<T> submit(int payloadBytes, Supplier<T> work) {
    return enter(payloadBytes, work, true);
  }

  /** As {@link #submit}, but fails at once with RejectedExecutionException when there is no room. */
  <T> CompletableFuture<T> trySubmit(int payloadBytes, Supplier<T> work) {
    return enter(payloadBytes, work, false);
  }

  private <T> CompletableFuture<T> enter(int payloadBytes, Supplier<T> work, boolean wait) {
    Task<T> task = new Task<>(cost(payloadBytes), work);
    if (closed) {
      return task.fail(closedError());
    }
    if (loop.inEventLoop()) {
      task.run();
      return task.result;
    }
    @Nullable RuntimeException refused = wait ? awaitRoom(task.cost) : budget.tryAcquire(task.cost) ? null
        : new RejectedExecutionException("the node's write queue is full (" + MAX_QUEUED_BYTES
            + " bytes of writes waiting for its peers): retry once earlier writes have completed");
    return refused != null ? task.fail(refused) : enqueue(task);
  }

  /** Takes {@code cost} bytes of room, waiting as long as it takes; the error if it cannot. */
  private @Nullable RuntimeException awaitRoom(int cost) {
    try {
      while (!budget.tryAcquire(cost, 100, TimeUnit.MILLISECONDS)) {
        if (closed) {
          return closedError();
        }
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new IllegalStateException("interrupted while waiting for room in the node's write queue", e);
    }
  }

  /** Fails every queued write and every later one; idempotent. */
  void close() {
    closed = true;
    failQueued();
  }

  private <T> CompletableFuture<T> enqueue(Task<T> task) {
    queue.add(task);
    if (closed) {
      failQueued(); // lost the race with close(): nobody would drain it
    } else if (drainScheduled.compareAndSet(false, true)) {
      try {
        loop.execute(drain);
      } catch (RejectedExecutionException e) {
        failQueued();
      }
    }
    return task.result;
  }

  private void drain() {
    int ran = 0;
    Task<?> task;
    while ((task = queue.peek()) != null || (ran > 0 && ran < BATCH && (task = linger()) != null)) {
      if (ran == BATCH) {
        loop.execute(drain); // still scheduled: let the loop read and write before more
        return;
      }
      Link full = firstFullLink();
      if (full != null) {
        waitFor(full); // still scheduled: resumes when the link drains or the recheck runs
        return;
      }
      if (queue.poll() != task) {
        continue; // close() took it
      }
      budget.release(task.cost);
      task.run();
      ran++;
    }
    drainScheduled.set(false);
    if (!queue.isEmpty() && drainScheduled.compareAndSet(false, true)) {
      loop.execute(drain); // added after the last peek, before the flag was cleared
    }
  }

  /**
   * Waits a few microseconds for another write: a caller that waits for each write (a loop of
   * synchronous sets) sends its next one about that soon, and taking it in the same turn saves a
   * wake-up of this thread and a flush per write. Null if none came.
   */
  private @Nullable Task<?> linger() {
    long until = System.nanoTime() + LINGER_NANOS;
    Task<?> next;
    while ((next = queue.peek()) == null && System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    return next;
  }

  /** A link over its high-water mark that is still reading, or null. */
  private @Nullable Link firstFullLink() {
    long now = System.nanoTime();
    Link full = null;
    for (Link link : links.get()) {
      if (link.isWritable()) {
        unwritableSince.remove(link);
        continue;
      }
      long since = unwritableSince.computeIfAbsent(link, l -> now);
      if (full == null && now - since < TimeUnit.MILLISECONDS.toNanos(STALL_GRACE_MILLIS)) {
        full = link;
      }
    }
    unwritableSince.keySet().removeIf(link -> !link.isOpen());
    return full;
  }

  private void waitFor(Link link) {
    if (waitingForLink) {
      return;
    }
    waitingForLink = true;
    Runnable resume = () -> {
      if (waitingForLink) {
        waitingForLink = false;
        drain();
      }
    };
    link.whenWritable(() -> loop.execute(resume));
    // The link may close instead, or stall past the grace period: look again soon either way.
    loop.schedule(resume, RECHECK_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void failQueued() {
    Task<?> task;
    while ((task = queue.poll()) != null) {
      budget.release(task.cost);
      task.fail(closedError());
    }
  }

  private static int cost(int payloadBytes) {
    return Math.min(Math.max(payloadBytes, MIN_COST_BYTES), MAX_QUEUED_BYTES);
  }

  private static IllegalStateException closedError() {
    return new IllegalStateException("socket is closed");
  }

  private static final class Task<T> {
    final int cost;
    final Supplier<T> work;
    final CompletableFuture<T> result = new CompletableFuture<>();

    Task(int cost, Supplier<T> work) {
      this.cost = cost;
      this.work = work;
    }

    void run() {
      try {
        result.complete(work.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }

    CompletableFuture<T> fail(Throwable error) {
      result.completeExceptionally(error);
      return result;
    }
  }
}
