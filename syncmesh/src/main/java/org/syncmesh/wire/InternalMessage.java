package org.syncmesh.wire;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;

/**
 * One protocol 0.7 message (js2p's name for it): main flag, sender, time and payload packets, together with the
 * exact msgpack body B they came from or were encoded to, and its SHA-256, the message id (docs/protocol-0.7.md §1.2, §3.4).
 *
 * <pre>
 * B = msgpack([ type, sender, time, payload[0], payload[1], ... ])   one flat array
 * id = SHA-256(B)                                                   32 bytes, never inside B
 * </pre>
 *
 * <p>A decoded message keeps its <em>original</em> body bytes, never re-encoded, so relays forward exactly what
 * arrived and the id stays the sender's (§8.3, §13.22). A created message is encoded eagerly, so every validation
 * error is an {@link IllegalArgumentException} from {@link #create} before anything else happens.
 *
 * <p>Values: {@link #sender()} is a {@link String} (msgpack str) or {@link Bytes} (bin) exactly as on the wire;
 * payload values follow the {@link Packets} mapping (a created message reports them normalised the same way, so
 * a created message and its decoded copy have equal payloads). {@link #time()} is in seconds UTC.
 *
 * <p>Immutable and thread-safe. Nothing is null except payload elements that are msgpack nil.
 */
public final class InternalMessage {
  private static final int MIN_ELEMENTS = 3;

  private final int type;
  private final Object sender;
  private final long timeSeconds;
  private final List<@Nullable Object> payload;
  private final Bytes body;
  private final Bytes id;

  private InternalMessage(int type, Object sender, long timeSeconds, List<@Nullable Object> payload, Bytes body,
      Bytes id) {
    this.type = type;
    this.sender = sender;
    this.timeSeconds = timeSeconds;
    this.payload = payload;
    this.body = body;
    this.id = id;
  }

  /**
   * Encodes a new message. {@code time} is written as the smallest unsigned integer (ce for current times, §2.4).
   *
   * @param type        the main flag, see {@link Flags}
   * @param sender      the sender id as a {@link String} (str, what js2p sends) or {@link Bytes} (bin, py2p)
   * @param timeSeconds seconds since the epoch, UTC, {@code >= 0}
   * @param payload     the packets after the time; {@code payload.get(0)} is by convention the sub-flag
   * @throws IllegalArgumentException if the sender is neither String nor Bytes, time is negative, or a payload value
   *                                  cannot be encoded (the message names where, e.g. {@code payload[2]["a"]})
   */
  public static InternalMessage create(int type, Object sender, long timeSeconds, List<?> payload) {
    Checks.notNull(payload, "payload");
    return encode(type, sender, timeSeconds, payload.toArray()); // one consistent snapshot of the list
  }

  /**
   * As {@link #create(int, Object, long, List)} with the payload given inline; a null element is msgpack nil.
   * Note that a single {@code List} argument selects the List overload (it is the payload, not payload[0]).
   */
  public static InternalMessage create(int type, Object sender, long timeSeconds, @Nullable Object... payload) {
    Checks.notNull(payload, "payload");
    return encode(type, sender, timeSeconds, payload.clone());
  }

  /** Encodes; {@code elements} is a private copy that is overwritten with the normalised values. */
  private static InternalMessage encode(int type, Object sender, long timeSeconds, @Nullable Object[] elements) {
    Checks.notNull(sender, "sender");
    Checks.argument(sender instanceof String || sender instanceof Bytes, "sender",
        sender.getClass().getName(), "String (msgpack str) or Bytes (msgpack bin)");
    Checks.argument(timeSeconds >= 0, "timeSeconds", timeSeconds, ">= 0");
    MsgpackWriter writer = MsgpackWriter.scratch();
    writer.writeArrayHeader(MIN_ELEMENTS + elements.length);
    writer.writeLong(type);
    Packets.packRoot(writer, sender, "sender");
    writer.writeLong(timeSeconds);
    List<@Nullable Object> packets = Packets.packElements(writer, elements, "payload");
    byte[] b = writer.toByteArray();
    return new InternalMessage(type, sender, timeSeconds, packets, BytesInternals.trusted(b), BytesInternals.trusted(Digests.sha256(b)));
  }

  /**
   * Decodes a message from its msgpack body B alone (no checksum to verify; the id is computed).
   *
   * @throws MalformedMsgpackException if B is not exactly one msgpack value
   * @throws MessageShapeException     if B is not a message (see {@link #decodeOwned})
   */
  public static InternalMessage decodeBody(Bytes body) {
    Checks.notNull(body, "body");
    byte[] b = BytesInternals.array(body);
    return decodeOwned(b, Digests.sha256(b));
  }

  /**
   * Decodes body {@code b} whose SHA-256 is {@code id}; both arrays become owned by the message. Shape rules
   * (§1.2): an array of at least 3, an integer main flag in int range, a str or bin sender, and a time that is
   * any msgpack integer (uint64 beyond 2^63−1 saturates) or a finite float (truncated toward zero; js2p sends
   * float64 after 2038, §2.4).
   */
  static InternalMessage decodeOwned(byte[] b, byte[] id) {
    @Nullable Object[] head = new Object[MIN_ELEMENTS];
    List<@Nullable Object> payload = Packets.decodeArrayAfter(b, head);
    if (payload == null) {
      throw new MessageShapeException("message body is " + shape(Packets.decode(b))
          + " (expected: an array of at least 3 elements [type, sender, time, payload...])");
    }
    Object t = head[0];
    if (!(t instanceof Long l) || l != (int) (long) l) {
      throw new MessageShapeException("main flag (body[0]) is " + Packets.describe(t) + " (expected: an integer)");
    }
    Object s = head[1];
    if (!(s instanceof String) && !(s instanceof Bytes)) {
      throw new MessageShapeException("sender (body[1]) is " + Packets.describe(s) + " (expected: str or bin)");
    }
    long time = timeOf(head[2]);
    return new InternalMessage((int) (long) l, s, time, payload, BytesInternals.trusted(b), BytesInternals.trusted(id));
  }

  private static long timeOf(@Nullable Object t) {
    if (t instanceof Long l) {
      return l;
    } else if (t instanceof java.math.BigInteger) {
      return Long.MAX_VALUE; // a uint64 beyond 2^63-1 (year 292e9): saturate rather than drop the link
    } else if ((t instanceof Double || t instanceof Float) && Double.isFinite(((Number) t).doubleValue())) {
      return (long) ((Number) t).doubleValue(); // the cast truncates toward zero and saturates
    }
    throw new MessageShapeException("time (body[2]) is " + Packets.describe(t)
        + " (expected: an integer or a finite float, in seconds)");
  }

  private static String shape(@Nullable Object decoded) {
    if (decoded instanceof List<?> l) {
      return "an array of " + l.size() + " elements";
    }
    return decoded == null ? "nil" : "a " + decoded.getClass().getSimpleName() + " " + Packets.describe(decoded);
  }

  /** The main flag (body index 0), see {@link Flags}. */
  public int type() {
    return type;
  }

  /** The sender exactly as on the wire: {@link String} for msgpack str, {@link Bytes} for bin. */
  public Object sender() {
    return sender;
  }

  /** The sender as text: the String itself, or the bin sender decoded as UTF-8 (leniently). */
  public String senderId() {
    return sender instanceof Bytes b ? b.utf8() : (String) sender;
  }

  /** True if the sender travelled as msgpack bin (py2p), false for str (js2p). */
  public boolean senderIsBin() {
    return sender instanceof Bytes;
  }

  /** The timestamp in seconds UTC (floats truncated toward zero). */
  public long time() {
    return timeSeconds;
  }

  /** The packets after the time (body index 3 on), unmodifiable. */
  public List<@Nullable Object> payload() {
    return payload;
  }

  /** payload[0] if it is an integer in int range (the sub-flag, see {@link Flags}), else -1. */
  public int subFlag() {
    if (!payload.isEmpty() && payload.get(0) instanceof Long l && l == (int) (long) l) {
      return (int) (long) l;
    }
    return -1;
  }

  /** The msgpack body B: for a decoded message the bytes as received, never re-encoded. */
  public Bytes body() {
    return body;
  }

  /** The message id and checksum: SHA-256 of {@link #body()}, 32 bytes. */
  public Bytes id() {
    return id;
  }

  /** Equal when id and body are equal, i.e. when the wire bytes are. */
  @Override
  public boolean equals(Object other) {
    return other == this || (other instanceof InternalMessage m && id.equals(m.id) && body.equals(m.body));
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  /** A short rendering, e.g. {@code InternalMessage[type=0 sender="abc" time=1700000000 payload=[11, …] id=7729…]}. */
  @Override
  public String toString() {
    return "InternalMessage[type=" + type + " sender=" + Packets.describe(sender) + " time=" + timeSeconds
        + " payload=" + Packets.describe(payload) + " id=" + BytesInternals.hex(BytesInternals.array(id), 0, 8) + "…]";
  }
}
