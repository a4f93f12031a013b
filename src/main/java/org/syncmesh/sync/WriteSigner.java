package org.syncmesh.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs this node's writes in batches on a thread of its own (docs/extension-v1.md §8.3): the
 * writer's step queues a write it applied, and this thread takes every write waiting, up to
 * {@link BatchSignatures#MAX_BATCH}, signs them with one signature and hands them, signed and in
 * order, to its sink (which sends them and attaches their signatures). A lone write is signed at
 * once; writes arriving while a batch is signed form the next, so the batch grows with the load
 * and no write waits for a timer. Thread-safe.
 */
final class WriteSigner implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WriteSigner.class);

  /** Writes waiting past which {@link #awaitRoom} holds local writers back. */
  static final int MAX_BACKLOG = 65_536;

  private final SignedWrites signing;
  private final Consumer<List<SignedWrites.KeyedWrite>> sink;
  private final LinkedBlockingQueue<SignedWrites.KeyedWrite> queue = new LinkedBlockingQueue<>();
  private final ReentrantLock roomLock = new ReentrantLock();
  private final Condition room = roomLock.newCondition();
  private final Thread thread;
  private volatile boolean closed;

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
    if (running) {
      thread.start();
    }
  }

  /** Queues one of this node's writes for signing; never blocks (any thread, the writer's steps). */
  void submit(SignedWrites.KeyedWrite write) {
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
      signAndHandOver(batch);
      if (closed) {
        break;
      }
    }
    while (queue.drainTo(batch, BatchSignatures.MAX_BATCH) > 0) { // closing: what was written is still sent
      signAndHandOver(batch);
    }
  }

  private void signAndHandOver(List<SignedWrites.KeyedWrite> batch) {
    try {
      sink.accept(signing.signedAll(batch));
    } catch (RuntimeException e) { // a bug: these writes stay pending (unsent), the node goes on
      log.error("signing a batch of {} writes failed", batch.size(), e);
    }
    batch.clear();
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
