package org.syncmesh.sync;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.mesh.spi.MeshExtension;

/**
 * The functional listeners of a {@link SyncSocket} ({@link SyncSocket#onUpdate},
 * {@link SyncSocket#onDelete}): events are queued on the callback executor from the writer's steps,
 * and a subscription closed before its event starts does not get it. Thread-safe: a snapshot
 * list, so listeners may subscribe and close from inside their callbacks.
 */
final class Subscribers {

  private final List<Subscriber> all = new CopyOnWriteArrayList<>();

  Subscription onUpdate(UpdateListener<Bytes, Object> listener) {
    return add(new Subscriber(listener, null));
  }

  Subscription onDelete(DeleteListener<Bytes, Object> listener) {
    return add(new Subscriber(null, listener));
  }

  private Subscription add(Subscriber s) {
    all.add(s);
    return s;
  }

  /** Queues {@code key}'s update for every update listener; from a writer's step. */
  void updated(MeshExtension.Node node, Bytes key, @Nullable Object old, Object value) {
    for (Subscriber s : all) {
      UpdateListener<Bytes, Object> u = s.update;
      if (u != null) {
        node.callback(() -> {
          if (s.open) {
            u.onUpdate(key, old, value);
          }
        });
      }
    }
  }

  /** Queues {@code key}'s delete for every delete listener; from a writer's step. */
  void deleted(MeshExtension.Node node, Bytes key, Object old) {
    for (Subscriber s : all) {
      DeleteListener<Bytes, Object> d = s.delete;
      if (d != null) {
        node.callback(() -> {
          if (s.open) {
            d.onDelete(key, old);
          }
        });
      }
    }
  }

  /** One registration: closed by its own identity, so one lambda added twice is two subscriptions. */
  private final class Subscriber implements Subscription {
    final @Nullable UpdateListener<Bytes, Object> update;
    final @Nullable DeleteListener<Bytes, Object> delete;
    /** Checked as each event starts: an event queued before close is not delivered after it. */
    volatile boolean open = true;

    Subscriber(@Nullable UpdateListener<Bytes, Object> update, @Nullable DeleteListener<Bytes, Object> delete) {
      this.update = update;
      this.delete = delete;
    }

    @Override
    public void close() {
      open = false;
      all.remove(this);
    }
  }
}
