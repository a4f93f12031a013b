/**
 * Internal, not API: the hook a protocol on top of the mesh plugs into, and the one door to it.
 * Not exported by the module, because these signatures carry wire and net types
 * ({@code InternalMessage}, {@code OutboundFrame}).
 *
 * <p>Entry point: {@link org.syncmesh.mesh.spi.Extensions#meshSocket}, which binds a
 * {@link org.syncmesh.mesh.MeshSocket} with a {@link org.syncmesh.mesh.spi.MeshExtension}. The
 * sync package is its one user; this package depends on mesh, wire and net, never on sync.
 */
@NullMarked
package org.syncmesh.mesh.spi;

import org.jspecify.annotations.NullMarked;
