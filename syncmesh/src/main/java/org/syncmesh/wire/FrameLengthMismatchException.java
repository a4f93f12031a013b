package org.syncmesh.wire;

import org.jspecify.annotations.Nullable;

/**
 * A frame's 4-byte length header disagrees with the bytes actually present, or fewer than 4 bytes were given (docs/protocol-0.7.md §1.2).
 *
 * <p>Unchecked, thrown only while decoding peer input; the message carries the numbers involved.
 */
public final class FrameLengthMismatchException extends WireFormatException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with an actionable message. */
  public FrameLengthMismatchException(String message) {
    super(message);
  }

  /** Creates the exception with an actionable message and the underlying cause. */
  public FrameLengthMismatchException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
