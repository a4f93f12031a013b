package org.syncmesh.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The syncmesh extension marker (docs/extension-v1.md): one integer a syncmesh node appends to
 * its handshake's compression list to say "I am syncmesh and speak extension versions
 * {@code min..max}". js2p and py2p store that list and only ever use its intersection with their
 * own methods (docs/extending-0.7.md, fact 2), so to them the marker is an unknown compression id
 * and changes nothing.
 *
 * <p>Layout, one msgpack integer: {@code 0x534D_0000 | min << 8 | max}, where {@code 0x534D} is
 * "SM" and {@code 1 <= min <= max <= 255}. Every marker lies in [0x534D0101, 0x534DFFFF]: a
 * positive int32 (js2p encodes larger integers as float64, §2.1), and far from every compression
 * id of 0.7 (0x10–0x20). A different layout would take a different magic, which this version
 * ignores.
 *
 * <p>Parsing is tolerant: anything that is not a well-formed marker (another integer, another
 * type, min 0, min above max) is not a marker; of several markers the first counts.
 *
 * <p>Immutable and thread-safe.
 *
 * @param min the lowest extension version the node speaks, 1..255
 * @param max the highest extension version the node speaks, min..255
 */
public record ExtensionOffer(int min, int max) {

  /** "SM" in the upper 16 bits of every marker. */
  public static final long MAGIC = 0x534D_0000L;
  /** The highest extension version any marker can name. */
  public static final int MAX_VERSION = 0xFF;
  /**
   * The first version with broadcast trees (docs/extension-v2.md): a link whose version is at least
   * this carries the tree's messages ({@link Flags#SUB_SM_TREE}) and eager/lazy broadcasts.
   */
  public static final int BROADCAST_TREES = 2;
  /**
   * The first version with orphan notices (docs/extension-v3.md): on a link whose version is at
   * least this, a node tells the nodes below it when its path to an origin's tree broke.
   */
  public static final int ORPHAN_NOTICES = 3;
  /** What this build speaks: versions 1 to 3 (broadcast trees with orphan notices). */
  public static final ExtensionOffer THIS_BUILD = new ExtensionOffer(1, ORPHAN_NOTICES);
  /** What this build offers with broadcast trees turned off, and what every version-1 node offered: 1 only. */
  public static final ExtensionOffer V1_ONLY = new ExtensionOffer(1, 1);

  /**
   * Checks the range.
   *
   * @throws IllegalArgumentException unless {@code 1 <= min <= max <= 255}
   */
  public ExtensionOffer {
    Checks.inRange(min, 1, MAX_VERSION, "min");
    Checks.inRange(max, min, MAX_VERSION, "max");
  }

  /** The marker as it goes into the compression list. */
  public long markerId() {
    return MAGIC | (long) min << 8 | max;
  }

  /** The highest version both offers speak, or 0 when their ranges do not overlap. */
  public int highestCommonVersion(ExtensionOffer other) {
    Checks.notNull(other, "other");
    int high = Math.min(max, other.max);
    return high >= Math.max(min, other.min) ? high : 0;
  }

  /** {@code compressionIds} with this offer's marker appended: the list of a syncmesh handshake. */
  public List<Long> appendTo(List<Long> compressionIds) {
    Checks.notNull(compressionIds, "compressionIds");
    List<Long> out = new ArrayList<>(compressionIds.size() + 1);
    out.addAll(compressionIds);
    out.add(markerId());
    return List.copyOf(out);
  }

  /**
   * The offer in a peer's advertised compression list, straight from decoded msgpack: the first
   * element that is a well-formed marker, or empty when there is none.
   */
  public static Optional<ExtensionOffer> find(List<?> advertised) {
    Checks.notNull(advertised, "advertised");
    for (Object element : advertised) {
      Optional<ExtensionOffer> offer = fromId(element);
      if (offer.isPresent()) {
        return offer;
      }
    }
    return Optional.empty();
  }

  /** The offer {@code id} encodes, or empty when it is not a well-formed marker. */
  public static Optional<ExtensionOffer> fromId(@Nullable Object id) {
    if (!(id instanceof Long || id instanceof Integer)) {
      return Optional.empty(); // markers are msgpack integers; a uint64 beyond 2^63 is a BigInteger and no marker
    }
    long value = ((Number) id).longValue();
    if ((value & ~0xFFFFL) != MAGIC) {
      return Optional.empty();
    }
    int min = (int) (value >>> 8 & 0xFF);
    int max = (int) (value & 0xFF);
    return min >= 1 && min <= max ? Optional.of(new ExtensionOffer(min, max)) : Optional.empty();
  }
}
