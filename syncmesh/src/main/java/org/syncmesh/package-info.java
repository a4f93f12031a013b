/**
 * The values a user of the library touches, below every other package: {@link org.syncmesh.Bytes} (keys, message
 * ids), {@link org.syncmesh.Protocol} (which network), {@link org.syncmesh.NodeIdentity} (a node's signing key in a
 * secure network), {@link org.syncmesh.Version} and {@link org.syncmesh.Hlc} (the version of a write),
 * {@link org.syncmesh.Compression} (the methods of protocol 0.7) and {@link org.syncmesh.MessageTooLargeException}.
 *
 * <p>Pure values: no I/O, no threads, and no dependency on any other syncmesh package (wire builds on them, never the
 * reverse). The sockets are in {@link org.syncmesh.mesh} and {@link org.syncmesh.sync}.
 *
 * <p>Nothing is null unless annotated {@code @Nullable}. Every class here is immutable and thread-safe.
 */
@NullMarked
package org.syncmesh;

import org.jspecify.annotations.NullMarked;
