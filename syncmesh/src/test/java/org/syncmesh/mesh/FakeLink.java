package org.syncmesh.mesh;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Compression;
import org.syncmesh.net.Link;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.wire.InternalMessage;

/**
 * A {@link Link} with no connection behind it: it records what the node sends and why it closed,
 * so that the handshake, peers and request handlers can be driven message by message, with no
 * peer socket and no timing. Thread-safe.
 */
final class FakeLink implements Link {

  private final boolean outgoing;
  private final InetSocketAddress remote;
  final List<InternalMessage> sent = new CopyOnWriteArrayList<>();
  private volatile @Nullable String closedBecause;
  /** Every change of reading, in order: false when the node paused it, true when it resumed. */
  final List<Boolean> readingChanges = new CopyOnWriteArrayList<>();

  FakeLink(boolean outgoing, int remotePort) {
    this.outgoing = outgoing;
    this.remote = new InetSocketAddress("127.0.0.1", remotePort);
  }

  @Nullable String closedBecause() {
    return closedBecause;
  }

  @Override public boolean outgoing() { return outgoing; }
  @Override public InetSocketAddress remoteAddress() { return remote; }
  @Override public void send(OutboundFrame frame) {
    if (closedBecause == null) {
      sent.add(frame.message());
    }
  }
  @Override public void setCompression(@Nullable Compression send, int min, List<Compression> decodeOrder) {}
  @Override public void close(String reason) {
    if (closedBecause == null) {
      closedBecause = reason;
    }
  }
  @Override public boolean isOpen() { return closedBecause == null; }
  @Override public long pendingOutboundBytes() { return 0; }
  @Override public boolean isWritable() { return true; }
  @Override public void whenWritable(Runnable task) { task.run(); }
  @Override public void setReading(boolean reading) { readingChanges.add(reading); }
}
