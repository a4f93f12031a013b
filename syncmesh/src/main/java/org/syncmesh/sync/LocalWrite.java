package org.syncmesh.sync;

import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.Version;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.wire.InternalMessage;

/**
 * A local store, delete or delta, validated and encoded on the caller's thread before it enters
 * the node: the key, the value as peers decode it (null deletes; for a delta, the delta map), and
 * its versioned broadcast (docs/extension-v1.md §3) with that broadcast's frame, made with the
 * version and lease tenure the write would get if it entered the node now. Its step confirms the
 * guess, and encodes again in the rare case it was wrong. Immutable.
 */
record LocalWrite(Bytes key, @Nullable Object value, boolean delta, InternalMessage message, OutboundFrame frame,
    Version guess, Resolution.Tenure guessTenure) {}
