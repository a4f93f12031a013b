package org.syncmesh.wire;

import org.jspecify.annotations.Nullable;

/**
 * A peer sent something malformed. Each kind of malformation has its own final subclass, in the way Netty puts
 * TooLongFrameException and CorruptedFrameException under DecoderException:
 * {@link FrameTooLongException}, {@link FrameLengthMismatchException}, {@link ChecksumMismatchException},
 * {@link MalformedMsgpackException}, {@link MessageShapeException} and {@link DecompressionException}.
 *
 * <p>Unchecked. Decoders in this package throw only this type (and its subclasses) for bad input, so the network
 * layer can treat any other exception as a bug. The usual reaction is to close only the offending link.
 */
public class WireFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with an actionable message. */
  public WireFormatException(String message) {
    super(message);
  }

  /** Creates the exception with an actionable message and the underlying cause. */
  public WireFormatException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
