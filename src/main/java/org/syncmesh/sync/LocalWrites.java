package org.syncmesh.sync;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.syncmesh.mesh.MeshExtension;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.wire.Bytes;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.MessageTooLargeException;

/**
 * Turns a local write into a {@link LocalWrite} on the caller's thread: every check that does not
 * depend on the dictionary happens here, before anything is stored, sent or announced. A value
 * must be encodable, and small enough that its broadcast <em>and</em> the initial-sync store that
 * later gives it to a joiner (the same with owner and timestamp added) fit the frame cap.
 * Thread-safe.
 */
final class LocalWrites {

  /**
   * What an initial-sync store {@code [11, key, value, owner, timestamp]} may add to the store
   * {@code [11, key, value]} of the same key (an owner id of at most 66 characters with its str8
   * header, 68 bytes, and a timestamp of at most 9), with room for what an anti-entropy entry adds
   * besides (docs/extension-v1.md §5: kind, round, version, base, epoch and claim).
   */
  static final int INITIAL_SYNC_OVERHEAD = 128;

  private final MeshExtension.Node node;
  private final Outbox outbox;

  LocalWrites(MeshExtension.Node node, Outbox outbox) {
    this.node = node;
    this.outbox = outbox;
  }

  /** The outbox whose times these writes use; its state belongs to the writer's steps. */
  Outbox outbox() {
    return outbox;
  }

  /** A store of {@code value} at {@code key}, or a delete when it is null. */
  LocalWrite store(Bytes key, @Nullable Object value) {
    InternalMessage m = encode(Arrays.asList(Flags.SUB_STORE, key, value), key, "value");
    return new LocalWrite(key, m.payload().get(2), m, frame(m, key)); // the value as peers decode it
  }

  /** A delta of {@code delta} into the map at {@code key}. */
  LocalWrite delta(Bytes key, java.util.Map<?, ?> delta) {
    InternalMessage m = encode(Arrays.asList(Flags.SUB_DELTA, key, delta), key, "delta");
    return new LocalWrite(key, m.payload().get(2), m, frame(m, key));
  }

  /**
   * Encodes {@code write} again in its step when the time guessed before it entered the node is
   * no longer valid (see {@link Outbox}); the same write otherwise.
   */
  LocalWrite confirm(LocalWrite write) {
    long now = node.nowSeconds();
    if (outbox.accepts(write.message(), now)) {
      return write;
    }
    InternalMessage m = outbox.create(write.message().payload(), now);
    return new LocalWrite(write.key(), write.value(), m, node.frame(m));
  }

  /** Encodes a store in a step, where the outbox picks its time. */
  LocalWrite storeNow(Bytes key, @Nullable Object value) {
    InternalMessage m = outbox.create(Arrays.asList(Flags.SUB_STORE, key, value), node.nowSeconds());
    return new LocalWrite(key, m.payload().get(2), m, node.frame(m));
  }

  /**
   * Checks in a step that {@code value} (a delta's merged map) still fits an
   * initial-sync store of {@code key}.
   *
   * @throws MessageTooLargeException if it does not
   */
  void requireFits(Bytes key, Object value) {
    frame(InternalMessage.create(Flags.MAIN_BROADCAST, node.id(), node.nowSeconds(),
        Arrays.asList(Flags.SUB_STORE, key, value)), key);
  }

  private InternalMessage encode(List<?> payload, Bytes key, String name) {
    try {
      return InternalMessage.create(Flags.MAIN_BROADCAST, node.id(), outbox.earliestSeconds(node.nowSeconds()), payload);
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      throw new IllegalArgumentException(
          message.startsWith("payload[2]") ? name + message.substring("payload[2]".length()) : message, e);
    }
  }

  /** Frames a message made in a step. */
  OutboundFrame frame(InternalMessage m) {
    return node.frame(m);
  }

  private OutboundFrame frame(InternalMessage m, Bytes key) {
    OutboundFrame frame;
    try {
      frame = node.frame(m);
    } catch (MessageTooLargeException e) {
      throw tooLarge(key, e.size() + INITIAL_SYNC_OVERHEAD);
    }
    if (frame.payloadSize() + (long) INITIAL_SYNC_OVERHEAD > node.maxFrameBytes()) {
      throw tooLarge(key, frame.payloadSize() + (long) INITIAL_SYNC_OVERHEAD);
    }
    return frame;
  }

  private MessageTooLargeException tooLarge(Bytes key, long size) {
    return new MessageTooLargeException("value of key " + Keys.render(key) + " (with its owner and timestamp, as "
        + "an initial sync sends it)", size, node.maxFrameBytes());
  }
}
