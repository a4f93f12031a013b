package org.syncmesh.mesh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code recv()} queue: user messages nobody's handler claimed, oldest first, bounded. When
 * full, the oldest message makes room and the first such drop is recorded in status. Thread-safe.
 */
final class Inbox {

  private final MeshNode node;
  private final LinkedBlockingDeque<Message> queue;
  private final AtomicLong dropped = new AtomicLong();

  Inbox(MeshNode node, int capacity) {
    this.node = node;
    this.queue = new LinkedBlockingDeque<>(capacity);
  }

  /** Messages dropped (the oldest) because the recv queue was full, since start; any thread. */
  long dropped() {
    return dropped.get();
  }

  /** Queues {@code message} and tells the listeners. */
  void deliver(Message message) {
    while (!queue.offerLast(message)) {
      if (queue.pollFirst() != null && dropped.incrementAndGet() == 1) {
        node.reportError("recv queue full: dropping the oldest messages");
      }
    }
    node.events().message();
  }

  Optional<Message> poll() {
    return Optional.ofNullable(queue.pollFirst());
  }

  List<Message> drain(int max) {
    List<Message> out = new ArrayList<>(Math.min(max, queue.size()));
    queue.drainTo(out, max);
    return out;
  }

  Optional<Message> poll(Duration timeout) throws InterruptedException {
    return Optional.ofNullable(queue.pollFirst(timeout.toNanos(), TimeUnit.NANOSECONDS));
  }
}
