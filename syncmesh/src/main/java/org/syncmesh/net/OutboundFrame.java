package org.syncmesh.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Compression;
import org.syncmesh.wire.FrameCodec;
import org.syncmesh.wire.InternalMessage;

/**
 * One message ready to go to any number of peers: its payload {@code S ‖ B} (checksum, then the
 * original body, docs/protocol-0.7.md §1.2) is built once, and each compression method is applied at most
 * once however many links use it. A relayed message keeps the body bytes it arrived with, so its
 * id is unchanged (docs/protocol-0.7.md §8.3).
 *
 * <p>Immutable and thread-safe; links on different event loops may encode it concurrently.
 */
public final class OutboundFrame {

  private static final Compression[] METHODS = Compression.values();

  private final InternalMessage message;
  private final FrameCodec codec;
  private final byte[] payload;
  // Compressed payloads by Compression ordinal; a race computes one twice, never wrongly.
  private final AtomicReferenceArray<byte[]> compressed = new AtomicReferenceArray<>(METHODS.length);

  private OutboundFrame(InternalMessage message, FrameCodec codec) {
    this.message = message;
    this.codec = codec;
    this.payload = codec.encodePayload(message);
  }

  /** Prepares {@code message} for sending; its body is never re-encoded. */
  public static OutboundFrame of(InternalMessage message, FrameCodec codec) {
    return new OutboundFrame(message, codec);
  }

  /** The message this frame carries. */
  public InternalMessage message() {
    return message;
  }

  /** Uncompressed payload size in bytes (checksum plus body). */
  public int payloadSize() {
    return payload.length;
  }

  /** The payload as sent with {@code method} ({@code null}: uncompressed), without a header. */
  ByteBuf payloadFor(@Nullable Compression method) {
    if (method == null) {
      return Unpooled.wrappedBuffer(payload);
    }
    int slot = method.ordinal();
    byte[] bytes = compressed.get(slot);
    if (bytes == null) {
      bytes = codec.compressPayload(payload, method);
      compressed.set(slot, bytes);
    }
    return Unpooled.wrappedBuffer(bytes);
  }
}
