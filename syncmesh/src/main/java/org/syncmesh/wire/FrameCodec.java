package org.syncmesh.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.Compression;
import org.syncmesh.MessageTooLargeException;

/**
 * Message ⇄ frame bytes for protocol 0.7 (docs/protocol-0.7.md §1.2–§1.3, §11): the entry point of the wire layer.
 *
 * <pre>
 * +---------------+------------------------------------------------------------+
 * | N: uint32 BE  | P: N bytes                                                 |
 * +---------------+------------------------------------------------------------+
 *                 |                 uncompressed, P = S ‖ B:                   |
 *                 +----------------------+-------------------------------------+
 *                 | S: SHA-256(B), 32 B  | B: msgpack [type, sender, time, …]  |
 *                 +----------------------+-------------------------------------+
 *                 compressed with method M, P = compress_M(S ‖ B): the header is never compressed
 * </pre>
 *
 * N counts P only, not itself. The checksum S covers the uncompressed body B and is the message id.
 *
 * <p>Decoding follows §1.3 and §11, and is lenient where the reference libraries differ: each method of the
 * caller's try-order is tried, and the first whose output carries a valid checksum wins; if none does, P is taken
 * raw, because an uncompressed frame is always accepted on a compressed link. Every decompression is bounded by
 * {@link #maxFrameBytes()}, which also caps N ({@link #checkFrameLength}). Decoding throws only
 * {@link WireFormatException} subtypes for bad input.
 *
 * <p>Immutable and thread-safe; share one instance. The limit defaults to {@value #DEFAULT_MAX_FRAME_BYTES} bytes
 * (16 MiB, §13.6), and the net layer passes this codec's limit on to its frame decoder.
 */
public final class FrameCodec {
  /** Default cap for N and for decompressed output: 16 MiB. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
  /** Size of the length header N. */
  public static final int HEADER_BYTES = 4;
  /** Size of the SHA-256 checksum S. */
  public static final int CHECKSUM_BYTES = Digests.SHA256_BYTES;
  private static final AtomicBoolean CHECKSUMS_WARMED = new AtomicBoolean();

  /**
   * Warms SHA-256, every frame's checksum and message id, on a short-lived daemon thread
   * ({@code syncmesh-warm-sha256}) and returns at once. A node calls this once it listens: a fresh JVM
   * hashes its first megabytes 10 to 40 times slower than once the JIT has compiled SHA-256, and a new
   * node's first initial sync is where it meets them (about 50 ms of a 10,000-key join's 250). Once per
   * process.
   *
   * @return whether this call started the thread
   */
  public static boolean warmUpChecksums() {
    if (!CHECKSUMS_WARMED.compareAndSet(false, true)) {
      return false;
    }
    Thread thread = new Thread(Digests::warmUp, "syncmesh-warm-sha256");
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
    thread.start();
    return true;
  }

  private static final int HEX_PREVIEW_BYTES = 8;

  private final int maxFrameBytes;

  /** A codec with the {@link #DEFAULT_MAX_FRAME_BYTES} limit. */
  public FrameCodec() {
    this(DEFAULT_MAX_FRAME_BYTES);
  }

  /**
   * A codec that refuses frames (and decompressed payloads) longer than {@code maxFrameBytes}.
   *
   * @throws IllegalArgumentException unless {@code 32 < maxFrameBytes < Integer.MAX_VALUE}
   */
  public FrameCodec(int maxFrameBytes) {
    Checks.inRange(maxFrameBytes, CHECKSUM_BYTES + 1, Integer.MAX_VALUE - 1, "maxFrameBytes");
    this.maxFrameBytes = maxFrameBytes;
  }

  /** The cap on N and on decompressed payloads, in bytes. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  // ---- encoding ----

  /**
   * P uncompressed: {@code S ‖ B}.
   *
   * @throws MessageTooLargeException if {@code S ‖ B} is longer than {@link #maxFrameBytes()}, which a receiver
   *                                  with the same limit would refuse even if it were compressed
   */
  public byte[] encodePayload(InternalMessage message) {
    Checks.notNull(message, "message");
    return payloadWithRoom(message, 0);
  }

  /** Compresses a payload with {@code method}, or returns it unchanged when {@code method} is null. */
  public byte[] compressPayload(byte[] payload, @Nullable Compression method) {
    Checks.notNull(payload, "payload");
    return method == null ? payload : Compressors.compress(method, payload);
  }

  /**
   * The whole frame, {@code N ‖ P}, with P compressed by {@code method} unless it is null.
   *
   * @throws IllegalArgumentException as {@link #encodePayload}, or if a compressed P exceeds the limit
   */
  public byte[] encodeFrame(InternalMessage message, @Nullable Compression method) {
    Checks.notNull(message, "message");
    if (method == null) {
      byte[] frame = payloadWithRoom(message, HEADER_BYTES); // one allocation, one copy of the body
      putLength(frame, frame.length - HEADER_BYTES);
      return frame;
    }
    byte[] p = Compressors.compress(method, payloadWithRoom(message, 0));
    if (p.length > maxFrameBytes) {
      throw new MessageTooLargeException("compressed payload", p.length, maxFrameBytes);
    }
    byte[] frame = new byte[HEADER_BYTES + p.length];
    putLength(frame, p.length);
    System.arraycopy(p, 0, frame, HEADER_BYTES, p.length);
    return frame;
  }

  /**
   * The length of {@code message}'s uncompressed payload {@code S ‖ B}, checked as {@link #encodePayload}
   * checks it, for a sender that writes S and B where they go instead of into one array first.
   *
   * @throws MessageTooLargeException as {@link #encodePayload}
   */
  public int payloadSize(InternalMessage message) {
    Checks.notNull(message, "message");
    long length = (long) CHECKSUM_BYTES + message.body().size();
    if (length > maxFrameBytes) {
      throw new MessageTooLargeException("payload", length, maxFrameBytes);
    }
    return (int) length;
  }

  private byte[] payloadWithRoom(InternalMessage message, int headroom) {
    Bytes body = message.body();
    int length = payloadSize(message);
    byte[] out = new byte[headroom + length];
    message.id().copyTo(0, out, headroom, CHECKSUM_BYTES);
    body.copyTo(0, out, headroom + CHECKSUM_BYTES, body.size());
    return out;
  }

  private static void putLength(byte[] frame, int n) {
    frame[0] = (byte) (n >>> 24);
    frame[1] = (byte) (n >>> 16);
    frame[2] = (byte) (n >>> 8);
    frame[3] = (byte) n;
  }

  // ---- decoding ----

  /**
   * Refuses a length header N above the limit, before anything is allocated for it.
   *
   * @throws FrameTooLongException naming N and the limit
   */
  public void checkFrameLength(long n) {
    if (n > maxFrameBytes) {
      throw new FrameTooLongException(
          "frame length " + n + " bytes exceeds the limit of " + maxFrameBytes + " bytes (maxFrameBytes)");
    }
  }

  /**
   * Decodes a whole frame {@code N ‖ P}.
   *
   * @throws FrameLengthMismatchException if there are fewer than 4 bytes or N differs from the bytes after it
   * @throws FrameTooLongException        if N exceeds the limit
   * @throws WireFormatException          as {@link #decodePayload(byte[], int, int, List)}
   */
  public InternalMessage decodeFrame(byte[] frame, List<Compression> tryOrder) {
    Checks.notNull(frame, "frame");
    if (frame.length < HEADER_BYTES) {
      throw new FrameLengthMismatchException(
          "frame of " + frame.length + " bytes is shorter than the " + HEADER_BYTES + "-byte length header");
    }
    long n = (frame[0] & 0xffL) << 24 | (frame[1] & 0xff) << 16 | (frame[2] & 0xff) << 8 | (frame[3] & 0xff);
    int actual = frame.length - HEADER_BYTES;
    if (n != actual) {
      throw new FrameLengthMismatchException(
          "frame length header says " + n + " bytes but " + actual + " bytes follow it (docs/protocol-0.7.md §1.2: N == len(P))");
    }
    checkFrameLength(n);
    return decodePayload(frame, HEADER_BYTES, actual, tryOrder);
  }

  /** As {@link #decodePayload(byte[], int, int, List)} for all of {@code payload}. */
  public InternalMessage decodePayload(byte[] payload, List<Compression> tryOrder) {
    Checks.notNull(payload, "payload");
    return decodePayload(payload, 0, payload.length, tryOrder);
  }

  /**
   * As {@link #decodePayload(byte[], int, int, List)} for the remaining bytes of {@code payload}, read without
   * copying when it has an accessible array; from a direct buffer an uncompressed P is hashed in place and only
   * its body copied. Its position is not moved.
   */
  public InternalMessage decodePayload(ByteBuffer payload, List<Compression> tryOrder) {
    Checks.notNull(payload, "payload");
    if (payload.hasArray()) {
      return decodePayload(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining(), tryOrder);
    }
    // A direct buffer, as a socket's bytes arrive: an uncompressed P is hashed where it lies and
    // only its body copied out, instead of copying all of P and then the body again.
    int length = payload.remaining();
    if (length > CHECKSUM_BYTES && length <= maxFrameBytes
        && isArrayHeader(payload.get(payload.position() + CHECKSUM_BYTES))) {
      InternalMessage raw = rawReading(payload);
      if (raw != null) {
        return raw;
      }
    }
    byte[] copy = new byte[payload.remaining()];
    payload.duplicate().get(copy);
    return decodePayload(copy, 0, copy.length, tryOrder);
  }

  /**
   * Decodes P = {@code data[offset, offset + length)}: take it raw if its SHA-256 checks, else decompress with each
   * of {@code tryOrder} until one checks (an uncompressed frame is always accepted, §11), then msgpack-decode, check the shape (§1.3). {@code data} is only read, and not retained.
   *
   * @throws FrameTooLongException      if P is longer than the limit, or a method decompresses it beyond the limit
   *                                    and no other reading of P has a valid checksum
   * @throws ChecksumMismatchException  if no reading of P (decompressed or raw) has a valid checksum
   * @throws MalformedMsgpackException  if the body is not exactly one valid msgpack value
   * @throws MessageShapeException      if the body is not a message
   */
  public InternalMessage decodePayload(byte[] data, int offset, int length, List<Compression> tryOrder) {
    Checks.notNull(data, "data");
    Checks.notNull(tryOrder, "tryOrder");
    Checks.fromIndexSize(offset, length, data.length);
    checkFrameLength(length);
    // Raw first: one hash settles an uncompressed frame (the common case between syncmesh nodes,
    // which skip compression for small frames), and a compressed P cannot pass it by accident
    // (its first 32 bytes would have to be the SHA-256 of the rest). Only when B could be a message,
    // whose msgpack starts with an array header: most compressed frames' byte 32 is not one, and
    // hashing them raw first cost a second SHA-256 over each.
    boolean mayBeRaw = length > CHECKSUM_BYTES && isArrayHeader(data[offset + CHECKSUM_BYTES]);
    InternalMessage raw = mayBeRaw ? rawReading(data, offset, length) : null;
    if (raw != null) {
      return raw;
    }
    FrameTooLongException tooLong = null;
    List<String> attempts = null; // made only on a failure, for the error message: nothing allocated when all is well
    for (int i = 0, n = tryOrder.size(); i < n; i++) {
      Compression method = tryOrder.get(i);
      byte[] out;
      try {
        out = Compressors.decompress(method, data, offset, length, maxFrameBytes);
      } catch (FrameTooLongException e) {
        tooLong = e; // remember it, but a raw reading may still be valid (an uncompressed frame is always accepted)
        attempts = note(attempts, method + ": over the limit");
        continue;
      } catch (DecompressionException e) {
        attempts = note(attempts, method + ": not " + method.name().toLowerCase(java.util.Locale.ROOT) + " data");
        continue;
      }
      byte[] id = checksum(out, 0, out.length);
      if (id != null) {
        return InternalMessage.decodeOwned(Arrays.copyOfRange(out, CHECKSUM_BYTES, out.length), id);
      }
      attempts = note(attempts, method + ": decompressed, checksum mismatch");
    }
    // a raw reading that checks is still taken (an uncompressed frame always is), to refuse its shape in decoding
    raw = mayBeRaw ? null : rawReading(data, offset, length);
    if (raw != null) {
      return raw;
    }
    if (tooLong != null) {
      throw tooLong;
    }
    attempts = note(attempts, "raw: " + describeMismatch(data, offset, length));
    throw new ChecksumMismatchException("SHA-256 check failed for a " + length + "-byte payload; tried " + attempts);
  }

  /** P taken uncompressed, if its checksum holds; else null. */
  private static @Nullable InternalMessage rawReading(byte[] data, int offset, int length) {
    return rawReading(ByteBuffer.wrap(data, offset, length));
  }

  /**
   * As {@link #rawReading(byte[], int, int)} for P = {@code p}'s remaining bytes, hashed where they lie
   * and only the body copied out; {@code p}'s position is not moved.
   */
  private static @Nullable InternalMessage rawReading(ByteBuffer p) {
    int at = p.position();
    int length = p.remaining();
    if (length < CHECKSUM_BYTES) {
      return null;
    }
    byte[] id = Digests.sha256(p.slice(at + CHECKSUM_BYTES, length - CHECKSUM_BYTES));
    for (int i = 0; i < CHECKSUM_BYTES; i++) {
      if (p.get(at + i) != id[i]) {
        return null;
      }
    }
    byte[] body = new byte[length - CHECKSUM_BYTES];
    p.get(at + CHECKSUM_BYTES, body);
    return InternalMessage.decodeOwned(body, id);
  }

  /** Whether {@code b} starts a msgpack array: fixarray, array 16 or array 32. */
  private static boolean isArrayHeader(byte b) {
    int v = b & 0xff;
    return (v & 0xf0) == 0x90 || v == 0xdc || v == 0xdd;
  }

  private static List<String> note(@Nullable List<String> attempts, String attempt) {
    List<String> list = attempts == null ? new ArrayList<>(4) : attempts;
    list.add(attempt);
    return list;
  }

  /** The SHA-256 of the body if it matches the checksum in front of it, else null. */
  private static byte @Nullable [] checksum(byte[] p, int offset, int length) {
    if (length < CHECKSUM_BYTES) {
      return null;
    }
    byte[] actual = Digests.sha256(p, offset + CHECKSUM_BYTES, length - CHECKSUM_BYTES);
    return Arrays.equals(actual, 0, CHECKSUM_BYTES, p, offset, offset + CHECKSUM_BYTES) ? actual : null;
  }

  private static String describeMismatch(byte[] p, int offset, int length) {
    if (length < CHECKSUM_BYTES) {
      return length + " bytes, shorter than the " + CHECKSUM_BYTES + "-byte checksum";
    }
    byte[] actual = Digests.sha256(p, offset + CHECKSUM_BYTES, length - CHECKSUM_BYTES);
    return "expected " + BytesInternals.hex(p, offset, HEX_PREVIEW_BYTES) + "…, body hashes to "
        + BytesInternals.hex(actual, 0, HEX_PREVIEW_BYTES) + "…";
  }
}
