package org.syncmesh.mesh;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.syncmesh.Bytes;
import org.syncmesh.wire.Checks;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;

/**
 * A message as a user receives it: who sent it, when, its id, and its packets.
 *
 * <p>{@link #packets()} is what the sender passed to {@code send}; {@link #payload()} is the
 * same with the sub-flag in front, as js2p's {@code msg.packets} shows it. Immutable and
 * thread-safe.
 */
public final class Message {

  private final InternalMessage wire;
  private final MeshNode socket;

  Message(InternalMessage wire, MeshNode socket) {
    this.wire = wire;
    this.socket = socket;
  }

  /** The originator's node id (not the neighbour that relayed it). */
  public String sender() {
    return wire.senderId();
  }

  /** The sender's timestamp, seconds since the epoch (UTC). */
  public long time() {
    return wire.time();
  }

  /** The message id: SHA-256 of the body, 32 bytes (docs/protocol-0.7.md §3.4). */
  public Bytes id() {
    return wire.id();
  }

  /** The main flag: 0 broadcast, 2 whisper (docs/protocol-0.7.md §4). */
  public int flag() {
    return wire.type();
  }

  /** The sub-flag (payload[0]), or -1 when it is missing or not an integer. */
  public int subFlag() {
    return wire.subFlag();
  }

  /** The packets the sender passed to {@code send}: the payload without its sub-flag. */
  public List<Object> packets() {
    List<Object> payload = wire.payload();
    return payload.isEmpty() ? payload : payload.subList(1, payload.size());
  }

  /** The whole payload, sub-flag first. */
  public List<Object> payload() {
    return wire.payload();
  }

  /** The wire form, body bytes as they arrived; internal (see {@code spi.Extensions#wire}). */
  InternalMessage wire() {
    return wire;
  }

  /**
   * Answers the sender with a whisper of {@code packets}: directly when connected to it, else
   * through the request/response mechanism (docs/protocol-0.7.md §9.1), which connects first.
   *
   * @throws IllegalArgumentException if a packet cannot be encoded; nothing is sent then
   */
  public void reply(List<?> packets) {
    Checks.notNull(packets, "packets");
    List<Object> payload = new ArrayList<>(packets.size() + 1);
    payload.add(Flags.SUB_WHISPER);
    payload.addAll(packets);
    socket.reply(this, payload);
  }

  /** Varargs form of {@link #reply(List)}. */
  public void reply(Object... packets) {
    reply(Arrays.asList(packets));
  }

  @Override
  public String toString() {
    return "Message{sender=" + sender() + ", time=" + time() + ", packets=" + packets() + "}";
  }
}
