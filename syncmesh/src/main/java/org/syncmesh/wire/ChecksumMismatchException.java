package org.syncmesh.wire;

import org.jspecify.annotations.Nullable;

/**
 * The SHA-256 at the start of a payload does not match the body after it, under every compression tried and raw (docs/protocol-0.7.md §1.3 step 3).
 *
 * <p>Unchecked, thrown only while decoding peer input; the message carries the numbers involved.
 */
public final class ChecksumMismatchException extends WireFormatException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with an actionable message. */
  public ChecksumMismatchException(String message) {
    super(message);
  }

  /** Creates the exception with an actionable message and the underlying cause. */
  public ChecksumMismatchException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
