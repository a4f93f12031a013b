package org.syncmesh.wire;

import org.jspecify.annotations.Nullable;

/**
 * Data is not a valid stream of the compression method it was decoded with (docs/protocol-0.7.md §11).
 *
 * <p>Unchecked, thrown only while decoding peer input; the message carries the numbers involved.
 */
public final class DecompressionException extends WireFormatException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with an actionable message. */
  public DecompressionException(String message) {
    super(message);
  }

  /** Creates the exception with an actionable message and the underlying cause. */
  public DecompressionException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
