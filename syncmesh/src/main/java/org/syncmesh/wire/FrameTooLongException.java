package org.syncmesh.wire;

import org.jspecify.annotations.Nullable;

/**
 * A frame's length header, or the output of decompressing it, exceeds the frame cap (docs/protocol-0.7.md §1.5, §13.6).
 *
 * <p>Unchecked, thrown only while decoding peer input; the message carries the numbers involved.
 */
public final class FrameTooLongException extends WireFormatException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with an actionable message. */
  public FrameTooLongException(String message) {
    super(message);
  }

  /** Creates the exception with an actionable message and the underlying cause. */
  public FrameTooLongException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
