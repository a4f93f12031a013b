package org.syncmesh.wire;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;

/**
 * A message of the broadcast tree (syncmesh extension v2, docs/extension-v2.md §2): whispered
 * between two syncmesh nodes whose link negotiated version 2, never to anyone else.
 *
 * <pre>
 * payload = [0x23, kind, ids]      kind 1 ANNOUNCE: ids of broadcasts the sender has (1..1024)
 *                                  kind 2 GRAFT:    make the link eager again; send these (0..1024)
 * payload = [0x23, 3]              kind 3 PRUNE:    make the link lazy
 * ids     = array of bin 32, each a broadcast's message id (SHA-256 of its body, protocol-0.7.md §3.4)
 * </pre>
 *
 * <p>A reader accepts packets after these (a later version may append some) and refuses anything
 * else with {@link MessageShapeException}: an unknown kind, ids that are not an array of 32-byte
 * bins, an empty announcement, more than {@value #MAX_IDS} ids.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface TreeMessage {

  /** Most ids one announcement or graft carries; a longer batch is split into several. */
  int MAX_IDS = 1024;
  /** Bytes of a message id: a SHA-256. */
  int ID_BYTES = 32;

  /** Wire values of the kind packet; append, never renumber. */
  long ANNOUNCE_KIND = 1;
  /** Wire value of a graft's kind. */
  long GRAFT_KIND = 2;
  /** Wire value of a prune's kind. */
  long PRUNE_KIND = 3;

  /** The payload to whisper, sub-flag first. */
  List<Object> toPayload();

  /**
   * "I have these broadcasts": sent on lazy links instead of the broadcasts themselves.
   *
   * @param ids 1 to {@value #MAX_IDS} message ids of 32 bytes
   */
  record Announce(List<Bytes> ids) implements TreeMessage {
    /** @throws IllegalArgumentException if {@code ids} is empty, too long, or holds an id that is not 32 bytes */
    public Announce {
      ids = checkedIds(ids, 1);
    }

    @Override
    public List<Object> toPayload() {
      return List.of(Flags.SUB_SM_TREE, ANNOUNCE_KIND, List.copyOf(ids));
    }
  }

  /**
   * "Push to me again, and send me these": the receiver makes the link eager and sends each
   * broadcast it still has, as it first sent it.
   *
   * @param ids 0 to {@value #MAX_IDS} message ids of 32 bytes
   */
  record Graft(List<Bytes> ids) implements TreeMessage {
    /** @throws IllegalArgumentException if {@code ids} is too long or holds an id that is not 32 bytes */
    public Graft {
      ids = checkedIds(ids, 0);
    }

    @Override
    public List<Object> toPayload() {
      return List.of(Flags.SUB_SM_TREE, GRAFT_KIND, List.copyOf(ids));
    }
  }

  /** "Stop pushing to me; announce instead": the receiver makes the link lazy. */
  record Prune() implements TreeMessage {
    @Override
    public List<Object> toPayload() {
      return List.of(Flags.SUB_SM_TREE, PRUNE_KIND);
    }
  }

  /**
   * The tree message in a whispered payload (sub-flag first), as it came from a peer.
   *
   * @throws MessageShapeException if the payload is not a tree message
   */
  static TreeMessage read(List<? extends @Nullable Object> payload) {
    Checks.notNull(payload, "payload");
    if (payload.size() < 2 || !(payload.get(0) instanceof Long sub) || sub != Flags.SUB_SM_TREE) {
      throw new MessageShapeException("tree message: expected [0x23, kind, …], got " + payload.size() + " packets"
          + (payload.isEmpty() ? "" : " starting " + Packets.describe(payload.get(0))));
    }
    if (!(payload.get(1) instanceof Long kind)) {
      throw new MessageShapeException("tree message: kind is " + Packets.describe(payload.get(1)) + ", not an integer");
    }
    if (kind == PRUNE_KIND) {
      return new Prune();
    }
    if (kind != ANNOUNCE_KIND && kind != GRAFT_KIND) {
      throw new MessageShapeException("tree message: unknown kind " + kind + " (expected 1, 2 or 3)");
    }
    if (payload.size() < 3 || !(payload.get(2) instanceof List<?> list)) {
      throw new MessageShapeException("tree message kind " + kind + ": ids missing or not an array");
    }
    if (list.size() > MAX_IDS || (kind == ANNOUNCE_KIND && list.isEmpty())) {
      throw new MessageShapeException("tree message kind " + kind + ": " + list.size() + " ids (expected "
          + (kind == ANNOUNCE_KIND ? 1 : 0) + ".." + MAX_IDS + ")");
    }
    List<Bytes> ids = new ArrayList<>(list.size());
    for (Object id : list) {
      if (!(id instanceof Bytes b) || b.size() != ID_BYTES) {
        throw new MessageShapeException("tree message kind " + kind + ": an id is " + Packets.describe(id)
            + ", not a bin of " + ID_BYTES + " bytes");
      }
      ids.add(b);
    }
    return kind == ANNOUNCE_KIND ? new Announce(ids) : new Graft(ids);
  }

  private static List<Bytes> checkedIds(List<Bytes> ids, int min) {
    List<Bytes> copy = List.copyOf(Checks.notNull(ids, "ids"));
    Checks.inRange(copy.size(), min, MAX_IDS, "ids.size()");
    for (Bytes id : copy) {
      Checks.argument(id.size() == ID_BYTES, "id", id, "a message id of " + ID_BYTES + " bytes");
    }
    return copy;
  }
}
