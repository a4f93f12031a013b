package org.syncmesh.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs this node's writes (docs/extension-v1.md §8.3). A lone write (none came in the
 * millisecond before it, and none waits for a signature) is signed at once by its own step (one
 * Ed25519 signature, about 35 µs), so it waits for no other thread. Other writes queue up, and this
 * signer's thread takes every write waiting, up to {@link BatchSignatures#MAX_BATCH}, signs them
 * with one signature and hands them, signed and in order, to its sink (which sends them and
 * attaches their signatures); writes arriving meanwhile form the next batch, so batches grow with
 * the load and no write waits for a timer. Thread-safe.
 */
final class WriteSigner implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WriteSigner.class);

  /** Writes waiting past which {@link #awaitRoom} holds local writers back. */
  static final int MAX_BACKLOG = 65_536;

  /**
   * A write is alone, and signed inline, when none came for this long before it: a writer faster
   * than that (a bulk load) gets its writes signed in batches instead.
   */
  static final long ALONE_NANOS = 1_000_000;

  private final SignedWrites signing;
  private final Consumer<List<SignedWrites.KeyedWrite>> sink;
  private final LinkedBlockingQueue<SignedWrites.KeyedWrite> queue = new LinkedBlockingQueue<>();
  private final ReentrantLock roomLock = new ReentrantLock();
  private final Condition room = roomLock.newCondition();
  private final Thread thread;
  private final boolean running;
  private volatile boolean closed;
  private volatile long lastSubmit = System.nanoTime() - ALONE_NANOS - 1;
  /** Writes submitted and not yet handed over, so a write may be signed inline only when it is 0. */
  private final AtomicInteger unsigned = new AtomicInteger();

  /**
   * @param sink receives each batch, signed, on this signer's thread: the writes with their
   *     signatures in place of {@link SignedWrites#PENDING}
   */
  WriteSigner(SignedWrites signing, Consumer<List<SignedWrites.KeyedWrite>> sink) {
    this(signing, sink, true);
  }

  /** {@code running} false (tests): nothing is ever signed, as if the process were killed first. */
  WriteSigner(SignedWrites signing, Consumer<List<SignedWrites.KeyedWrite>> sink, boolean running) {
    this.signing = signing;
    this.sink = sink;
    this.thread = new Thread(this::run, "syncmesh-signer-" + signing.id().substring(0, 6));
    thread.setDaemon(true);
    this.running = running;
    if (running) {
      thread.start();
    }
  }

  /**
   * Signs one of this node's writes: at once, on the calling thread (the write's step), when it is
   * alone (none in the {@link #ALONE_NANOS} before it, none waiting or being signed); else queued
   * for the next batch. Never blocks (any thread, the writer's steps).
   */
  void submit(SignedWrites.KeyedWrite write) {
    long now = System.nanoTime();
    long previous = lastSubmit;
    lastSubmit = now;
    if (running && now - previous > ALONE_NANOS && unsigned.compareAndSet(0, 1)) {
      try {
        signAndHandOver(new ArrayList<>(List.of(write)));
      } finally {
        unsigned.decrementAndGet();
      }
      return;
    }
    unsigned.incrementAndGet();
    queue.add(write);
  }

  /** Writes waiting to be signed. */
  int backlog() {
    return queue.size();
  }

  /** Waits, on a local writer's thread before its step, while more than {@link #MAX_BACKLOG} writes wait. */
  void awaitRoom() {
    if (queue.size() <= MAX_BACKLOG) {
      return;
    }
    roomLock.lock();
    try {
      while (queue.size() > MAX_BACKLOG && !closed) {
        room.await(10, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      roomLock.unlock();
    }
  }

  private void run() {
    List<SignedWrites.KeyedWrite> batch = new ArrayList<>(BatchSignatures.MAX_BATCH);
    while (true) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        if (closed) {
          break;
        }
        continue;
      }
      queue.drainTo(batch, BatchSignatures.MAX_BATCH - 1);
      signQueued(batch);
      if (closed) {
        break;
      }
    }
    while (queue.drainTo(batch, BatchSignatures.MAX_BATCH) > 0) { // closing: what was written is still sent
      signQueued(batch);
    }
  }

  private void signAndHandOver(List<SignedWrites.KeyedWrite> batch) {
    try {
      sink.accept(signing.signedAll(batch));
    } catch (RuntimeException e) { // a bug: these writes stay pending (unsent), the node goes on
      log.error("signing a batch of {} writes failed", batch.size(), e);
    }
    batch.clear();
  }

  /** The signer thread's batch: signed, handed over, and writers waiting for room woken. */
  private void signQueued(List<SignedWrites.KeyedWrite> batch) {
    int n = batch.size();
    try {
      signAndHandOver(batch);
    } finally {
      unsigned.addAndGet(-n);
    }
    if (queue.size() <= MAX_BACKLOG) {
      roomLock.lock();
      try {
        room.signalAll();
      } finally {
        roomLock.unlock();
      }
    }
  }

  /**
   * Signs and hands over the writes still waiting, then stops the signer. Idempotent. A write
   * the process never signed (it was killed) stays pending in a durable node's records and is
   * signed at its next start.
   */
  @Override
  public void close() {
    closed = true;
    if (!thread.isAlive()) {
      return;
    }
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
