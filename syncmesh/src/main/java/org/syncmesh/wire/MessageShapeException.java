package org.syncmesh.wire;

import org.jspecify.annotations.Nullable;

/**
 * The body decoded but is not a message: not an array of at least 3 elements, main flag not an integer, time not a number, or sender neither str nor bin (docs/protocol-0.7.md §1.2).
 *
 * <p>Unchecked, thrown only while decoding peer input; the message carries the numbers involved.
 */
public final class MessageShapeException extends WireFormatException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with an actionable message. */
  public MessageShapeException(String message) {
    super(message);
  }

  /** Creates the exception with an actionable message and the underlying cause. */
  public MessageShapeException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
