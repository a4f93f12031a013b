package org.syncmesh.sync;

import org.jspecify.annotations.Nullable;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.wire.Bytes;
import org.syncmesh.wire.InternalMessage;

/**
 * A local store, delete or delta, validated and encoded on the caller's thread before it enters
 * the node: the key, the value as peers decode it (null deletes; for a delta, the delta map),
 * the broadcast it makes and that broadcast's frame. Immutable.
 */
record LocalWrite(Bytes key, @Nullable Object value, InternalMessage message, OutboundFrame frame) {}
