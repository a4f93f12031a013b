package org.syncmesh.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.Compression;
import org.syncmesh.wire.Checks;
import org.syncmesh.wire.FrameCodec;

/**
 * The {@link Link} over one Netty channel. It frames each message itself (the 4-byte length
 * header, docs/protocol-0.7.md §1.2). Small frames sent on the channel's event loop are copied into one
 * batch buffer; others are written as they are. One flush task per burst is queued on the event
 * loop, so consecutive sends share one write and one system call. A send from another thread is
 * written and flushed as a task of its own. Sends to one link are expected
 * from one thread (the node's protocol thread), which keeps their order. Output is bounded: past
 * {@link NetConfig#maxPendingBytes()} queued bytes the link is closed as too slow rather than
 * buffering without limit; a bulk sender avoids that by pausing while the link is not writable
 * ({@link #whenWritable}). Thread-safe.
 */
final class ChannelLink implements Link {

  private static final Logger log = LoggerFactory.getLogger(ChannelLink.class);
  /** Most bytes in one batch of small frames (kept under the pooled allocator's chunk limits). */
  private static final int BATCH_BYTES = 32 * 1024;
  /** First capacity of a batch buffer; it grows up to {@link #BATCH_BYTES}. */
  private static final int BATCH_START_BYTES = 1024;
  /** Frames this large are written as they are, not copied into a batch. */
  private static final int DIRECT_WRITE_BYTES = 8 * 1024;
  private static final AttributeKey<ChannelLink> KEY = AttributeKey.valueOf(ChannelLink.class, "link");

  private final Channel channel;
  private final boolean outgoing;
  private final NetConfig config;
  /** Whether TLS seals what this link writes: its SslHandler reads a large frame's parts where they are. */
  private final boolean sealed;
  // Traffic since the link opened, for metrics: one add per frame, any thread (sends come from many).
  private final java.util.concurrent.atomic.LongAdder bytesIn = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder framesIn = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder bytesOut = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder framesOut = new java.util.concurrent.atomic.LongAdder();
  private final AtomicBoolean flushQueued = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final Runnable flushTask = this::flushNow;
  private volatile @Nullable Compression sendCompression;
  private volatile List<Compression> decodeOrder = List.of();
  private volatile int minCompressBytes;
  /** Frames appended on the event loop, written at the next flush; confined to the event loop. */
  private @Nullable ByteBuf batch;
  /** Tasks waiting for the channel to become writable; confined to the event loop. */
  private final ArrayDeque<Runnable> writableWaiters = new ArrayDeque<>(1);
  private volatile @Nullable String closeReason;
  private volatile java.security.cert.@Nullable X509Certificate peerCertificate;

  private ChannelLink(Channel channel, boolean outgoing, NetConfig config, boolean sealed) {
    this.channel = channel;
    this.outgoing = outgoing;
    this.config = config;
    this.sealed = sealed;
  }

  static ChannelLink attach(Channel channel, boolean outgoing, NetConfig config, boolean sealed) {
    ChannelLink link = new ChannelLink(channel, outgoing, config, sealed);
    channel.attr(KEY).set(link);
    return link;
  }

  static @Nullable ChannelLink of(Channel channel) {
    return channel.attr(KEY).get();
  }

  @Override
  public boolean outgoing() {
    return outgoing;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return (InetSocketAddress) channel.remoteAddress();
  }

  @Override
  public java.util.Optional<java.security.cert.X509Certificate> peerCertificate() {
    return java.util.Optional.ofNullable(peerCertificate);
  }

  /** Records the certificate the TLS handshake verified; before the link is reported opened. */
  void peerCertificate(java.security.cert.X509Certificate certificate) {
    this.peerCertificate = certificate;
  }

  @Override
  public void send(OutboundFrame frame) {
    if (!channel.isActive()) {
      return;
    }
    long pending = pendingOutboundBytes();
    if (pending > config.maxPendingBytes()) {
      fail("peer too slow: " + pending + " bytes queued (limit " + config.maxPendingBytes() + ")");
      return;
    }
    // Compression is chosen now, not at flush time, so a handshake queued before the peer's
    // compression list arrived still goes out uncompressed (docs/protocol-0.7.md §11).
    Compression method = frame.payloadSize() < minCompressBytes ? null : sendCompression;
    boolean inLoop = channel.eventLoop().inEventLoop();
    if (method == null && inLoop && frame.payloadSize() < DIRECT_WRITE_BYTES) {
      counted(frame.payloadSize());
      frame.writeUncompressed(batchWithRoom(frame.payloadSize()));
    } else {
      ByteBuf payload = frame.payloadFor(method);
      int length = payload.readableBytes();
      counted(length);
      if (inLoop && length < DIRECT_WRITE_BYTES) {
        batchWithRoom(length).writeBytes(payload);
        payload.release();
      } else {
        ByteBuf framed;
        if (sealed) {
          ByteBuf header = channel.alloc().buffer(FrameCodec.HEADER_BYTES).writeInt(length);
          framed = Unpooled.wrappedUnmodifiableBuffer(header, payload);
        } else {
          // A socket writes from native memory: the transport would copy a heap composite there,
          // through a merged heap copy of its own. One copy, made here, instead.
          framed = channel.alloc().directBuffer(FrameCodec.HEADER_BYTES + length).writeInt(length).writeBytes(payload);
          payload.release();
        }
        if (!inLoop) {
          // Netty queues a write from another thread as a task of its own, which can run after
          // a flush task queued before it reset flushQueued: that write would wait for the next
          // send. Flushing with it loses nothing; the flush consolidator still batches the flushes.
          channel.writeAndFlush(framed, channel.voidPromise());
          return;
        }
        writeBatch();
        channel.write(framed, channel.voidPromise());
      }
    }
    if (flushQueued.compareAndSet(false, true)) {
      channel.eventLoop().execute(flushTask);
    }
  }

  private void counted(int payloadLength) {
    framesOut.increment();
    bytesOut.add(FrameCodec.HEADER_BYTES + (long) payloadLength);
  }

  /**
   * The batch, with the header of a {@code length}-byte payload written and room for the payload:
   * small frames sent in one event-loop turn leave as one buffer, not one Netty write (and
   * outbound-buffer entry) each.
   */
  private ByteBuf batchWithRoom(int length) {
    ByteBuf b = batch;
    if (b != null && b.maxWritableBytes() < FrameCodec.HEADER_BYTES + length) {
      writeBatch();
      b = null;
    }
    if (b == null) {
      // Starts small and grows: a flush often carries a few frames only, and the capacity of
      // a queued batch, not its content, is what holds memory until the socket takes it.
      b = channel.alloc().directBuffer(Math.min(BATCH_BYTES, Math.max(BATCH_START_BYTES, FrameCodec.HEADER_BYTES + length)), BATCH_BYTES);
      batch = b;
    }
    return b.writeInt(length);
  }

  /** Hands the batch to the channel; on the event loop only. */
  private void writeBatch() {
    ByteBuf b = batch;
    if (b != null) {
      batch = null;
      channel.write(b, channel.voidPromise());
    }
  }

  private void flushNow() {
    flushQueued.set(false);
    writeBatch();
    channel.flush();
  }

  @Override
  public void setReading(boolean reading) {
    channel.config().setAutoRead(reading);
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable();
  }

  @Override
  public void whenWritable(Runnable task) {
    Checks.notNull(task, "task");
    // Queued behind the flush task of what was sent before: the check sees those bytes counted.
    try {
      channel.eventLoop().execute(() -> {
        if (!isOpen()) {
          return;
        }
        if (channel.isWritable()) {
          task.run();
        } else {
          writableWaiters.add(task);
        }
      });
    } catch (RejectedExecutionException e) {
      // the event loop is shutting down: the link is closing, and the task never runs
    }
  }

  /** The channel became writable again: run the waiters (each may queue more and wait again). */
  void writable() {
    for (int n = writableWaiters.size(); n > 0 && channel.isWritable() && isOpen(); n--) {
      writableWaiters.poll().run();
    }
  }

  /** Frees a batch that never got written and forgets waiters; called when the channel is gone. */
  void releaseBatch() {
    writableWaiters.clear();
    ByteBuf b = batch;
    if (b != null) {
      batch = null;
      b.release();
    }
  }

  @Override
  public void setCompression(@Nullable Compression send, int minCompressBytes, List<Compression> decode) {
    this.decodeOrder = List.copyOf(decode);
    this.minCompressBytes = minCompressBytes;
    this.sendCompression = send;
  }

  List<Compression> decodeOrder() {
    return decodeOrder;
  }

  @Override
  public void close(String reason) {
    if (closing.compareAndSet(false, true)) {
      closeReason = reason;
      log.debug("closing link to {}: {}", channel.remoteAddress(), reason);
      // Flush first: what was queued before the close (a last handshake) should still go out.
      if (channel.eventLoop().inEventLoop()) {
        flushNow();
        channel.close();
      } else {
        channel.eventLoop().execute(() -> {
          flushNow();
          channel.close();
        });
      }
    }
  }

  /**
   * Closes the link because the peer misbehaved (malformed input, a stall, a full output
   * buffer), logging one WARN with the peer and the reason; later calls log nothing.
   */
  void fail(String reason) {
    if (!closing.get()) {
      log.warn("closing {}: {}", this, reason);
    }
    close(reason);
  }

  /** Why this side closed the link, or {@code null} if it did not (the peer did). */
  @Nullable String closeReason() {
    return closeReason;
  }

  @Override
  public boolean isOpen() {
    return channel.isActive() && !closing.get();
  }

  @Override
  public long pendingOutboundBytes() {
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }

  /** Counts one frame received, {@code payloadBytes} after its header; on the event loop. */
  void received(int payloadBytes) {
    framesIn.increment();
    bytesIn.add(FrameCodec.HEADER_BYTES + (long) payloadBytes);
  }

  @Override
  public long bytesIn() {
    return bytesIn.sum();
  }

  @Override
  public long framesIn() {
    return framesIn.sum();
  }

  @Override
  public long bytesOut() {
    return bytesOut.sum();
  }

  @Override
  public long framesOut() {
    return framesOut.sum();
  }

  Channel channel() {
    return channel;
  }

  @Override
  public String toString() {
    return (outgoing ? "link to " : "link from ") + channel.remoteAddress();
  }
}
