package org.syncmesh.wire;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;

/**
 * A message of the broadcast tree (syncmesh extension v2, docs/extension-v2.md §2, and v3,
 * docs/extension-v3.md §2): whispered between two syncmesh nodes whose link negotiated version 2
 * (ORPHANED: version 3), never to anyone else.
 *
 * <pre>
 * payload = [0x23, 1, ids]         ANNOUNCE: ids of broadcasts the sender has (1..1024)
 * payload = [0x23, 2, ids]         GRAFT:    send me these (0..1024), and push me their origins' broadcasts
 * payload = [0x23, 3, origins]     PRUNE:    stop pushing me these origins' broadcasts (1..1024)
 * payload = [0x23, 4, origins]     ORPHANED: my path to these origins broke (1..1024); version 3
 * ids     = array of bin 32, each a broadcast's message id (SHA-256 of its body, protocol-0.7.md §3.4)
 * origins = array of str, each a node id of 1..255 UTF-8 bytes: the sender of a broadcast (its tree's root)
 * </pre>
 *
 * <p>A reader accepts packets after these (a later version may append some) and refuses anything
 * else with {@link MessageShapeException}: an unknown kind, ids that are not an array of 32-byte
 * bins, origins that are not an array of such strs, an empty announcement, prune or orphan notice,
 * more than {@value #MAX_IDS} elements. Whether a kind may come on a given link is the receiver's
 * business (it knows the link's version).
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface TreeMessage {

  /** Most ids one announcement or graft carries; a longer batch is split into several. */
  int MAX_IDS = 1024;
  /** Bytes of a message id: a SHA-256. */
  int ID_BYTES = 32;
  /** Most UTF-8 bytes of an origin (a node id; ours are 66). */
  int MAX_ORIGIN_BYTES = 255;

  /** Wire values of the kind packet; append, never renumber. */
  long ANNOUNCE_KIND = 1;
  /** Wire value of a graft's kind. */
  long GRAFT_KIND = 2;
  /** Wire value of a prune's kind. */
  long PRUNE_KIND = 3;
  /** Wire value of an orphan notice's kind (extension version 3). */
  long ORPHANED_KIND = 4;

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

  /**
   * "Stop pushing me the broadcasts of these origins; announce them instead": the receiver makes
   * its side of the link lazy for each origin's tree (the sender's side stays as it was).
   *
   * @param origins 1 to {@value #MAX_IDS} node ids of 1 to {@value #MAX_ORIGIN_BYTES} UTF-8 bytes
   */
  record Prune(List<String> origins) implements TreeMessage {
    /** @throws IllegalArgumentException if {@code origins} is empty, too long, or holds an unfit id */
    public Prune {
      origins = checkedOrigins(origins);
    }

    @Override
    public List<Object> toPayload() {
      return List.of(Flags.SUB_SM_TREE, PRUNE_KIND, List.copyOf(origins));
    }
  }

  /**
   * "My path to these origins broke" (extension version 3): sent by a node whose parent link for
   * these origins closed, to its other links, and relayed by each receiver whose parent the sender
   * is to the links it pushes their broadcasts on; a node so told grafts what it sees announced after
   * 10 ms rather than the missing timeout's 150, until it hears from the origin again, and a receiver
   * that is not the sender's parent announces the origin's next broadcast to it at once
   * (docs/extension-v3.md §3).
   *
   * @param origins 1 to {@value #MAX_IDS} node ids of 1 to {@value #MAX_ORIGIN_BYTES} UTF-8 bytes
   */
  record Orphaned(List<String> origins) implements TreeMessage {
    /** @throws IllegalArgumentException if {@code origins} is empty, too long, or holds an unfit id */
    public Orphaned {
      origins = checkedOrigins(origins);
    }

    @Override
    public List<Object> toPayload() {
      return List.of(Flags.SUB_SM_TREE, ORPHANED_KIND, List.copyOf(origins));
    }
  }

  /**
   * Whether {@code origin} may go in a {@link Prune} or an {@link Orphaned}: 1 to
   * {@value #MAX_ORIGIN_BYTES} UTF-8 bytes.
   */
  static boolean fitsOrigin(String origin) {
    return !origin.isEmpty() && origin.length() <= MAX_ORIGIN_BYTES
        && origin.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_ORIGIN_BYTES;
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
    if (kind < ANNOUNCE_KIND || kind > ORPHANED_KIND) {
      throw new MessageShapeException("tree message: unknown kind " + kind + " (expected 1 to 4)");
    }
    boolean ofOrigins = kind == PRUNE_KIND || kind == ORPHANED_KIND;
    String what = ofOrigins ? "origins" : "ids";
    if (payload.size() < 3 || !(payload.get(2) instanceof List<?> list)) {
      throw new MessageShapeException("tree message kind " + kind + ": " + what + " missing or not an array");
    }
    int min = kind == GRAFT_KIND ? 0 : 1;
    if (list.size() > MAX_IDS || list.size() < min) {
      throw new MessageShapeException("tree message kind " + kind + ": " + list.size() + " " + what + " (expected "
          + min + ".." + MAX_IDS + ")");
    }
    if (ofOrigins) {
      List<String> origins = new ArrayList<>(list.size());
      for (Object origin : list) {
        if (!(origin instanceof String o) || !fitsOrigin(o)) {
          throw new MessageShapeException("tree message kind " + kind + ": an origin is " + Packets.describe(origin)
              + ", not a str of 1.." + MAX_ORIGIN_BYTES + " UTF-8 bytes");
        }
        origins.add(o);
      }
      return kind == PRUNE_KIND ? new Prune(origins) : new Orphaned(origins);
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

  private static List<String> checkedOrigins(List<String> origins) {
    List<String> copy = List.copyOf(Checks.notNull(origins, "origins"));
    Checks.inRange(copy.size(), 1, MAX_IDS, "origins.size()");
    for (String origin : copy) {
      Checks.argument(fitsOrigin(origin), "origin", origin, "a node id of 1.." + MAX_ORIGIN_BYTES + " UTF-8 bytes");
    }
    return copy;
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
