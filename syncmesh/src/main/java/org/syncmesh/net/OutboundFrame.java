package org.syncmesh.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Compression;
import org.syncmesh.wire.BytesInternals;
import org.syncmesh.wire.FrameCodec;
import org.syncmesh.wire.InternalMessage;

/**
 * One message ready to go to any number of peers: its payload {@code S ‖ B} (checksum, then the
 * original body, docs/protocol-0.7.md §1.2) is written from the message's own bytes, and each
 * compression method is applied at most once however many links use it. A relayed message keeps
 * the body bytes it arrived with, so its id is unchanged (docs/protocol-0.7.md §8.3).
 *
 * <p>Immutable and thread-safe; links on different event loops may encode it concurrently.
 */
public final class OutboundFrame {

  private static final Compression[] METHODS = Compression.values();

  private final InternalMessage message;
  private final FrameCodec codec;
  private final int payloadSize;
  // S ‖ B in one array, made only for a compressor or a write outside a link's batch: most frames
  // are small and uncompressed, and a link copies their S and B straight into its batch.
  private volatile byte @Nullable [] payload;
  // Compressed payloads by Compression ordinal, made on a first compression; a race computes one
  // twice (or makes the array twice and loses one's entry), never wrongly.
  private volatile @Nullable AtomicReferenceArray<byte[]> compressed;

  private OutboundFrame(InternalMessage message, FrameCodec codec) {
    this.message = message;
    this.codec = codec;
    this.payloadSize = codec.payloadSize(message);
  }

  /**
   * Prepares {@code message} for sending; its body is never re-encoded.
   *
   * @throws org.syncmesh.MessageTooLargeException if its payload exceeds the codec's frame limit
   */
  public static OutboundFrame of(InternalMessage message, FrameCodec codec) {
    return new OutboundFrame(message, codec);
  }

  /** The message this frame carries. */
  public InternalMessage message() {
    return message;
  }

  /** Uncompressed payload size in bytes (checksum plus body). */
  public int payloadSize() {
    return payloadSize;
  }

  /** Writes the payload uncompressed, {@link #payloadSize()} bytes, to {@code out}. */
  void writeUncompressed(ByteBuf out) {
    out.writeBytes(BytesInternals.array(message.id()), 0, FrameCodec.CHECKSUM_BYTES)
        .writeBytes(BytesInternals.array(message.body()));
  }

  /** The payload as sent with {@code method} ({@code null}: uncompressed), without a header. */
  ByteBuf payloadFor(@Nullable Compression method) {
    if (method == null) {
      return Unpooled.wrappedBuffer(payload());
    }
    AtomicReferenceArray<byte[]> byMethod = compressed;
    if (byMethod == null) {
      byMethod = new AtomicReferenceArray<>(METHODS.length);
      compressed = byMethod;
    }
    int slot = method.ordinal();
    byte[] bytes = byMethod.get(slot);
    if (bytes == null) {
      bytes = codec.compressPayload(payload(), method);
      byMethod.set(slot, bytes);
    }
    return Unpooled.wrappedBuffer(bytes);
  }

  private byte[] payload() {
    byte[] p = payload;
    if (p == null) { // a race makes it twice, equal
      p = codec.encodePayload(message);
      payload = p;
    }
    return p;
  }
}
