package org.syncmesh.mesh;

import io.netty.channel.EventLoop;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.syncmesh.net.Link;

/**
 * What this node has to send, on its way from the thread that made it to the protocol thread:
 * a broadcast of a local write, a user's broadcast or whisper. The protocol thread sends them in
 * the order they were queued, a batch per turn, and applies back-pressure <em>before</em> a write
 * enters the node, never inside it (see MeshSocket, "Concurrency"):
 *
 * <ul>
 *   <li>a writer waits before entering while {@value #MAX_QUEUED_BYTES} bytes are queued, so a loop
 *       of writes cannot grow the queue until the heap is gone; queuing itself never waits, so a
 *       write step, once entered, never blocks;
 *   <li>the protocol thread stops sending from the queue while a peer's connection is over its
 *       high-water mark, and resumes when it has drained: local writers go no faster than their
 *       peers read. A peer that has read nothing for {@value #STALL_GRACE_MILLIS} ms no longer
 *       holds writers back; its queue grows to the slow-peer limit and it is dropped.
 * </ul>
 *
 * Thread-safe.
 */
final class SendQueue {

  static final int MAX_QUEUED_BYTES = 8 * 1024 * 1024;
  /** A queued small send costs about this much in objects, whatever its payload. */
  static final int MIN_COST_BYTES = 1024;
  static final long STALL_GRACE_MILLIS = 1000;
  /** Sends per turn of the event loop, so that reading and I/O keep their share. */
  private static final int BATCH = 256;
  private static final long RECHECK_MILLIS = 50;
  private static final long LINGER_NANOS = 20_000;
  /**
   * Lingers that found nothing in a row after which this queue stops lingering (a writer whose
   * next send is far off: one waiting for its disk, a paced one), probing again every
   * {@value #LINGER_PROBE_EVERY} drains.
   */
  private static final int MAX_LINGER_MISSES = 4;
  private static final int LINGER_PROBE_EVERY = 64;
  private static final long ROOM_POLL_NANOS = 100_000;

  private final EventLoop loop;
  private final Supplier<? extends Iterable<Link>> links;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final Queue<Send> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final Runnable drain = this::drain;
  private volatile boolean closed;
  // Protocol thread only.
  private final Map<Link, Long> unwritableSince = new IdentityHashMap<>();
  private boolean waitingForLink;

  private record Send(int cost, Runnable action) {}

  /** @param links the registered peers' links, read on the protocol thread */
  SendQueue(EventLoop loop, Supplier<? extends Iterable<Link>> links) {
    this.loop = loop;
    this.links = links;
  }

  /**
   * Waits while the queue is full; never on the protocol thread, which must not wait.
   *
   * @throws IllegalStateException if the socket closes or the thread is interrupted meanwhile
   */
  void awaitRoom() {
    if (loop.inEventLoop()) {
      return;
    }
    while (!hasRoom()) {
      if (closed) {
        throw closedError();
      }
      LockSupport.parkNanos(ROOM_POLL_NANOS);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for room in the node's send queue");
      }
    }
    if (closed) {
      throw closedError();
    }
  }

  /** Whether a writer may enter now. */
  boolean hasRoom() {
    return queuedBytes.get() < MAX_QUEUED_BYTES;
  }

  /**
   * Queues {@code action} (a send) for the protocol thread, behind every earlier one; never waits.
   * On the protocol thread with nothing queued it runs at once. Dropped after close.
   */
  void send(int payloadBytes, Runnable action) {
    if (closed) {
      return;
    }
    if (loop.inEventLoop() && queue.isEmpty()) {
      action.run();
      return;
    }
    int cost = Math.min(Math.max(payloadBytes, MIN_COST_BYTES), MAX_QUEUED_BYTES);
    queuedBytes.addAndGet(cost);
    queue.add(new Send(cost, action));
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        loop.execute(drain);
      } catch (RejectedExecutionException e) {
        close(); // shut down: the socket is closed
      }
    }
  }

  /** Drops every queued send and every later one, and wakes waiting writers; idempotent. */
  void close() {
    closed = true;
    Send s;
    while ((s = queue.poll()) != null) {
      queuedBytes.addAndGet(-s.cost());
    }
  }

  private void drain() {
    int ran = 0;
    Send send;
    while ((send = queue.peek()) != null || (ran > 0 && ran < BATCH && (send = linger()) != null)) {
      if (ran == BATCH) {
        loop.execute(drain); // still scheduled: let the loop read and write before more
        return;
      }
      Link full = firstFullLink();
      if (full != null) {
        waitFor(full); // still scheduled: resumes when the link drains or the recheck runs
        return;
      }
      if (queue.poll() != send) {
        continue; // close() took it
      }
      queuedBytes.addAndGet(-send.cost());
      send.action().run();
      ran++;
    }
    drainScheduled.set(false);
    if (!queue.isEmpty() && drainScheduled.compareAndSet(false, true)) {
      loop.execute(drain); // added after the last peek, before the flag was cleared
    }
  }

  /**
   * Waits a few microseconds for another send: a writer that makes one per call (a loop of sets)
   * makes its next about that soon, and taking it in the same turn saves a wake-up of this thread
   * and a flush per write. Null if none came.
   */
  private @Nullable Send linger() {
    if (lingerMisses >= MAX_LINGER_MISSES && ++drainsSinceProbe < LINGER_PROBE_EVERY) {
      return null;
    }
    drainsSinceProbe = 0;
    long until = System.nanoTime() + LINGER_NANOS;
    Send next;
    while ((next = queue.peek()) == null && System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    lingerMisses = next == null ? lingerMisses + 1 : 0;
    return next;
  }

  /** Lingers in a row that found nothing; drains since the last probe (the loop thread only). */
  private int lingerMisses;
  private int drainsSinceProbe;

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

  private static IllegalStateException closedError() {
    return new IllegalStateException("socket is closed");
  }
}
