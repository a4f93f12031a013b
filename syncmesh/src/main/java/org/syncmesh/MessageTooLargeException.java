package org.syncmesh;

/**
 * A message this node was asked to send would make a frame larger than the frame cap, which
 * every receiver with the same cap refuses (docs/protocol-0.7.md §1.5). Thrown before anything
 * is stored or sent; the message gives both sizes, never the content.
 *
 * <p>Unchecked, an {@link IllegalArgumentException}: the caller passed a value too large.
 */
public final class MessageTooLargeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final long size;
  private final int limit;

  /**
   * @param what what was too large, e.g. "payload" or "value of key \"k\""
   * @param size its encoded size in bytes
   * @param limit the frame cap in bytes
   */
  public MessageTooLargeException(String what, long size, int limit) {
    super(what + " too large: " + size + " bytes encoded, over the frame cap of " + limit + " bytes");
    this.size = size;
    this.limit = limit;
  }

  /** The encoded size, in bytes. */
  public long size() {
    return size;
  }

  /** The frame cap it exceeds, in bytes. */
  public int limit() {
    return limit;
  }
}
