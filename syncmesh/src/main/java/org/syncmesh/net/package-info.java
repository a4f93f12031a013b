/**
 * Internal, not API. The network layer: Netty bootstraps and the channel pipeline that turns
 * bytes into {@link org.syncmesh.wire.InternalMessage}s and back (length-field framing, frame
 * codec, per-link compression, TLS, limits and timeouts).
 *
 * <p>The mesh layer reaches this package only through {@link org.syncmesh.net.Network},
 * {@link org.syncmesh.net.Link}, {@link org.syncmesh.net.LinkListener} and
 * {@link org.syncmesh.net.OutboundFrame}; everything else is package-private.
 */
@NullMarked
package org.syncmesh.net;

import org.jspecify.annotations.NullMarked;
