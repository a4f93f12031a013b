package org.syncmesh.sync;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.Hlc;
import org.syncmesh.MessageTooLargeException;
import org.syncmesh.Version;
import org.syncmesh.mesh.spi.MeshExtension;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;

/**
 * Turns a local write into a {@link LocalWrite} on the caller's thread: every check that does not
 * depend on the dictionary happens here, before anything is stored, sent or announced, and the
 * write's versioned broadcast is encoded here too, with the version and tenure the store guesses
 * for it ({@link Guesser}), so the node's single writer rarely encodes anything. A value must be
 * encodable, and small enough that its broadcast <em>and</em> what later gives it to a joiner (an
 * initial-sync store or an anti-entropy entry, the same with owner, timestamp, version and tenure
 * added) fit the frame cap. In steps, it makes the 0.7 forms for js2p and py2p peers.
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

  /**
   * What a secure network's signed write or entry adds besides (§8.1): the public key (bin 32) and
   * the largest batch signature this node makes, with their headers.
   */
  static final int SIGNATURE_OVERHEAD = 2 + 32 + 3 + BatchSignatures.MAX_BLOB_BYTES;

  /** The version and tenure a write to a key would get now; thread-safe (see Store#guess). */
  interface Guesser {
    Guess guess(Bytes key);
  }

  /** A write's likely version and tenure. */
  record Guess(Version version, Resolution.Tenure tenure) {}

  private final MeshExtension.Node node;
  private final Outbox outbox;
  private volatile @Nullable Guesser guesser;
  /** Signs every write in a secure network (§8); null in an open one. */
  private volatile @Nullable SignedWrites signing;
  private volatile @Nullable WriteSigner signer;

  LocalWrites(MeshExtension.Node node, Outbox outbox) {
    this.node = node;
    this.outbox = outbox;
  }

  /** Gives the store that confirms these writes' guesses; before the first write. */
  void guessWith(Guesser guesser) {
    this.guesser = guesser;
  }

  /**
   * Signs every write from now on (a secure network, docs/extension-v1.md §8), in batches by
   * {@code signer}; before the first write.
   */
  void signWith(SignedWrites signing, WriteSigner signer) {
    this.signing = signing;
    this.signer = signer;
  }

  /** The signer, or null in an open network. */
  @Nullable SignedWrites signing() {
    return signing;
  }

  /** The outbox of the 0.7 forms; its state belongs to the writer's steps. */
  Outbox outbox() {
    return outbox;
  }

  /** A store of {@code value} at {@code key}, or a delete when it is null. */
  LocalWrite store(Bytes key, @Nullable Object value) {
    return prepare(key, value, false, guess(key), "value");
  }

  /** A delta of {@code delta} into the map at {@code key}. */
  LocalWrite delta(Bytes key, java.util.Map<?, ?> delta) {
    return prepare(key, delta, true, guess(key), "delta");
  }

  /**
   * {@code write}'s versioned broadcast (open networks) at {@code version} and {@code tenure}: its
   * own if those were its guess; else encoded again, in the step: rare.
   */
  OutboundFrame frame(LocalWrite write, Version version, long seconds, Resolution.Tenure tenure) {
    if (version.equals(write.guess()) && tenure.equals(write.guessTenure())) {
      return write.frame();
    }
    int sub = write.delta() ? Flags.SUB_SM_DELTA : Flags.SUB_SM_WRITE;
    return node.frame(ExtMessages.write(node.id(), seconds, sub, write.key(), write.value(), version.hlc(),
        tenure.epoch(), tenure.claim()));
  }

  /**
   * In a secure network, {@code write} at {@code version} and {@code tenure} as this node's signed
   * write still waiting for its signature (§8.3); null in an open network.
   */
  SignedWrites.@Nullable Write pending(LocalWrite write, Version version, long seconds, Resolution.Tenure tenure) {
    SignedWrites s = signing;
    return s == null ? null
        : s.pending(write.delta() ? Flags.SUB_SM_DELTA : Flags.SUB_SM_WRITE, write.value(), version, seconds, tenure);
  }

  /** Hands a pending write of the step to the signer (secure networks). */
  void signLater(Bytes key, SignedWrites.Write pending) {
    WriteSigner s = signer;
    if (s == null) {
      throw new IllegalStateException("no signer attached to these writes");
    }
    s.submit(new SignedWrites.KeyedWrite(key, pending));
  }

  /** The versioned broadcast of this node's write {@code w}, now signed; the signer's thread. */
  OutboundFrame signedFrame(SignedWrites.KeyedWrite w) {
    SignedWrites.Write write = w.write();
    Resolution.Tenure tenure = write.tenure();
    return node.frame(ExtMessages.signedWrite(node.id(), write.timestamp(), write.sub(), w.key(), write.value(),
        write.version().hlc(), tenure.epoch(), tenure.claim(),
        new SignedWrites.Signed(write.version(), write.publicKey(), write.signature())));
  }

  /** Frames a 0.7 form made in a step. */
  OutboundFrame frame(InternalMessage plain) {
    return node.frame(plain);
  }

  /** {@code write}'s 0.7 form at {@code seconds}, for js2p and py2p peers. */
  InternalMessage plain(LocalWrite write, long seconds) {
    return InternalMessage.create(Flags.MAIN_BROADCAST, node.id(), seconds,
        Arrays.asList(write.delta() ? Flags.SUB_DELTA : Flags.SUB_STORE, write.key(), write.value()));
  }

  private Guess guess(Bytes key) {
    Guesser g = guesser;
    if (g == null) {
      throw new IllegalStateException("no store attached to these writes");
    }
    return g.guess(key);
  }

  private LocalWrite prepare(Bytes key, @Nullable Object value, boolean delta, Guess guess, String name) {
    long seconds = Hlc.millis(guess.version().hlc()) / 1000;
    InternalMessage m;
    try {
      m = ExtMessages.write(node.id(), seconds, delta ? Flags.SUB_SM_DELTA : Flags.SUB_SM_WRITE, key, value,
          guess.version().hlc(), guess.tenure().epoch(), guess.tenure().claim());
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      throw new IllegalArgumentException(
          message.startsWith("payload[2]") ? name + message.substring("payload[2]".length()) : message, e);
    }
    return new LocalWrite(key, m.payload().get(2), delta, m, frame(m, key), guess.version(), guess.tenure());
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


  private OutboundFrame frame(InternalMessage m, Bytes key) {
    long overhead = INITIAL_SYNC_OVERHEAD + (signing == null ? 0 : SIGNATURE_OVERHEAD);
    OutboundFrame frame;
    try {
      frame = node.frame(m);
    } catch (MessageTooLargeException e) {
      throw tooLarge(key, e.size() + overhead);
    }
    if (frame.payloadSize() + overhead > node.maxFrameBytes()) {
      throw tooLarge(key, frame.payloadSize() + overhead);
    }
    return frame;
  }

  private MessageTooLargeException tooLarge(Bytes key, long size) {
    return new MessageTooLargeException("value of key " + Keys.render(key) + " (with its owner and timestamp, as "
        + "an initial sync sends it)", size, node.maxFrameBytes());
  }
}
