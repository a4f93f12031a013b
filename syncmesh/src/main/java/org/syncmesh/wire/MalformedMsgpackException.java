package org.syncmesh.wire;

import org.jspecify.annotations.Nullable;

/**
 * The body is not exactly one well-formed msgpack value of the types protocol 0.7 uses: truncated, trailing bytes, ext types, never-used byte 0xc1, nesting deeper than the cap (docs/protocol-0.7.md §2), or a value whose decoded form would take more memory than one message may ({@link DecodedCost#MAX_BYTES}, 64 MiB estimated).
 *
 * <p>Unchecked, thrown only while decoding peer input; the message carries the numbers involved.
 */
public final class MalformedMsgpackException extends WireFormatException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with an actionable message. */
  public MalformedMsgpackException(String message) {
    super(message);
  }

  /** Creates the exception with an actionable message and the underlying cause. */
  public MalformedMsgpackException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
