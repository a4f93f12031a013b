package org.syncmesh.mesh;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import io.netty.channel.EventLoop;

/**
 * Hands sends to the protocol thread with a bound: from any other thread, a send first waits
 * while {@value #MAX_QUEUED_BYTES} bytes of earlier sends are still queued for it. Without that
 * bound a caller sending in a loop grows the protocol thread's task queue (unbounded) until the
 * heap is gone: seconds with two threads sending small messages. On the protocol thread itself
 * a send runs in place and never waits. A send still waiting when the socket closes is dropped,
 * as queued ones are. Thread-safe.
 */
final class SendGate {

  static final int MAX_QUEUED_BYTES = 8 * 1024 * 1024;
  /** A queued small message costs about this much in objects, whatever its payload. */
  static final int MIN_COST_BYTES = 1024;

  private final EventLoop node;
  private final BooleanSupplier closed;
  private final Semaphore budget = new Semaphore(MAX_QUEUED_BYTES);

  SendGate(EventLoop node, BooleanSupplier closed) {
    this.node = node;
    this.closed = closed;
  }

  void submit(int payloadBytes, Runnable send) {
    if (node.inEventLoop()) {
      send.run();
      return;
    }
    int cost = Math.min(Math.max(payloadBytes, MIN_COST_BYTES), MAX_QUEUED_BYTES);
    try {
      while (!budget.tryAcquire(cost, 100, TimeUnit.MILLISECONDS)) {
        if (closed.getAsBoolean()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      node.execute(() -> {
        try {
          send.run();
        } finally {
          budget.release(cost);
        }
      });
    } catch (RejectedExecutionException e) {
      budget.release(cost); // shut down: the socket is closed
    }
  }
}
